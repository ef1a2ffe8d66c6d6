/**
 * k-means speed on 10k × 384 blob data, k = 20 (the DESIGN §7 setting). Prints seconds per Lloyd
 * iteration for our kmeans() and for a naive one-dot-at-a-time Float32Array loop as a reference.
 * Run: npx tsx tests/bench/kmeans-bench.ts
 */
import { kmeans } from '../../src/core/cluster/kmeans';
import { ari } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';
import { matrix, normalizeRows } from '../../src/core/vectors';

const N = 10_000;
const D = 384;
const K = 20;

function blobData(): { m: ReturnType<typeof matrix>; labels: Int32Array } {
  const rng = makeRng(1);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const centres = new Float32Array(K * D);
  for (let i = 0; i < centres.length; i++) centres[i] = gauss();
  const m = matrix(N, D);
  const labels = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const c = Math.floor(rng() * K);
    labels[i] = c;
    for (let j = 0; j < D; j++) m.data[i * D + j] = centres[c * D + j] + 1.5 * gauss();
  }
  return { m: normalizeRows(m), labels };
}

/** Naive assignment pass (one centroid at a time), timed per call. */
function naiveAssign(x: Float32Array, cen: Float32Array, out: Int32Array): void {
  for (let i = 0; i < N; i++) {
    let best = Infinity;
    let bi = 0;
    for (let c = 0; c < K; c++) {
      let s = 0;
      for (let j = 0; j < D; j++) {
        const v = x[i * D + j] - cen[c * D + j];
        s += v * v;
      }
      if (s < best) {
        best = s;
        bi = c;
      }
    }
    out[i] = bi;
  }
}

async function main(): Promise<void> {
  const { m, labels } = blobData();
  console.log(`data: ${N} × ${D}, k = ${K}`);

  // Lloyd iterations are timed between progress callbacks (one per iteration), so the k-means++
  // initialisation is measured apart from them.
  const stamps: number[] = [];
  const t0 = performance.now();
  const r = await kmeans(m, { k: K, seed: 0, tol: 0, maxIter: 100, onProgress: () => stamps.push(performance.now()) });
  const total = (performance.now() - t0) / 1000;
  const iters = r.iterations;
  const perIter = (stamps[iters - 1] - stamps[0]) / 1000 / Math.max(1, iters - 1);
  const init = (stamps[0] - t0) / 1000 - perIter;
  console.log(`kmeans tol 0: ${total.toFixed(3)} s total, ${iters} iterations, ARI ${ari(labels, r.assignments).toFixed(4)}`);
  console.log(`kmeans: ${perIter.toFixed(4)} s per Lloyd iteration; k-means++ init ≈ ${init.toFixed(3)} s`);

  for (const nInit of [1, 4]) {
    const t3 = performance.now();
    const conv = await kmeans(m, { k: K, seed: 0, nInit });
    console.log(
      `kmeans defaults (tol 1e-4), nInit ${nInit}: ${((performance.now() - t3) / 1000).toFixed(3)} s, ${conv.iterations} iterations, ARI ${ari(labels, conv.assignments).toFixed(4)}`,
    );
  }

  const out = new Int32Array(N);
  naiveAssign(m.data, r.centroids.data, out);
  const reps = 5;
  const t4 = performance.now();
  for (let i = 0; i < reps; i++) naiveAssign(m.data, r.centroids.data, out);
  const naive = (performance.now() - t4) / 1000 / reps;
  console.log(`naive assignment pass (reference): ${naive.toFixed(4)} s per iteration → ours is ${(naive / perIter).toFixed(1)}× faster`);
}

void main();
