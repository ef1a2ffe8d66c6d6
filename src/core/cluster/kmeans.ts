/**
 * k-means over a row-major Float32Array (DESIGN §7: a plain typed-array Lloyd loop beats ml-kmeans
 * several times over). Greedy k-means++ seeding as scikit-learn does it, Lloyd iterations with
 * ||x||² + ||c||² − 2x·c, empty clusters re-seeded with the points farthest from their centroids,
 * nInit restarts keeping the lowest inertia. Deterministic for a given seed.
 */
import { makeRng } from '../random';
import type { ClusteringResult, KMeansOptions, Matrix } from '../types';
import { rowSquaredNorms } from '../vectors';

const DEFAULT_MAX_ITER = 100;
const DEFAULT_TOL = 1e-4;

/** Lets a pending message (e.g. an abort from the main thread) reach a worker between iterations. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function validate(m: Matrix, opts: KMeansOptions): { k: number; maxIter: number; tol: number; nInit: number } {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number of at least 1 (got ${k})`);
  if (m.rows === 0) throw new RangeError('There are no texts to cluster.');
  if (k > m.rows) throw new RangeError(`k (${k}) is larger than the number of texts (${m.rows})`);
  if (m.cols < 1) throw new RangeError('k-means needs vectors with at least one dimension');
  if (m.data.length < m.rows * m.cols) throw new RangeError('matrix data is shorter than rows × cols');
  const maxIter = opts.maxIter ?? DEFAULT_MAX_ITER;
  const tol = opts.tol ?? DEFAULT_TOL;
  const nInit = opts.nInit ?? 1;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`maxIter must be a whole number of at least 1 (got ${maxIter})`);
  if (!(tol >= 0)) throw new RangeError(`tol must be ≥ 0 (got ${tol})`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`nInit must be a whole number of at least 1 (got ${nInit})`);
  const { data } = m;
  const len = m.rows * m.cols;
  for (let i = 0; i < len; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`row ${Math.floor(i / m.cols)} holds a value that is not a finite number`);
  }
  return { k, maxIter, tol, nInit };
}

/**
 * Squared distances of every row to each of the m rows of `blk` (out[t*n + i]), four block rows per
 * pass over a data row so each x[j] load feeds four multiply-adds. Clamped at 0 against round-off.
 */
function distancesToBlock(
  x: Float32Array,
  n: number,
  d: number,
  xn: Float64Array,
  blk: Float32Array,
  blkNorm: Float64Array,
  m: number,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const off = i * d;
    const xi = xn[i];
    let t = 0;
    for (; t + 4 <= m; t += 4) {
      const o0 = t * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < d; j++) {
        const xj = x[off + j];
        s0 += xj * blk[o0 + j];
        s1 += xj * blk[o1 + j];
        s2 += xj * blk[o2 + j];
        s3 += xj * blk[o3 + j];
      }
      const v0 = xi + blkNorm[t] - 2 * s0;
      const v1 = xi + blkNorm[t + 1] - 2 * s1;
      const v2 = xi + blkNorm[t + 2] - 2 * s2;
      const v3 = xi + blkNorm[t + 3] - 2 * s3;
      out[t * n + i] = v0 > 0 ? v0 : 0;
      out[(t + 1) * n + i] = v1 > 0 ? v1 : 0;
      out[(t + 2) * n + i] = v2 > 0 ? v2 : 0;
      out[(t + 3) * n + i] = v3 > 0 ? v3 : 0;
    }
    for (; t < m; t++) {
      const o = t * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += x[off + j] * blk[o + j];
      const v = xi + blkNorm[t] - 2 * s;
      out[t * n + i] = v > 0 ? v : 0;
    }
  }
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii; scikit-learn's variant): each new centre is the best of
 * 2 + ⌊ln k⌋ candidates drawn with probability ∝ D², best meaning the lowest total potential.
 */
async function initPlusPlus(
  x: Float32Array,
  n: number,
  d: number,
  xn: Float64Array,
  k: number,
  rng: () => number,
  signal: AbortSignal | undefined,
): Promise<Float32Array> {
  const cen = new Float32Array(k * d);
  const nLocal = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const cum = new Float64Array(n);
  const cand = new Float32Array(nLocal * d);
  const candNorm = new Float64Array(nLocal);
  const candDist = new Float64Array(nLocal * n);

  const first = Math.min(n - 1, Math.floor(rng() * n));
  cen.set(x.subarray(first * d, first * d + d), 0);
  candNorm[0] = xn[first];
  distancesToBlock(x, n, d, xn, cen, candNorm, 1, closest);

  for (let c = 1; c < k; c++) {
    signal?.throwIfAborted();
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += closest[i];
      cum[i] = acc;
    }
    for (let t = 0; t < nLocal; t++) {
      // All points already on a centre (identical rows): any point will do.
      const idx = acc > 0 ? searchCumulative(cum, rng() * acc) : Math.min(n - 1, Math.floor(rng() * n));
      candNorm[t] = xn[idx];
      cand.set(x.subarray(idx * d, idx * d + d), t * d);
    }
    distancesToBlock(x, n, d, xn, cand, candNorm, nLocal, candDist);
    let bestPot = Infinity;
    let bestT = 0;
    for (let t = 0; t < nLocal; t++) {
      const o = t * n;
      let pot = 0;
      for (let i = 0; i < n; i++) {
        const v = candDist[o + i];
        pot += v < closest[i] ? v : closest[i];
      }
      if (pot < bestPot) {
        bestPot = pot;
        bestT = t;
      }
    }
    const o = bestT * n;
    for (let i = 0; i < n; i++) if (candDist[o + i] < closest[i]) closest[i] = candDist[o + i];
    cen.set(cand.subarray(bestT * d, bestT * d + d), c * d);
    await yieldToEventLoop();
  }
  return cen;
}

/** First index whose cumulative weight exceeds u (binary search). */
function searchCumulative(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Assignment step: nearest centroid for every row, four centroids per pass over a row so each
 * x[j] load feeds four multiply-adds. Writes labels and squared distances; returns the inertia and
 * how many labels changed.
 */
function assign(
  x: Float32Array,
  n: number,
  d: number,
  xn: Float64Array,
  cen: Float32Array,
  cn: Float64Array,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
): { inertia: number; changed: number } {
  let inertia = 0;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const off = i * d;
    let best = Infinity;
    let bi = 0;
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      const o0 = c * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < d; j++) {
        const xj = x[off + j];
        s0 += xj * cen[o0 + j];
        s1 += xj * cen[o1 + j];
        s2 += xj * cen[o2 + j];
        s3 += xj * cen[o3 + j];
      }
      let v = cn[c] - 2 * s0;
      if (v < best) {
        best = v;
        bi = c;
      }
      v = cn[c + 1] - 2 * s1;
      if (v < best) {
        best = v;
        bi = c + 1;
      }
      v = cn[c + 2] - 2 * s2;
      if (v < best) {
        best = v;
        bi = c + 2;
      }
      v = cn[c + 3] - 2 * s3;
      if (v < best) {
        best = v;
        bi = c + 3;
      }
    }
    for (; c < k; c++) {
      const o = c * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += x[off + j] * cen[o + j];
      const v = cn[c] - 2 * s;
      if (v < best) {
        best = v;
        bi = c;
      }
    }
    let dd = xn[i] + best;
    if (dd < 0) dd = 0;
    dist[i] = dd;
    inertia += dd;
    if (labels[i] !== bi) {
      labels[i] = bi;
      changed++;
    }
  }
  return { inertia, changed };
}

/**
 * Update step: centroids become member means. An empty cluster takes the point farthest from its
 * own centroid among clusters that can spare one (scikit-learn's relocation), so no centroid is NaN.
 */
function update(
  x: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  dist: Float64Array,
  k: number,
  sums: Float64Array,
  counts: Int32Array,
  cen: Float32Array,
  cn: Float64Array,
): void {
  sums.fill(0);
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    const a = i * d;
    const b = c * d;
    for (let j = 0; j < d; j++) sums[b + j] += x[a + j];
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] > 0) continue;
    let far = -1;
    let farDist = -1;
    for (let i = 0; i < n; i++) {
      if (dist[i] > farDist && counts[labels[i]] > 1) {
        farDist = dist[i];
        far = i;
      }
    }
    if (far < 0) continue; // cannot happen while k ≤ n; kept as a guard
    const old = labels[far];
    const a = far * d;
    const bo = old * d;
    const bn = c * d;
    for (let j = 0; j < d; j++) {
      sums[bo + j] -= x[a + j];
      sums[bn + j] = x[a + j];
    }
    counts[old]--;
    counts[c] = 1;
    labels[far] = c;
    dist[far] = -1; // never picked twice
  }
  for (let c = 0; c < k; c++) {
    const b = c * d;
    const cnt = counts[c];
    let s2 = 0;
    if (cnt > 0) {
      const inv = 1 / cnt;
      for (let j = 0; j < d; j++) {
        const v = sums[b + j] * inv;
        cen[b + j] = v;
      }
    }
    for (let j = 0; j < d; j++) s2 += cen[b + j] * cen[b + j];
    cn[c] = s2;
  }
}

/** Seeded k-means (k-means++ then Lloyd). Throws a RangeError for bad k and the signal's reason on abort. */
export async function kmeans(m: Matrix, opts: KMeansOptions): Promise<ClusteringResult> {
  const { k, maxIter, tol, nInit } = validate(m, opts);
  const { signal, onProgress } = opts;
  signal?.throwIfAborted();
  const n = m.rows;
  const d = m.cols;
  const x = m.data;
  const rng = makeRng(opts.seed ?? 0);
  const xn = rowSquaredNorms(m);

  const labels = new Int32Array(n);
  const dist = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const cn = new Float64Array(k);
  const total = nInit * maxIter;

  let bestInertia = Infinity;
  let bestLabels: Int32Array = labels;
  let bestCen: Float32Array = new Float32Array(0);
  let bestIter = 0;

  for (let run = 0; run < nInit; run++) {
    const cen = await initPlusPlus(x, n, d, xn, k, rng, signal);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += cen[c * d + j] * cen[c * d + j];
      cn[c] = s;
    }
    labels.fill(-1);
    let prev = Infinity;
    let iter = 0;
    let inertia = Infinity;
    for (;;) {
      signal?.throwIfAborted();
      const r = assign(x, n, d, xn, cen, cn, k, labels, dist);
      inertia = r.inertia;
      // Converged: nothing moved, or the inertia barely fell (relative to its previous value).
      if (iter > 0 && (r.changed === 0 || prev - inertia <= tol * prev)) break;
      if (iter >= maxIter) break;
      update(x, n, d, labels, dist, k, sums, counts, cen, cn);
      prev = inertia;
      iter++;
      onProgress?.({ stage: 'cluster', done: run * maxIter + iter, total, message: nInit > 1 ? `restart ${run + 1}/${nInit}` : undefined });
      await yieldToEventLoop();
    }
    if (inertia < bestInertia) {
      bestInertia = inertia;
      bestIter = iter;
      bestLabels = labels.slice();
      bestCen = cen;
    }
  }
  onProgress?.({ stage: 'cluster', done: total, total });
  return {
    k,
    assignments: bestLabels,
    centroids: { data: bestCen, rows: k, cols: d },
    inertia: bestInertia,
    iterations: bestIter,
  };
}
