/**
 * ClusterFusion's embedding-guided subset partition (seed 000, stage 1): a balanced sample of
 * ⌊S/M⌋ texts from each of the M k-means groups (all of a smaller group), ordered so that alike
 * texts stand together (by group, or by cosine to a reference vector), and the packing of texts
 * or topic lists into prompts that fit the context (divide and conquer). Pure functions over
 * indices and token counts, shared by the run and by the cost estimate.
 */
import { makeRng } from '../random';
import type { Matrix } from '../types';
import { shuffled } from './knn';

export type SampleOrdering = 'group' | 'cosine' | 'none';

/** Members of each group 0..m−1, each list in a seeded random order (the sampling order). */
export function groupMembers(groups: ArrayLike<number>, m: number, seed: number): number[][] {
  const members: number[][] = Array.from({ length: m }, () => []);
  for (let i = 0; i < groups.length; i++) members[groups[i]].push(i);
  const rng = makeRng(seed);
  for (const list of members) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = list[i];
      list[i] = list[j];
      list[j] = t;
    }
  }
  return members;
}

/** The first `perGroup` members of every group (all of a group with fewer). */
export function balancedSample(members: readonly number[][], perGroup: number): number[][] {
  return members.map((list) => list.slice(0, perGroup));
}

/**
 * Texts per group: ⌊S/M⌋ (at least 1) for a given S; for 'auto', the largest count whose lines
 * fit `room` tokens in one prompt, with M · count ≤ cap (at least 1: a sample that does not fit
 * is split into chunks). `lineTokens[g][r]` is the prompt cost of the r-th member of group g.
 */
export function perGroupCount(lineTokens: readonly number[][], sampleSize: number | 'auto', room: number, cap: number): number {
  const m = Math.max(1, lineTokens.length);
  if (sampleSize !== 'auto') return Math.max(1, Math.floor(sampleSize / m));
  const most = Math.max(1, Math.floor(cap / m));
  const largest = Math.max(0, ...lineTokens.map((g) => g.length));
  let total = 0;
  let best = 1;
  for (let p = 1; p <= Math.min(most, largest); p++) {
    for (const g of lineTokens) if (g.length >= p) total += g[p - 1];
    if (total > room) break;
    best = p;
  }
  return best;
}

/** Cosine of a[ao .. ao+d) and b[bo .. bo+d); 0 when either is zero. */
export function cosineAt(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let t = 0; t < d; t++) {
    const x = a[ao + t];
    const y = b[bo + t];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Groups in a chain: the largest first, then repeatedly the unvisited group whose centroid is most similar. */
export function chainGroups(centroids: Matrix, sizes: readonly number[]): number[] {
  const m = centroids.rows;
  const d = centroids.cols;
  const c = centroids.data;
  const visited = new Uint8Array(m);
  let cur = 0;
  for (let g = 1; g < m; g++) if (sizes[g] > sizes[cur]) cur = g;
  const order = [cur];
  visited[cur] = 1;
  while (order.length < m) {
    let best = -1;
    let bestSim = -Infinity;
    for (let g = 0; g < m; g++) {
      if (visited[g]) continue;
      const s = cosineAt(c, cur * d, c, g * d, d);
      if (s > bestSim) {
        bestSim = s;
        best = g;
      }
    }
    visited[best] = 1;
    order.push(best);
    cur = best;
  }
  return order;
}

/** Sum of all rows: its direction, the mean direction, is the default reference for cosine ordering. */
export function meanDirection(m: Matrix): Float64Array {
  const out = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let t = 0; t < m.cols; t++) out[t] += m.data[i * m.cols + t];
  return out;
}

export interface OrderInput {
  /** Sampled text indices per group. */
  picked: readonly number[][];
  vectors: Matrix;
  centroids: Matrix;
  ordering: SampleOrdering;
  /** For 'cosine': a text index or a vector; default the mean direction. */
  reference?: number | ArrayLike<number>;
  seed: number;
}

/**
 * The sample in prompt order. 'group': groups chained by centroid similarity, each group's texts
 * by cosine to its centroid (most typical first). 'cosine': all texts by cosine to the reference,
 * most similar first. 'none': a seeded shuffle (the paper's unsorted baseline).
 */
export function orderSample(inp: OrderInput): number[] {
  const { picked, vectors, centroids } = inp;
  const d = vectors.cols;
  const x = vectors.data;
  const all = picked.flat();
  const byScore = (idx: number[], score: (i: number) => number): number[] => {
    const s = new Map(idx.map((i) => [i, score(i)]));
    return idx.slice().sort((a, b) => (s.get(b) as number) - (s.get(a) as number) || a - b);
  };
  if (inp.ordering === 'none') {
    const p = shuffled(all.length, inp.seed);
    return Array.from(p, (j) => all[j]);
  }
  if (inp.ordering === 'cosine') {
    const ref = inp.reference === undefined ? meanDirection(vectors) : typeof inp.reference === 'number' ? x.subarray(inp.reference * d, inp.reference * d + d) : inp.reference;
    if (ref.length !== d) throw new RangeError(`reference has ${ref.length} values, vectors ${d}`);
    return byScore(all, (i) => cosineAt(x, i * d, ref, 0, d));
  }
  const order = chainGroups(
    centroids,
    picked.map((g) => g.length),
  );
  const out: number[] = [];
  for (const g of order) out.push(...byScore(picked[g] as number[], (i) => cosineAt(x, i * d, centroids.data, g * d, d)));
  return out;
}

/**
 * Contiguous chunks of items (by position) each costing ≤ room tokens: the fewest chunks, cut as
 * evenly as the costs allow. An item dearer than room gets a chunk of its own.
 */
export function splitChunks(tokens: readonly number[], room: number): number[][] {
  const n = tokens.length;
  if (n === 0) return [];
  const total = tokens.reduce((s, t) => s + t, 0);
  for (let c = Math.max(1, Math.ceil(total / Math.max(1, room))); c <= n; c++) {
    const target = total / c;
    const chunks: number[][] = [];
    let cur: number[] = [];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const t = tokens[i];
      // Close the chunk once it reaches its even share, or when the next item would not fit.
      const remainingChunks = c - chunks.length;
      if (cur.length > 0 && (sum + t > room || (sum >= target && remainingChunks > 1))) {
        chunks.push(cur);
        cur = [];
        sum = 0;
      }
      cur.push(i);
      sum += t;
    }
    chunks.push(cur);
    if (chunks.length <= c) return chunks;
  }
  return tokens.map((_, i) => [i]);
}

/**
 * Contiguous groups of topic lists whose tokens sum to ≤ room, for one merge call each. A group of
 * one list is passed on without a call.
 */
export function planMerges(listTokens: readonly number[], room: number): number[][] {
  const groups: number[][] = [];
  let cur: number[] = [];
  let sum = 0;
  listTokens.forEach((t, i) => {
    if (cur.length > 0 && sum + t > room) {
      groups.push(cur);
      cur = [];
      sum = 0;
    }
    cur.push(i);
    sum += t;
  });
  if (cur.length > 0) groups.push(cur);
  return groups;
}
