/**
 * k nearest neighbours by cosine for the pseudo-label method (seed 002: 10 neighbours per text).
 * Exact: all pairs, blocked so a block of candidate rows stays in cache while a block of query
 * rows runs over it, each pair computed once and credited to both rows. Approximate (IVF): rows
 * are bucketed by k-means centroids (fitted on a sample); each row is compared with the rows of
 * the `nprobe` buckets whose centroids are most similar to it. Measured on banking77's 10,003
 * training texts (glove-sif, 100-d, 100 buckets): recall@10 0.95 at nprobe 8 in a third of the
 * exact search's time; probing by the row's own bucket's centroid instead reached only 0.85.
 * Deterministic for a seed; ties go to the lower index.
 */
import { kmeans } from '../cluster/kmeans';
import { nearestCentroids } from '../hierarchy/resample';
import { makeRng } from '../random';
import type { Matrix } from '../types';
import { normalizeRows } from '../vectors';

export interface KnnResult {
  /** Neighbours per row (n × k, row-major), most similar first; −1 where a row has fewer than k others. */
  indices: Int32Array;
  /** Cosine similarity of each neighbour (n × k). */
  sims: Float32Array;
  n: number;
  k: number;
  method: 'exact' | 'ivf';
}

export interface KnnOptions {
  /** 'auto' (default): exact while n²·d/2 ≤ exactWork, else IVF. */
  method?: 'auto' | 'exact' | 'ivf';
  /** Multiply-adds allowed for an exact search under 'auto'; default 2e9 (about 5 s in one thread here). */
  exactWork?: number;
  /** IVF buckets; default round(√n). */
  nlist?: number;
  /** IVF buckets searched per bucket; default max(8, ⌈nlist / 12⌉). */
  nprobe?: number;
  seed?: number;
  signal?: AbortSignal;
}

const BLOCK = 64;

/** The k best (similarity, index) pairs of every row, kept sorted: higher similarity, then lower index, first. */
class TopK {
  readonly idx: Int32Array;
  readonly sim: Float32Array;
  /** Double-precision copy of sim for the comparisons (sim is what callers read). */
  private readonly val: Float64Array;
  constructor(
    n: number,
    readonly k: number,
  ) {
    this.idx = new Int32Array(n * k).fill(-1);
    this.sim = new Float32Array(n * k);
    this.val = new Float64Array(n * k).fill(-Infinity);
  }

  insert(i: number, j: number, s: number): void {
    const o = i * this.k;
    const val = this.val;
    const idx = this.idx;
    // Empty slots hold −∞, so any real similarity beats them.
    let p = this.k - 1;
    if (!(s > val[o + p] || (s === val[o + p] && j < idx[o + p]))) return;
    while (p > 0 && (s > val[o + p - 1] || (s === val[o + p - 1] && j < idx[o + p - 1]))) {
      val[o + p] = val[o + p - 1];
      idx[o + p] = idx[o + p - 1];
      p--;
    }
    val[o + p] = s;
    idx[o + p] = j;
  }

  finish(): void {
    for (let t = 0; t < this.val.length; t++) this.sim[t] = this.idx[t] < 0 ? 0 : this.val[t];
  }
}

/**
 * Dot products of every query row with every candidate row, four candidates per pass over a query
 * row. `symmetric` credits each pair to both rows; `upper` (a block against itself) visits only
 * candidate positions after the query's, so each pair is computed once. Self pairs are skipped.
 */
function scoreBlock(x: Float32Array, d: number, qs: Int32Array, cs: Int32Array, top: TopK, symmetric: boolean, upper: boolean): void {
  const nc = cs.length;
  for (let a = 0; a < qs.length; a++) {
    const i = qs[a];
    const oi = i * d;
    let b = upper ? a + 1 : 0;
    for (; b + 4 <= nc; b += 4) {
      const j0 = cs[b];
      const j1 = cs[b + 1];
      const j2 = cs[b + 2];
      const j3 = cs[b + 3];
      const o0 = j0 * d;
      const o1 = j1 * d;
      const o2 = j2 * d;
      const o3 = j3 * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < d; t++) {
        const v = x[oi + t];
        s0 += v * x[o0 + t];
        s1 += v * x[o1 + t];
        s2 += v * x[o2 + t];
        s3 += v * x[o3 + t];
      }
      credit(top, i, j0, s0, symmetric);
      credit(top, i, j1, s1, symmetric);
      credit(top, i, j2, s2, symmetric);
      credit(top, i, j3, s3, symmetric);
    }
    for (; b < nc; b++) {
      const j = cs[b];
      const oj = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += x[oi + t] * x[oj + t];
      credit(top, i, j, s, symmetric);
    }
  }
}

function credit(top: TopK, i: number, j: number, s: number, symmetric: boolean): void {
  if (i === j) return;
  top.insert(i, j, s);
  if (symmetric) top.insert(j, i, s);
}

function unitCopy(m: Matrix): Float32Array {
  return normalizeRows({ data: m.data.slice(0, m.rows * m.cols), rows: m.rows, cols: m.cols }).data;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function checkK(m: Matrix, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number of at least 1 (got ${k})`);
  if (m.rows < 1) throw new RangeError('no rows to search');
}

/** Exact cosine kNN over all pairs (self excluded). */
export async function exactKnn(m: Matrix, k: number, opts: Pick<KnnOptions, 'signal'> = {}): Promise<KnnResult> {
  checkK(m, k);
  const n = m.rows;
  const d = m.cols;
  const x = unitCopy(m);
  const top = new TopK(n, k);
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  for (let a = 0; a < n; a += BLOCK) {
    opts.signal?.throwIfAborted();
    const qs = all.subarray(a, Math.min(n, a + BLOCK));
    scoreBlock(x, d, qs, qs, top, true, true);
    for (let b = a + BLOCK; b < n; b += BLOCK) scoreBlock(x, d, qs, all.subarray(b, Math.min(n, b + BLOCK)), top, true, false);
    if ((a / BLOCK) % 8 === 7) await tick();
  }
  top.finish();
  return { indices: top.idx, sims: top.sim, n, k, method: 'exact' };
}

/** Approximate cosine kNN through an inverted file over k-means centroids. */
export async function ivfKnn(m: Matrix, k: number, opts: KnnOptions = {}): Promise<KnnResult> {
  checkK(m, k);
  const n = m.rows;
  const d = m.cols;
  const x = unitCopy(m);
  const unit: Matrix = { data: x, rows: n, cols: d };
  const nlist = Math.max(1, Math.min(n, Math.round(opts.nlist ?? Math.sqrt(n))));
  const nprobe = Math.max(1, Math.min(nlist, Math.round(opts.nprobe ?? Math.max(8, Math.ceil(nlist / 12)))));
  // Centroids from a seeded sample (k-means on all rows would cost as much as the search).
  const sampleRows = Math.min(n, Math.max(nlist, 24 * nlist));
  const order = shuffled(n, opts.seed ?? 0).subarray(0, sampleRows);
  const sample: Matrix = { data: new Float32Array(sampleRows * d), rows: sampleRows, cols: d };
  for (let r = 0; r < sampleRows; r++) sample.data.set(x.subarray(order[r] * d, order[r] * d + d), r * d);
  const km = await kmeans(sample, { k: nlist, seed: opts.seed ?? 0, maxIter: 10, signal: opts.signal });
  const bucketOf = nearestCentroids(unit, km.centroids);
  const buckets: number[][] = Array.from({ length: nlist }, () => []);
  for (let i = 0; i < n; i++) buckets[bucketOf[i]].push(i);
  const members = buckets.map((b) => Int32Array.from(b));

  // Each row searches the buckets of its nprobe most similar centroids; rows are taken bucket by
  // bucket so that neighbouring rows (which probe mostly the same buckets) run back to back.
  const cen = km.centroids.data;
  const top = new TopK(n, k);
  const sims = new Float64Array(nlist);
  const byCentroid = new Int32Array(nlist);
  const cands = new Int32Array(n);
  const one = new Int32Array(1);
  for (let c = 0; c < nlist; c++) {
    opts.signal?.throwIfAborted();
    for (const i of members[c]) {
      for (let e = 0; e < nlist; e++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += x[i * d + t] * cen[e * d + t];
        sims[e] = s;
        byCentroid[e] = e;
      }
      byCentroid.sort((a, b) => sims[b] - sims[a] || a - b);
      let w = 0;
      for (let p = 0; p < nprobe; p++) {
        cands.set(members[byCentroid[p]], w);
        w += members[byCentroid[p]].length;
      }
      one[0] = i;
      scoreBlock(x, d, one, cands.subarray(0, w), top, false, false);
    }
    if (c % 16 === 15) await tick();
  }
  top.finish();
  return { indices: top.idx, sims: top.sim, n, k, method: 'ivf' };
}

/** The search knn() runs for rows × cols (see KnnOptions.method). */
export function knnMethodFor(rows: number, cols: number, opts: Pick<KnnOptions, 'method' | 'exactWork'> = {}): 'exact' | 'ivf' {
  const method = opts.method ?? 'auto';
  if (method !== 'auto') return method;
  return (rows * rows * cols) / 2 <= (opts.exactWork ?? 2e9) ? 'exact' : 'ivf';
}

/** Exact or IVF by size. */
export function knn(m: Matrix, k: number, opts: KnnOptions = {}): Promise<KnnResult> {
  return knnMethodFor(m.rows, m.cols, opts) === 'exact' ? exactKnn(m, k, opts) : ivfKnn(m, k, opts);
}

/** Mean share of each row's true k neighbours that the approximate search found (recall@k). */
export function knnRecall(approx: KnnResult, exact: KnnResult): number {
  if (approx.n !== exact.n || approx.k !== exact.k) throw new RangeError('recall needs results of the same shape');
  const { n, k } = exact;
  let hit = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const truth = new Set<number>();
    for (let t = 0; t < k; t++) if (exact.indices[i * k + t] >= 0) truth.add(exact.indices[i * k + t]);
    for (let t = 0; t < k; t++) if (truth.has(approx.indices[i * k + t])) hit++;
    total += truth.size;
  }
  return total > 0 ? hit / total : 1;
}

/** Neighbours of row i (without the −1 padding). */
export function neighboursOf(r: KnnResult, i: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < r.k; t++) {
    const j = r.indices[i * r.k + t];
    if (j >= 0) out.push(j);
  }
  return out;
}

/** A seeded permutation of 0..n−1 (Fisher–Yates). */
export function shuffled(n: number, seed: number): Int32Array {
  const rng = makeRng(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
