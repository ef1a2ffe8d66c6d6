/**
 * Small helpers over row-major Float32Array matrices. Everything here is allocation-free in its
 * loops so it can sit inside the hot paths of clustering and projection.
 */
import type { Matrix } from './types';

/** A zero-filled rows × cols matrix. */
export function matrix(rows: number, cols: number): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`matrix: rows and cols must be non-negative integers (got ${rows} × ${cols})`);
  }
  return { data: new Float32Array(rows * cols), rows, cols };
}

/** Copies equal-length rows into a new matrix; throws when row lengths differ. */
export function fromRows(rows: ArrayLike<number>[]): Matrix {
  const cols = rows.length > 0 ? rows[0].length : 0;
  const m = matrix(rows.length, cols);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.length !== cols) throw new RangeError(`fromRows: row ${i} has ${r.length} values, expected ${cols}`);
    const off = i * cols;
    for (let j = 0; j < cols; j++) m.data[off + j] = r[j];
  }
  return m;
}

/** Row i as a view (no copy): writes go through to the matrix. */
export function rowOf(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Dot product of a[aOff .. aOff+d) and b[bOff .. bOff+d), accumulated in double precision. */
export function dot(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[aOff + j] * b[bOff + j];
  return s;
}

/** Cosine similarity of two equal-length vectors; 0 when either has zero norm. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cosine: lengths differ (${a.length} vs ${b.length})`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    const x = a[j];
    const y = b[j];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** Scales every row to unit L2 norm, in place; zero rows stay zero. Returns m. */
export function normalizeRows(m: Matrix): Matrix {
  const { data, rows, cols } = m;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[off + j] * data[off + j];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < cols; j++) data[off + j] *= inv;
    }
  }
  return m;
}

/** Squared L2 norm of each row (double precision sums, stored as float64 for exact reuse). */
export function rowSquaredNorms(m: Matrix, out: Float64Array = new Float64Array(m.rows)): Float64Array {
  const { data, rows, cols } = m;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[off + j] * data[off + j];
    out[i] = s;
  }
  return out;
}
