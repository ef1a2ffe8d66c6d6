/**
 * HERCULES bottom-up hierarchy (seed 001 §3-4, Algorithms 1-3). Level 1 clusters the item vectors
 * with k-means; each next level clusters the previous level's representations: in 'direct' mode
 * the k-means centroids of that level (each child one point, unweighted, as Algorithm 3 sets a new
 * cluster's representation to its final k-means centroid), in 'description' mode the embeddings of
 * the previous level's LLM title + description. Optional resampling refinement (Vo et al.) per
 * level. Every level is named right after it is formed (description mode needs the names to build
 * the next level) with the HERCULES prompt: level-0 samples nearest the node's centre, and for
 * level ≥ 2 the summaries of its children.
 *
 * k per level (seed §3.3: "less than the number of items being clustered"): a requested count is
 * clamped to (number of things clustered − 1). Level 1 always exists (at least one cluster); a
 * higher level whose clamped k is ≤ 1 stops the hierarchy there. Each clamp or stop is noted.
 */
import { dropEmptyClusters as compact } from '../cluster/compact';
import { kmeans } from '../cluster/kmeans';
import { clusterKeywords, cohesion, representatives } from '../explain';
import { throwIfAborted, type LlmEngine } from '../llm/engine';
import { nameClusters, type NamingOptions, type PromptLogEntry } from '../llm/naming';
import type { ChildSummary, ClusterForNaming } from '../llm/prompts';
import type { Matrix, ProgressFn } from '../types';
import { resampleRefine, type ResamplingOptions } from './resample';
import { unnamedNode, type Hierarchy, type HierarchyNode } from './tree';

export type { ResamplingOptions };

export interface HerculesOptions {
  /** Requested clusters per level, finest first, e.g. [100, 20, 5]. */
  levelClusterCounts: number[];
  /** What the levels above 1 cluster: 'direct' = centroids, 'description' = embedded LLM summaries. */
  mode: 'direct' | 'description';
  /** Embeds title + description texts; required for 'description' mode. Rows need not be normalised. */
  embedDescriptions?: (texts: string[], signal?: AbortSignal) => Promise<Matrix>;
  /** null → keyword names. */
  engine: LlmEngine | null;
  /** Steers the summaries (seed §3.5). */
  topicSeed?: string;
  resampling?: ResamplingOptions;
  seed: number;
  /** k-means++ restarts at level 1 (default 1: that level is the expensive one). */
  nInit?: number;
  /** k-means++ restarts at levels ≥ 2, which cluster only a few hundred vectors (default 5). */
  upperNInit?: number;
  /** Representatives kept per node, also the prompt's level-0 samples (default 8). */
  samplesPerNode?: number;
  /** c-TF-IDF keywords per node (default 8). */
  keywordsPerNode?: number;
  /** Store each node's item-space centre (default true). */
  keepCentroids?: boolean;
  /** Batching, retries and prompt budget of the naming calls. */
  naming?: Omit<NamingOptions, 'topicSeed' | 'level' | 'signal' | 'onProgress'>;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

export const nodeId = (level: number, index: number): string => `L${level}-C${index}`;

/** Mean item vector per node (item-space centres for description mode). */
function meanRows(m: Matrix, assign: Int32Array, k: number): Matrix {
  const d = m.cols;
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < assign.length; i++) {
    const c = assign[i];
    counts[c]++;
    for (let j = 0; j < d; j++) sums[c * d + j] += m.data[i * d + j];
  }
  const data = new Float32Array(k * d);
  for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) data[c * d + j] = sums[c * d + j] / counts[c];
  return { data, rows: k, cols: d };
}

function validate(vectors: Matrix, texts: string[], opts: HerculesOptions): void {
  if (vectors.rows !== texts.length) throw new RangeError(`vectors (${vectors.rows} rows) and texts (${texts.length}) differ in length`);
  if (vectors.rows === 0) throw new RangeError('There are no texts to cluster.');
  const counts = opts.levelClusterCounts;
  if (counts.length === 0) throw new RangeError('levelClusterCounts needs at least one level');
  for (const c of counts) if (!Number.isInteger(c) || c < 1) throw new RangeError(`cluster counts must be whole numbers ≥ 1 (got ${c})`);
  if (opts.mode !== 'direct' && opts.mode !== 'description') throw new RangeError(`unknown mode "${String(opts.mode)}"`);
  if (opts.mode === 'description' && !opts.embedDescriptions) throw new RangeError("'description' mode needs embedDescriptions");
}

/** The effective k of a level, given how many things it clusters; null when the hierarchy stops. */
function effectiveK(level: number, requested: number, things: number): number | null {
  const k = Math.min(requested, things - 1);
  if (level === 1) return Math.max(1, k);
  return k > 1 ? k : null;
}

/** Builds the HERCULES hierarchy over `vectors` (one row per text). */
export async function buildHercules(vectors: Matrix, texts: string[], opts: HerculesOptions): Promise<Hierarchy> {
  validate(vectors, texts, opts);
  const { signal, onProgress, engine } = opts;
  throwIfAborted(signal);
  const n = vectors.rows;
  const counts = opts.levelClusterCounts;
  const total = counts.length;
  const samplesPerNode = opts.samplesPerNode ?? 8;
  const keywordsPerNode = opts.keywordsPerNode ?? 8;
  const keepCentroids = opts.keepCentroids ?? true;
  const resampling = opts.resampling?.enabled ? opts.resampling : null;

  const nodes: Record<string, HierarchyNode> = {};
  const promptLog: PromptLogEntry[] = [];
  const notes: string[] = [];
  const report = (done: number, message: string): void => onProgress?.({ stage: 'hierarchy', done, total, message });

  /** Representations of the current level's members (items at first), clustered into the next. */
  let repr: Matrix = vectors;
  /** Per item, the index of its node at the current level. */
  let itemAssign: Int32Array = new Int32Array(0);
  let things = n;
  let prevIds: string[] = [];
  let built = 0;
  let leafIds: string[] = [];
  let itemLeaf: Int32Array = new Int32Array(n);

  for (let li = 0; li < counts.length; li++) {
    const level = li + 1;
    const requested = counts[li];
    const k0 = effectiveK(level, requested, things);
    const what = level === 1 ? 'texts' : `level-${level - 1} clusters`;
    if (k0 === null) {
      notes.push(`level ${level}: ${requested} clusters requested, but ${things} ${what} allow at most ${Math.max(1, things - 1)}; the hierarchy stops at level ${level - 1}`);
      break;
    }
    if (k0 !== requested) notes.push(`level ${level}: ${requested} clusters requested, clamped to ${k0} (${things} ${what})`);

    report(li, `level ${level}/${total}: k-means, k = ${k0} on ${things} ${what}`);
    const km = await kmeans(repr, {
      k: k0,
      seed: (opts.seed + 1_000_003 * level) >>> 0,
      nInit: level === 1 ? (opts.nInit ?? 1) : (opts.upperNInit ?? 5),
      signal,
    });
    let labels = km.assignments;
    let centroids = km.centroids;
    if (resampling) {
      report(li, `level ${level}/${total}: resampling refinement`);
      const r = await resampleRefine(repr, labels, centroids, { ...resampling, signal });
      labels = r.assignments;
      centroids = r.centroids;
      notes.push(`level ${level}: resampling, ${r.rounds} rounds on a core set of ${r.coreSize} points`);
    }
    const c = compact(labels, centroids);
    if (c.k < k0) notes.push(`level ${level}: ${k0 - c.k} clusters left empty after resampling were dropped`);
    labels = c.labels;
    centroids = c.centroids;
    const k = c.k;

    itemAssign = level === 1 ? labels : itemAssign.map((a) => labels[a]);
    const ids = Array.from({ length: k }, (_, j) => nodeId(level, j));
    const childIds: string[][] = ids.map(() => []);
    if (level > 1) prevIds.forEach((pid, p) => childIds[labels[p]].push(pid));

    // Item-space centres: in direct mode every level clusters item-space vectors, so the k-means
    // centroid is the node's representation (seed); description-mode centroids live in the
    // description-embedding space, so there the items' mean stands in.
    const centres = opts.mode === 'direct' ? centroids : meanRows(vectors, itemAssign, k);
    throwIfAborted(signal);
    const keywords = clusterKeywords(texts, itemAssign, k, keywordsPerNode);
    const reps = representatives(vectors, itemAssign, centres, samplesPerNode, texts);
    const coh = cohesion(vectors, itemAssign, centres);
    const sizes = new Int32Array(k);
    for (const a of itemAssign) sizes[a]++;

    for (let j = 0; j < k; j++) {
      nodes[ids[j]] = unnamedNode({
        id: ids[j],
        level,
        parentId: null,
        childIds: childIds[j],
        size: sizes[j],
        keywords: keywords[j],
        representatives: reps[j],
        cohesion: coh[j],
        ...(keepCentroids ? { centroid: Array.from(centres.data.subarray(j * centres.cols, (j + 1) * centres.cols)) } : {}),
      });
      for (const ch of childIds[j]) nodes[ch].parentId = ids[j];
    }

    report(li, `level ${level}/${total}: naming ${k} clusters`);
    const forNaming: ClusterForNaming[] = ids.map((id, j) => {
      const children: ChildSummary[] = childIds[j]
        .map((ch) => ({ title: nodes[ch].title, description: nodes[ch].description, size: nodes[ch].size }))
        .sort((a, b) => b.size - a.size);
      return {
        id,
        size: sizes[j],
        samples: reps[j].map((i) => texts[i]),
        keywords: keywords[j],
        level,
        ...(level > 1 ? { childIds: childIds[j], children } : {}),
      };
    });
    const named = await nameClusters(forNaming, engine, {
      ...opts.naming,
      topicSeed: opts.topicSeed,
      level,
      signal,
      onProgress: (p) => report(li, `level ${level}/${total}: ${p.message ?? 'naming'} (${p.done}/${p.total})`),
    });
    for (const e of named.log) promptLog.push({ ...e, seq: promptLog.length });
    for (const id of ids) {
      const name = named.names.get(id);
      if (!name) continue; // nameClusters names every id; kept as a guard
      nodes[id].title = name.title;
      nodes[id].description = name.description;
      nodes[id].nameSource = name.source;
    }

    built = level;
    if (level === 1) {
      leafIds = ids;
      itemLeaf = itemAssign.slice();
    }
    prevIds = ids;
    things = k;
    const next = li + 1 < counts.length ? effectiveK(level + 1, counts[li + 1], k) : null;
    if (next !== null) {
      if (opts.mode === 'direct') {
        repr = centroids;
      } else {
        report(li, `level ${level}/${total}: embedding ${k} descriptions`);
        const embed = opts.embedDescriptions as NonNullable<HerculesOptions['embedDescriptions']>;
        const e = await embed(
          ids.map((id) => `${nodes[id].title}. ${nodes[id].description}`.trim()),
          signal,
        );
        throwIfAborted(signal);
        if (e.rows !== k) throw new RangeError(`embedDescriptions returned ${e.rows} rows for ${k} descriptions`);
        repr = e;
      }
    }
  }

  report(total, `${built} level${built === 1 ? '' : 's'} built`);
  return {
    method: 'hercules',
    levels: built,
    nodes,
    roots: prevIds,
    itemLeaf,
    leafIds,
    promptLog,
    notes,
  };
}
