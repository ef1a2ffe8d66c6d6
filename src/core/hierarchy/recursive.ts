/**
 * Top-down recursive hierarchy (seed 003, after Spotify's recursive embedding and clustering):
 * reduce the texts (UMAP to a few dimensions), cluster them with HDBSCAN, then zoom into each
 * cluster on its own — reduce its members again and cluster again — so that structure the global
 * map hides can show. Rules, all from the seed:
 * - min cluster size adapts to the subset and the depth: max(floor(depth), n · basePct · decay^depth),
 *   with floor(depth) = max(floorMin, floor / 2^depth);
 * - a cluster is split further only while its silhouette is below a threshold (a coherent cluster
 *   is left whole), it is larger than a minimum size and the depth limit is not reached;
 * - HDBSCAN noise stays at its level as a leaf child marked isNoise and is never split;
 * - when HDBSCAN finds fewer than 2 clusters, k-means (k by the silhouette sweep) stands in.
 * Nodes are named breadth-first, each with its parent's title in the prompt (nameTree top-down);
 * without an engine they get keyword names. Levels count up from the items (tree.ts): the deepest
 * clusters are level 1, a branch that stops early is a leaf above it.
 */
import { hdbscan, type HdbscanMetric } from '../cluster/hdbscan';
import { kmeans } from '../cluster/kmeans';
import { kGrid, sweepK } from '../cluster/sweep';
import { clusterKeywords, cohesion, representatives } from '../explain';
import { throwIfAborted, type LlmEngine } from '../llm/engine';
import { nameTree, type NamingOptions } from '../llm/naming';
import type { ClusterForNaming } from '../llm/prompts';
import { silhouetteSamples } from '../metrics/internal';
import { makeRng } from '../random';
import { pca } from '../reduce/pca';
import { UMAP_MIN_ROWS, umap } from '../reduce/umap';
import type { Matrix, ProgressFn } from '../types';
import { nodeId } from './hercules';
import { unnamedNode, type Hierarchy, type HierarchyNode } from './tree';

/** The adaptive min-cluster-size rule (seed 003 §2). */
export interface MinClusterSizeRule {
  /** Share of the subset at depth 0 (default 0.05). */
  basePct: number;
  /** Factor per depth (default 0.7). */
  decay: number;
  /** The floor at depth 0, halved per depth (default 50). */
  floor: number;
  /** The floor never drops below this (default 10, or `floor` if smaller). */
  floorMin: number;
}

export const DEFAULT_RULE: Readonly<MinClusterSizeRule> = Object.freeze({ basePct: 0.05, decay: 0.7, floor: 50, floorMin: 10 });

/** floor(depth) = max(floorMin, ⌊floor / 2^depth⌋): 50, 25, 12, 10, 10 … by default. */
export function floorAt(depth: number, rule: MinClusterSizeRule = DEFAULT_RULE): number {
  return Math.max(Math.min(rule.floorMin, rule.floor), Math.floor(rule.floor / 2 ** depth));
}

/** max(floor(depth), ⌊n · basePct · decay^depth⌋), at least 2 (HDBSCAN's smallest). */
export function adaptiveMinClusterSize(n: number, depth: number, rule: MinClusterSizeRule = DEFAULT_RULE): number {
  // The epsilon keeps products like 1000 · 0.05 · 0.7 = 34.999… from flooring to 34.
  const share = Math.floor(n * rule.basePct * rule.decay ** depth + 1e-9);
  return Math.max(2, floorAt(depth, rule), share);
}

export interface RecursiveOptions {
  /** null → keyword names. */
  engine: LlmEngine | null;
  seed: number;
  /** Most node depths (levels) the tree may have; 1 = a flat clustering (default 3). */
  maxDepth?: number;
  rule?: Partial<MinClusterSizeRule>;
  /** HDBSCAN min samples, the same at every depth (default 10). */
  minSamples?: number;
  /** A cluster is split further only while its mean silhouette is below this (default 0.3). */
  silhouetteThreshold?: number;
  /**
   * Where that silhouette is measured: 'original' (default) = the item vectors, 'reduced' = the
   * space the clustering was made in. UMAP packs clusters tight, so reduced-space silhouettes run
   * high (0.45–0.8 on 20 Newsgroups) and would stop every split at 0.3.
   */
  silhouetteSpace?: 'reduced' | 'original';
  /** A cluster must have more items than this to be split (default 2 × the floor one depth down). */
  minSplitSize?: number;
  /** How each subset is reduced before HDBSCAN (default 'umap'; subsets under 20 rows use PCA). */
  reduce?: 'umap' | 'pca' | 'none';
  /** Dimensions to reduce to (default 5). */
  reduceDims?: number;
  /** UMAP settings for the reductions: neighbours 15, min distance 0, 100 epochs by default. */
  umap?: { nNeighbors?: number; minDist?: number; nEpochs?: number };
  /** Distance of HDBSCAN and the silhouette (default 'euclidean'). */
  metric?: HdbscanMetric;
  clusterSelectionMethod?: 'eom' | 'leaf';
  /** Largest k the k-means fallback's sweep tries (default 8). */
  fallbackMaxK?: number;
  /** Representatives kept per node, also the prompt's samples (default 8). */
  samplesPerNode?: number;
  /** c-TF-IDF keywords per node, against its siblings (default 8). */
  keywordsPerNode?: number;
  /** Store each node's item-space centre (default true). */
  keepCentroids?: boolean;
  topicSeed?: string;
  naming?: Omit<NamingOptions, 'topicSeed' | 'level' | 'signal' | 'onProgress'>;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** A node while the tree grows: depth counts down from the roots (0). */
interface Draft {
  depth: number;
  /** Item indices, ascending. */
  items: Int32Array;
  parent: Draft | null;
  children: Draft[];
  isNoise: boolean;
  /** Mean silhouette of its items in the clustering that made it. */
  silhouette: number;
  /** Why it was or was not split, for the notes. */
  decision?: string;
  /** How its children were made (set when split). */
  how?: string;
  id?: string;
  level?: number;
}

const NOISE_TITLE = 'Unclustered';

/** Rows of m at the given indices, as a new matrix. */
function gather(m: Matrix, items: Int32Array): Matrix {
  const d = m.cols;
  const data = new Float32Array(items.length * d);
  for (let r = 0; r < items.length; r++) data.set(m.data.subarray(items[r] * d, (items[r] + 1) * d), r * d);
  return { data, rows: items.length, cols: d };
}

/** The mean of each node's item vectors, one row per node. */
function meansOf(m: Matrix, row: Draft[]): Matrix {
  const d = m.cols;
  const data = new Float32Array(row.length * d);
  const sum = new Float64Array(d);
  row.forEach((node, j) => {
    sum.fill(0);
    for (const i of node.items) for (let t = 0; t < d; t++) sum[t] += m.data[i * d + t];
    for (let t = 0; t < d; t++) data[j * d + t] = sum[t] / node.items.length;
  });
  return { data, rows: row.length, cols: d };
}

/** Silhouette work above which a seeded sample of rows is scored instead (rows² · dims). */
const SILHOUETTE_BUDGET = 4e8;

/**
 * Mean silhouette per cluster 0..k−1 (NaN where undefined). Exact while rows² · dims stays within
 * budget, else over a seeded sample of rows — a per-cluster mean needs no more.
 */
function clusterSilhouettes(space: Matrix, labels: Int32Array, k: number, metric: HdbscanMetric, seed: number, signal?: AbortSignal): Float64Array {
  const n = space.rows;
  const cap = Math.max(100, Math.floor(Math.sqrt(SILHOUETTE_BUDGET / Math.max(1, space.cols))));
  let m = space;
  let lab = labels;
  if (n > cap) {
    const rng = makeRng(seed);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < cap; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    const pick = idx.slice(0, cap).sort();
    m = gather(space, pick);
    lab = pick.map((i) => labels[i]);
  }
  const s = silhouetteSamples(m, lab, { metric, signal });
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (let i = 0; i < lab.length; i++) {
    if (lab[i] < 0 || Number.isNaN(s[i])) continue;
    sum[lab[i]] += s[i];
    count[lab[i]]++;
  }
  return sum.map((v, c) => (count[c] > 0 ? v / count[c] : NaN));
}

function validate(vectors: Matrix, texts: string[], opts: RecursiveOptions): void {
  if (vectors.rows !== texts.length) throw new RangeError(`vectors (${vectors.rows} rows) and texts (${texts.length}) differ in length`);
  if (vectors.rows === 0) throw new RangeError('There are no texts to cluster.');
  const maxDepth = opts.maxDepth ?? 3;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new RangeError(`maxDepth must be a whole number of at least 1 (got ${maxDepth})`);
  const dims = opts.reduceDims ?? 5;
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`reduceDims must be a whole number of at least 1 (got ${dims})`);
  const r = opts.rule ?? {};
  for (const [name, v] of Object.entries(r)) if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new RangeError(`rule.${name} must be a positive number (got ${String(v)})`);
  if (opts.reduce !== undefined && !['umap', 'pca', 'none'].includes(opts.reduce)) throw new RangeError(`unknown reduction "${String(opts.reduce)}"`);
}

/** Builds the recursive hierarchy over `vectors` (one row per text). */
export async function buildRecursive(vectors: Matrix, texts: string[], opts: RecursiveOptions): Promise<Hierarchy> {
  validate(vectors, texts, opts);
  const { signal, onProgress, engine } = opts;
  throwIfAborted(signal);
  const n = vectors.rows;
  const rule: MinClusterSizeRule = { ...DEFAULT_RULE, ...opts.rule };
  const maxDepth = opts.maxDepth ?? 3;
  const threshold = opts.silhouetteThreshold ?? 0.3;
  const metric = opts.metric ?? 'euclidean';
  const reduce = opts.reduce ?? 'umap';
  const dims = opts.reduceDims ?? 5;
  const minSamples = opts.minSamples ?? 10;
  const samplesPerNode = opts.samplesPerNode ?? 8;
  const keywordsPerNode = opts.keywordsPerNode ?? 8;
  const keepCentroids = opts.keepCentroids ?? true;
  const minSplitAt = (depth: number): number => opts.minSplitSize ?? 2 * floorAt(depth, rule);

  let splits = 0;
  const report = (message: string, queued: number): void => onProgress?.({ stage: 'hierarchy', done: splits, total: splits + queued, message });

  /** Reduces a subset for clustering; returns the space and what was done. */
  const reduceRows = async (sub: Matrix, seed: number, label: string, queued: number): Promise<{ space: Matrix; how: string }> => {
    if (reduce === 'none' || sub.cols <= dims) return { space: sub, how: `${sub.cols}-D vectors` };
    if (reduce === 'umap' && sub.rows >= UMAP_MIN_ROWS) {
      const u = opts.umap ?? {};
      const space = await umap(sub, dims, {
        seed,
        nNeighbors: u.nNeighbors ?? 15,
        minDist: u.minDist ?? 0,
        nEpochs: u.nEpochs ?? 100,
        signal,
        onProgress: (p) => report(`${label}: ${p.message ?? 'UMAP'}`, queued),
      });
      return { space, how: `UMAP ${dims}-D` };
    }
    return { space: pca(sub, Math.min(dims, sub.rows), { seed }), how: `PCA ${Math.min(dims, sub.rows)}-D` };
  };

  /** Clusters a subset into children (sorted by size, noise last); sets the parent's `how`. */
  const split = async (node: Draft, queued: number): Promise<Draft[]> => {
    const depth = node.depth + 1;
    const items = node.items;
    const m = items.length;
    const label = depth === 0 ? `all ${m} texts` : `depth ${depth}: ${m} texts`;
    const seed = (opts.seed + 1_000_003 * splits) >>> 0;
    report(`${label}: reducing`, queued);
    const sub = gather(vectors, items);
    const { space, how } = await reduceRows(sub, seed, label, queued);
    throwIfAborted(signal);
    const mcs = adaptiveMinClusterSize(m, depth, rule);
    report(`${label}: HDBSCAN, min cluster size ${mcs}`, queued);
    const hd = await hdbscan(space, {
      minClusterSize: mcs,
      minSamples: Math.min(minSamples, Math.max(1, m - 1)),
      metric,
      clusterSelectionMethod: opts.clusterSelectionMethod,
      signal,
    });
    let labels = hd.assignments;
    let k = hd.k;
    let noise = 0;
    for (const a of labels) if (a < 0) noise++;
    node.how = `${how}, HDBSCAN min cluster size ${mcs} → ${k} clusters${noise > 0 ? `, ${noise} noise` : ''}`;
    if (k < 2) {
      // Too little density structure at this size: k-means splits the subset anyway (seed 003, risk 1).
      const ks = kGrid(m, { min: 2, max: Math.min(opts.fallbackMaxK ?? 8, m - 1), steps: 7 });
      report(`${label}: k-means fallback`, queued);
      const s = await sweepK(space, { ks, seed, signal });
      const km = s.bestResult ?? (await kmeans(space, { k: 2, seed, signal }));
      labels = km.assignments;
      k = km.k;
      noise = 0;
      node.how += `; k-means fallback, k = ${k}`;
    }
    const sil = clusterSilhouettes(opts.silhouetteSpace === 'reduced' ? space : sub, labels, k, metric, seed, signal);
    const members: number[][] = Array.from({ length: k }, () => []);
    const noiseItems: number[] = [];
    for (let r = 0; r < m; r++) (labels[r] >= 0 ? members[labels[r]] : noiseItems).push(items[r]);
    const order = members.map((_, c) => c).sort((a, b) => members[b].length - members[a].length || a - b);
    const kids: Draft[] = order
      .filter((c) => members[c].length > 0)
      .map((c) => ({ depth, items: Int32Array.from(members[c]), parent: null, children: [], isNoise: false, silhouette: sil[c] }));
    if (noiseItems.length > 0) kids.push({ depth, items: Int32Array.from(noiseItems), parent: null, children: [], isNoise: true, silhouette: NaN });
    splits++;
    return kids;
  };

  // The whole data is a virtual node above the roots (depth −1); its children are the roots.
  const top: Draft = { depth: -1, items: Int32Array.from({ length: n }, (_, i) => i), parent: null, children: [], isNoise: false, silhouette: NaN };
  const queue: Draft[] = [top];
  while (queue.length > 0) {
    throwIfAborted(signal);
    const node = queue.shift() as Draft;
    if (node === top && n < 3) {
      // Too few texts to cluster: one root holds them all.
      top.children = [{ depth: 0, items: top.items, parent: top, children: [], isNoise: false, silhouette: NaN, decision: 'too few texts to cluster' }];
      top.how = 'fewer than 3 texts: not clustered';
      break;
    }
    const kids = await split(node, queue.length);
    node.children = kids;
    for (const kid of kids) {
      kid.parent = node;
      const s = kid.silhouette;
      // Below 3 items there is nothing to split, whatever the option says.
      const minSplit = Math.max(2, minSplitAt(kid.depth + 1));
      if (kid.isNoise) kid.decision = 'noise: not split';
      else if (kid.depth + 1 >= maxDepth) kid.decision = 'at the depth limit';
      else if (kid.items.length <= minSplit) kid.decision = `too small to split (${kid.items.length} ≤ ${minSplit})`;
      else if (!(s < threshold)) kid.decision = `kept whole (silhouette ${fmt(s)} ≥ ${threshold})`;
      else {
        kid.decision = `split (silhouette ${fmt(s)} < ${threshold})`;
        queue.push(kid);
      }
    }
  }
  report('tree built', 0);

  return assemble(vectors, texts, top, { engine, samplesPerNode, keywordsPerNode, keepCentroids, topicSeed: opts.topicSeed, naming: opts.naming, signal, onProgress });
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : 'undefined';
}

interface AssembleOptions {
  engine: LlmEngine | null;
  samplesPerNode: number;
  keywordsPerNode: number;
  keepCentroids: boolean;
  topicSeed?: string;
  naming?: RecursiveOptions['naming'];
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Ids, levels, keywords, representatives, cohesion, names and notes for the grown tree. */
async function assemble(vectors: Matrix, texts: string[], top: Draft, o: AssembleOptions): Promise<Hierarchy> {
  const n = vectors.rows;
  // Breadth-first: byDepth[d] lists the nodes at depth d in display order.
  const byDepth: Draft[][] = [];
  for (let frontier = top.children; frontier.length > 0; frontier = frontier.flatMap((d) => d.children)) byDepth.push(frontier);
  const levels = byDepth.length;
  // Levels count up from the items: depth d is level (levels − d) for every branch, so a leaf
  // that stopped early sits above level 1.
  byDepth.forEach((row, depth) => {
    row.forEach((d, j) => {
      d.level = levels - depth;
      d.id = nodeId(levels - depth, j);
    });
  });

  const nodes: Record<string, HierarchyNode> = {};
  const naming: ClusterForNaming[][] = [];
  for (let depth = 0; depth < levels; depth++) {
    throwIfAborted(o.signal);
    const row = byDepth[depth];
    const assign = new Int32Array(n).fill(-1);
    row.forEach((d, j) => {
      for (const i of d.items) assign[i] = j;
    });
    const centres = meansOf(vectors, row);
    const reps = representatives(vectors, assign, centres, o.samplesPerNode, texts);
    const coh = cohesion(vectors, assign, centres);
    const keywords = siblingKeywords(texts, row, o.keywordsPerNode);
    const forNaming: ClusterForNaming[] = [];
    row.forEach((d, j) => {
      const id = d.id as string;
      nodes[id] = unnamedNode({
        id,
        level: d.level as number,
        parentId: d.parent && d.parent.id !== undefined ? d.parent.id : null,
        childIds: d.children.map((c) => c.id as string),
        size: d.items.length,
        keywords: keywords[j],
        representatives: reps[j],
        cohesion: coh[j],
        ...(o.keepCentroids ? { centroid: Array.from(centres.data.subarray(j * centres.cols, (j + 1) * centres.cols)) } : {}),
        ...(d.isNoise ? { isNoise: true } : {}),
      });
      if (!d.isNoise) {
        forNaming.push({
          id,
          size: d.items.length,
          samples: reps[j].map((i) => texts[i]),
          keywords: keywords[j],
          level: d.level,
          ...(depth > 0 ? { parentId: d.parent?.id } : {}),
        });
      }
    });
    naming.push(forNaming);
  }

  o.onProgress?.({ stage: 'hierarchy', done: 0, total: 1, message: 'naming' });
  const named = await nameTree(naming, o.engine, {
    ...o.naming,
    topicSeed: o.topicSeed,
    direction: 'top-down',
    signal: o.signal,
    onProgress: (p) => o.onProgress?.({ stage: 'hierarchy', done: p.done, total: p.total, message: `naming: ${p.message ?? ''}`.trim() }),
  });
  for (const [id, name] of named.names) {
    const node = nodes[id];
    node.title = name.title;
    node.description = name.description;
    node.nameSource = name.source;
  }
  for (const node of Object.values(nodes)) {
    if (!node.isNoise) continue;
    const parent = node.parentId !== null ? nodes[node.parentId] : undefined;
    node.title = NOISE_TITLE;
    node.description = `${node.size} texts that fit none of the clusters ${parent ? `within “${parent.title}”` : 'at the top level'} (HDBSCAN noise).`;
  }

  const leafIds: string[] = [];
  const itemLeaf = new Int32Array(n).fill(-1);
  for (const row of byDepth) {
    for (const d of row) {
      if (d.children.length > 0) continue;
      for (const i of d.items) itemLeaf[i] = leafIds.length;
      leafIds.push(d.id as string);
    }
  }
  const notes = [`top level: ${top.how ?? ''}`];
  for (const row of byDepth) {
    for (const d of row) {
      if (d.isNoise) continue;
      notes.push(`${d.id} (${d.items.length} texts): ${d.decision ?? ''}${d.how ? `; ${d.how}` : ''}`);
    }
  }
  o.onProgress?.({ stage: 'hierarchy', done: 1, total: 1, message: `${levels} level${levels === 1 ? '' : 's'} built` });
  return { method: 'recursive', levels, nodes, roots: byDepth[0].map((d) => d.id as string), itemLeaf, leafIds, promptLog: named.log, notes };
}

/** c-TF-IDF keywords of each node against its siblings (the roots against each other). */
function siblingKeywords(texts: string[], row: Draft[], topN: number): string[][] {
  const out: string[][] = new Array(row.length);
  const groups = new Map<Draft | null, number[]>();
  row.forEach((d, j) => {
    const g = groups.get(d.parent) ?? [];
    g.push(j);
    groups.set(d.parent, g);
  });
  for (const members of groups.values()) {
    const t: string[] = [];
    const a: number[] = [];
    members.forEach((j, local) => {
      for (const i of row[j].items) {
        t.push(texts[i]);
        a.push(local);
      }
    });
    const kws = clusterKeywords(t, Int32Array.from(a), members.length, topN);
    members.forEach((j, local) => (out[j] = kws[local]));
  }
  return out;
}
