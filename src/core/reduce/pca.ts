/**
 * PCA by randomized subspace iteration (Halko, Martinsson & Tropp 2011) on the implicitly centred
 * data: each step multiplies by Xcᵀ(Xc Q), one pass over the rows, so neither the n×n Gram matrix
 * nor a copy of the centred data is ever formed. The top components come from a Rayleigh–Ritz step
 * on the small l×l projected covariance. Deterministic: seeded start, sign fixed by the largest
 * loading.
 */
import { symmetricEigen } from '../linalg/eigen';
import { makeRng } from '../random';
import type { Matrix } from '../types';

export interface PcaOptions {
  /** Seed of the random starting block and of the fitting sample (default 0). */
  seed?: number;
  /** Extra directions iterated alongside the wanted ones: faster, surer convergence (default 8). */
  oversample?: number;
  /** Subspace iterations at most (default 30); it stops sooner once the Ritz values settle. */
  maxIter?: number;
  /** Change of the leading Ritz values, relative to the largest, under which iteration stops (default 1e-6). */
  tol?: number;
  /**
   * Components are fitted on a seeded sample of this many rows when there are more (default
   * 20000); every row is still centred on the full mean and projected. A 2-D map does not need
   * the last digits of a component, and this bounds the cost for n up to 200k.
   */
  maxFitRows?: number;
}

export interface PcaFit {
  /** Column means of the input. */
  mean: Float64Array;
  /** dims × cols, row t is component t (unit length; zero where the data has no such direction). */
  components: Matrix;
  /** Variance along each component (eigenvalues of the covariance, divided by n − 1), descending. */
  explainedVariance: Float64Array;
  /** explainedVariance / total variance (0 when the data has no variance). */
  explainedVarianceRatio: Float64Array;
  /** rows × dims projected coordinates. */
  projected: Matrix;
  /** Subspace iterations run. */
  iterations: number;
  /** Rows the components were fitted on. */
  fitRows: number;
}

/** rows × dims coordinates of the rows of m on their top `dims` principal components. */
export function pca(m: Matrix, dims = 2, opts: PcaOptions = {}): Matrix {
  return pcaFit(m, dims, opts).projected;
}

/** Full PCA result: mean, components, explained variance and the projection. */
export function pcaFit(m: Matrix, dims = 2, opts: PcaOptions = {}): PcaFit {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims must be a whole number of at least 1 (got ${dims})`);
  const { data: x, rows: n, cols: d } = m;
  const p = Math.min(dims, d);
  const l = Math.min(d, p + Math.max(0, opts.oversample ?? 8));
  const maxIter = Math.max(1, opts.maxIter ?? 30);
  const tol = opts.tol ?? 1e-6;
  const rng = makeRng(opts.seed ?? 0);
  const gauss = (): number => {
    const u = 1 - rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };

  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) mean[j] += x[off + j];
  }
  if (n > 0) for (let j = 0; j < d; j++) mean[j] /= n;

  const fit = sampleRows(m, opts.maxFitRows ?? 20000, rng);
  const nf = fit.rows;
  const xf = fit.data;
  let totalSS = 0;
  for (let i = 0; i < nf; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const v = xf[off + j] - mean[j];
      totalSS += v * v;
    }
  }

  // Basis Q: l × d row-major, row a = basis vector a. Qf is its float32 copy for the row kernel.
  let q = new Float64Array(l * d);
  for (let i = 0; i < q.length; i++) q[i] = gauss();
  orthonormalizeRows(q, l, d, gauss);
  const qf = new Float32Array(l * d);
  let z = new Float64Array(l * d);
  const y = new Float64Array(l);
  const muQ = new Float64Array(l);
  const t = new Float64Array(l * l);
  const prevTop = new Float64Array(p).fill(NaN);
  let eig = symmetricEigen(new Float64Array(l * l), l);
  let iterations = 0;

  for (let it = 0; it < maxIter; it++) {
    iterations = it + 1;
    for (let i = 0; i < q.length; i++) qf[i] = q[i];
    multiplyCovariance(xf, nf, d, mean, q, qf, l, z, y, muQ);
    // Rayleigh–Ritz on the current basis: T = Q C Qᵀ, symmetrised against round-off.
    for (let a = 0; a < l; a++) {
      for (let b = a; b < l; b++) {
        let s1 = 0;
        let s2 = 0;
        for (let j = 0; j < d; j++) {
          s1 += q[a * d + j] * z[b * d + j];
          s2 += q[b * d + j] * z[a * d + j];
        }
        t[a * l + b] = t[b * l + a] = 0.5 * (s1 + s2);
      }
    }
    eig = symmetricEigen(t, l);
    let settled = it > 0;
    const scale = Math.max(eig.values[0], 1e-300);
    for (let a = 0; a < p; a++) {
      if (!(Math.abs(eig.values[a] - prevTop[a]) <= tol * scale)) settled = false;
      prevTop[a] = eig.values[a];
    }
    // Converged, out of iterations, or nothing to find: keep this basis.
    if (settled || it === maxIter - 1 || totalSS === 0) break;
    const tmp = q;
    q = z;
    z = tmp;
    orthonormalizeRows(q, l, d, gauss);
  }

  // Components V = Wᵀ Q for the top p Ritz vectors, signs fixed by the largest-magnitude loading.
  const comps = new Float64Array(dims * d);
  for (let a = 0; a < p; a++) {
    const co = a * d;
    for (let b = 0; b < l; b++) {
      const w = eig.vectors[b * l + a];
      const qo = b * d;
      for (let j = 0; j < d; j++) comps[co + j] += w * q[qo + j];
    }
    let big = 0;
    let bigAbs = -1;
    for (let j = 0; j < d; j++) {
      const v = comps[co + j];
      if (Math.abs(v) > bigAbs + 1e-12) {
        bigAbs = Math.abs(v);
        big = v;
      }
    }
    if (big < 0) for (let j = 0; j < d; j++) comps[co + j] = -comps[co + j];
  }

  const projected = new Float32Array(n * dims);
  const shift = new Float64Array(p); // μ·v_a, so each coordinate is x·v_a − μ·v_a
  for (let a = 0; a < p; a++) for (let j = 0; j < d; j++) shift[a] += mean[j] * comps[a * d + j];
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let a = 0; a < p; a++) {
      const co = a * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += x[off + j] * comps[co + j];
      projected[i * dims + a] = s - shift[a];
    }
  }

  const denom = Math.max(1, nf - 1);
  const explainedVariance = new Float64Array(dims);
  const explainedVarianceRatio = new Float64Array(dims);
  for (let a = 0; a < p; a++) {
    const v = Math.max(0, eig.values[a]);
    explainedVariance[a] = v / denom;
    explainedVarianceRatio[a] = totalSS > 0 ? v / totalSS : 0;
  }
  return {
    mean,
    components: { data: Float32Array.from(comps), rows: dims, cols: d },
    explainedVariance,
    explainedVarianceRatio,
    projected: { data: projected, rows: n, cols: dims },
    iterations,
    fitRows: nf,
  };
}

/** All rows when n ≤ max, else a seeded sample of max distinct rows (partial Fisher–Yates), kept in order. */
function sampleRows(m: Matrix, max: number, rng: () => number): Matrix {
  if (m.rows <= max) return m;
  const idx = new Int32Array(m.rows);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    const tmp = idx[i];
    idx[i] = idx[j];
    idx[j] = tmp;
  }
  const chosen = idx.subarray(0, max).sort();
  const out = new Float32Array(max * m.cols);
  for (let r = 0; r < max; r++) out.set(m.data.subarray(chosen[r] * m.cols, (chosen[r] + 1) * m.cols), r * m.cols);
  return { data: out, rows: max, cols: m.cols };
}

/**
 * out = Xcᵀ Xc Qᵀ (row a of out = C q_a) in one pass over the rows: y = Q (x_i − μ), then
 * out_a += y_a · (x_i − μ). Four basis vectors per pass so each x[j] load feeds four products.
 */
function multiplyCovariance(
  x: Float32Array,
  n: number,
  d: number,
  mean: Float64Array,
  q: Float64Array,
  qf: Float32Array,
  l: number,
  out: Float64Array,
  y: Float64Array,
  muQ: Float64Array,
): void {
  for (let a = 0; a < l; a++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += mean[j] * q[a * d + j];
    muQ[a] = s;
  }
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    let a = 0;
    for (; a + 4 <= l; a += 4) {
      const o0 = a * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < d; j++) {
        const xj = x[off + j];
        s0 += xj * qf[o0 + j];
        s1 += xj * qf[o1 + j];
        s2 += xj * qf[o2 + j];
        s3 += xj * qf[o3 + j];
      }
      y[a] = s0 - muQ[a];
      y[a + 1] = s1 - muQ[a + 1];
      y[a + 2] = s2 - muQ[a + 2];
      y[a + 3] = s3 - muQ[a + 3];
    }
    for (; a < l; a++) {
      const o = a * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += x[off + j] * qf[o + j];
      y[a] = s - muQ[a];
    }
    // Σ_i y_i = 0, so adding y·x_i instead of y·(x_i − μ) gives the same sum without a subtraction.
    a = 0;
    for (; a + 4 <= l; a += 4) {
      const o0 = a * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      const y0 = y[a];
      const y1 = y[a + 1];
      const y2 = y[a + 2];
      const y3 = y[a + 3];
      for (let j = 0; j < d; j++) {
        const xj = x[off + j];
        out[o0 + j] += y0 * xj;
        out[o1 + j] += y1 * xj;
        out[o2 + j] += y2 * xj;
        out[o3 + j] += y3 * xj;
      }
    }
    for (; a < l; a++) {
      const o = a * d;
      const ya = y[a];
      for (let j = 0; j < d; j++) out[o + j] += ya * x[off + j];
    }
  }
}

/**
 * Modified Gram–Schmidt on the l rows of an l × d block, twice for stability. A row that vanishes
 * (rank-deficient data) is replaced by a fresh random direction.
 */
function orthonormalizeRows(q: Float64Array, l: number, d: number, gauss: () => number): void {
  for (let a = 0; a < l; a++) {
    const oa = a * d;
    for (let attempt = 0; attempt < 8; attempt++) {
      let before = 0;
      for (let j = 0; j < d; j++) before += q[oa + j] * q[oa + j];
      for (let pass = 0; pass < 2; pass++) {
        for (let b = 0; b < a; b++) {
          const ob = b * d;
          let s = 0;
          for (let j = 0; j < d; j++) s += q[oa + j] * q[ob + j];
          for (let j = 0; j < d; j++) q[oa + j] -= s * q[ob + j];
        }
      }
      let nn = 0;
      for (let j = 0; j < d; j++) nn += q[oa + j] * q[oa + j];
      if (nn > 1e-20 * before && nn > 1e-280) {
        const inv = 1 / Math.sqrt(nn);
        for (let j = 0; j < d; j++) q[oa + j] *= inv;
        break;
      }
      for (let j = 0; j < d; j++) q[oa + j] = gauss();
    }
  }
}
