/**
 * HDBSCAN speed on Gaussian blobs: 2k, 5k, 10k and 20k points in 2-D and 5-D (the sizes DESIGN §7
 * measured hdbscan-ts at: 4.9 s on 2k 2-D, 62 s on 5k, 10k never finished). Prints seconds for the
 * core distances, the spanning tree and the whole run, with the clusters, noise share and ARI
 * found, then one min-cluster-size sweep (spanning tree shared across sizes). Figures, no asserts.
 * Run: npx tsx tests/bench/hdbscan-bench.ts   (BENCH_SIZES=2000,5000 to pick sizes)
 */
import { hdbscan } from '../../src/core/cluster/hdbscan';
import { sweepMinClusterSize } from '../../src/core/cluster/sweep';
import { ari } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';
import type { Matrix } from '../../src/core/types';

const SIZES = (process.env.BENCH_SIZES ?? '2000,5000,10000,20000').split(',').map(Number);
const DIMS = [2, 5];
const K = 10;
const MIN_CLUSTER_SIZE = 15;

/** K blobs (sd 1) with centres uniform in a cube of side 60, plus 5 % uniform background. */
function blobData(n: number, d: number, seed: number): { m: Matrix; truth: Int32Array } {
  const rng = makeRng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: K }, () => Array.from({ length: d }, () => 60 * rng()));
  const data = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const background = i % 20 === 19;
    const c = i % K;
    truth[i] = background ? -1 : c;
    for (let t = 0; t < d; t++) data[i * d + t] = background ? -10 + 80 * rng() : centres[c][t] + gauss();
  }
  return { m: { data, rows: n, cols: d }, truth };
}

async function main(): Promise<void> {
  console.log(`HDBSCAN (minClusterSize ${MIN_CLUSTER_SIZE}, minSamples = minClusterSize), ${K} blobs + 5 % background`);
  console.log('| n | dims | core s | tree s | total s | clusters | noise | ARI |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const n of SIZES) {
    for (const d of DIMS) {
      const { m, truth } = blobData(n, d, n + d);
      const marks: Record<string, number> = {};
      const t0 = performance.now();
      const r = await hdbscan(m, {
        minClusterSize: MIN_CLUSTER_SIZE,
        onProgress: (p) => {
          if (p.message && !(p.message in marks)) marks[p.message] = performance.now();
        },
      });
      const t1 = performance.now();
      const treeStart = marks['HDBSCAN: spanning tree'];
      const core = treeStart !== undefined ? (treeStart - t0) / 1000 : NaN;
      const tree = treeStart !== undefined ? (t1 - treeStart) / 1000 : NaN;
      const noise = r.assignments.filter((a) => a < 0).length / n;
      console.log(
        `| ${n} | ${d} | ${core.toFixed(2)} | ${tree.toFixed(2)} | ${((t1 - t0) / 1000).toFixed(2)} | ${r.k} | ${(100 * noise).toFixed(1)} % | ${ari(truth, r.assignments).toFixed(3)} |`,
      );
    }
  }

  const n = Math.min(5000, Math.max(...SIZES));
  const { m } = blobData(n, 5, 99);
  const t0 = performance.now();
  const s = await sweepMinClusterSize(m, { hdbscan: { minSamples: 10 }, seed: 1 });
  const secs = (performance.now() - t0) / 1000;
  console.log(`\nmin-cluster-size sweep on ${n} × 5 (minSamples 10, one spanning tree): ${secs.toFixed(2)} s, best ${s.best}`);
  for (const p of s.curve) {
    console.log(`  size ${p.param}: ${p.clusters} clusters, noise ${(100 * p.noiseRatio).toFixed(1)} %, score ${p.score.toFixed(3)} (${(p.seconds + p.scoreSeconds).toFixed(2)} s)`);
  }
}

void main();
