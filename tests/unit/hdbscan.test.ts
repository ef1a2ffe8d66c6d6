import { describe, expect, it } from 'vitest';
import { hdbscan, hdbscanLinkage } from '../../src/core/cluster/hdbscan';
import { ari } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';
import type { Matrix, Progress } from '../../src/core/types';

const line = (xs: number[]): Matrix => ({ data: Float32Array.from(xs), rows: xs.length, cols: 1 });

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Gaussian blobs (sd 1) around the given centres, rows interleaved so that ids cannot follow row order. */
function blobs(centres: number[][], perBlob: number, seed: number, sd = 1): { m: Matrix; truth: Int32Array } {
  const rng = makeRng(seed);
  const d = centres[0].length;
  const n = centres.length * perBlob;
  const data = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % centres.length;
    truth[i] = c;
    for (let t = 0; t < d; t++) data[i * d + t] = centres[c][t] + sd * gaussian(rng);
  }
  return { m: { data, rows: n, cols: d }, truth };
}

/** Appends `count` points uniform over [lo, hi]^d, labelled −1 in truth. */
function withBackground(b: { m: Matrix; truth: Int32Array }, count: number, lo: number, hi: number, seed: number): { m: Matrix; truth: Int32Array } {
  const rng = makeRng(seed);
  const d = b.m.cols;
  const data = new Float32Array((b.m.rows + count) * d);
  data.set(b.m.data);
  for (let i = b.m.rows * d; i < data.length; i++) data[i] = lo + (hi - lo) * rng();
  const truth = new Int32Array(b.m.rows + count).fill(-1);
  truth.set(b.truth);
  return { m: { data, rows: b.m.rows + count, cols: d }, truth };
}

/** Prim's on the full mutual-reachability matrix, no pruning: the reference MST weight. */
function referenceMstWeight(m: Matrix, core: Float64Array): number {
  const n = m.rows;
  const d = m.cols;
  const dist = (i: number, j: number): number => {
    let s = 0;
    for (let t = 0; t < d; t++) s += (m.data[i * d + t] - m.data[j * d + t]) ** 2;
    return Math.max(Math.sqrt(s), core[i], core[j]);
  };
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  best[0] = 0;
  let total = 0;
  for (let step = 0; step < n; step++) {
    let v = -1;
    for (let j = 0; j < n; j++) if (!inTree[j] && (v < 0 || best[j] < best[v])) v = j;
    inTree[v] = 1;
    total += best[v];
    for (let j = 0; j < n; j++) if (!inTree[j]) best[j] = Math.min(best[j], dist(v, j));
  }
  return total;
}

describe('hdbscan: a case worked by hand', () => {
  // Points 0 1 2 4 | 10 11 12 | 100 (indices 0..7), minClusterSize 3, minSamples 2 (the point and
  // its nearest neighbour): core distances 1 1 1 2 1 1 1 88. Spanning tree: 1, 1, 2 inside A, 1, 1
  // inside B, 6 from 4 to 10, 88 to the far point. Condensed: the far point leaves the root at
  // λ = 1/88; A = {0,1,2,4} and B = {10,11,12} split off at λ = 1/6; in A, 4 leaves at λ = 1/2 and
  // the rest at λ = 1; B's points at λ = 1. Stabilities: A = (1/2 − 1/6) + 3 (1 − 1/6) = 17/6,
  // B = 3 (1 − 1/6) = 5/2; both beat nothing below them, the root is not eligible.
  const m = line([0, 1, 2, 4, 10, 11, 12, 100]);

  it('finds the two groups and marks the far point as noise', async () => {
    const r = await hdbscan(m, { minClusterSize: 3, minSamples: 2 });
    expect(r.k).toBe(2);
    expect(Array.from(r.assignments)).toEqual([0, 0, 0, 0, 1, 1, 1, -1]);
    // Probability λ / (largest λ in the cluster): 4 left A at λ 1/2 of A's 1.
    expect(Array.from(r.probabilities)).toEqual([1, 1, 1, 0.5, 1, 1, 1, 0]);
    // GLOSH: 1 − λ / (largest λ below the point's cluster).
    expect(r.outlierScores[3]).toBeCloseTo(0.5, 12);
    expect(r.outlierScores[7]).toBeCloseTo(1 - 1 / 88, 6);
    expect(r.outlierScores[0]).toBe(0);
    // Persistence = stability / (size · largest λ of the tree = 1).
    expect(r.persistence[0]).toBeCloseTo(17 / 6 / 4, 12);
    expect(r.persistence[1]).toBeCloseTo(5 / 2 / 3, 12);
  });

  it('builds the expected condensed tree and core distances', async () => {
    const sl = await hdbscanLinkage(m, { minSamples: 2 });
    expect(Array.from(sl.coreDistances)).toEqual([1, 1, 1, 2, 1, 1, 1, 88]);
    expect(Array.from(sl.distance)).toEqual([1, 1, 1, 1, 2, 6, 88]);
    // Equal weights merge in spanning-tree order: 0–1, 1–2, then 10–11, 11–12.
    expect(Array.from(sl.size)).toEqual([2, 3, 2, 3, 4, 7, 8]);
    const r = await hdbscan(m, { minClusterSize: 3, minSamples: 2 });
    const t = r.condensed;
    expect(t.clusters).toBe(3);
    const rows = Array.from(t.parent, (p, i) => [p, t.child[i], t.lambda[i], t.childSize[i]]);
    rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(rows).toEqual([
      [8, 7, 1 / 88, 1],
      [8, 9, 1 / 6, 4],
      [8, 10, 1 / 6, 3],
      [9, 0, 1, 1],
      [9, 1, 1, 1],
      [9, 2, 1, 1],
      [9, 3, 0.5, 1],
      [10, 4, 1, 1],
      [10, 5, 1, 1],
      [10, 6, 1, 1],
    ]);
  });

  it('counts the point itself in minSamples, as the reference library does', async () => {
    // minSamples 3 → the second-nearest other point: 0 → 2, 1 → 1, 2 → 2 (to 0 and 4), 4 → 3.
    const sl = await hdbscanLinkage(m, { minSamples: 3 });
    expect(Array.from(sl.coreDistances.subarray(0, 4))).toEqual([2, 1, 2, 3]);
    // The default is minClusterSize.
    const r = await hdbscan(m, { minClusterSize: 3 });
    expect(r.minSamples).toBe(3);
  });
});

describe('hdbscan on blobs', () => {
  const corners = [
    [0, 0],
    [40, 0],
    [0, 40],
    [40, 40],
  ];

  it('recovers separated Gaussian blobs exactly', async () => {
    const { m, truth } = blobs(corners, 60, 1);
    const r = await hdbscan(m, { minClusterSize: 10 });
    expect(r.k).toBe(4);
    const clustered: number[] = [];
    const truthOf: number[] = [];
    r.assignments.forEach((a, i) => {
      if (a >= 0) {
        clustered.push(a);
        truthOf.push(truth[i]);
      }
    });
    expect(ari(truthOf, clustered)).toBe(1);
    // Only a few fringe points may be noise; counting noise as a cluster ARI stays ≈ 1.
    expect(clustered.length).toBeGreaterThanOrEqual(230);
    expect(ari(truth, r.assignments)).toBeGreaterThan(0.97);
    for (const p of r.probabilities) expect(p >= 0 && p <= 1).toBe(true);
  });

  it('recovers blobs in 5-D with the cosine metric too', async () => {
    const centres = Array.from({ length: 5 }, (_, c) => Array.from({ length: 5 }, (_, t) => (t === c ? 30 : 0)));
    const { m, truth } = blobs(centres, 50, 2);
    const r = await hdbscan(m, { minClusterSize: 10, metric: 'cosine' });
    expect(r.k).toBe(5);
    const keep = Array.from(r.assignments.keys()).filter((i) => r.assignments[i] >= 0);
    expect(ari(keep.map((i) => truth[i]), keep.map((i) => r.assignments[i]))).toBe(1);
  });

  it('leaves a uniform background as noise', async () => {
    const b = withBackground(blobs(corners.slice(0, 3), 100, 3), 120, -40, 80, 4);
    const r = await hdbscan(b.m, { minClusterSize: 15 });
    expect(r.k).toBe(3);
    let bgNoise = 0;
    let blobNoise = 0;
    let bgScore = 0;
    let blobScore = 0;
    for (let i = 0; i < b.m.rows; i++) {
      const isBg = b.truth[i] < 0;
      if (r.assignments[i] < 0) isBg ? bgNoise++ : blobNoise++;
      if (isBg) bgScore += r.outlierScores[i] / 120;
      else blobScore += r.outlierScores[i] / 300;
      if (r.assignments[i] < 0) expect(r.probabilities[i]).toBe(0);
    }
    // Background points that happen to land inside a blob may join it; the rest are noise.
    expect(bgNoise).toBeGreaterThanOrEqual(100);
    expect(blobNoise).toBeLessThanOrEqual(15);
    expect(bgScore).toBeGreaterThan(blobScore + 0.3);
  });

  it('builds a minimum spanning tree as heavy as the unpruned reference', async () => {
    const { m } = blobs(corners, 25, 5, 6);
    const sl = await hdbscanLinkage(m, { minSamples: 4 });
    const total = sl.distance.reduce((s, w) => s + w, 0);
    expect(total).toBeCloseTo(referenceMstWeight(m, sl.coreDistances), 6);
    for (let i = 1; i < sl.distance.length; i++) expect(sl.distance[i]).toBeGreaterThanOrEqual(sl.distance[i - 1]);
    expect(sl.size[sl.size.length - 1]).toBe(100);
  });
});

describe('hdbscan selection', () => {
  // A = 0.0 … 0.9 and A' = 1.02 … 1.92 (spacing 0.1, gap 0.12), B = 10.0 … 10.9. With minSamples 2
  // every core distance is 0.1. A ∪ A' is born at λ = 1/9.1 and splits at λ = 1/0.12; its halves
  // live only from λ 8.33 to 10 (stability 10 · 1.67 each = 33) while the pair lived from 0.11 to
  // 8.33 (20 · 8.2 = 164): excess of mass keeps the pair, leaf selection takes the halves.
  const A = Array.from({ length: 10 }, (_, i) => i * 0.1);
  const A2 = Array.from({ length: 10 }, (_, i) => 1.02 + i * 0.1);
  const B = Array.from({ length: 10 }, (_, i) => 10 + i * 0.1);
  const m = line([...A, ...A2, ...B]);

  it("'eom' keeps the long-lived parent, 'leaf' the finest clusters", async () => {
    const eom = await hdbscan(m, { minClusterSize: 5, minSamples: 2 });
    expect(eom.k).toBe(2);
    expect(new Set(eom.assignments.subarray(0, 20)).size).toBe(1);
    const leaf = await hdbscan(m, { minClusterSize: 5, minSamples: 2, clusterSelectionMethod: 'leaf' });
    expect(leaf.k).toBe(3);
    const groups = [leaf.assignments.subarray(0, 10), leaf.assignments.subarray(10, 20), leaf.assignments.subarray(20)];
    for (const g of groups) expect(new Set(g).size).toBe(1);
    expect(new Set(groups.map((g) => g[0])).size).toBe(3);
  });

  it('marks everything noise when minClusterSize exceeds the number of points', async () => {
    const r = await hdbscan(m, { minClusterSize: 31 });
    expect(r.k).toBe(0);
    expect(r.assignments.every((a) => a === -1)).toBe(true);
    expect(r.probabilities.every((p) => p === 0)).toBe(true);
  });

  it('gives one cluster only when allowed', async () => {
    // One even run of 12 points and 3 stragglers: nothing splits into two groups of 5. (Whole
    // numbers, so the run's points leave at exactly the same λ.)
    const xs = [...Array.from({ length: 12 }, (_, i) => i), 30, 45, 60];
    const no = await hdbscan(line(xs), { minClusterSize: 5, minSamples: 2 });
    expect(no.k).toBe(0);
    const yes = await hdbscan(line(xs), { minClusterSize: 5, minSamples: 2, allowSingleCluster: true });
    expect(yes.k).toBe(1);
    // The stragglers leave the root before the run does, so they stay noise (the library's rule).
    expect(Array.from(yes.assignments.subarray(12))).toEqual([-1, -1, -1]);
    expect(yes.assignments.subarray(0, 12).every((a) => a === 0)).toBe(true);
  });
});

describe('hdbscan edge cases', () => {
  it('never splits identical points', async () => {
    const same = line(new Array(30).fill(3));
    const r = await hdbscan(same, { minClusterSize: 5 });
    expect(r.k).toBe(0);
    const one = await hdbscan(same, { minClusterSize: 5, allowSingleCluster: true });
    expect(one.k).toBe(1);
    expect(one.assignments.every((a) => a === 0)).toBe(true);
    expect(one.probabilities.every((p) => p === 1)).toBe(true);
  });

  it('separates two blocks of identical points', async () => {
    const r = await hdbscan(line([...new Array(20).fill(3), ...new Array(20).fill(-2)]), { minClusterSize: 5 });
    expect(r.k).toBe(2);
    expect(new Set(r.assignments.subarray(0, 20)).size).toBe(1);
    expect(new Set(r.assignments.subarray(20)).size).toBe(1);
    expect(r.assignments[0]).not.toBe(r.assignments[20]);
    expect(r.probabilities.every((p) => p === 1)).toBe(true);
  });

  it('handles a single point and rejects bad input', async () => {
    const r = await hdbscan(line([1]), { minClusterSize: 2 });
    expect(Array.from(r.assignments)).toEqual([-1]);
    await expect(hdbscan(line([]), {})).rejects.toThrow(/no texts/);
    await expect(hdbscan(line([1, 2, 3]), { minClusterSize: 1 })).rejects.toThrow(RangeError);
    await expect(hdbscan(line([1, 2, 3]), { minSamples: 0 })).rejects.toThrow(RangeError);
    await expect(hdbscan(line([1, NaN, 3]), {})).rejects.toThrow(/finite/);
  });

  it('is deterministic', async () => {
    const { m } = blobs([[0, 0], [20, 0]], 40, 7);
    const a = await hdbscan(m, { minClusterSize: 8 });
    const b = await hdbscan(m, { minClusterSize: 8 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(Array.from(a.probabilities)).toEqual(Array.from(b.probabilities));
  });

  it('honours an abort, before and during the run', async () => {
    const { m } = blobs([[0, 0], [50, 50]], 2500, 8);
    const pre = new AbortController();
    pre.abort(new Error('stop now'));
    await expect(hdbscan(m, { signal: pre.signal })).rejects.toThrow('stop now');
    const mid = new AbortController();
    const events: Progress[] = [];
    const run = hdbscan(m, {
      minClusterSize: 20,
      signal: mid.signal,
      onProgress: (p) => {
        events.push(p);
        mid.abort(new Error('stopped midway'));
      },
    });
    await expect(run).rejects.toThrow('stopped midway');
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].stage).toBe('cluster');
  });
});
