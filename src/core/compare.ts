/**
 * Pure analysis behind the confusion and run-comparison views: the cluster × label table in an
 * order that puts the Hungarian matching on the diagonal, per-cluster purity and per-label spread,
 * and the comparison of two runs (same-texts check, agreement between their clusterings, a
 * one-to-one matching of their clusters, and their metrics side by side). No DOM.
 */
import { ari, contingency, hungarian, nmi } from './metrics/external';
import type { RunRecord } from './types';

// ---------------------------------------------------------------------------------------------
// Confusion against the label column
// ---------------------------------------------------------------------------------------------

/** The cluster × label table, rows and columns in display order. */
export interface Confusion {
  /** Cluster id per row: matched clusters first (row i matched to column i), then the rest, noise last. */
  rows: number[];
  /** Label per column: matched labels first (alphabetical), then unmatched labels (alphabetical). */
  cols: string[];
  /** counts[r][c] = texts of cluster rows[r] carrying label cols[c]. */
  counts: number[][];
  rowTotals: number[];
  colTotals: number[];
  /** Per row, the column the Hungarian matching gave it, or −1 (extra clusters, noise). */
  matched: number[];
  /** Texts in matched cells: hits / n is clustering accuracy with noise left unmatched. */
  hits: number;
  n: number;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Column index of the largest count in a row (the first on ties, i.e. the earlier column). */
function argmax(row: readonly number[]): number {
  let best = -1;
  let bestCount = 0;
  for (let j = 0; j < row.length; j++) {
    if (row[j] > bestCount) {
      best = j;
      bestCount = row[j];
    }
  }
  return best;
}

/**
 * Cross-tabulates clusters against labels. Clusters (noise excluded) are matched one-to-one to
 * labels by the Hungarian method, maximising the texts on matched cells as clustering accuracy
 * does; the matched pairs are laid out along the diagonal so a good clustering reads as a dark
 * diagonal whatever its cluster ids are.
 */
export function confusion(labels: readonly string[], assignments: ArrayLike<number>): Confusion {
  const ct = contingency(labels, assignments);
  const labelOf = ct.classes.map(String);
  const clusterIds = ct.clusters.map(Number);
  // Column j of ct.table is cluster clusterIds[j]; real clusters are matched, noise is not.
  const real = clusterIds.map((id, j) => ({ id, j })).filter((c) => c.id >= 0);
  let max = 0;
  for (const row of ct.table) for (const x of row) if (x > max) max = x;
  const cost = real.map(({ j }) => ct.classes.map((_, i) => max - ct.table[i][j]));
  const match = hungarian(cost); // per real cluster: class index or −1
  const pairs = real
    .map((c, r) => ({ cluster: c, cls: match[r] }))
    .filter((p) => p.cls >= 0)
    .sort((p, q) => collator.compare(labelOf[p.cls], labelOf[q.cls]) || p.cluster.id - q.cluster.id);
  const matchedClasses = new Set(pairs.map((p) => p.cls));
  const restClasses = ct.classes
    .map((_, i) => i)
    .filter((i) => !matchedClasses.has(i))
    .sort((a, b) => collator.compare(labelOf[a], labelOf[b]));
  const classOrder = [...pairs.map((p) => p.cls), ...restClasses];
  const colOfClass = new Map(classOrder.map((cls, c) => [cls, c]));
  const countsOf = (j: number): number[] => classOrder.map((cls) => ct.table[cls][j]);

  const matchedIds = new Set(pairs.map((p) => p.cluster.id));
  // Extra clusters sit below the diagonal, grouped by the column of their majority label.
  const extra = real
    .filter((c) => !matchedIds.has(c.id))
    .map((c) => ({ c, major: argmax(countsOf(c.j)) }))
    .sort((p, q) => p.major - q.major || p.c.id - q.c.id)
    .map((p) => p.c);
  const noise = clusterIds.map((id, j) => ({ id, j })).filter((c) => c.id < 0).sort((p, q) => q.id - p.id);
  const rowOrder = [...pairs.map((p) => p.cluster), ...extra, ...noise];

  const counts = rowOrder.map((c) => countsOf(c.j));
  const matched = rowOrder.map((_, r) => (r < pairs.length ? colOfClass.get(pairs[r].cls)! : -1));
  let hits = 0;
  matched.forEach((c, r) => {
    if (c >= 0) hits += counts[r][c];
  });
  return {
    rows: rowOrder.map((c) => c.id),
    cols: classOrder.map((i) => labelOf[i]),
    counts,
    rowTotals: counts.map((row) => row.reduce((s, x) => s + x, 0)),
    colTotals: classOrder.map((_, c) => counts.reduce((s, row) => s + row[c], 0)),
    matched,
    hits,
    n: ct.n,
  };
}

/** One cluster's label make-up. */
export interface ClusterPurity {
  cluster: number;
  size: number;
  /** Column of its most frequent label (−1 for an empty row). */
  majority: number;
  majorityCount: number;
  /** majorityCount / size (NaN for an empty cluster). */
  purity: number;
  /** Column the matching gave it, or −1. */
  matched: number;
  matchedCount: number;
}

/** Per row of the table: majority label, purity and matched label. */
export function clusterPurity(t: Confusion): ClusterPurity[] {
  return t.rows.map((cluster, r) => {
    const majority = argmax(t.counts[r]);
    const majorityCount = majority >= 0 ? t.counts[r][majority] : 0;
    const matched = t.matched[r];
    return {
      cluster,
      size: t.rowTotals[r],
      majority,
      majorityCount,
      purity: t.rowTotals[r] > 0 ? majorityCount / t.rowTotals[r] : NaN,
      matched,
      matchedCount: matched >= 0 ? t.counts[r][matched] : 0,
    };
  });
}

/** How one label's texts are spread over clusters. */
export interface LabelSpread {
  label: string;
  size: number;
  /** Clusters holding texts of this label, most first (ties by row order). */
  clusters: { cluster: number; count: number }[];
  /** Share of the label's texts in its biggest cluster. */
  topShare: number;
}

/** Per column of the table: the clusters its texts went to. */
export function labelSpread(t: Confusion): LabelSpread[] {
  return t.cols.map((label, c) => {
    const clusters = t.rows
      .map((cluster, r) => ({ cluster, count: t.counts[r][c], r }))
      .filter((x) => x.count > 0)
      .sort((x, y) => y.count - x.count || x.r - y.r)
      .map(({ cluster, count }) => ({ cluster, count }));
    const size = t.colTotals[c];
    return { label, size, clusters, topShare: size > 0 && clusters.length ? clusters[0].count / size : NaN };
  });
}

// ---------------------------------------------------------------------------------------------
// Two runs
// ---------------------------------------------------------------------------------------------

export type SameTexts = { same: true } | { same: false; reason: string };

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Whether two runs hold the same texts in the same order, which is what comparing their
 * assignments position by position needs; when not, a sentence saying why.
 */
export function sameTexts(a: readonly string[], b: readonly string[]): SameTexts {
  if (a.length !== b.length) {
    return { same: false, reason: `Run A has ${plural(a.length, 'text')} and run B has ${plural(b.length, 'text')}.` };
  }
  let first = -1;
  let differ = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (first < 0) first = i;
      differ++;
    }
  }
  if (first < 0) return { same: true };
  // Same multiset in another order is worth telling apart from different data.
  const sa = [...a].sort();
  const sb = [...b].sort();
  const permuted = sa.every((t, i) => t === sb[i]);
  const where = `${plural(differ, 'position')} differ, the first at text ${(first + 1).toLocaleString('en')}`;
  return {
    same: false,
    reason: permuted ? `The runs hold the same texts in a different order (${where}).` : `The runs hold different texts (${where}).`,
  };
}

/** Agreement between two clusterings of the same texts (scikit-learn definitions; noise counts as a cluster). */
export interface Agreement {
  ari: number;
  nmi: number;
}

export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): Agreement {
  return { ari: ari(a, b), nmi: nmi(a, b) };
}

export interface ClusterPair {
  a: number;
  b: number;
  /** Texts in both clusters. */
  overlap: number;
  sizeA: number;
  sizeB: number;
  /** overlap / |A ∪ B|. */
  jaccard: number;
}

export interface ClusterMatching {
  /** Matched pairs, highest Jaccard first (ties by A's id). */
  pairs: ClusterPair[];
  /** Clusters left without a partner (more clusters on one side, or no overlap with the one left), by id. */
  unmatchedA: { id: number; size: number }[];
  unmatchedB: { id: number; size: number }[];
}

function sizesOf(x: ArrayLike<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < x.length; i++) if (x[i] >= 0) m.set(x[i], (m.get(x[i]) ?? 0) + 1);
  return m;
}

/**
 * One-to-one matching of A's clusters to B's over the same texts: the Hungarian method maximises
 * the total overlap (texts in both), which is what the clusterings agree on. Noise (negative ids)
 * is never matched. A forced pair with no overlap is reported as unmatched, not as a pair.
 */
export function matchClusters(a: ArrayLike<number>, b: ArrayLike<number>): ClusterMatching {
  if (a.length !== b.length) throw new RangeError(`assignments differ in length (${a.length} vs ${b.length})`);
  const sizeA = sizesOf(a);
  const sizeB = sizesOf(b);
  const idsA = [...sizeA.keys()].sort((x, y) => x - y);
  const idsB = [...sizeB.keys()].sort((x, y) => x - y);
  const rowOf = new Map(idsA.map((id, r) => [id, r]));
  const colOf = new Map(idsB.map((id, c) => [id, c]));
  const overlap = idsA.map(() => new Array<number>(idsB.length).fill(0));
  for (let i = 0; i < a.length; i++) {
    const r = rowOf.get(a[i]);
    const c = colOf.get(b[i]);
    if (r !== undefined && c !== undefined) overlap[r][c]++;
  }
  let max = 0;
  for (const row of overlap) for (const x of row) if (x > max) max = x;
  const match = idsA.length && idsB.length ? hungarian(overlap.map((row) => row.map((x) => max - x))) : idsA.map(() => -1);
  const pairs: ClusterPair[] = [];
  const usedB = new Set<number>();
  match.forEach((c, r) => {
    if (c < 0 || overlap[r][c] === 0) return;
    const sa = sizeA.get(idsA[r])!;
    const sb = sizeB.get(idsB[c])!;
    const o = overlap[r][c];
    pairs.push({ a: idsA[r], b: idsB[c], overlap: o, sizeA: sa, sizeB: sb, jaccard: o / (sa + sb - o) });
    usedB.add(idsB[c]);
  });
  pairs.sort((p, q) => q.jaccard - p.jaccard || p.a - q.a);
  const usedA = new Set(pairs.map((p) => p.a));
  return {
    pairs,
    unmatchedA: idsA.filter((id) => !usedA.has(id)).map((id) => ({ id, size: sizeA.get(id)! })),
    unmatchedB: idsB.filter((id) => !usedB.has(id)).map((id) => ({ id, size: sizeB.get(id)! })),
  };
}

export type MetricKey =
  | 'acc'
  | 'nmi'
  | 'ari'
  | 'homogeneity'
  | 'completeness'
  | 'vMeasure'
  | 'silhouette'
  | 'daviesBouldin'
  | 'calinskiHarabasz'
  | 'noiseRatio';

export interface MetricRow {
  key: MetricKey;
  label: string;
  kind: 'external' | 'internal';
  higherIsBetter: boolean;
  /** undefined when the run lacks it; NaN (null from JSON) when it is undefined for that run. */
  a: number | undefined;
  b: number | undefined;
  /** The run with the better finite value; 'tie' when equal; null when either is missing. */
  better: 'a' | 'b' | 'tie' | null;
}

const METRICS: { key: MetricKey; label: string; kind: 'external' | 'internal'; higherIsBetter: boolean }[] = [
  { key: 'acc', label: 'ACC', kind: 'external', higherIsBetter: true },
  { key: 'nmi', label: 'NMI', kind: 'external', higherIsBetter: true },
  { key: 'ari', label: 'ARI', kind: 'external', higherIsBetter: true },
  { key: 'homogeneity', label: 'Homogeneity', kind: 'external', higherIsBetter: true },
  { key: 'completeness', label: 'Completeness', kind: 'external', higherIsBetter: true },
  { key: 'vMeasure', label: 'V-measure', kind: 'external', higherIsBetter: true },
  { key: 'silhouette', label: 'Silhouette', kind: 'internal', higherIsBetter: true },
  { key: 'daviesBouldin', label: 'Davies–Bouldin', kind: 'internal', higherIsBetter: false },
  { key: 'calinskiHarabasz', label: 'Calinski–Harabasz', kind: 'internal', higherIsBetter: true },
  { key: 'noiseRatio', label: 'Noise ratio', kind: 'internal', higherIsBetter: false },
];

function metricOf(run: RunRecord, key: MetricKey, kind: 'external' | 'internal'): number | undefined {
  const src = kind === 'external' ? run.metrics : run.quality;
  if (!src) return undefined;
  const v = (src as unknown as Record<string, unknown>)[key];
  if (v === null) return NaN; // NaN is written as null in run JSON
  return typeof v === 'number' ? v : undefined;
}

/** Every metric either run has, with the better run marked (direction per metric). */
export function metricRows(a: RunRecord, b: RunRecord): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const m of METRICS) {
    const va = metricOf(a, m.key, m.kind);
    const vb = metricOf(b, m.key, m.kind);
    if (va === undefined && vb === undefined) continue;
    let better: MetricRow['better'] = null;
    if (va !== undefined && vb !== undefined && Number.isFinite(va) && Number.isFinite(vb)) {
      better = va === vb ? 'tie' : va > vb === m.higherIsBetter ? 'a' : 'b';
    }
    rows.push({ ...m, a: va, b: vb, better });
  }
  return rows;
}

/**
 * Internal scores are measured in each run's own embedding space, so across different embedders
 * they say how well each clustering fits its own vectors, not which grouping is better.
 */
export function sameEmbeddingSpace(a: RunRecord, b: RunRecord): boolean {
  const x = a.config.embedder;
  const y = b.config.embedder;
  return x.id === y.id && x.model === y.model && x.dims === y.dims;
}

export interface RunComparison {
  texts: SameTexts;
  /** Only when the runs hold the same texts in the same order. */
  agreement: Agreement | null;
  matching: ClusterMatching | null;
  metrics: MetricRow[];
  sameSpace: boolean;
}

/** Everything the comparison view shows that needs computing. */
export function compareRuns(a: RunRecord, b: RunRecord): RunComparison {
  let texts = sameTexts(a.texts, b.texts);
  if (texts.same && (a.assignments.length !== a.texts.length || b.assignments.length !== b.texts.length)) {
    const which = a.assignments.length !== a.texts.length ? 'A' : 'B';
    texts = { same: false, reason: `Run ${which} has assignments for a different number of texts than it holds.` };
  }
  return {
    texts,
    agreement: texts.same ? agreement(a.assignments, b.assignments) : null,
    matching: texts.same ? matchClusters(a.assignments, b.assignments) : null,
    metrics: metricRows(a, b),
    sameSpace: sameEmbeddingSpace(a, b),
  };
}
