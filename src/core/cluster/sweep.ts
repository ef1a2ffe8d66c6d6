/**
 * Automatic parameter sweep (seed 004): run a clusterer over a grid of one controlling parameter
 * (k for k-means, min cluster size for HDBSCAN), score each result without ground truth by
 * silhouette − 0.5 × noise ratio, keep the whole score curve for display, and pick the best.
 */
import { noiseRatio, silhouette, type DistanceMetric } from '../metrics/internal';
import type { ClusteringResult, KMeansOptions, Matrix, StageOptions } from '../types';
import { clusterLinkage, hdbscan, hdbscanLinkage, type HdbscanOptions, type HdbscanResult, type SingleLinkage } from './hdbscan';
import { kmeans } from './kmeans';

/** What a clusterer run may return: bare assignments or a result carrying them. */
export type SweepOutput = Int32Array | { assignments: Int32Array };

export interface SweepPoint {
  param: number;
  /** silhouette − noisePenalty × noiseRatio; NaN when the silhouette is undefined. */
  score: number;
  silhouette: number;
  noiseRatio: number;
  /** Clusters found (noise excluded). */
  clusters: number;
  /** Seconds the clusterer took for this value. */
  seconds: number;
  /** Seconds the scoring took. */
  scoreSeconds: number;
}

export interface SweepResult<R> {
  /** Parameter value with the highest finite score (first on ties); NaN when none was finite. */
  best: number;
  curve: SweepPoint[];
  /** The clusterer's output for `best`, so the caller need not run it again. */
  bestResult?: R;
  /** Why best is NaN, when it is. */
  reason?: string;
}

export interface SweepOptions extends StageOptions {
  /** Seed of the silhouette sample (the same for every value, so scores compare). */
  seed?: number;
  /** Silhouette sample size beyond maxExact rows (see silhouette()). */
  sampleSize?: number;
  maxExact?: number;
  metric?: DistanceMetric;
  /** Weight of the noise ratio in the score (default 0.5, as seed 004). */
  noisePenalty?: number;
  /** Name of the parameter in progress messages (default 'param'). */
  paramName?: string;
}

function assignmentsOf(r: SweepOutput): Int32Array {
  return r instanceof Int32Array ? r : r.assignments;
}

function clusterCount(a: Int32Array): number {
  const seen = new Set<number>();
  for (let i = 0; i < a.length; i++) if (a[i] >= 0) seen.add(a[i]);
  return seen.size;
}

/** Runs `run` for each parameter value in order and scores the results on the rows of m. */
export async function sweep<R extends SweepOutput>(
  params: readonly number[],
  run: (param: number) => Promise<R>,
  m: Matrix,
  opts: SweepOptions = {},
): Promise<SweepResult<R>> {
  const penalty = opts.noisePenalty ?? 0.5;
  const name = opts.paramName ?? 'param';
  const curve: SweepPoint[] = [];
  let best = NaN;
  let bestScore = -Infinity;
  let bestResult: R | undefined;
  for (let i = 0; i < params.length; i++) {
    opts.signal?.throwIfAborted();
    const param = params[i];
    opts.onProgress?.({ stage: 'sweep', done: i, total: params.length, message: `${name} = ${param}` });
    const t0 = performance.now();
    const result = await run(param);
    const t1 = performance.now();
    const a = assignmentsOf(result);
    const sil = silhouette(m, a, {
      metric: opts.metric,
      maxExact: opts.maxExact,
      sampleSize: opts.sampleSize,
      seed: opts.seed,
      signal: opts.signal,
    });
    const noise = noiseRatio(a);
    const score = sil.value - penalty * noise;
    curve.push({
      param,
      score,
      silhouette: sil.value,
      noiseRatio: noise,
      clusters: clusterCount(a),
      seconds: (t1 - t0) / 1000,
      scoreSeconds: (performance.now() - t1) / 1000,
    });
    if (Number.isFinite(score) && score > bestScore) {
      bestScore = score;
      best = param;
      bestResult = result;
    }
  }
  opts.onProgress?.({ stage: 'sweep', done: params.length, total: params.length });
  const out: SweepResult<R> = { best, curve, bestResult };
  if (Number.isNaN(best)) out.reason = 'no parameter value gave a defined silhouette (fewer than 2 clusters)';
  return out;
}

/** A log-spaced integer grid from min to max inclusive. */
export interface GridSpec {
  min: number;
  max: number;
  steps: number;
}

/** Integers log-spaced between min and max (both kept), rounded and deduplicated, ascending. */
export function logGrid(spec: GridSpec): number[] {
  const lo = Math.ceil(spec.min);
  const hi = Math.floor(spec.max);
  if (hi < lo) return [];
  const steps = Math.max(1, Math.floor(spec.steps));
  if (steps === 1 || lo === hi) return [lo];
  const out = new Set<number>();
  const l0 = Math.log(lo);
  const span = Math.log(hi) - l0;
  for (let i = 0; i < steps; i++) out.add(Math.round(Math.exp(l0 + (span * i) / (steps - 1))));
  return [...out].sort((x, y) => x - y);
}

function isGridSpec(ks: readonly number[] | GridSpec): ks is GridSpec {
  return !Array.isArray(ks);
}

/** Explicit values (rounded) or a log-spaced spec, kept within lo..hi, sorted and distinct. */
function gridWithin(raw: readonly number[] | GridSpec, lo: number, hi: number): number[] {
  const values = isGridSpec(raw) ? logGrid(raw) : raw.map((v) => Math.round(v));
  return [...new Set(values.filter((v) => v >= lo && v <= hi))].sort((x, y) => x - y);
}

/**
 * The k values to try for n rows: explicit values or a spec, kept within 2..n−1. By default a
 * handful (8) log-spaced between 2 and min(n − 1, 2√n) — log spacing because the silhouette
 * changes fastest at small k.
 */
export function kGrid(n: number, ks?: readonly number[] | GridSpec): number[] {
  return gridWithin(ks ?? { min: 2, max: Math.min(n - 1, Math.round(2 * Math.sqrt(n))), steps: 8 }, 2, n - 1);
}

export interface SweepKOptions extends SweepOptions {
  /** k values, or a log-spaced spec; default kGrid(n). */
  ks?: readonly number[] | GridSpec;
  /** Further k-means settings (k, seed and signal come from the sweep). */
  kmeans?: Omit<KMeansOptions, 'k' | 'seed' | 'signal' | 'onProgress'>;
}

/** The k-means sweep: the same seed for every k, best k by silhouette (no noise in k-means). */
export async function sweepK(m: Matrix, opts: SweepKOptions = {}): Promise<SweepResult<ClusteringResult>> {
  const ks = kGrid(m.rows, opts.ks);
  if (ks.length === 0) throw new RangeError(`no k in 2..${m.rows - 1} to try for ${m.rows} rows`);
  const seed = opts.seed ?? 0;
  return sweep(ks, (k) => kmeans(m, { ...opts.kmeans, k, seed, signal: opts.signal }), m, {
    ...opts,
    paramName: opts.paramName ?? 'k',
  });
}

/**
 * HDBSCAN min cluster sizes to try for n rows: explicit values or a spec, kept within 2..n/2 (two
 * clusters must fit). By default 8 log-spaced between 5 and n/10 (seed 004's auto rule
 * max(5, √n/2) lies inside it), narrowed towards 2 for tiny data.
 */
export function minClusterSizeGrid(n: number, sizes?: readonly number[] | GridSpec): number[] {
  const lo = Math.max(2, Math.min(5, Math.floor(n / 2)));
  return gridWithin(sizes ?? { min: lo, max: Math.max(lo, Math.floor(n / 10)), steps: 8 }, 2, Math.floor(n / 2));
}

export interface SweepMinClusterSizeOptions extends SweepOptions {
  /** Min cluster sizes, or a log-spaced spec; default minClusterSizeGrid(n). */
  sizes?: readonly number[] | GridSpec;
  /**
   * Further HDBSCAN settings. With minSamples fixed, the spanning tree does not depend on the
   * size and is built once for the whole sweep; left out, minSamples follows each size.
   */
  hdbscan?: Omit<HdbscanOptions, 'minClusterSize' | 'signal' | 'onProgress'>;
}

/** The HDBSCAN sweep over min cluster size, scored by silhouette − 0.5 × noise ratio. */
export async function sweepMinClusterSize(m: Matrix, opts: SweepMinClusterSizeOptions = {}): Promise<SweepResult<HdbscanResult>> {
  const sizes = minClusterSizeGrid(m.rows, opts.sizes);
  if (sizes.length === 0) throw new RangeError(`no min cluster size in 2..${m.rows} to try for ${m.rows} rows`);
  const h = opts.hdbscan ?? {};
  let shared: Promise<SingleLinkage> | undefined;
  const run = async (size: number): Promise<HdbscanResult> => {
    if (h.minSamples === undefined) return hdbscan(m, { ...h, minClusterSize: size, signal: opts.signal });
    shared ??= hdbscanLinkage(m, { minSamples: h.minSamples, metric: h.metric, signal: opts.signal });
    return clusterLinkage(await shared, { ...h, minClusterSize: size });
  };
  return sweep(sizes, run, m, { ...opts, metric: opts.metric ?? h.metric, paramName: opts.paramName ?? 'min cluster size' });
}
