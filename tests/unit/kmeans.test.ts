import { describe, expect, it } from 'vitest';
import { kmeans } from '../../src/core/cluster/kmeans';
import { ari } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';
import type { Matrix, Progress } from '../../src/core/types';
import { fromRows, matrix } from '../../src/core/vectors';

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** perCluster points around each of `centres`, spread sd; labels in generation order. */
function blobs(centres: number[][], perCluster: number, sd: number, seed: number): { m: Matrix; labels: number[] } {
  const rng = makeRng(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  // Interleave the blobs so that cluster ids cannot follow row order by accident.
  for (let p = 0; p < perCluster; p++) {
    centres.forEach((c, l) => {
      rows.push(c.map((v) => v + sd * gaussian(rng)));
      labels.push(l);
    });
  }
  return { m: fromRows(rows), labels };
}

function uniform(n: number, d: number, seed: number): Matrix {
  const rng = makeRng(seed);
  const m = matrix(n, d);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng();
  return m;
}

function sqDist(m: Matrix, i: number, c: Matrix, j: number): number {
  let s = 0;
  for (let t = 0; t < m.cols; t++) {
    const v = m.data[i * m.cols + t] - c.data[j * c.cols + t];
    s += v * v;
  }
  return s;
}

const CENTRES = [
  [0, 0, 0, 0, 0],
  [10, 0, 0, 0, 0],
  [0, 10, 0, 0, 0],
  [0, 0, 10, 10, 0],
];

describe('kmeans', () => {
  it('recovers well-separated Gaussian blobs exactly, for several seeds', async () => {
    const { m, labels } = blobs(CENTRES, 25, 0.6, 1);
    for (const seed of [0, 1, 2, 3, 42]) {
      const r = await kmeans(m, { k: 4, seed });
      expect(ari(labels, r.assignments)).toBe(1);
      expect(r.k).toBe(4);
      expect(r.centroids.rows).toBe(4);
      expect(r.centroids.cols).toBe(5);
    }
  });

  it('is deterministic for a seed', async () => {
    const m = uniform(300, 8, 5);
    const a = await kmeans(m, { k: 6, seed: 11 });
    const b = await kmeans(m, { k: 6, seed: 11 });
    expect([...a.assignments]).toEqual([...b.assignments]);
    expect([...a.centroids.data]).toEqual([...b.centroids.data]);
    expect(a.inertia).toBe(b.inertia);
    expect(a.iterations).toBe(b.iterations);
  });

  it('returns a Lloyd fixed point: nearest-centroid labels, centroids at member means, inertia their sum', async () => {
    const m = uniform(400, 6, 9);
    const r = await kmeans(m, { k: 7, seed: 3, tol: 0, maxIter: 500 });
    const k = r.k;
    let inertia = 0;
    const sums = new Float64Array(k * m.cols);
    const counts = new Int32Array(k);
    for (let i = 0; i < m.rows; i++) {
      const own = r.assignments[i];
      const dOwn = sqDist(m, i, r.centroids, own);
      inertia += dOwn;
      for (let c = 0; c < k; c++) expect(dOwn).toBeLessThanOrEqual(sqDist(m, i, r.centroids, c) + 1e-5);
      counts[own]++;
      for (let t = 0; t < m.cols; t++) sums[own * m.cols + t] += m.data[i * m.cols + t];
    }
    expect(r.inertia).toBeCloseTo(inertia, 3);
    for (let c = 0; c < k; c++) {
      expect(counts[c]).toBeGreaterThan(0);
      for (let t = 0; t < m.cols; t++) expect(r.centroids.data[c * m.cols + t]).toBeCloseTo(sums[c * m.cols + t] / counts[c], 5);
    }
    expect(r.iterations).toBeLessThan(500);
  });

  it('k = 1 puts everything in one cluster at the mean', async () => {
    const m = fromRows([
      [0, 0],
      [2, 0],
      [4, 6],
    ]);
    const r = await kmeans(m, { k: 1 });
    expect([...r.assignments]).toEqual([0, 0, 0]);
    expect([...r.centroids.data]).toEqual([2, 2]);
    // (4+4) + (0+4) + (4+16) = 32
    expect(r.inertia).toBeCloseTo(32, 5);
  });

  it('k = n gives every distinct point its own cluster and zero inertia', async () => {
    const m = uniform(12, 3, 4);
    const r = await kmeans(m, { k: 12, seed: 2 });
    expect(new Set(r.assignments).size).toBe(12);
    expect(r.inertia).toBeCloseTo(0, 6);
  });

  it('rejects k larger than the number of rows, and bad k', async () => {
    const m = uniform(40, 2, 1);
    await expect(kmeans(m, { k: 100 })).rejects.toThrow(RangeError);
    await expect(kmeans(m, { k: 100 })).rejects.toThrow('k (100) is larger than the number of texts (40)');
    await expect(kmeans(m, { k: 0 })).rejects.toThrow(RangeError);
    await expect(kmeans(m, { k: 2.5 })).rejects.toThrow(RangeError);
    await expect(kmeans(matrix(0, 3), { k: 1 })).rejects.toThrow(RangeError);
    const bad = uniform(5, 2, 1);
    bad.data[3] = NaN;
    await expect(kmeans(bad, { k: 2 })).rejects.toThrow(/row 1/);
  });

  it('copes with all rows identical: no crash, no NaN', async () => {
    const m = matrix(30, 4);
    for (let i = 0; i < 30; i++) m.data.set([0.5, -1, 2, 0], i * 4);
    const r = await kmeans(m, { k: 5, seed: 1 });
    expect([...r.centroids.data].every(Number.isFinite)).toBe(true);
    expect(r.inertia).toBe(0);
    expect([...r.assignments].every((a) => a >= 0 && a < 5)).toBe(true);
  });

  it('handles empty-cluster pressure (many duplicates, k close to the number of distinct rows)', async () => {
    const rows: number[][] = [];
    for (let i = 0; i < 40; i++) rows.push([i % 4, 0]); // only 4 distinct points
    const r = await kmeans(fromRows(rows), { k: 6, seed: 0 });
    expect([...r.centroids.data].every(Number.isFinite)).toBe(true);
    expect(r.inertia).toBeCloseTo(0, 6);
  });

  it('keeps the lowest inertia over restarts', async () => {
    const m = uniform(500, 4, 8);
    const one = await kmeans(m, { k: 9, seed: 5, nInit: 1 });
    const five = await kmeans(m, { k: 9, seed: 5, nInit: 5 });
    // The first restart of nInit 5 is exactly the nInit 1 run (same RNG stream).
    expect(five.inertia).toBeLessThanOrEqual(one.inertia);
  });

  it('reports progress for the cluster stage', async () => {
    const seen: Progress[] = [];
    await kmeans(uniform(200, 3, 2), { k: 4, seed: 1, maxIter: 50, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((p) => p.stage === 'cluster' && p.total === 50)).toBe(true);
    expect(seen.at(-1)?.done).toBe(50);
  });

  it('aborts before starting and between iterations', async () => {
    const m = uniform(2000, 8, 3);
    const pre = new AbortController();
    pre.abort();
    await expect(kmeans(m, { k: 10, signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const mid = new AbortController();
    let calls = 0;
    const run = kmeans(m, {
      k: 10,
      tol: 0,
      maxIter: 1000,
      signal: mid.signal,
      onProgress: () => {
        calls++;
        if (calls === 2) mid.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(2);

    // An abort from outside (a timer, like a worker message) also lands between iterations.
    const ext = new AbortController();
    setTimeout(() => ext.abort(), 5);
    await expect(kmeans(uniform(5000, 16, 4), { k: 30, tol: 0, maxIter: 10000, signal: ext.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
