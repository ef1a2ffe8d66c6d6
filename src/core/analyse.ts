/**
 * Analysing a column across clusters (DESIGN §2.10, seed 003 milestone 3.3): "do errors correlate
 * with specific clusters?". For a boolean column the rate per cluster, Pearson's chi-squared test of
 * independence over the clusters × {true, false} table with Cramér's V, and per cluster against the
 * rest a 2 × 2 test: Fisher's exact test when an expected cell is below 5, else chi-squared, with
 * Holm's adjustment over the clusters. For a numeric column the mean ± sd (and median) per cluster,
 * a one-way ANOVA F test and the Kruskal–Wallis H test (no normality assumed). Pure; the
 * distribution functions are written here (log-gamma, incomplete gamma and beta, log-factorials).
 */

/** Cells read as missing (case-insensitive, trimmed). */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', 'missing', '-', '?']);
const TRUE_WORDS = new Set(['true', 'yes', 'y', 't', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'f', '0']);
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?%?$/i;

export type ParsedColumn =
  | { kind: 'boolean' | 'numeric'; /** 0/1 for booleans, the number for numeric; NaN = missing. */ values: Float64Array; missing: number }
  | { kind: 'other'; missing: number; /** Why it is neither: a cell that is not a number or a yes/no. */ reason: string };

/**
 * Reads a column of raw cells: boolean when every present cell is a yes/no word (true/false,
 * yes/no, y/n, t/f, 1/0), numeric when every present cell is a number (a trailing % is dropped),
 * else 'other'. Missing cells ('', NA, null, …) are NaN and counted.
 */
export function parseColumn(cells: readonly string[]): ParsedColumn {
  let missing = 0;
  let allBool = true;
  let allNum = true;
  let present = 0;
  let bad = '';
  for (const raw of cells) {
    const v = raw.trim().toLowerCase();
    if (MISSING.has(v)) {
      missing++;
      continue;
    }
    present++;
    if (!TRUE_WORDS.has(v) && !FALSE_WORDS.has(v)) allBool = false;
    if (!NUMBER.test(v)) {
      allNum = false;
      if (!bad) bad = raw.trim();
    }
    if (!allBool && !allNum) break;
  }
  if (present === 0) return { kind: 'other', missing, reason: 'every cell is empty or missing' };
  if (!allBool && !allNum) return { kind: 'other', missing, reason: `“${bad.length > 40 ? `${bad.slice(0, 40)}…` : bad}” is neither a number nor a yes/no value` };
  const values = new Float64Array(cells.length);
  cells.forEach((raw, i) => {
    const v = raw.trim().toLowerCase();
    if (MISSING.has(v)) values[i] = NaN;
    else if (allBool) values[i] = TRUE_WORDS.has(v) ? 1 : 0;
    else values[i] = Number(v.endsWith('%') ? v.slice(0, -1) : v);
  });
  return { kind: allBool ? 'boolean' : 'numeric', values, missing };
}

// ---------------------------------------------------------------------------------------------
// Special functions

const LANCZOS = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const TINY = 1e-300;

/** Regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a) (series below a + 1, else a continued fraction). */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  const lead = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lead));
  }
  // Modified Lentz for the continued fraction of Γ(a, x).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.min(1, Math.exp(lead) * h);
}

/** P(X ≥ x) for X ~ χ²(df). */
export function chiSquaredSurvival(x: number, df: number): number {
  if (!Number.isFinite(x) || !(df > 0)) return NaN;
  return x <= 0 ? 1 : gammaQ(df / 2, x / 2);
}

/** Continued fraction of the incomplete beta (Numerical Recipes' betacf, modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function betaI(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) return NaN;
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(X ≥ f) for X ~ F(d1, d2). */
export function fSurvival(f: number, d1: number, d2: number): number {
  if (!Number.isFinite(f) || !(d1 > 0) || !(d2 > 0)) return NaN;
  return f <= 0 ? 1 : betaI(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** ln k! for k = 0..n, by cumulative sums of logs (exact to rounding, no overflow). */
export function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = out[k - 1] + Math.log(k);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tests

export interface ChiSquared {
  statistic: number;
  df: number;
  p: number;
  /** Cramér's V = √(χ² / (n · (min(rows, cols) − 1))). */
  cramersV: number;
  n: number;
  /** Smallest expected count, and the share of cells expected below 5 (the usual rule: at most 20 %). */
  minExpected: number;
  smallExpectedShare: number;
}

/**
 * Pearson's chi-squared test of independence of an r × c table of counts. Rows or columns that sum
 * to zero are left out (they carry no information, and their expected counts would be 0); with
 * fewer than 2 rows or columns left the statistic is NaN.
 */
export function chiSquaredTest(table: readonly (readonly number[])[]): ChiSquared {
  const rowsAll = table.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = table[0]?.length ?? 0;
  const colsAll = Array.from({ length: cols }, (_, j) => table.reduce((s, r) => s + r[j], 0));
  const ri = rowsAll.flatMap((s, i) => (s > 0 ? [i] : []));
  const ci = colsAll.flatMap((s, j) => (s > 0 ? [j] : []));
  const n = ri.reduce((s, i) => s + rowsAll[i], 0);
  if (ri.length < 2 || ci.length < 2) return { statistic: NaN, df: 0, p: NaN, cramersV: NaN, n, minExpected: NaN, smallExpectedShare: NaN };
  let stat = 0;
  let minExpected = Infinity;
  let small = 0;
  for (const i of ri) {
    for (const j of ci) {
      const e = (rowsAll[i] * colsAll[j]) / n;
      stat += (table[i][j] - e) ** 2 / e;
      minExpected = Math.min(minExpected, e);
      if (e < 5) small++;
    }
  }
  const df = (ri.length - 1) * (ci.length - 1);
  return {
    statistic: stat,
    df,
    p: chiSquaredSurvival(stat, df),
    cramersV: Math.sqrt(stat / (n * (Math.min(ri.length, ci.length) - 1))),
    n,
    minExpected,
    smallExpectedShare: small / (ri.length * ci.length),
  };
}

/**
 * Fisher's exact test of a 2 × 2 table [[a, b], [c, d]], two-sided: the sum of the hypergeometric
 * probabilities (margins fixed) of every table no more likely than the observed one (with a
 * relative tolerance of 1e-7 for ties, as R's fisher.test). Probabilities from log-factorials.
 */
export function fisherExact(a: number, b: number, c: number, d: number, lf?: Float64Array): number {
  const r1 = a + b;
  const r2 = c + d;
  const c1 = a + c;
  const n = r1 + r2;
  if (n === 0) return 1;
  const f = lf && lf.length > n ? lf : logFactorials(n);
  const logP = (x: number): number => f[r1] - f[x] - f[r1 - x] + f[r2] - f[c1 - x] - f[r2 - c1 + x] - (f[n] - f[c1] - f[n - c1]);
  const observed = logP(a);
  const lo = Math.max(0, c1 - r2);
  const hi = Math.min(r1, c1);
  let p = 0;
  const cut = observed + Math.log1p(1e-7);
  for (let x = lo; x <= hi; x++) {
    const lp = logP(x);
    if (lp <= cut) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** Holm's step-down adjustment of p-values (NaN stays NaN and is not counted). */
export function holm(ps: readonly number[]): number[] {
  const idx = ps.flatMap((p, i) => (Number.isFinite(p) ? [i] : [])).sort((x, y) => ps[x] - ps[y]);
  const m = idx.length;
  const out = ps.map(() => NaN);
  let running = 0;
  idx.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * ps[i]));
    out[i] = running;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per-cluster analyses

export interface BooleanGroup {
  /** Texts of the cluster with a value. */
  n: number;
  positives: number;
  /** positives / n (NaN when n = 0). */
  rate: number;
  /** The cluster against all other texts: which 2 × 2 test, its two-sided p and Holm-adjusted p. */
  test: 'fisher' | 'chi2' | 'none';
  p: number;
  pAdjusted: number;
}

export interface BooleanAnalysis {
  kind: 'boolean';
  n: number;
  positives: number;
  rate: number;
  missing: number;
  groups: BooleanGroup[];
  /** Independence of cluster and value over the clusters × {true, false} table. */
  chi2: ChiSquared;
}

/** Below this expected count a 2 × 2 cell calls for Fisher's exact test. */
export const MIN_EXPECTED = 5;

/**
 * Rates of a 0/1 column (NaN = missing) per group 0..k−1 (group −1 and missing values are left
 * out), the chi-squared test over all groups, and each group against the rest.
 */
export function analyseBoolean(values: ArrayLike<number>, groups: ArrayLike<number>, k: number): BooleanAnalysis {
  if (values.length !== groups.length) throw new RangeError(`values (${values.length}) and groups (${groups.length}) differ in length`);
  const n = new Float64Array(k);
  const pos = new Float64Array(k);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const g = groups[i];
    if (!Number.isFinite(v)) {
      missing++;
      continue;
    }
    if (g < 0 || g >= k) continue;
    n[g]++;
    if (v) pos[g]++;
  }
  const N = n.reduce((a, b) => a + b, 0);
  const P = pos.reduce((a, b) => a + b, 0);
  const lf = logFactorials(N);
  const raw = Array.from({ length: k }, (_, g) => {
    if (n[g] === 0 || N - n[g] === 0) return { test: 'none' as const, p: NaN };
    const a = pos[g];
    const b = n[g] - pos[g];
    const c = P - a;
    const d = N - n[g] - c;
    const expected = [n[g] * P, n[g] * (N - P), (N - n[g]) * P, (N - n[g]) * (N - P)].map((x) => x / N);
    if (Math.min(...expected) < MIN_EXPECTED) return { test: 'fisher' as const, p: fisherExact(a, b, c, d, lf) };
    return { test: 'chi2' as const, p: chiSquaredTest([[a, b], [c, d]]).p };
  });
  const adjusted = holm(raw.map((r) => r.p));
  return {
    kind: 'boolean',
    n: N,
    positives: P,
    rate: N > 0 ? P / N : NaN,
    missing,
    groups: raw.map((r, g) => ({ n: n[g], positives: pos[g], rate: n[g] > 0 ? pos[g] / n[g] : NaN, test: r.test, p: r.p, pAdjusted: adjusted[g] })),
    chi2: chiSquaredTest(Array.from({ length: k }, (_, g) => [pos[g], n[g] - pos[g]])),
  };
}

export interface NumericGroup {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN below 2 values. */
  sd: number;
  median: number;
}

export interface NumericAnalysis {
  kind: 'numeric';
  n: number;
  mean: number;
  sd: number;
  missing: number;
  groups: NumericGroup[];
  /** One-way ANOVA over the groups with at least one value; η² = between / total sum of squares. */
  anova: { f: number; df1: number; df2: number; p: number; etaSquared: number };
  /** Kruskal–Wallis H with the tie correction, χ²(g − 1) p-value. */
  kruskal: { h: number; df: number; p: number };
}

function median(sorted: readonly number[]): number {
  const m = sorted.length;
  if (m === 0) return NaN;
  return m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
}

/** Mean ± sd per group 0..k−1 of a numeric column (NaN = missing), with ANOVA and Kruskal–Wallis. */
export function analyseNumeric(values: ArrayLike<number>, groups: ArrayLike<number>, k: number): NumericAnalysis {
  if (values.length !== groups.length) throw new RangeError(`values (${values.length}) and groups (${groups.length}) differ in length`);
  const byGroup: number[][] = Array.from({ length: k }, () => []);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      missing++;
      continue;
    }
    const g = groups[i];
    if (g >= 0 && g < k) byGroup[g].push(v);
  }
  const all = byGroup.flat();
  const N = all.length;
  const grand = N > 0 ? all.reduce((a, b) => a + b, 0) / N : NaN;
  const stats = byGroup.map((xs): NumericGroup => {
    const m = xs.length;
    const mean = m > 0 ? xs.reduce((a, b) => a + b, 0) / m : NaN;
    const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
    return { n: m, mean, sd: m > 1 ? Math.sqrt(ss / (m - 1)) : NaN, median: median([...xs].sort((a, b) => a - b)) };
  });
  const used = stats.flatMap((s, g) => (s.n > 0 ? [g] : []));
  const ssTotal = all.reduce((s, x) => s + (x - grand) ** 2, 0);
  const ssBetween = used.reduce((s, g) => s + stats[g].n * (stats[g].mean - grand) ** 2, 0);
  const ssWithin = ssTotal - ssBetween;
  const df1 = used.length - 1;
  const df2 = N - used.length;
  const f = df1 > 0 && df2 > 0 ? ssBetween / df1 / (ssWithin / df2) : NaN;
  return {
    kind: 'numeric',
    n: N,
    mean: grand,
    sd: N > 1 ? Math.sqrt(ssTotal / (N - 1)) : NaN,
    missing,
    groups: stats,
    anova: { f, df1, df2, p: Number.isFinite(f) ? fSurvival(f, df1, df2) : NaN, etaSquared: ssTotal > 0 ? ssBetween / ssTotal : NaN },
    kruskal: kruskalWallis(used.map((g) => byGroup[g])),
  };
}

/** Kruskal–Wallis H over groups of values (average ranks for ties, tie-corrected). */
export function kruskalWallis(samples: readonly (readonly number[])[]): { h: number; df: number; p: number } {
  const groups = samples.filter((s) => s.length > 0);
  const pooled: { v: number; g: number }[] = [];
  groups.forEach((s, g) => s.forEach((v) => pooled.push({ v, g })));
  const N = pooled.length;
  const df = groups.length - 1;
  if (df < 1 || N < 2) return { h: NaN, df: Math.max(0, df), p: NaN };
  pooled.sort((a, b) => a.v - b.v);
  const rankSum = new Float64Array(groups.length);
  let ties = 0;
  for (let i = 0; i < N; ) {
    let j = i;
    while (j + 1 < N && pooled[j + 1].v === pooled[i].v) j++;
    const rank = (i + j + 2) / 2; // ranks i+1..j+1, averaged
    for (let t = i; t <= j; t++) rankSum[pooled[t].g] += rank;
    const t = j - i + 1;
    ties += t ** 3 - t;
    i = j + 1;
  }
  let h = 0;
  groups.forEach((s, g) => (h += rankSum[g] ** 2 / s.length));
  h = (12 / (N * (N + 1))) * h - 3 * (N + 1);
  const correction = 1 - ties / (N ** 3 - N);
  if (!(correction > 0)) return { h: NaN, df, p: NaN }; // every value the same
  h /= correction;
  return { h, df, p: chiSquaredSurvival(h, df) };
}

export type ColumnAnalysis = BooleanAnalysis | NumericAnalysis;

/** The analysis that fits the column's kind. */
export function analyseColumn(column: Extract<ParsedColumn, { kind: 'boolean' | 'numeric' }>, groups: ArrayLike<number>, k: number): ColumnAnalysis {
  return column.kind === 'boolean' ? analyseBoolean(column.values, groups, k) : analyseNumeric(column.values, groups, k);
}
