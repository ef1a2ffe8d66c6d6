/**
 * The resampling refinement of Vo et al. (2024) as HERCULES uses it (seed 001 §3.3, Algorithm 3
 * lines 14-24): m times, keep the r points of each cluster nearest its centroid, re-run k-means on
 * that core set starting from the current centroids, then re-assign every point to the refined
 * centroids. Vo et al. aim for evenly spread centroids, less pulled by cluster fringes.
 */
import { throwIfAborted } from '../llm/engine';
import type { Matrix } from '../types';
import { rowSquaredNorms } from '../vectors';

export interface ResamplingOptions {
  enabled: boolean;
  /** m: refinement rounds; default 10 (pyhercules' default). */
  iterations?: number;
  /** r: points per cluster kept nearest its centroid; default 10 (pyhercules' default). */
  pointsPerCluster?: number;
  /** Lloyd iterations cap on the core set; default 100. */
  maxIter?: number;
}

export const DEFAULT_RESAMPLING_ITERATIONS = 10;
export const DEFAULT_RESAMPLING_POINTS = 10;

/** Nearest centroid (squared Euclidean) per row; ties go to the lower centroid index. */
export function nearestCentroids(m: Matrix, centroids: Matrix, out: Int32Array = new Int32Array(m.rows)): Int32Array {
  if (centroids.cols !== m.cols) throw new RangeError(`centroids have ${centroids.cols} columns, vectors ${m.cols}`);
  const d = m.cols;
  const k = centroids.rows;
  const x = m.data;
  const c = centroids.data;
  const cn = rowSquaredNorms(centroids);
  for (let i = 0; i < m.rows; i++) {
    const off = i * d;
    let best = Infinity;
    let bi = 0;
    for (let j = 0; j < k; j++) {
      const o = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += x[off + t] * c[o + t];
      const v = cn[j] - 2 * s; // ||x||² is the same for every centroid
      if (v < best) {
        best = v;
        bi = j;
      }
    }
    out[i] = bi;
  }
  return out;
}

function squaredDistance(x: Float32Array, a: number, c: Float32Array, b: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = x[a + t] - c[b + t];
    s += v * v;
  }
  return s;
}

/** Row indices of the `r` members of each cluster nearest its centroid (ties by index). */
export function coreIndices(m: Matrix, labels: Int32Array, centroids: Matrix, r: number): number[] {
  const d = m.cols;
  const members: number[][] = Array.from({ length: centroids.rows }, () => []);
  for (let i = 0; i < labels.length; i++) members[labels[i]]?.push(i);
  const dist = new Float64Array(m.rows);
  const out: number[] = [];
  members.forEach((idx, j) => {
    for (const i of idx) dist[i] = squaredDistance(m.data, i * d, centroids.data, j * d, d);
    idx.sort((a, b) => dist[a] - dist[b] || a - b);
    out.push(...idx.slice(0, r));
  });
  return out.sort((a, b) => a - b);
}

/** Lloyd iterations from the given centroids; a cluster left empty keeps its centroid. */
function lloydFrom(m: Matrix, init: Matrix, maxIter: number): Matrix {
  const d = m.cols;
  const k = init.rows;
  const cen = new Float32Array(init.data);
  const centroids: Matrix = { data: cen, rows: k, cols: d };
  const labels = new Int32Array(m.rows).fill(-1);
  const next = new Int32Array(m.rows);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let it = 0; it < maxIter; it++) {
    nearestCentroids(m, centroids, next);
    let changed = 0;
    for (let i = 0; i < m.rows; i++) if (next[i] !== labels[i]) changed++;
    if (changed === 0) break;
    labels.set(next);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < m.rows; i++) {
      const j = labels[i];
      counts[j]++;
      for (let t = 0; t < d; t++) sums[j * d + t] += m.data[i * d + t];
    }
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) continue;
      for (let t = 0; t < d; t++) cen[j * d + t] = sums[j * d + t] / counts[j];
    }
  }
  return centroids;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export interface ResampledClustering {
  assignments: Int32Array;
  centroids: Matrix;
  /** Size of the core set in the last round. */
  coreSize: number;
  rounds: number;
}

/** Refines a k-means result by resampling (see the file comment). Inputs are not modified. */
export async function resampleRefine(
  m: Matrix,
  assignments: Int32Array,
  centroids: Matrix,
  opts: Omit<ResamplingOptions, 'enabled'> & { signal?: AbortSignal } = {},
): Promise<ResampledClustering> {
  const rounds = opts.iterations ?? DEFAULT_RESAMPLING_ITERATIONS;
  const r = opts.pointsPerCluster ?? DEFAULT_RESAMPLING_POINTS;
  const maxIter = opts.maxIter ?? 100;
  if (!Number.isInteger(rounds) || rounds < 0) throw new RangeError(`resampling iterations must be a whole number ≥ 0 (got ${rounds})`);
  if (!Number.isInteger(r) || r < 1) throw new RangeError(`resampling points per cluster must be a whole number ≥ 1 (got ${r})`);
  let labels: Int32Array = assignments.slice();
  let cen: Matrix = { data: centroids.data.slice(), rows: centroids.rows, cols: centroids.cols };
  let coreSize = 0;
  for (let s = 0; s < rounds; s++) {
    throwIfAborted(opts.signal);
    const core = coreIndices(m, labels, cen, r);
    coreSize = core.length;
    const sub: Matrix = { data: new Float32Array(core.length * m.cols), rows: core.length, cols: m.cols };
    core.forEach((i, row) => sub.data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), row * m.cols));
    cen = lloydFrom(sub, cen, maxIter);
    labels = nearestCentroids(m, cen);
    await yieldToEventLoop();
  }
  return { assignments: labels, centroids: cen, coreSize, rounds };
}
