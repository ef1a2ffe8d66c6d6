/**
 * Eigen-decomposition of a small symmetric l × l matrix (row-major Float64Array) by cyclic Jacobi
 * rotations, exact to rounding: eigenvalues descending, eigenvectors as the columns of a row-major
 * matrix. Used by PCA and the LSA embedder on their l ≈ 10–110 projected problems.
 */
export function symmetricEigen(aIn: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(aIn);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < l; i++) {
      diag += a[i * l + i] * a[i * l + i];
      for (let j = i + 1; j < l; j++) off += a[i * l + j] * a[i * l + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let pi = 0; pi < l; pi++) {
      for (let qi = pi + 1; qi < l; qi++) {
        const apq = a[pi * l + qi];
        if (apq === 0) continue;
        const app = a[pi * l + pi];
        const aqq = a[qi * l + qi];
        const theta = (aqq - app) / (2 * apq);
        const tt = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(tt * tt + 1);
        const s = tt * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + pi];
          const akq = a[k * l + qi];
          a[k * l + pi] = c * akp - s * akq;
          a[k * l + qi] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[pi * l + k];
          const aqk = a[qi * l + k];
          a[pi * l + k] = c * apk - s * aqk;
          a[qi * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + pi];
          const vkq = v[k * l + qi];
          v[k * l + pi] = c * vkp - s * vkq;
          v[k * l + qi] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort((i, j) => a[j * l + j] - a[i * l + i]);
  const values = new Float64Array(l);
  const vectors = new Float64Array(l * l);
  order.forEach((src, dst) => {
    values[dst] = a[src * l + src];
    for (let k = 0; k < l; k++) vectors[k * l + dst] = v[k * l + src];
  });
  return { values, vectors };
}
