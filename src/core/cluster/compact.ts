import type { Matrix } from '../types';

/** Renumbers clusters so that empty ones (k-means on data with fewer distinct points than k, or after resampling) disappear; keeps order. */
export function dropEmptyClusters(labels: Int32Array, centroids: Matrix): { labels: Int32Array; centroids: Matrix; k: number } {
  const k0 = centroids.rows;
  const counts = new Int32Array(k0);
  for (const l of labels) counts[l]++;
  const map = new Int32Array(k0).fill(-1);
  let k = 0;
  for (let c = 0; c < k0; c++) if (counts[c] > 0) map[c] = k++;
  if (k === k0) return { labels, centroids, k };
  const d = centroids.cols;
  const data = new Float32Array(k * d);
  for (let c = 0; c < k0; c++) if (map[c] >= 0) data.set(centroids.data.subarray(c * d, (c + 1) * d), map[c] * d);
  return { labels: labels.map((l) => map[l]), centroids: { data, rows: k, cols: d }, k };
}

