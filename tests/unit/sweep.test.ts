import { describe, expect, it } from 'vitest';
import { hdbscan } from '../../src/core/cluster/hdbscan';
import { kGrid, logGrid, minClusterSizeGrid, sweep, sweepK, sweepMinClusterSize } from '../../src/core/cluster/sweep';
import { ari } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';
import type { Matrix, Progress } from '../../src/core/types';

const line = (xs: number[]): Matrix => ({ data: Float32Array.from(xs), rows: xs.length, cols: 1 });
const ints = (a: number[]): Int32Array => Int32Array.from(a);

describe('grids', () => {
  it('logGrid keeps both ends and rounds log-spaced values', () => {
    // 2 · 50^(i/4) = 2, 5.32, 14.14, 37.6, 100
    expect(logGrid({ min: 2, max: 100, steps: 5 })).toEqual([2, 5, 14, 38, 100]);
    expect(logGrid({ min: 2, max: 4, steps: 10 })).toEqual([2, 3, 4]);
    expect(logGrid({ min: 7, max: 7, steps: 3 })).toEqual([7]);
    expect(logGrid({ min: 5, max: 3, steps: 3 })).toEqual([]);
  });

  it('kGrid defaults to 8 log-spaced values in 2..min(n − 1, 2√n)', () => {
    // n = 3080: 2√n = 110.99 → 111; 2 · 55.5^(i/7) = 2, 3.55, 6.30, 11.18, 19.85, 35.23, 62.54, 111
    expect(kGrid(3080)).toEqual([2, 4, 6, 11, 20, 35, 63, 111]);
    expect(kGrid(3)).toEqual([2]);
    expect(kGrid(2)).toEqual([]);
  });

  it('kGrid keeps explicit values within 2..n − 1, rounded, sorted and distinct', () => {
    expect(kGrid(10, [1, 3, 3, 12, 9, 4.4, 10])).toEqual([3, 4, 9]);
    expect(kGrid(10, { min: 1, max: 50, steps: 4 })).toEqual([4]);
  });
});

describe('sweep (generic)', () => {
  // Data 0, 2, 6, 8, 10, 50.
  //  p=1: one cluster → silhouette NaN, score NaN.
  //  p=2: A={0,2}, B={6,8,10,50}: s = .892, .879, −.7, −.543, −.413, .143 → mean ≈ 0.0429, no noise.
  //  p=3: A={0,2}, B={6,8,10}, 50 noise: silhouette 0.6395238 (see internal-metrics test),
  //       noise 1/6 → score 0.6395238 − 0.5/6 = 0.5561905.
  const m = line([0, 2, 6, 8, 10, 50]);
  const outputs: Record<number, Int32Array> = {
    1: ints([0, 0, 0, 0, 0, 0]),
    2: ints([0, 0, 1, 1, 1, 1]),
    3: ints([0, 0, 1, 1, 1, -1]),
  };
  const run = async (p: number) => outputs[p];

  it('scores silhouette − 0.5 × noise ratio and picks the best finite score', async () => {
    const events: Progress[] = [];
    const r = await sweep([1, 2, 3], run, m, { onProgress: (p) => events.push(p), paramName: 'min size' });
    expect(r.curve.map((c) => c.param)).toEqual([1, 2, 3]);
    expect(r.curve[0].score).toBeNaN();
    expect(r.curve[0].clusters).toBe(1);
    expect(r.curve[1].score).toBeCloseTo(r.curve[1].silhouette, 12);
    expect(r.curve[1].silhouette).toBeCloseTo(0.0429, 3);
    expect(r.curve[2].silhouette).toBeCloseTo(0.6395238, 6);
    expect(r.curve[2].noiseRatio).toBeCloseTo(1 / 6, 12);
    expect(r.curve[2].score).toBeCloseTo(0.6395238 - 0.5 / 6, 6);
    expect(r.best).toBe(3);
    expect(r.bestResult).toBe(outputs[3]);
    expect(r.reason).toBeUndefined();
    expect(events.map((e) => [e.done, e.total])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(events[1].message).toBe('min size = 2');
    for (const c of r.curve) expect(c.seconds).toBeGreaterThanOrEqual(0);
  });

  it('a heavier noise penalty changes the choice', async () => {
    // p=3: 0.6395 − 10/6 < 0.0429 → p=2 wins.
    const r = await sweep([1, 2, 3], run, m, { noisePenalty: 10 });
    expect(r.best).toBe(2);
  });

  it('accepts results carrying assignments, and reports when nothing scored', async () => {
    const r = await sweep([1], async (p) => ({ assignments: outputs[p], extra: p }), m);
    expect(r.best).toBeNaN();
    expect(r.bestResult).toBeUndefined();
    expect(r.reason).toMatch(/fewer than 2 clusters/);
  });

  it('stops when aborted', async () => {
    const ctl = new AbortController();
    let calls = 0;
    const aborting = async (p: number) => {
      calls++;
      ctl.abort();
      return outputs[p];
    };
    await expect(sweep([2, 3], aborting, m, { signal: ctl.signal })).rejects.toThrow();
    expect(calls).toBe(1);
  });
});

describe('sweepK', () => {
  /** k well-separated Gaussian blobs in d dims (centres 20 apart on axes, spread 1). */
  function blobs(n: number, d: number, k: number, seed: number): Matrix {
    const rng = makeRng(seed);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const c = i % k;
      for (let t = 0; t < d; t++) data[i * d + t] = (t === c ? 20 : 0) + gauss();
    }
    return { data, rows: n, cols: d };
  }

  it('picks the true k on well-separated blobs', async () => {
    const m = blobs(400, 8, 5, 1);
    const r = await sweepK(m, { ks: [2, 3, 4, 5, 6, 7, 8], seed: 3 });
    expect(r.best).toBe(5);
    expect(r.bestResult?.k).toBe(5);
    expect(r.curve.map((c) => c.param)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    for (const c of r.curve) {
      expect(c.noiseRatio).toBe(0);
      expect(c.score).toBe(c.silhouette);
    }
    const at5 = r.curve[3].score;
    for (const c of r.curve) if (c.param !== 5) expect(c.score).toBeLessThan(at5);
  });

  it('uses the default grid, which includes the true k here', async () => {
    // kGrid(300) = 8 values in 2..35; 2·17.5^(2/7) = 4.52 → 5 is among them.
    const m = blobs(300, 6, 5, 2);
    expect(kGrid(300)).toContain(5);
    const r = await sweepK(m, { seed: 1 });
    expect(r.curve.map((c) => c.param)).toEqual(kGrid(300));
    expect(r.best).toBe(5);
  });

  it('refuses a matrix too small for any k', async () => {
    await expect(sweepK(line([1, 2]))).rejects.toThrow(RangeError);
  });
});

describe('sweepMinClusterSize', () => {
  /** k Gaussian blobs of perBlob points (sd 1) on a circle of radius 30, in 2-D. */
  function ring(k: number, perBlob: number, seed: number): { m: Matrix; truth: number[] } {
    const rng = makeRng(seed);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const data = new Float32Array(k * perBlob * 2);
    const truth: number[] = [];
    for (let i = 0; i < k * perBlob; i++) {
      const c = i % k;
      truth.push(c);
      data[2 * i] = 30 * Math.cos((2 * Math.PI * c) / k) + gauss();
      data[2 * i + 1] = 30 * Math.sin((2 * Math.PI * c) / k) + gauss();
    }
    return { m: { data, rows: k * perBlob, cols: 2 }, truth };
  }

  it('minClusterSizeGrid defaults to 8 log-spaced sizes in 5..n/10, narrowed for tiny data', () => {
    // n = 3000: 5 · 60^(i/7) = 5, 8.98, 16.1, 28.9, 51.9, 93.2, 167.3, 300
    expect(minClusterSizeGrid(3000)).toEqual([5, 9, 16, 29, 52, 93, 167, 300]);
    expect(minClusterSizeGrid(30)).toEqual([5]);
    expect(minClusterSizeGrid(6)).toEqual([3]);
    expect(minClusterSizeGrid(3)).toEqual([]);
    // Explicit sizes are kept within 2..n/2.
    expect(minClusterSizeGrid(20, [1, 2, 2, 7.6, 11, 21])).toEqual([2, 8]);
  });

  it('picks a size that recovers the blobs, and keeps the whole curve', async () => {
    // Six blobs of 40: sizes above 40 cannot find them (fewer clusters, more noise), tiny sizes
    // shred them; the score should peak where the blobs come out whole.
    const { m, truth } = ring(6, 40, 4);
    const sizes = [3, 10, 20, 35, 60, 100];
    const r = await sweepMinClusterSize(m, { sizes, seed: 1 });
    expect(r.curve.map((p) => p.param)).toEqual(sizes);
    expect(r.best).toBeGreaterThanOrEqual(10);
    expect(r.best).toBeLessThanOrEqual(35);
    expect(r.bestResult?.k).toBe(6);
    expect(ari(truth, r.bestResult?.assignments ?? new Int32Array(240))).toBeGreaterThan(0.95);
    const best = r.curve.find((p) => p.param === r.best);
    for (const p of r.curve) if (Number.isFinite(p.score)) expect(p.score).toBeLessThanOrEqual(best?.score ?? -Infinity);
    // At 60 and 100 no six clusters of that size exist.
    for (const p of r.curve.filter((q) => q.param >= 60)) expect(p.clusters).toBeLessThan(6);
    for (const p of r.curve.filter((q) => q.clusters >= 2)) expect(p.score).toBeCloseTo(p.silhouette - 0.5 * p.noiseRatio, 12);
  });

  it('with minSamples fixed gives what separate HDBSCAN runs give', async () => {
    const { m } = ring(4, 30, 9);
    const r = await sweepMinClusterSize(m, { sizes: [5, 12, 25], hdbscan: { minSamples: 5 } });
    const direct = await hdbscan(m, { minClusterSize: r.best, minSamples: 5 });
    expect(Array.from(r.bestResult?.assignments ?? [])).toEqual(Array.from(direct.assignments));
    for (const p of r.curve) {
      const one = await hdbscan(m, { minClusterSize: p.param, minSamples: 5 });
      expect(p.clusters).toBe(one.k);
    }
  });

  it('refuses data too small for any size, and stops when aborted', async () => {
    await expect(sweepMinClusterSize(line([1, 2, 3]))).rejects.toThrow(RangeError);
    const ctl = new AbortController();
    ctl.abort();
    await expect(sweepMinClusterSize(ring(2, 20, 1).m, { signal: ctl.signal })).rejects.toThrow();
  });
});
