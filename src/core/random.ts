/** Seeded PRNG (mulberry32) so that runs are reproducible from their config. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `k` distinct indices of 0..n−1, uniformly at random and ascending (partial Fisher–Yates; sorted
 * for memory locality and to keep file order). The same seed gives the same indices.
 */
export function sampleIndices(n: number, k: number, seed: number): Int32Array {
  const size = Math.max(0, Math.min(n, Math.floor(k)));
  const rng = makeRng(seed);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm.slice(0, size).sort();
}
