import { describe, expect, it } from 'vitest';
import { kGrid, logGrid, sweep, sweepK } from '../../src/core/cluster/sweep';
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
