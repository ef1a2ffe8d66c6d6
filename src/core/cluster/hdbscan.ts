/**
 * HDBSCAN* (Campello, Moulavi & Sander 2013) as the hdbscan Python library (McInnes, Healy &
 * Astels) computes it, over typed arrays — DESIGN §7: hdbscan-ts is far too slow.
 *
 * 1. Core distance of a point: distance to its minSamples-th nearest point, the point itself
 *    counted (the library's documented meaning and its KD-tree path). Brute force, each pair once.
 * 2. Minimum spanning tree over the mutual reachability distance max(core a, core b, d(a, b)):
 *    Prim's algorithm on the implicit dense graph, O(n²·d) time and O(n·d) memory, skipping the
 *    distance whenever a core distance alone rules the edge out (as the library's
 *    mst_linkage_core_vector). Fine up to ~20k points in a few dimensions (after UMAP).
 * 3. Single-linkage tree from the sorted edges (union–find), then the condensed tree for
 *    minClusterSize, walked breadth-first so cluster ids match the library's.
 * 4. Stability (excess of mass) per cluster, selection by 'eom' or 'leaf', labels (−1 noise),
 *    membership probabilities, GLOSH outlier scores and cluster persistence, as the library does.
 *
 * Euclidean work is done on squared distances (same order, no square roots in the hot loops);
 * cosine distance is ‖a − b‖² / 2 on L2-normalised rows. Two deliberate differences from the
 * library: a split at distance 0 (a block of identical points) is not a split — its points fall
 * out together at λ = ∞ rather than being cut into arbitrary clusters; and 'leaf' selection with
 * no split at all gives the root as one cluster when allowSingleCluster is set (the library gives
 * all noise either way).
 */
import type { Matrix, StageOptions } from '../types';

export type HdbscanMetric = 'euclidean' | 'cosine';

export interface HdbscanLinkageOptions extends StageOptions {
  /** Neighbourhood size of the core distance, the point itself included (default minClusterSize). */
  minSamples?: number;
  metric?: HdbscanMetric;
}

export interface HdbscanSelectOptions {
  /** Smallest group that counts as a cluster (≥ 2, default 5 as the library). */
  minClusterSize?: number;
  /** 'eom' (excess of mass, default) or 'leaf' (the finest clusters of the condensed tree). */
  clusterSelectionMethod?: 'eom' | 'leaf';
  /** Let the whole data be one cluster (default false: at least two, or all noise). */
  allowSingleCluster?: boolean;
}

export interface HdbscanOptions extends HdbscanLinkageOptions, HdbscanSelectOptions {}

/** The single-linkage tree over mutual reachability, in scipy's format: merge s makes node n + s. */
export interface SingleLinkage {
  n: number;
  left: Int32Array;
  right: Int32Array;
  /** Mutual reachability distance of each merge, ascending. */
  distance: Float64Array;
  /** Points under the node made by each merge. */
  size: Int32Array;
  /** Core distance per point (in the metric's units). */
  coreDistances: Float64Array;
  /** minSamples actually used (clamped to n − 1, at least 1). */
  minSamples: number;
  metric: HdbscanMetric;
}

/**
 * The condensed tree as the library's edge list: ids below n are points, n is the root cluster and
 * n + c the c-th cluster found (breadth-first, so a child's id exceeds its parent's). Each row says
 * `child` leaves `parent` at λ = 1 / distance, carrying childSize points.
 */
export interface CondensedTree {
  n: number;
  parent: Int32Array;
  child: Int32Array;
  lambda: Float64Array;
  childSize: Int32Array;
  /** Clusters in the tree, the root included. */
  clusters: number;
}

export interface HdbscanResult {
  /** Clusters found (noise excluded). */
  k: number;
  /** Cluster per point, 0..k−1 in condensed-tree order; −1 noise. */
  assignments: Int32Array;
  /** Membership strength in [0, 1] (0 for noise), as the library's probabilities_. */
  probabilities: Float32Array;
  /** GLOSH outlier score in [0, 1], higher = more outlying (noise included). */
  outlierScores: Float32Array;
  /** Per cluster: stability / (size · largest λ), the library's cluster_persistence_. */
  persistence: Float64Array;
  /** Condensed-tree id (n + c) of each cluster 0..k−1. */
  clusterIds: Int32Array;
  minClusterSize: number;
  minSamples: number;
  condensed: CondensedTree;
}

const DEFAULT_MIN_CLUSTER_SIZE = 5;

/** Reports progress and lets pending messages (an abort) in about every 50 ms of work. */
class Pacer {
  private last = performance.now();
  constructor(
    private readonly opts: StageOptions,
    private readonly message: string,
  ) {}

  async tick(done: number, total: number): Promise<void> {
    const now = performance.now();
    if (now - this.last < 50) return;
    this.last = now;
    this.opts.onProgress?.({ stage: 'cluster', done, total, message: this.message });
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.opts.signal?.throwIfAborted();
  }
}

function positiveInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be a whole number of at least ${min} (got ${v})`);
}

/**
 * The rows as float64 (the hot loops run faster on it than on float32), L2-normalised for cosine.
 * A zero row stays zero: at distance 1/2 from every unit row.
 */
function prepare(m: Matrix, metric: HdbscanMetric): Float64Array {
  const { rows: n, cols: d } = m;
  const len = n * d;
  if (m.data.length < len) throw new RangeError('matrix data is shorter than rows × cols');
  const x = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const v = m.data[i];
    if (!Number.isFinite(v)) throw new RangeError(`row ${Math.floor(i / d)} holds a value that is not a finite number`);
    x[i] = v;
  }
  if (metric !== 'cosine') return x;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * d; t < (i + 1) * d; t++) s += x[t] * x[t];
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let t = i * d; t < (i + 1) * d; t++) x[t] *= inv;
  }
  return x;
}

/** Squared distance → the metric's distance (both orders agree, so trees can be built on either). */
function fromSquared(metric: HdbscanMetric): (s: number) => number {
  return metric === 'cosine' ? (s) => s / 2 : Math.sqrt;
}

/** ‖a[oa..oa+d) − b[ob..ob+d)‖², four dimensions per pass (the loop overhead dominates at d ≈ 5). */
function squaredDistance(a: Float64Array, oa: number, b: Float64Array, ob: number, d: number): number {
  let s = 0;
  let q = 0;
  for (; q + 4 <= d; q += 4) {
    const v0 = a[oa + q] - b[ob + q];
    const v1 = a[oa + q + 1] - b[ob + q + 1];
    const v2 = a[oa + q + 2] - b[ob + q + 2];
    const v3 = a[oa + q + 3] - b[ob + q + 3];
    s += v0 * v0 + v1 * v1 + v2 * v2 + v3 * v3;
  }
  for (; q < d; q++) {
    const v = a[oa + q] - b[ob + q];
    s += v * v;
  }
  return s;
}

/** Inserts v into the ascending run buf[off .. off+kk), dropping its largest; returns the new largest. */
function insertSorted(buf: Float64Array, off: number, kk: number, v: number): number {
  let p = off + kk - 1;
  while (p > off && buf[p - 1] > v) {
    buf[p] = buf[p - 1];
    p--;
  }
  buf[p] = v;
  return buf[off + kk - 1];
}

/** Squared distance to the kk-th nearest other point, by brute force over each pair once. */
async function coreSquared(x: Float64Array, n: number, d: number, kk: number, pace: Pacer): Promise<Float64Array> {
  const core = new Float64Array(n);
  if (kk <= 0) return core;
  const buf = new Float64Array(n * kk).fill(Infinity);
  const worst = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    let wi = worst[i];
    for (let j = i + 1; j < n; j++) {
      const s = squaredDistance(x, oi, x, j * d, d);
      if (s < wi) wi = insertSorted(buf, i * kk, kk, s);
      if (s < worst[j]) worst[j] = insertSorted(buf, j * kk, kk, s);
    }
    worst[i] = wi;
    core[i] = buf[i * kk + kk - 1];
    if ((i & 31) === 0) await pace.tick(i, n);
  }
  return core;
}

/**
 * Prim's MST over squared mutual reachability. The points not yet in the tree are kept packed
 * (ids, best edge so far, core distance and coordinates side by side) so each step scans memory
 * in order; the point added is swapped out with the last.
 */
async function primSquared(
  x: Float64Array,
  n: number,
  d: number,
  core: Float64Array,
  pace: Pacer,
): Promise<{ from: Int32Array; to: Int32Array; weight: Float64Array }> {
  const from = new Int32Array(n - 1);
  const to = new Int32Array(n - 1);
  const weight = new Float64Array(n - 1);
  let r = n - 1;
  const pid = new Int32Array(r);
  const pbest = new Float64Array(r).fill(Infinity);
  const pfrom = new Int32Array(r);
  const pcore = new Float64Array(r);
  const px = new Float64Array(r * d);
  for (let t = 0; t < r; t++) {
    pid[t] = t + 1;
    pcore[t] = core[t + 1];
  }
  px.set(x.subarray(d, n * d));
  const cx = new Float64Array(d);
  for (let t = 0; t < d; t++) cx[t] = x[t];
  let cur = 0;
  let curCore = core[0];
  for (let e = 0; e < n - 1; e++) {
    let bestVal = Infinity;
    let bestT = 0;
    for (let t = 0; t < r; t++) {
      let b = pbest[t];
      const c = pcore[t];
      // The edge to `cur` cannot beat b when either core distance already reaches it.
      if (curCore < b && c < b) {
        const s0 = squaredDistance(cx, 0, px, t * d, d);
        if (s0 < b) {
          let s = s0;
          if (curCore > s) s = curCore;
          if (c > s) s = c;
          pbest[t] = s;
          pfrom[t] = cur;
          b = s;
        }
      }
      if (b < bestVal) {
        bestVal = b;
        bestT = t;
      }
    }
    from[e] = pfrom[bestT];
    to[e] = pid[bestT];
    weight[e] = bestVal;
    cur = pid[bestT];
    curCore = pcore[bestT];
    for (let q = 0; q < d; q++) cx[q] = px[bestT * d + q];
    r--;
    if (bestT !== r) {
      pid[bestT] = pid[r];
      pbest[bestT] = pbest[r];
      pfrom[bestT] = pfrom[r];
      pcore[bestT] = pcore[r];
      px.copyWithin(bestT * d, r * d, r * d + d);
    }
    if ((e & 31) === 0) await pace.tick(e, n - 1);
  }
  return { from, to, weight };
}

/**
 * Core distances, the mutual-reachability MST and its single-linkage tree: everything that depends
 * on minSamples and the metric but not on minClusterSize, so a sweep over minClusterSize builds it
 * once.
 */
export async function hdbscanLinkage(m: Matrix, opts: HdbscanLinkageOptions = {}): Promise<SingleLinkage> {
  const metric = opts.metric ?? 'euclidean';
  if (metric !== 'euclidean' && metric !== 'cosine') throw new RangeError(`unknown metric "${String(metric)}"`);
  const n = m.rows;
  const d = m.cols;
  if (n === 0) throw new RangeError('There are no texts to cluster.');
  if (d < 1) throw new RangeError('HDBSCAN needs vectors with at least one dimension');
  const requested = opts.minSamples ?? DEFAULT_MIN_CLUSTER_SIZE;
  positiveInt('minSamples', requested, 1);
  opts.signal?.throwIfAborted();
  const minSamples = Math.max(1, Math.min(n - 1, requested));
  const x = prepare(m, metric);
  const toMetric = fromSquared(metric);

  // minSamples counts the point itself: the (minSamples − 1)-th other point sets the core distance.
  const coreSq = await coreSquared(x, n, d, minSamples - 1, new Pacer(opts, 'HDBSCAN: core distances'));
  const mst = n > 1 ? await primSquared(x, n, d, coreSq, new Pacer(opts, 'HDBSCAN: spanning tree')) : { from: new Int32Array(0), to: new Int32Array(0), weight: new Float64Array(0) };
  opts.signal?.throwIfAborted();

  const order = Array.from({ length: n - 1 }, (_, i) => i).sort((a, b) => mst.weight[a] - mst.weight[b]);
  const left = new Int32Array(n - 1);
  const right = new Int32Array(n - 1);
  const distance = new Float64Array(n - 1);
  const size = new Int32Array(n - 1);
  const up = new Int32Array(2 * n - 1);
  const count = new Int32Array(2 * n - 1);
  for (let i = 0; i < up.length; i++) up[i] = i;
  count.fill(1, 0, n);
  const find = (v: number): number => {
    while (up[v] !== v) {
      up[v] = up[up[v]];
      v = up[v];
    }
    return v;
  };
  for (let s = 0; s < n - 1; s++) {
    const e = order[s];
    const a = find(mst.from[e]);
    const b = find(mst.to[e]);
    left[s] = a;
    right[s] = b;
    distance[s] = toMetric(mst.weight[e]);
    size[s] = count[a] + count[b];
    const node = n + s;
    up[a] = node;
    up[b] = node;
    count[node] = size[s];
  }
  const coreDistances = coreSq.map(toMetric);
  return { n, left, right, distance, size, coreDistances, minSamples, metric };
}

/**
 * The condensed tree's columns. A point leaves once (n rows) and every split adds two cluster
 * rows, with at most n / 2 splits for clusters of ≥ 2 points: 2n rows always suffice.
 */
class Rows {
  readonly parent: Int32Array;
  readonly child: Int32Array;
  readonly lambda: Float64Array;
  readonly childSize: Int32Array;
  length = 0;
  constructor(n: number) {
    this.parent = new Int32Array(2 * n);
    this.child = new Int32Array(2 * n);
    this.lambda = new Float64Array(2 * n);
    this.childSize = new Int32Array(2 * n);
  }
  push(parent: number, child: number, lambda: number, childSize: number): void {
    const i = this.length++;
    this.parent[i] = parent;
    this.child[i] = child;
    this.lambda[i] = lambda;
    this.childSize[i] = childSize;
  }
  tree(n: number, clusters: number): CondensedTree {
    const k = this.length;
    return { n, parent: this.parent.slice(0, k), child: this.child.slice(0, k), lambda: this.lambda.slice(0, k), childSize: this.childSize.slice(0, k), clusters };
  }
}

/** The condensed tree for minClusterSize (the library's condense_tree, breadth-first). */
export function condenseTree(sl: SingleLinkage, minClusterSize: number): CondensedTree {
  positiveInt('minClusterSize', minClusterSize, 2);
  const n = sl.n;
  const rows = new Rows(n);
  if (n < 2) {
    for (let i = 0; i < n; i++) rows.push(n, i, 0, 1);
    return rows.tree(n, 1);
  }
  const root = 2 * n - 2;
  const relabel = new Int32Array(2 * n - 1);
  relabel[root] = n;
  let next = n + 1;
  const queue = new Int32Array(n - 1);
  let head = 0;
  let tail = 0;
  queue[tail++] = root;
  const stack: number[] = [];
  const fallOut = (node: number, parent: number, lambda: number): void => {
    stack.push(node);
    while (stack.length > 0) {
      const v = stack.pop() as number;
      if (v < n) rows.push(parent, v, lambda, 1);
      else stack.push(sl.right[v - n], sl.left[v - n]);
    }
  };
  const sizeOf = (v: number): number => (v < n ? 1 : sl.size[v - n]);
  while (head < tail) {
    const node = queue[head++];
    const s = node - n;
    const l = sl.left[s];
    const r = sl.right[s];
    const dist = sl.distance[s];
    const lambda = dist > 0 ? 1 / dist : Infinity;
    const lc = sizeOf(l);
    const rc = sizeOf(r);
    const p = relabel[node];
    if (dist > 0 && lc >= minClusterSize && rc >= minClusterSize) {
      for (const [side, c] of [
        [l, lc],
        [r, rc],
      ] as const) {
        relabel[side] = next++;
        rows.push(p, relabel[side], lambda, c);
        queue[tail++] = side;
      }
      continue;
    }
    for (const [side, c] of [
      [l, lc],
      [r, rc],
    ] as const) {
      // The big side carries the cluster on; small sides, and both sides of a zero-distance merge, fall out.
      if (dist > 0 && c >= minClusterSize) {
        relabel[side] = p;
        queue[tail++] = side;
      } else fallOut(side, p, lambda);
    }
  }
  return rows.tree(n, next - n);
}

/** Excess of mass per cluster (index c = id − n): Σ over its rows of (λ − λ_birth) · size. */
export function stabilities(t: CondensedTree): Float64Array {
  const birth = new Float64Array(t.clusters);
  for (let i = 0; i < t.child.length; i++) if (t.child[i] >= t.n) birth[t.child[i] - t.n] = t.lambda[i];
  const out = new Float64Array(t.clusters);
  for (let i = 0; i < t.parent.length; i++) {
    const c = t.parent[i] - t.n;
    out[c] += (t.lambda[i] - birth[c]) * t.childSize[i];
  }
  return out;
}

/** Largest λ among each cluster's own rows (the library's max_lambdas). */
function deathsOf(t: CondensedTree): Float64Array {
  const out = new Float64Array(t.clusters);
  for (let i = 0; i < t.parent.length; i++) {
    const c = t.parent[i] - t.n;
    if (t.lambda[i] > out[c]) out[c] = t.lambda[i];
  }
  return out;
}

/** Selected clusters (by index c = id − n), following the library's get_clusters. */
export function selectClusters(t: CondensedTree, stability: Float64Array, opts: HdbscanSelectOptions = {}): Uint8Array {
  const method = opts.clusterSelectionMethod ?? 'eom';
  if (method !== 'eom' && method !== 'leaf') throw new RangeError(`unknown cluster selection method "${String(method)}"`);
  const allowSingle = opts.allowSingleCluster ?? false;
  const C = t.clusters;
  const kids: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < t.child.length; i++) if (t.child[i] >= t.n) kids[t.parent[i] - t.n].push(t.child[i] - t.n);
  const selected = new Uint8Array(C);
  if (method === 'leaf') {
    if (C === 1) selected[0] = allowSingle ? 1 : 0;
    else for (let c = 1; c < C; c++) selected[c] = kids[c].length === 0 ? 1 : 0;
    return selected;
  }
  const stab = stability.slice();
  const last = allowSingle ? 0 : 1;
  // Ids grow away from the root, so walking them downwards settles every child before its parent.
  for (let c = C - 1; c >= last; c--) {
    let sub = 0;
    for (const ch of kids[c]) sub += stab[ch];
    if (sub > stab[c]) {
      stab[c] = sub;
      continue;
    }
    selected[c] = 1;
    const below = [...kids[c]];
    while (below.length > 0) {
      const v = below.pop() as number;
      selected[v] = 0;
      below.push(...kids[v]);
    }
  }
  return selected;
}

/** Labels, probabilities, GLOSH scores and persistence from a condensed tree (the library's get_clusters tail). */
export function extractClusters(t: CondensedTree, opts: HdbscanSelectOptions & { minSamples?: number } = {}): HdbscanResult {
  const mcs = opts.minClusterSize ?? DEFAULT_MIN_CLUSTER_SIZE;
  const n = t.n;
  const C = t.clusters;
  const stability = stabilities(t);
  const selected = selectClusters(t, stability, opts);
  const parentOf = new Int32Array(C).fill(-1);
  for (let i = 0; i < t.child.length; i++) if (t.child[i] >= n) parentOf[t.child[i] - n] = t.parent[i] - n;
  const label = new Int32Array(C).fill(-1);
  const clusterIds: number[] = [];
  for (let c = 0; c < C; c++) {
    if (!selected[c]) continue;
    label[c] = clusterIds.length;
    clusterIds.push(n + c);
  }
  // Nearest selected ancestor-or-self of each cluster (parents come first in id order).
  const owner = new Int32Array(C).fill(-1);
  for (let c = 0; c < C; c++) owner[c] = selected[c] ? c : c > 0 ? owner[parentOf[c]] : -1;

  const deaths = deathsOf(t);
  const assignments = new Int32Array(n).fill(-1);
  const probabilities = new Float32Array(n);
  const pointLambda = new Float64Array(n);
  const pointParent = new Int32Array(n);
  for (let i = 0; i < t.child.length; i++) {
    const v = t.child[i];
    if (v >= n) continue;
    pointLambda[v] = t.lambda[i];
    pointParent[v] = t.parent[i] - n;
  }
  for (let v = 0; v < n; v++) {
    const o = owner[pointParent[v]];
    if (o < 0) continue;
    const lam = pointLambda[v];
    // A lone root cluster keeps only the points that stay to the end (the library's rule).
    if (o === 0 && lam < deaths[0]) continue;
    assignments[v] = label[o];
    const maxL = deaths[o];
    probabilities[v] = maxL === 0 || !Number.isFinite(lam) ? 1 : Math.min(lam, maxL) / maxL;
  }

  // GLOSH: compare each point's λ with the largest λ anywhere below its cluster.
  const deepest = deaths.slice();
  for (let c = C - 1; c > 0; c--) if (deepest[c] > deepest[parentOf[c]]) deepest[parentOf[c]] = deepest[c];
  const outlierScores = new Float32Array(n);
  for (let v = 0; v < n; v++) {
    const maxL = deepest[pointParent[v]];
    const lam = pointLambda[v];
    if (maxL === 0 || !Number.isFinite(lam)) outlierScores[v] = 0;
    else outlierScores[v] = Number.isFinite(maxL) ? (maxL - lam) / maxL : 1;
  }

  const k = clusterIds.length;
  const sizes = new Int32Array(k);
  for (const a of assignments) if (a >= 0) sizes[a]++;
  let maxLambda = 0;
  for (const l of t.lambda) if (l > maxLambda) maxLambda = l;
  const persistence = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const c = clusterIds[j] - n;
    persistence[j] = !Number.isFinite(maxLambda) || maxLambda === 0 || sizes[j] === 0 ? 1 : stability[c] / (sizes[j] * maxLambda);
  }
  return {
    k,
    assignments,
    probabilities,
    outlierScores,
    persistence,
    clusterIds: Int32Array.from(clusterIds),
    minClusterSize: mcs,
    minSamples: opts.minSamples ?? NaN,
    condensed: t,
  };
}

/** Clusters of a single-linkage tree for one minClusterSize: cheap next to building the tree. */
export function clusterLinkage(sl: SingleLinkage, opts: HdbscanSelectOptions = {}): HdbscanResult {
  const mcs = opts.minClusterSize ?? DEFAULT_MIN_CLUSTER_SIZE;
  return extractClusters(condenseTree(sl, mcs), { ...opts, minClusterSize: mcs, minSamples: sl.minSamples });
}

/** HDBSCAN of the rows of m. Throws a RangeError for bad options and the signal's reason on abort. */
export async function hdbscan(m: Matrix, opts: HdbscanOptions = {}): Promise<HdbscanResult> {
  const mcs = opts.minClusterSize ?? DEFAULT_MIN_CLUSTER_SIZE;
  positiveInt('minClusterSize', mcs, 2);
  const sl = await hdbscanLinkage(m, { ...opts, minSamples: opts.minSamples ?? mcs });
  const result = clusterLinkage(sl, { ...opts, minClusterSize: mcs });
  opts.onProgress?.({ stage: 'cluster', done: 1, total: 1, message: `HDBSCAN: ${result.k} clusters` });
  return result;
}
