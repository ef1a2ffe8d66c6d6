import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/core/random';
import { pca, pcaFit } from '../../src/core/reduce/pca';
import { symmetricEigen } from '../../src/core/linalg/eigen';
import type { Matrix } from '../../src/core/types';
import { fromRows, matrix } from '../../src/core/vectors';

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function dotArr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Reference: eigen-decomposition of the full d × d sample covariance (fine for small d). */
function referencePca(m: Matrix): { values: number[]; vectors: number[][] } {
  const { rows: n, cols: d, data } = m;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) cov[a * d + b] += ((data[i * d + a] - mean[a]) * (data[i * d + b] - mean[b])) / (n - 1);
    }
  }
  const e = symmetricEigen(cov, d);
  const vectors = Array.from({ length: d }, (_, t) => Array.from({ length: d }, (_, j) => e.vectors[j * d + t]));
  return { values: Array.from(e.values), vectors };
}

describe('symmetricEigen', () => {
  it('diagonalises a hand 2 × 2 case', () => {
    // [[2,1],[1,2]] has eigenvalues 3 (vector (1,1)/√2) and 1 (vector (1,−1)/√2).
    const e = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(e.values[0]).toBeCloseTo(3, 12);
    expect(e.values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(e.vectors[0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(e.vectors[0] * e.vectors[2]).toBeCloseTo(0.5, 12); // same sign: (1,1)
  });
});

describe('pca', () => {
  it('recovers points on a line: first coordinate is the position along it, second is 0', () => {
    const u = unit([1, 2, -2, 0.5, 3]);
    const base = [4, -1, 0, 2, 7];
    const ts = [-3, -1.5, 0, 0.25, 1, 2, 5, -2.75];
    const m = fromRows(ts.map((t) => base.map((b, j) => b + t * u[j])));
    const fit = pcaFit(m, 2);
    const meanT = ts.reduce((a, b) => a + b, 0) / ts.length;
    // u's largest loading (3/…) is positive, so the sign rule keeps +u.
    const comp0 = Array.from(fit.components.data.subarray(0, 5));
    expect(dotArr(comp0, u)).toBeCloseTo(1, 5);
    ts.forEach((t, i) => {
      expect(fit.projected.data[i * 2]).toBeCloseTo(t - meanT, 4);
      expect(fit.projected.data[i * 2 + 1]).toBeCloseTo(0, 4);
    });
    expect(fit.explainedVarianceRatio[0]).toBeCloseTo(1, 6);
    const varT = ts.reduce((a, t) => a + (t - meanT) ** 2, 0) / (ts.length - 1);
    expect(fit.explainedVariance[0]).toBeCloseTo(varT, 4);
  });

  it('recovers a plane with its two axes in order of variance', () => {
    const rng = makeRng(4);
    const u = unit([1, 1, 0, 0, 0, 0]);
    const v = unit([0, 0, 1, -1, 0, 2]);
    // u ⟂ v; spread 3 along u, 1 along v.
    // The sample (s, t) is centred and t made exactly uncorrelated with s, so the sample
    // covariance in the plane is diagonal and its principal axes are exactly u and v.
    const n = 200;
    const ss = Array.from({ length: n }, () => 3 * gaussian(rng));
    const ts = Array.from({ length: n }, () => gaussian(rng));
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    const s0 = mean(ss);
    const t0 = mean(ts);
    for (let i = 0; i < n; i++) {
      ss[i] -= s0;
      ts[i] -= t0;
    }
    const proj = dotArr(ts, ss) / dotArr(ss, ss);
    for (let i = 0; i < n; i++) ts[i] -= proj * ss[i];
    const st: [number, number][] = ss.map((s, i) => [s, ts[i]]);
    const rows = st.map(([s, t]) => u.map((uj, j) => 1 + s * uj + t * v[j]));
    const fit = pcaFit(fromRows(rows), 2, { seed: 9 });
    const c0 = Array.from(fit.components.data.subarray(0, 6));
    const c1 = Array.from(fit.components.data.subarray(6, 12));
    expect(Math.abs(dotArr(c0, u))).toBeCloseTo(1, 5);
    expect(Math.abs(dotArr(c1, v))).toBeCloseTo(1, 5);
    expect(fit.explainedVariance[0]).toBeGreaterThan(fit.explainedVariance[1]);
    expect(fit.explainedVarianceRatio[0] + fit.explainedVarianceRatio[1]).toBeCloseTo(1, 6);
    // Coordinates equal the centred (s, t) up to the sign of each axis.
    const ms = st.reduce((a, p) => a + p[0], 0) / st.length;
    const sign0 = Math.sign(dotArr(c0, u));
    for (let i = 0; i < st.length; i++) expect(fit.projected.data[i * 2]).toBeCloseTo(sign0 * (st[i][0] - ms), 3);
  });

  it('matches a full covariance eigen-decomposition on anisotropic random data, variances descending', () => {
    const rng = makeRng(12);
    const d = 8;
    const scales = [5, 4, 3, 2, 1.5, 1, 0.5, 0.25];
    const m = matrix(300, d);
    for (let i = 0; i < 300; i++) for (let j = 0; j < d; j++) m.data[i * d + j] = scales[j] * gaussian(rng) + 0.3 * gaussian(rng) * (j === 0 ? 1 : 0);
    // Mix the axes with a fixed rotation-like shear so components are not the coordinate axes.
    for (let i = 0; i < 300; i++) {
      const a = m.data[i * d];
      const b = m.data[i * d + 1];
      m.data[i * d] = 0.8 * a - 0.6 * b;
      m.data[i * d + 1] = 0.6 * a + 0.8 * b;
    }
    const ref = referencePca(m);
    const fit = pcaFit(m, 4);
    for (let t = 0; t < 4; t++) {
      expect(fit.explainedVariance[t]).toBeCloseTo(ref.values[t], 3);
      const comp = Array.from(fit.components.data.subarray(t * d, (t + 1) * d));
      expect(Math.abs(dotArr(comp, ref.vectors[t]))).toBeCloseTo(1, 4);
      // Sign rule: the largest-magnitude loading is positive.
      const big = comp.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
      expect(big).toBeGreaterThan(0);
      if (t > 0) expect(fit.explainedVariance[t]).toBeLessThanOrEqual(fit.explainedVariance[t - 1]);
    }
    const totalVar = ref.values.reduce((a, b) => a + b, 0);
    expect(fit.explainedVarianceRatio[0]).toBeCloseTo(ref.values[0] / totalVar, 4);
  });

  it('is deterministic for a seed and returns rows × dims', () => {
    const rng = makeRng(1);
    const m = matrix(50, 20);
    for (let i = 0; i < m.data.length; i++) m.data[i] = gaussian(rng);
    const a = pca(m, 3, { seed: 5 });
    const b = pca(m, 3, { seed: 5 });
    expect(a.rows).toBe(50);
    expect(a.cols).toBe(3);
    expect([...a.data]).toEqual([...b.data]);
  });

  it('does not crash or produce NaN for n = 1 and n = 2', () => {
    const one = pca(fromRows([[1, 2, 3]]), 2);
    expect([...one.data]).toEqual([0, 0]);
    const two = pca(
      fromRows([
        [0, 0, 0],
        [3, 4, 0],
      ]),
      2,
    );
    // The two points are 5 apart along one direction: coordinates ±2.5 and 0.
    expect([...two.data].every(Number.isFinite)).toBe(true);
    expect(Math.abs(two.data[0])).toBeCloseTo(2.5, 5);
    expect(two.data[0] + two.data[2]).toBeCloseTo(0, 5);
    expect(two.data[1]).toBeCloseTo(0, 5);
    expect(two.data[3]).toBeCloseTo(0, 5);
  });

  it('pads with zeros when dims exceed the columns, and rejects bad dims', () => {
    const m = fromRows([[1], [2], [4]]);
    const p = pca(m, 2);
    expect(p.cols).toBe(2);
    // mean 7/3: centred −4/3, −1/3, 5/3 (single loading +1).
    expect(p.data[0]).toBeCloseTo(-4 / 3, 5);
    expect(p.data[4]).toBeCloseTo(5 / 3, 5);
    expect(p.data[1]).toBe(0);
    expect(() => pca(m, 0)).toThrow(RangeError);
  });
});

describe('pca on a row sample', () => {
  it('fits on a sample when n exceeds maxFitRows but projects every row', () => {
    const rng = makeRng(2);
    const u = unit([2, -1, 1, 0]);
    const ts = Array.from({ length: 500 }, () => 4 * gaussian(rng));
    const m = fromRows(ts.map((t) => u.map((uj) => t * uj + 0.01 * gaussian(rng))));
    const fit = pcaFit(m, 1, { maxFitRows: 100 });
    expect(fit.fitRows).toBe(100);
    expect(fit.projected.rows).toBe(500);
    const comp = Array.from(fit.components.data);
    expect(Math.abs(dotArr(comp, u))).toBeCloseTo(1, 3);
    const meanT = ts.reduce((a, b) => a + b, 0) / ts.length;
    for (let i = 0; i < 500; i += 37) expect(fit.projected.data[i]).toBeCloseTo(Math.sign(dotArr(comp, u)) * (ts[i] - meanT), 1);
  });
});
