/**
 * TF-IDF + LSA: a corpus-fitted embedder that needs no model. TF-IDF over content tokens
 * (sublinear tf, smooth idf, rows L2-normalised, as scikit-learn's TfidfVectorizer with
 * sublinear_tf=True), then a randomized truncated SVD (Halko, Martinsson & Tropp 2011) of the sparse
 * matrix; each text is its row of U·Σ, L2-normalised. Sparse throughout: memory is O(nnz + n·l)
 * with l = dims + oversampling.
 */
import { symmetricEigen } from '../linalg/eigen';
import { makeRng } from '../random';
import { contentTokens } from '../text/tokenize';
import type { Embedder, EmbedderInfo, EmbedOptions, Matrix } from '../types';

export interface LsaOptions {
  /** Components kept (default 100); capped at n − 1 and the vocabulary size. */
  dims?: number;
  /** Vocabulary cap: the terms with the highest document frequency are kept. */
  maxFeatures?: number;
  /** Power iterations of the randomized SVD. */
  powerIterations?: number;
  oversampling?: number;
  seed?: number;
}

/** Compressed sparse rows of the TF-IDF matrix (n texts × V terms). */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

// min_df = 2 drops typos and one-off tokens, but on a handful of texts it would drop everything.
const MIN_DF_FROM_N = 50;

const yieldMacrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Builds the row-normalised TF-IDF matrix and its vocabulary. */
export function tfidf(texts: readonly string[], maxFeatures = 50000): { matrix: Csr; vocabulary: string[] } {
  const n = texts.length;
  // Tokens interned to ids once, so counting needs no per-document Sets or string Maps.
  const termId = new Map<string, number>();
  const terms: string[] = [];
  const df: number[] = [];
  const lastDoc: number[] = [];
  const docs: Int32Array[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const tokens = contentTokens(texts[r]);
    const ids = new Int32Array(tokens.length);
    for (let t = 0; t < tokens.length; t++) {
      let id = termId.get(tokens[t]);
      if (id === undefined) {
        id = terms.length;
        termId.set(tokens[t], id);
        terms.push(tokens[t]);
        df.push(0);
        lastDoc.push(-1);
      }
      ids[t] = id;
      if (lastDoc[id] !== r) {
        lastDoc[id] = r;
        df[id]++;
      }
    }
    docs[r] = ids;
  }
  const minDf = n >= MIN_DF_FROM_N ? 2 : 1;
  // Highest df first; ties broken by the term so the vocabulary never depends on input order.
  const kept = [];
  for (let id = 0; id < terms.length; id++) if (df[id] >= minDf) kept.push(id);
  kept.sort((a, b) => df[b] - df[a] || (terms[a] < terms[b] ? -1 : terms[a] > terms[b] ? 1 : 0));
  const vocabulary = kept.slice(0, maxFeatures).map((id) => terms[id]);
  vocabulary.sort();
  const col = new Int32Array(terms.length).fill(-1);
  const idf = new Float64Array(vocabulary.length);
  vocabulary.forEach((w, c) => {
    const id = termId.get(w) ?? -1;
    col[id] = c;
    idf[c] = Math.log((1 + n) / (1 + df[id])) + 1;
  });

  const indptr = new Int32Array(n + 1);
  let nnz = 0;
  const counts = new Float64Array(vocabulary.length);
  const seen: number[] = [];
  let indices = new Int32Array(1024);
  let values = new Float32Array(1024);
  for (let r = 0; r < n; r++) {
    seen.length = 0;
    for (const id of docs[r]) {
      const c = col[id];
      if (c < 0) continue;
      if (counts[c] === 0) seen.push(c);
      counts[c]++;
    }
    seen.sort((a, b) => a - b);
    if (nnz + seen.length > indices.length) {
      const size = Math.max(2 * indices.length, nnz + seen.length);
      const grownIdx = new Int32Array(size);
      grownIdx.set(indices);
      indices = grownIdx;
      const grownVal = new Float32Array(size);
      grownVal.set(values);
      values = grownVal;
    }
    let ss = 0;
    for (const c of seen) {
      const v = (1 + Math.log(counts[c])) * idf[c];
      counts[c] = v;
      ss += v * v;
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (const c of seen) {
      indices[nnz] = c;
      values[nnz++] = counts[c] * inv;
      counts[c] = 0;
    }
    indptr[r + 1] = nnz;
  }
  return {
    matrix: { rows: n, cols: vocabulary.length, indptr, indices: indices.slice(0, nnz), values: values.slice(0, nnz) },
    vocabulary,
  };
}

export class TfidfLsaEmbedder implements Embedder {
  readonly info: EmbedderInfo;
  readonly corpusDependent = true;
  private readonly opts: Required<LsaOptions>;

  constructor(opts: LsaOptions = {}) {
    this.opts = {
      dims: opts.dims ?? 100,
      maxFeatures: opts.maxFeatures ?? 50000,
      powerIterations: opts.powerIterations ?? 2,
      oversampling: opts.oversampling ?? 10,
      seed: opts.seed ?? 42,
    };
    this.info = { id: 'tfidf-lsa', model: `tfidf-svd-${this.opts.dims}`, dtype: 'fp32', device: 'cpu', dims: this.opts.dims };
  }

  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Matrix> {
    const { signal, onProgress } = opts;
    const n = texts.length;
    const { matrix } = tfidf(texts, this.opts.maxFeatures);
    const k = Math.max(1, Math.min(this.opts.dims, n - 1, matrix.cols));
    const l = Math.min(k + this.opts.oversampling, n, Math.max(1, matrix.cols));
    const steps = this.opts.powerIterations + 3;
    let step = 0;
    const tick = async () => {
      step++;
      signal?.throwIfAborted();
      onProgress?.({ stage: 'embed', done: Math.min(step, steps), total: steps, message: 'truncated SVD' });
      await yieldMacrotask();
    };
    await tick();
    if (matrix.cols === 0 || matrix.indices.length === 0) {
      onProgress?.({ stage: 'embed', done: steps, total: steps });
      return { data: new Float32Array(n * k), rows: n, cols: k };
    }

    // Subspace iteration on whichever side of A is smaller (texts or terms), since orthonormalising
    // a side costs its length × l²: X ← orth(F·X) with F = Aᵀ·A (term side) or A·Aᵀ (text side).
    // q + 1 applications from a Gaussian start span the same subspace as Halko's Algorithm 4.4 with q
    // power iterations. Intermediate bases only need to stay well conditioned, so they get one
    // orthonormalisation pass; the last gets two.
    const V = matrix.cols;
    const termSide = V <= n;
    const side = termSide ? V : n;
    const rng = makeRng(this.opts.seed);
    let x = gaussian(side * l, rng);
    const applications = this.opts.powerIterations + 1;
    for (let it = 0; it < applications; it++) {
      x = termSide ? multiplyTransposed(matrix, multiply(matrix, x, l), l) : multiply(matrix, multiplyTransposed(matrix, x, l), l);
      orthonormalise(x, side, l, it === applications - 1 ? 2 : 1);
      await tick();
    }
    // Term side: X ≈ top right singular vectors, Y = A·X = U·Σ·Wᵀ, so U·Σ = Y·W with YᵀY = W·Σ²·Wᵀ.
    // Text side: X ≈ top left singular vectors, Z = Aᵀ·X, ZᵀZ = W·Σ²·Wᵀ, and U·Σ = X·W·Σ.
    const basis = termSide ? multiply(matrix, x, l) : x;
    const { values, vectors } = symmetricEigen(gram(termSide ? basis : multiplyTransposed(matrix, x, l), termSide ? n : V, l), l);
    await tick();
    const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => values[b] - values[a]);
    const proj = new Float64Array(l * k);
    for (let c = 0; c < k; c++) {
      const j = order[c];
      const sigma = termSide ? 1 : Math.sqrt(Math.max(0, values[j]));
      for (let i = 0; i < l; i++) proj[i * k + c] = vectors[i * l + j] * sigma;
    }
    const out = new Float32Array(n * k);
    for (let r = 0; r < n; r++) {
      let ss = 0;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let i = 0; i < l; i++) s += basis[r * l + i] * proj[i * k + c];
        out[r * k + c] = s;
        ss += s * s;
      }
      if (ss > 0) {
        const inv = 1 / Math.sqrt(ss);
        for (let c = 0; c < k; c++) out[r * k + c] *= inv;
      }
    }
    onProgress?.({ stage: 'embed', done: steps, total: steps });
    return { data: out, rows: n, cols: k };
  }
}

function gaussian(size: number, rng: () => number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const t = 2 * Math.PI * rng();
    out[i] = r * Math.cos(t);
    if (i + 1 < size) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** A (n × V, sparse) · X (V × l, dense row-major) → n × l. */
function multiply(a: Csr, x: Float32Array, l: number): Float32Array {
  const out = new Float32Array(a.rows * l);
  const acc = new Float64Array(l);
  for (let r = 0; r < a.rows; r++) {
    acc.fill(0);
    for (let p = a.indptr[r]; p < a.indptr[r + 1]; p++) {
      const v = a.values[p];
      const o = a.indices[p] * l;
      for (let j = 0; j < l; j++) acc[j] += v * x[o + j];
    }
    out.set(acc, r * l);
  }
  return out;
}

/** Aᵀ (V × n) · Y (n × l, dense row-major) → V × l. */
function multiplyTransposed(a: Csr, y: Float32Array, l: number): Float32Array {
  const acc = new Float64Array(a.cols * l);
  for (let r = 0; r < a.rows; r++) {
    const yo = r * l;
    for (let p = a.indptr[r]; p < a.indptr[r + 1]; p++) {
      const v = a.values[p];
      const o = a.indices[p] * l;
      for (let j = 0; j < l; j++) acc[o + j] += v * y[yo + j];
    }
  }
  return Float32Array.from(acc);
}

/** Xᵀ·X for a row-major rows × l matrix, in float64. */
function gram(x: Float32Array, rows: number, l: number): Float64Array {
  const g = new Float64Array(l * l);
  for (let r = 0; r < rows; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const xi = x[o + i];
      if (xi === 0) continue;
      const gi = i * l;
      for (let j = i; j < l; j++) g[gi + j] += xi * x[o + j];
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) g[i * l + j] = g[j * l + i];
  return g;
}

/**
 * Orthonormal basis of the columns of X (rows × l, row-major), in place: X·W·Λ^(−1/2) from the
 * eigendecomposition XᵀX = W·Λ·Wᵀ; a second pass restores accuracy (as CholeskyQR2). Unlike Cholesky it
 * tolerates rank-deficient X (tiny corpora): directions with negligible eigenvalues become zero.
 */
function orthonormalise(x: Float32Array, rows: number, l: number, passes: number): Float32Array {
  for (let pass = 0; pass < passes; pass++) {
    const { values, vectors } = symmetricEigen(gram(x, rows, l), l);
    const top = Math.max(0, ...values);
    const m = new Float64Array(l * l);
    for (let j = 0; j < l; j++) {
      if (!(values[j] > top * 1e-10)) continue;
      const s = 1 / Math.sqrt(values[j]);
      for (let i = 0; i < l; i++) m[i * l + j] = vectors[i * l + j] * s;
    }
    multiplyDenseInPlace(x, rows, l, m);
  }
  return x;
}

/** X ← X·M for a row-major rows × l matrix X and an l × l matrix M (its own function so it JITs well). */
function multiplyDenseInPlace(x: Float32Array, rows: number, l: number, m: Float64Array): void {
  const row = new Float64Array(l);
  for (let r = 0; r < rows; r++) {
    const o = r * l;
    row.fill(0);
    for (let i = 0; i < l; i++) {
      const xi = x[o + i];
      if (xi === 0) continue;
      const mi = i * l;
      for (let j = 0; j < l; j++) row[j] += xi * m[mi + j];
    }
    for (let j = 0; j < l; j++) x[o + j] = row[j];
  }
}
