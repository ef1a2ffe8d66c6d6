/**
 * External clustering metrics against ground-truth labels: clustering accuracy (best one-to-one
 * cluster→label mapping by the Hungarian method, as in the deep-clustering literature), NMI with
 * arithmetic-mean normalisation and ARI, both as scikit-learn defines them. Every distinct predicted
 * value is a cluster, so noise (−1) counts as one more cluster.
 */
import type { ExternalMetrics } from '../types';

export type Labels = ArrayLike<number | string>;

export interface Contingency {
  /** Distinct true labels, in order of first appearance (row order of table). */
  classes: (number | string)[];
  /** Distinct predicted clusters, in order of first appearance (column order of table). */
  clusters: (number | string)[];
  /** table[i][j] = number of items with label classes[i] in cluster clusters[j]. */
  table: number[][];
  /** Items counted. */
  n: number;
}

function encode(values: Labels): { ids: Int32Array; distinct: (number | string)[] } {
  const map = new Map<number | string, number>();
  const ids = new Int32Array(values.length);
  const distinct: (number | string)[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let id = map.get(v);
    if (id === undefined) {
      id = distinct.length;
      map.set(v, id);
      distinct.push(v);
    }
    ids[i] = id;
  }
  return { ids, distinct };
}

/** Class × cluster count table. */
export function contingency(labels: Labels, pred: Labels): Contingency {
  if (labels.length !== pred.length) throw new RangeError(`labels (${labels.length}) and predictions (${pred.length}) differ in length`);
  const a = encode(labels);
  const b = encode(pred);
  const table = a.distinct.map(() => new Array<number>(b.distinct.length).fill(0));
  for (let i = 0; i < labels.length; i++) table[a.ids[i]][b.ids[i]]++;
  return { classes: a.distinct, clusters: b.distinct, table, n: labels.length };
}

/**
 * Minimum-cost assignment for a rectangular cost matrix (Hungarian method with potentials,
 * O(r²c)). Returns, for each row, the column assigned to it, or −1 for rows left over when there
 * are more rows than columns.
 */
export function hungarian(cost: number[][]): number[] {
  const r = cost.length;
  if (r === 0) return [];
  const c = cost[0].length;
  for (const row of cost) if (row.length !== c) throw new RangeError('hungarian: cost rows differ in length');
  if (c === 0) return new Array<number>(r).fill(-1);
  if (r > c) {
    // Solve the transpose (the algorithm needs rows ≤ columns) and invert the mapping.
    const t: number[][] = [];
    for (let j = 0; j < c; j++) t.push(cost.map((row) => row[j]));
    const colToRow = hungarian(t);
    const out = new Array<number>(r).fill(-1);
    colToRow.forEach((row, col) => {
      if (row >= 0) out[row] = col;
    });
    return out;
  }
  // 1-based arrays as in the classic formulation; column 0 is a virtual start.
  const u = new Float64Array(r + 1);
  const v = new Float64Array(c + 1);
  const p = new Int32Array(c + 1); // p[j] = row matched to column j (0 = none)
  const way = new Int32Array(c + 1);
  const minv = new Float64Array(c + 1);
  const used = new Uint8Array(c + 1);
  for (let i = 1; i <= r; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      const row = cost[i0 - 1];
      for (let j = 1; j <= c; j++) {
        if (used[j]) continue;
        const cur = row[j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= c; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Array<number>(r).fill(-1);
  for (let j = 1; j <= c; j++) if (p[j] > 0) out[p[j] - 1] = j - 1;
  return out;
}

/** Fraction of items whose cluster maps to their label under the best one-to-one mapping. */
export function clusteringAccuracy(labels: Labels, pred: Labels): number {
  const ct = contingency(labels, pred);
  if (ct.n === 0) return NaN;
  let max = 0;
  for (const row of ct.table) for (const x of row) if (x > max) max = x;
  // Maximising matched counts = minimising (max − count); clusters are rows.
  const cost = ct.clusters.map((_, j) => ct.classes.map((_, i) => max - ct.table[i][j]));
  const match = hungarian(cost);
  let hit = 0;
  match.forEach((i, j) => {
    if (i >= 0) hit += ct.table[i][j];
  });
  return hit / ct.n;
}

function entropyOf(counts: number[], n: number): number {
  let h = 0;
  for (const a of counts) if (a > 0) h -= (a / n) * Math.log(a / n);
  return h;
}

/** Mutual information and both entropies of a contingency table, in nats (shared by NMI and V-measure). */
export function informationOf(ct: Contingency): { mi: number; hLabels: number; hPred: number } {
  const { table, n } = ct;
  const rowSums = table.map((row) => row.reduce((s, x) => s + x, 0));
  const colSums = ct.clusters.map((_, j) => table.reduce((s, row) => s + row[j], 0));
  let mi = 0;
  for (let i = 0; i < table.length; i++) {
    for (let j = 0; j < colSums.length; j++) {
      const nij = table[i][j];
      if (nij > 0) mi += (nij / n) * Math.log((n * nij) / (rowSums[i] * colSums[j]));
    }
  }
  // Rounding can leave a tiny negative for independent labellings.
  return { mi: Math.max(0, mi), hLabels: entropyOf(rowSums, n), hPred: entropyOf(colSums, n) };
}

/** Normalised mutual information, I(U;V) / ((H(U) + H(V)) / 2), in nats as scikit-learn. */
export function nmi(labels: Labels, pred: Labels): number {
  const ct = contingency(labels, pred);
  if (ct.n === 0) return NaN;
  // Neither labelling splits the data (both entropies 0): scikit-learn calls that a perfect match.
  if (ct.classes.length === 1 && ct.clusters.length === 1) return 1;
  const { mi, hLabels, hPred } = informationOf(ct);
  const norm = Math.max((hLabels + hPred) / 2, Number.EPSILON);
  return Math.min(1, Math.max(0, mi / norm));
}

/** Adjusted Rand index (Hubert & Arabie), from the pair confusion matrix as scikit-learn. */
export function ari(labels: Labels, pred: Labels): number {
  const ct = contingency(labels, pred);
  const { table, n } = ct;
  if (n === 0) return NaN;
  const rowSums = table.map((row) => row.reduce((s, x) => s + x, 0));
  const colSums = ct.clusters.map((_, j) => table.reduce((s, row) => s + row[j], 0));
  let sumSq = 0;
  for (const row of table) for (const x of row) sumSq += x * x;
  let rowSq = 0;
  for (const a of rowSums) rowSq += a * a;
  let colSq = 0;
  for (const b of colSums) colSq += b * b;
  // Ordered-pair counts: together in both (tp), only in pred (fp), only in labels (fn), neither (tn).
  const tp = sumSq - n;
  const fp = colSq - sumSq;
  const fn = rowSq - sumSq;
  const tn = n * n - fp - fn - sumSq;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

/** ACC, NMI and ARI together. */
export function externalMetrics(labels: Labels, pred: Labels): ExternalMetrics {
  return { acc: clusteringAccuracy(labels, pred), nmi: nmi(labels, pred), ari: ari(labels, pred) };
}
