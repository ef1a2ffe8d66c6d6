import { describe, expect, it } from 'vitest';
import {
  analyseBoolean,
  analyseNumeric,
  betaI,
  chiSquaredSurvival,
  chiSquaredTest,
  fisherExact,
  fSurvival,
  gammaQ,
  holm,
  kruskalWallis,
  logFactorials,
  logGamma,
  parseColumn,
} from '../../src/core/analyse';
import { makeRng } from '../../src/core/random';
import { analysableColumns, toDataset } from '../../src/io/columns';

/** C(n, k) exactly. */
function binom(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/**
 * Fisher's two-sided p by exact integer arithmetic (an independent route: BigInt binomials, tables
 * whose count is at most the observed one's), as a rational turned into a float at the end.
 */
function fisherBig(a: number, b: number, c: number, d: number): number {
  const r1 = a + b;
  const r2 = c + d;
  const c1 = a + c;
  const n = r1 + r2;
  const count = (x: number) => binom(r1, x) * binom(r2, c1 - x);
  const obs = count(a);
  let num = 0n;
  for (let x = Math.max(0, c1 - r2); x <= Math.min(r1, c1); x++) if (count(x) <= obs) num += count(x);
  const den = binom(n, c1);
  // Scale to keep 15 digits when dividing big integers.
  return Number((num * 10n ** 15n) / den) / 1e15;
}

/** χ² survival for even df by its closed form e^{−x/2} Σ_{i<df/2} (x/2)^i / i!. */
function chiEven(x: number, df: number): number {
  let term = 1;
  let sum = 1;
  for (let i = 1; i < df / 2; i++) {
    term *= x / 2 / i;
    sum += term;
  }
  return Math.exp(-x / 2) * sum;
}

describe('special functions', () => {
  it('log-gamma matches log-factorials and Γ(1/2) = √π', () => {
    const lf = logFactorials(170);
    for (const n of [1, 2, 5, 10, 50, 170]) expect(logGamma(n + 1)).toBeCloseTo(lf[n], 9);
    expect(Math.exp(logGamma(0.5))).toBeCloseTo(Math.sqrt(Math.PI), 12);
    expect(lf[0]).toBe(0);
    expect(lf[1]).toBe(0);
  });

  it('chi-squared survival agrees with the closed form for even df and with printed critical values for odd df', () => {
    const rng = makeRng(3);
    for (let t = 0; t < 50; t++) {
      const df = 2 * (1 + Math.floor(rng() * 10));
      const x = rng() * 60;
      expect(chiSquaredSurvival(x, df)).toBeCloseTo(chiEven(x, df), 12);
    }
    // Critical values from the standard table (upper tail 0.05 and 0.01).
    expect(chiSquaredSurvival(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquaredSurvival(6.634897, 1)).toBeCloseTo(0.01, 6);
    expect(chiSquaredSurvival(7.814728, 3)).toBeCloseTo(0.05, 6);
    expect(chiSquaredSurvival(18.307038, 10)).toBeCloseTo(0.05, 6);
    expect(chiSquaredSurvival(0, 4)).toBe(1);
    expect(gammaQ(1, 2)).toBeCloseTo(Math.exp(-2), 14);
  });

  it('the F survival function matches the closed form for d1 = 2 and a printed critical value', () => {
    for (const [f, d2] of [[0.5, 3], [2, 6], [27, 6], [4.1, 40]]) expect(fSurvival(f, 2, d2)).toBeCloseTo((1 + (2 * f) / d2) ** (-d2 / 2), 12);
    expect(fSurvival(3.098391, 3, 20)).toBeCloseTo(0.05, 6);
    expect(fSurvival(4.964603, 1, 10)).toBeCloseTo(0.05, 6);
    // I_x(a, 1) = x^a and the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
    expect(betaI(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 12);
    expect(betaI(0.42, 3.3, 7.1) + betaI(0.58, 7.1, 3.3)).toBeCloseTo(1, 12);
  });
});

describe("Fisher's exact test", () => {
  it("gives the tea-tasting p = 0.4857 for [[3, 1], [1, 3]] (two-sided)", () => {
    expect(fisherExact(3, 1, 1, 3)).toBeCloseTo(0.4857, 4);
    expect(fisherExact(3, 1, 1, 3)).toBeCloseTo(34 / 70, 12);
  });

  it('agrees with exact integer arithmetic on assorted and random tables', () => {
    const tables: [number, number, number, number][] = [
      [1, 9, 11, 3],
      [0, 5, 5, 0],
      [2, 7, 8, 2],
      [10, 10, 10, 10],
      [0, 0, 3, 4],
      [12, 1, 3, 30],
    ];
    const rng = makeRng(11);
    for (let t = 0; t < 30; t++) tables.push([0, 0, 0, 0].map(() => Math.floor(rng() * 25)) as [number, number, number, number]);
    for (const [a, b, c, d] of tables) expect(fisherExact(a, b, c, d)).toBeCloseTo(fisherBig(a, b, c, d), 10);
  });

  it('is symmetric in rows and columns', () => {
    expect(fisherExact(2, 7, 8, 2)).toBeCloseTo(fisherExact(8, 2, 2, 7), 12);
    expect(fisherExact(2, 7, 8, 2)).toBeCloseTo(fisherExact(2, 8, 7, 2), 12);
  });
});

describe('chi-squared test of independence', () => {
  it('[[20, 30], [30, 20]]: χ² = 4 by hand, p = 0.0455, Cramér’s V = √(4 / 100) = 0.2', () => {
    const r = chiSquaredTest([
      [20, 30],
      [30, 20],
    ]);
    // Every expected count is 25: χ² = 4 · 5² / 25.
    expect(r.statistic).toBeCloseTo(4, 12);
    expect(r.df).toBe(1);
    expect(r.p).toBeCloseTo(0.0455, 4);
    expect(r.cramersV).toBeCloseTo(0.2, 12);
    expect(r.minExpected).toBe(25);
    expect(r.smallExpectedShare).toBe(0);
  });

  it('a 3 × 2 table: statistic from its expected counts, p = e^{−χ²/2} for df 2, V by hand', () => {
    const t = [
      [30, 10],
      [20, 20],
      [10, 30],
    ];
    // Column sums 60, 60; row sums 40 each; n = 120; every expected count is 20.
    const byHand = (100 + 100 + 0 + 0 + 100 + 100) / 20;
    const r = chiSquaredTest(t);
    expect(r.statistic).toBeCloseTo(byHand, 12);
    expect(r.df).toBe(2);
    expect(r.p).toBeCloseTo(Math.exp(-byHand / 2), 12);
    expect(r.cramersV).toBeCloseTo(Math.sqrt(byHand / (120 * 1)), 12);
  });

  it('leaves out empty rows and columns, and is undefined with one row left', () => {
    const a = chiSquaredTest([
      [20, 30],
      [0, 0],
      [30, 20],
    ]);
    expect(a.statistic).toBeCloseTo(4, 12);
    expect(a.df).toBe(1);
    expect(Number.isNaN(chiSquaredTest([[5, 5], [0, 0]]).statistic)).toBe(true);
    expect(Number.isNaN(chiSquaredTest([[5, 0], [7, 0]]).p)).toBe(true);
  });
});

describe('Holm adjustment', () => {
  it('multiplies the i-th smallest p by (m − i + 1), keeps the order, caps at 1, skips NaN', () => {
    expect(holm([0.01, 0.04, 0.03, NaN, 0.5])).toEqual([0.04, 0.09, 0.09, NaN, 0.5]);
    expect(holm([0.6, 0.6])).toEqual([1, 1]);
  });
});

describe('reading a column', () => {
  it('recognises yes/no words as boolean, with missing cells', () => {
    const c = parseColumn(['yes', 'No', 'TRUE', '', 'n/a', 'f', '1', '0']);
    expect(c.kind).toBe('boolean');
    if (c.kind === 'other') return;
    expect(Array.from(c.values)).toEqual([1, 0, 1, NaN, NaN, 0, 1, 0]);
    expect(c.missing).toBe(2);
  });

  it('recognises numbers (a trailing % dropped) and rejects mixed columns with the offending cell', () => {
    const c = parseColumn(['1.5', '-2', '3e2', '40%', 'NA', '.5']);
    expect(c.kind).toBe('numeric');
    if (c.kind !== 'other') expect(Array.from(c.values)).toEqual([1.5, -2, 300, 40, NaN, 0.5]);
    const bad = parseColumn(['1', '2', 'three']);
    expect(bad.kind).toBe('other');
    if (bad.kind === 'other') expect(bad.reason).toContain('three');
    expect(parseColumn(['', ' ', 'NA']).kind).toBe('other');
  });
});

describe('keeping columns for analysis in the data step', () => {
  const table = {
    columns: ['id', 'text', 'label', 'escalated', 'rating', 'channel'],
    rows: [
      { id: '1', text: 'a', label: 'x', escalated: 'yes', rating: '4', channel: 'email' },
      { id: '2', text: '', label: 'y', escalated: 'no', rating: '2', channel: 'phone' },
      { id: '3', text: 'c', label: 'x', escalated: '', rating: '3.5', channel: 'email' },
    ],
  };

  it('offers the yes/no and numeric columns other than text, id and label', () => {
    expect(analysableColumns(table, ['text', 'id', 'label'])).toEqual(['escalated', 'rating']);
    expect(analysableColumns(table, ['text'])).toEqual(['id', 'escalated', 'rating']);
  });

  it('keeps the picked columns per kept text (empty texts dropped with their cells)', () => {
    const ds = toDataset(table, { name: 't', textFields: ['text'], extraFields: ['escalated', 'channel'] });
    expect(ds.texts).toEqual(['a', 'c']);
    expect(ds.columns).toEqual({ escalated: ['yes', ''], channel: ['email', 'email'] });
    expect(toDataset(table, { name: 't', textFields: ['text'] }).columns).toBeUndefined();
    expect(() => toDataset(table, { name: 't', textFields: ['text'], extraFields: ['nope'] })).toThrow(/nope/);
  });
});

describe('per-cluster analyses', () => {
  it('boolean: rates per cluster, the overall chi-squared over the table, each cluster against the rest', () => {
    const rng = makeRng(5);
    // Three clusters with true-rates 0.2, 0.5 and 0.8, plus a tiny cluster of 3 and some missing values.
    const groups: number[] = [];
    const values: number[] = [];
    const want = [0.2, 0.5, 0.8];
    for (let g = 0; g < 3; g++) for (let i = 0; i < 200; i++) {
      groups.push(g);
      values.push(rng() < 0.05 ? NaN : rng() < want[g] ? 1 : 0);
    }
    groups.push(3, 3, 3, -1);
    values.push(1, 1, 1, 1);
    const a = analyseBoolean(values, groups, 4);
    const n = [0, 0, 0, 0];
    const pos = [0, 0, 0, 0];
    values.forEach((v, i) => {
      if (Number.isFinite(v) && groups[i] >= 0) {
        n[groups[i]]++;
        pos[groups[i]] += v;
      }
    });
    expect(a.groups.map((g) => g.n)).toEqual(n);
    a.groups.forEach((g, i) => expect(g.rate).toBeCloseTo(pos[i] / n[i], 12));
    expect(a.missing).toBe(values.filter((v) => !Number.isFinite(v)).length);
    const table = n.map((m, i) => [pos[i], m - pos[i]]);
    expect(a.chi2.statistic).toBeCloseTo(chiSquaredTest(table).statistic, 10);
    expect(a.chi2.p).toBeLessThan(1e-10);
    expect(a.chi2.cramersV).toBeGreaterThan(0.3);
    // The cluster of 3 has expected cells below 5: Fisher, against the rest.
    expect(a.groups[3].test).toBe('fisher');
    const N = n.reduce((x, y) => x + y);
    const P = pos.reduce((x, y) => x + y);
    expect(a.groups[3].p).toBeCloseTo(fisherExact(3, 0, P - 3, N - 3 - (P - 3)), 12);
    expect(a.groups[0].test).toBe('chi2');
    expect(a.groups[0].p).toBeLessThan(1e-6);
    expect(a.groups[0].pAdjusted).toBeGreaterThanOrEqual(a.groups[0].p);
  });

  it('numeric: mean ± sd, ANOVA F and Kruskal–Wallis H by hand for [1,2,3] [4,5,6] [7,8,9]', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, NaN];
    const groups = [0, 0, 0, 1, 1, 1, 2, 2, 2, 1];
    const a = analyseNumeric(values, groups, 3);
    expect(a.groups.map((g) => g.mean)).toEqual([2, 5, 8]);
    a.groups.forEach((g) => expect(g.sd).toBeCloseTo(1, 12));
    expect(a.missing).toBe(1);
    // SSB = 3·(9 + 0 + 9) = 54 on 2 df, SSW = 3·2 = 6 on 6 df: F = 27; for d1 = 2, p = (1 + 2F/d2)^(−d2/2) = 10⁻³.
    expect(a.anova.f).toBeCloseTo(27, 10);
    expect(a.anova.df1).toBe(2);
    expect(a.anova.df2).toBe(6);
    expect(a.anova.p).toBeCloseTo(1e-3, 12);
    expect(a.anova.etaSquared).toBeCloseTo(54 / 60, 12);
    // Ranks 1..9: R = 6, 15, 24; H = 12/(9·10) · (36 + 225 + 576)/3 − 30 = 7.2; df 2: p = e^{−3.6}.
    expect(a.kruskal.h).toBeCloseTo(7.2, 10);
    expect(a.kruskal.p).toBeCloseTo(Math.exp(-3.6), 12);
  });

  it('Kruskal–Wallis corrects for ties: [1, 2] vs [2, 3] gives H = 1.35 / 0.9 = 1.5', () => {
    const r = kruskalWallis([
      [1, 2],
      [2, 3],
    ]);
    expect(r.h).toBeCloseTo(1.5, 12);
    expect(r.df).toBe(1);
    expect(Number.isNaN(kruskalWallis([[4, 4], [4]]).h)).toBe(true);
  });
});
