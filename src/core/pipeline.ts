import { dropEmptyClusters } from './cluster/compact';
import { kmeans } from './cluster/kmeans';
import { sweepK } from './cluster/sweep';
import { summarizeClusters } from './explain';
import { externalMetrics } from './metrics/external';
import { internalMetrics } from './metrics/internal';
import { homogeneityCompletenessV } from './metrics/vmeasure';
import { pca } from './reduce/pca';
import { UMAP_MIN_ROWS, umap2d } from './reduce/umap';
import type { ClusteringResult, ClusterSummary, ExternalMetrics, InternalScores, Matrix, StageOptions, SweepCurve } from './types';

export interface ClusterStageInput {
  vectors: Matrix;
  texts: string[];
  labels?: string[];
  /** A number of clusters, or 'auto' for the silhouette sweep over a log-spaced grid of k. */
  k: number | 'auto';
  seed: number;
  /** The 2-D map: PCA (instant) or UMAP (clearer neighbourhoods, seconds per thousand texts). */
  projection?: Projection;
  /** Assignments made elsewhere (a hierarchy's finest level, 0..k−1): explained and scored, not re-clustered. */
  fixed?: Int32Array;
}

export type Projection = 'pca' | 'umap';

export interface ClusterStageOutput {
  k: number;
  /** The projection actually used (UMAP falls back to PCA on tiny data). */
  projection: Projection;
  sweep?: SweepCurve;
  assignments: Int32Array;
  coords: Float32Array;
  clusters: ClusterSummary[];
  metrics?: ExternalMetrics;
  quality: InternalScores;
  /** Seconds per stage. */
  timings: Record<string, number>;
  /** What the user should know about the result (e.g. empty clusters dropped). */
  notes?: string[];
}

/** Checks k against the data before any work starts, with a message fit for the page. */
export function validateK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`The number of clusters must be a whole number of at least 1 (got ${k}).`);
  if (n === 0) throw new RangeError('There are no texts to cluster.');
  if (k > n) throw new RangeError(`k (${k}) is larger than the number of texts (${n}). Choose at most ${n} clusters.`);
}

/** Cluster → project to 2-D → explain → score against labels: everything after the vectors exist. */
export async function clusterStage(input: ClusterStageInput, opts: StageOptions = {}): Promise<ClusterStageOutput> {
  const { vectors, texts, labels, seed } = input;
  if (input.k !== 'auto') validateK(input.k, vectors.rows);
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  const t0 = performance.now();
  let result: ClusteringResult;
  let sweep: SweepCurve | undefined;
  if (input.k === 'auto') {
    if (vectors.rows < 3) throw new RangeError(`Choosing k automatically needs at least 3 texts (there are ${vectors.rows}).`);
    const s = await sweepK(vectors, { seed, maxExact: SILHOUETTE_EXACT_ROWS, sampleSize: SILHOUETTE_SAMPLE_ROWS, signal: opts.signal, onProgress: opts.onProgress });
    if (!s.bestResult) throw new Error(`No k could be scored: ${s.reason ?? 'unknown reason'}.`);
    result = s.bestResult;
    sweep = {
      param: 'k',
      best: s.best,
      points: s.curve.map((p) => ({ param: p.param, score: p.score, silhouette: p.silhouette, noiseRatio: p.noiseRatio, clusters: p.clusters, seconds: p.seconds + p.scoreSeconds })),
    };
  } else if (input.fixed) {
    result = fromAssignments(vectors, input.fixed, input.k);
  } else {
    result = await kmeans(vectors, { k: input.k, seed, signal: opts.signal, onProgress: opts.onProgress });
    // Fewer distinct texts than k leave clusters empty: they are dropped, and the run says so.
    const c = dropEmptyClusters(result.assignments, result.centroids);
    if (c.k < result.k) {
      notes.push(
        `${result.k - c.k} of the ${result.k} clusters asked for stayed empty (the texts hold only ${c.k} distinct group${c.k === 1 ? '' : 's'}, e.g. identical texts) and were dropped.`,
      );
      result = { ...result, k: c.k, assignments: c.labels, centroids: c.centroids };
    }
  }
  const t1 = performance.now();
  timings.cluster = (t1 - t0) / 1000;

  opts.onProgress?.({ stage: 'reduce', done: 0, total: 1 });
  const projection: Projection = input.projection === 'umap' && vectors.rows >= UMAP_MIN_ROWS ? 'umap' : 'pca';
  let coords: Float32Array;
  if (projection === 'umap') coords = await umap2d(vectors, { seed, signal: opts.signal, onProgress: opts.onProgress });
  else {
    const projected = pca(vectors, 2, { seed });
    coords = projected.cols === 2 ? projected.data : padTo2(projected);
  }
  const t2 = performance.now();
  timings.reduce = (t2 - t1) / 1000;
  opts.signal?.throwIfAborted();

  opts.onProgress?.({ stage: 'explain', done: 0, total: 1 });
  const clusters = summarizeClusters(texts, vectors, result);
  timings.explain = (performance.now() - t2) / 1000;

  opts.onProgress?.({ stage: 'evaluate', done: 0, total: 1 });
  const t3 = performance.now();
  const metrics = labels && labels.length === texts.length && labels.some((l) => l !== '') ? scoreAgainst(labels, result.assignments) : undefined;
  const quality = qualityOf(vectors, result.assignments, seed);
  timings.evaluate = (performance.now() - t3) / 1000;
  return { k: result.k, projection, sweep, assignments: result.assignments, coords, clusters, metrics, quality, timings, ...(notes.length ? { notes } : {}) };
}

/** Silhouette is O(n²·d): exact up to 2,000 rows, else a seeded 1,000-row sample scored against all rows. */
export const SILHOUETTE_EXACT_ROWS = 2000;
export const SILHOUETTE_SAMPLE_ROWS = 1000;

function qualityOf(vectors: Matrix, assignments: Int32Array, seed: number): InternalScores {
  const q = internalMetrics(vectors, assignments, { maxExact: SILHOUETTE_EXACT_ROWS, sampleSize: SILHOUETTE_SAMPLE_ROWS, seed });
  return {
    silhouette: q.silhouette.value,
    silhouetteRows: q.silhouette.sampled ? q.silhouette.sampleSize : q.clustered,
    daviesBouldin: q.daviesBouldin,
    calinskiHarabasz: q.calinskiHarabasz,
    noiseRatio: q.noiseRatio,
  };
}

function scoreAgainst(labels: string[], assignments: Int32Array): ExternalMetrics {
  const { homogeneity, completeness, vMeasure } = homogeneityCompletenessV(labels, assignments);
  return { ...externalMetrics(labels, assignments), homogeneity, completeness, vMeasure };
}

/** A ClusteringResult for given assignments: centroids are member means, inertia their squared spread. */
function fromAssignments(m: Matrix, assignments: Int32Array, k: number): ClusteringResult {
  if (assignments.length !== m.rows) throw new RangeError(`assignments (${assignments.length}) and rows (${m.rows}) differ in length`);
  const d = m.cols;
  const centroids = new Float32Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < m.rows; i++) {
    const c = assignments[i];
    if (c < 0 || c >= k) continue;
    counts[c]++;
    for (let j = 0; j < d; j++) centroids[c * d + j] += m.data[i * d + j];
  }
  for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) centroids[c * d + j] /= counts[c];
  let inertia = 0;
  for (let i = 0; i < m.rows; i++) {
    const c = assignments[i];
    if (c < 0 || c >= k) continue;
    for (let j = 0; j < d; j++) inertia += (m.data[i * d + j] - centroids[c * d + j]) ** 2;
  }
  return { k, assignments, centroids: { data: centroids, rows: k, cols: d }, inertia, iterations: 0 };
}

function padTo2(m: Matrix): Float32Array {
  const out = new Float32Array(m.rows * 2);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < Math.min(2, m.cols); j++) out[i * 2 + j] = m.data[i * m.cols + j];
  return out;
}
