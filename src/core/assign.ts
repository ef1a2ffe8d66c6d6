/**
 * Placing texts in a finished run (DESIGN §2.10, seed 003 phase 3) and per-item attribution
 * (seed 004). Pure: vectors in, paths and similarities out; no DOM, no storage.
 *
 * Flat runs and hierarchies share one code path: a flat run is read as a one-level tree whose
 * roots are its clusters (`runTree`). Centroids are the means of the items under each node, taken
 * from the vectors the caller passes (`nodeCentroids`). The page embeds the run's texts and the new
 * ones in one call with the run's embedder, so both live in the same space even when the embedder
 * has a corpus-level step (SIF's common-component removal, a TF-IDF/LSA fit); the centroids stored
 * on tree nodes are not used, since HERCULES's upper levels store unweighted means of child
 * centroids and a flat run stores none.
 */
import { getNode, type Hierarchy, type HierarchyNode } from './hierarchy/tree';
import type { Matrix, RunRecord, StageOptions } from './types';

/** Rows handled between yields to the event loop in the long loops. */
const CHUNK = 2000;
const yieldMacrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The run as a tree: a hierarchy run's own, or a flat run's clusters as one level of roots that
 * are also the leaves (node id = the cluster id as a string, e.g. "3"). Items of no cluster
 * (assignment −1) are in no node.
 */
export function runTree(run: Pick<RunRecord, 'hierarchy' | 'clusters' | 'assignments'>): Hierarchy {
  if (run.hierarchy) return run.hierarchy;
  const clusters = [...run.clusters].sort((a, b) => a.id - b.id);
  const nodes: Record<string, HierarchyNode> = {};
  const index = new Map<number, number>();
  const leafIds: string[] = [];
  const sizes = new Map<number, number>();
  for (const a of run.assignments) if (a >= 0) sizes.set(a, (sizes.get(a) ?? 0) + 1);
  for (const c of clusters) {
    const id = String(c.id);
    index.set(c.id, leafIds.length);
    leafIds.push(id);
    nodes[id] = {
      id,
      level: 1,
      parentId: null,
      childIds: [],
      size: sizes.get(c.id) ?? 0,
      title: c.name,
      description: c.description ?? '',
      nameSource: c.nameSource ?? 'keywords',
      keywords: c.keywords,
      representatives: c.representatives,
      cohesion: c.cohesion,
    };
  }
  const itemLeaf = new Int32Array(run.assignments.length);
  for (let i = 0; i < itemLeaf.length; i++) itemLeaf[i] = index.get(run.assignments[i]) ?? -1;
  return { method: 'hercules', levels: 1, nodes, roots: [...leafIds], itemLeaf, leafIds, promptLog: [] };
}

/**
 * Per node, the mean of the vectors of the items under it (nodes without items get none). Leaves
 * sum their items; an inner node sums its children (so a parent's centre is weighted by items).
 */
export function nodeCentroids(h: Hierarchy, vectors: Matrix): Map<string, Float32Array> {
  if (vectors.rows !== h.itemLeaf.length) throw new RangeError(`the tree has ${h.itemLeaf.length} items but there are ${vectors.rows} vectors`);
  const d = vectors.cols;
  const leafSum = h.leafIds.map(() => new Float64Array(d));
  const leafCount = new Float64Array(h.leafIds.length);
  for (let i = 0; i < vectors.rows; i++) {
    const l = h.itemLeaf[i];
    if (l < 0) continue;
    const s = leafSum[l];
    const o = i * d;
    for (let j = 0; j < d; j++) s[j] += vectors.data[o + j];
    leafCount[l]++;
  }
  const leafIndex = new Map(h.leafIds.map((id, i) => [id, i]));
  const sums = new Map<string, { sum: Float64Array; count: number }>();
  const visit = (id: string): { sum: Float64Array; count: number } => {
    const n = getNode(h, id);
    const li = leafIndex.get(id);
    const acc = li !== undefined ? { sum: Float64Array.from(leafSum[li]), count: leafCount[li] } : { sum: new Float64Array(d), count: 0 };
    for (const c of n.childIds) {
      const k = visit(c);
      for (let j = 0; j < d; j++) acc.sum[j] += k.sum[j];
      acc.count += k.count;
    }
    sums.set(id, acc);
    return acc;
  };
  for (const r of h.roots) visit(r);
  const out = new Map<string, Float32Array>();
  for (const [id, { sum, count }] of sums) {
    if (count === 0) continue;
    const c = new Float32Array(d);
    for (let j = 0; j < d; j++) c[j] = sum[j] / count;
    out.set(id, c);
  }
  return out;
}

/** A copy scaled to unit length, or null for a zero vector. */
function unit(v: ArrayLike<number>): Float32Array | null {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  if (!(s > 0)) return null;
  const inv = 1 / Math.sqrt(s);
  const out = new Float32Array(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j] * inv;
  return out;
}

/** Euclidean norm of row i. */
function rowNorm(m: Matrix, i: number): number {
  let s = 0;
  const o = i * m.cols;
  for (let j = 0; j < m.cols; j++) s += m.data[o + j] * m.data[o + j];
  return Math.sqrt(s);
}

/** Cosine of row i (of norm `norm`) with a unit vector. */
function cosRow(m: Matrix, i: number, norm: number, u: Float32Array): number {
  let s = 0;
  const o = i * m.cols;
  for (let j = 0; j < m.cols; j++) s += m.data[o + j] * u[j];
  return s / norm;
}

/** Per item: cosine to its own cluster's centre, and the best other cluster with its cosine (seed 004). */
export interface Attribution {
  /** Cosine to the own leaf's centre; NaN for an item in no node or with a zero vector. */
  similarity: Float32Array;
  /** Index into `leafIds` of the nearest other leaf; −1 when there is none. */
  runnerUp: Int32Array;
  /** Its cosine; NaN when there is none. */
  runnerUpSimilarity: Float32Array;
}

/**
 * Attribution of every item to the leaves of the tree (a flat run's clusters, a hierarchy's finest
 * themes): its similarity to its own leaf's centre and the runner-up leaf. Noise leaves are never
 * a runner-up; an item in no node gets its nearest leaf as the runner-up. O(n · leaves · d),
 * yielding to the event loop between chunks.
 */
export async function attributeLeaves(h: Hierarchy, vectors: Matrix, centroids = nodeCentroids(h, vectors), opts: StageOptions = {}): Promise<Attribution> {
  const n = vectors.rows;
  const leaves = h.leafIds.map((id) => {
    const c = centroids.get(id);
    return !getNode(h, id).isNoise && c ? unit(c) : null;
  });
  const ownUnit = h.leafIds.map((id) => {
    const c = centroids.get(id);
    return c ? unit(c) : null;
  });
  const out: Attribution = { similarity: new Float32Array(n).fill(NaN), runnerUp: new Int32Array(n).fill(-1), runnerUpSimilarity: new Float32Array(n).fill(NaN) };
  for (let start = 0; start < n; start += CHUNK) {
    opts.signal?.throwIfAborted();
    const end = Math.min(n, start + CHUNK);
    for (let i = start; i < end; i++) {
      const norm = rowNorm(vectors, i);
      if (!(norm > 0)) continue;
      const own = h.itemLeaf[i];
      const u = own >= 0 ? ownUnit[own] : null;
      if (u) out.similarity[i] = cosRow(vectors, i, norm, u);
      let best = -1;
      let bestSim = -Infinity;
      for (let l = 0; l < leaves.length; l++) {
        const c = leaves[l];
        if (l === own || !c) continue;
        const s = cosRow(vectors, i, norm, c);
        if (s > bestSim) {
          bestSim = s;
          best = l;
        }
      }
      if (best >= 0) {
        out.runnerUp[i] = best;
        out.runnerUpSimilarity[i] = bestSim;
      }
    }
    opts.onProgress?.({ stage: 'attribute', done: end, total: n });
    if (end < n) await yieldMacrotask();
  }
  return out;
}

/** The q-quantile (0..1) of the finite values, linearly interpolated (R's type 7); NaN when there are none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) xs.push(values[i]);
  if (xs.length === 0) return NaN;
  xs.sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (xs.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

/** What placing needs: the tree, unit centres per node, and the outlier threshold from the run's own members. */
export interface PlacementModel {
  tree: Hierarchy;
  /** Unit-length centre per node that has items and is not noise. */
  centres: Map<string, Float32Array>;
  /** A placed text whose similarity to its final node is below this is an outlier. */
  threshold: number;
  /** The quantile of the members' similarities the threshold is. */
  quantile: number;
  /** Members whose similarity the threshold was taken over. */
  members: number;
}

export interface PlacementOptions {
  /** Quantile of the members' similarity to their own leaf's centre below which a text is an outlier (default 0.05). */
  quantile?: number;
}

/**
 * The placement model of a tree from the vectors of its own items (in the space new texts will be
 * embedded in): centres are member means; the threshold is the `quantile` of the members' cosine
 * to their own (non-noise) leaf's centre.
 */
export function placementModel(h: Hierarchy, corpus: Matrix, opts: PlacementOptions = {}): PlacementModel {
  const q = opts.quantile ?? 0.05;
  const means = nodeCentroids(h, corpus);
  const centres = new Map<string, Float32Array>();
  for (const [id, c] of means) {
    const u = unit(c);
    if (u && !getNode(h, id).isNoise) centres.set(id, u);
  }
  const leafCentre = h.leafIds.map((id) => centres.get(id) ?? null);
  const sims: number[] = [];
  for (let i = 0; i < corpus.rows; i++) {
    const l = h.itemLeaf[i];
    const c = l >= 0 ? leafCentre[l] : null;
    const norm = rowNorm(corpus, i);
    if (c && norm > 0) sims.push(cosRow(corpus, i, norm, c));
  }
  return { tree: h, centres, threshold: quantile(sims, q), quantile: q, members: sims.length };
}

export interface PathStep {
  nodeId: string;
  /** Cosine of the text to the node's centre. */
  similarity: number;
}

export interface Placement {
  /** From a root down to the node the text ends in; empty for a text with a zero vector (no known words). */
  path: PathStep[];
  /** Cosine to the last node of the path (NaN when the path is empty). */
  similarity: number;
  /** Below the model's threshold (or not placeable at all). */
  outlier: boolean;
  /** The best sibling at the last step, when there was a choice. */
  runnerUp?: PathStep;
}

/**
 * A path down the tree per row of `vectors`, top-down: at each level the nearest centre (cosine)
 * among the current node's children (the roots first), until a node without children that have a
 * centre (noise leaves are never chosen). The similarity is the one to the final node.
 */
export function placeVectors(model: PlacementModel, vectors: Matrix): Placement[] {
  const { tree: h, centres } = model;
  const out: Placement[] = [];
  for (let i = 0; i < vectors.rows; i++) {
    const norm = rowNorm(vectors, i);
    if (!(norm > 0)) {
      out.push({ path: [], similarity: NaN, outlier: true });
      continue;
    }
    const path: PathStep[] = [];
    let runnerUp: PathStep | undefined;
    let candidates = h.roots;
    for (;;) {
      let best: PathStep | undefined;
      let second: PathStep | undefined;
      for (const id of candidates) {
        const c = centres.get(id);
        if (!c) continue;
        const s = cosRow(vectors, i, norm, c);
        if (!best || s > best.similarity) {
          second = best;
          best = { nodeId: id, similarity: s };
        } else if (!second || s > second.similarity) second = { nodeId: id, similarity: s };
      }
      if (!best) break;
      path.push(best);
      runnerUp = second;
      candidates = getNode(h, best.nodeId).childIds;
    }
    const similarity = path.length > 0 ? path[path.length - 1].similarity : NaN;
    out.push({ path, similarity, outlier: !(similarity >= model.threshold), ...(runnerUp ? { runnerUp } : {}) });
  }
  return out;
}
