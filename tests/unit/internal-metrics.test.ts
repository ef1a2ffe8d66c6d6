import { describe, expect, it } from 'vitest';
import {
  calinskiHarabasz,
  daviesBouldin,
  internalMetrics,
  noiseRatio,
  silhouette,
  silhouetteSamples,
} from '../../src/core/metrics/internal';
import { makeRng } from '../../src/core/random';
import type { Matrix } from '../../src/core/types';

function mat(rows: number[][]): Matrix {
  const cols = rows[0].length;
  return { data: Float32Array.from(rows.flat()), rows: rows.length, cols };
}
const line = (xs: number[]): Matrix => mat(xs.map((x) => [x]));
const ints = (a: number[]): Int32Array => Int32Array.from(a);

/** Definition-level silhouette per row in float64 (NaN for noise), to check the blocked kernel. */
function naiveSilhouettes(m: Matrix, a: Int32Array, metric: 'euclidean' | 'cosine'): number[] {
  const rows = Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  const dist = (i: number, j: number): number => {
    if (i === j) return 0;
    const x = rows[i];
    const y = rows[j];
    if (metric === 'euclidean') return Math.sqrt(x.reduce((s, v, t) => s + (v - y[t]) ** 2, 0));
    const nx = Math.hypot(...x);
    const ny = Math.hypot(...y);
    const cos = nx && ny ? x.reduce((s, v, t) => s + v * y[t], 0) / (nx * ny) : 0;
    return Math.min(2, Math.max(0, 1 - cos));
  };
  const members = new Map<number, number[]>();
  a.forEach((c, i) => {
    if (c >= 0) members.set(c, [...(members.get(c) ?? []), i]);
  });
  return Array.from(a, (ci, i) => {
    if (ci < 0) return NaN;
    const own = members.get(ci) ?? [];
    if (own.length === 1) return 0;
    const aa = own.reduce((s, j) => s + dist(i, j), 0) / (own.length - 1);
    let b = Infinity;
    for (const [c, ms] of members) {
      if (c !== ci) b = Math.min(b, ms.reduce((s, j) => s + dist(i, j), 0) / ms.length);
    }
    const den = Math.max(aa, b);
    return den > 0 ? (b - aa) / den : 0;
  });
}

function blobs(n: number, d: number, k: number, spread: number, seed: number) {
  const rng = makeRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const centers = Array.from({ length: k }, () => Array.from({ length: d }, () => 4 * gauss()));
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    rows.push(centers[c].map((v) => v + spread * gauss()));
    labels.push(c);
  }
  return { m: mat(rows), a: ints(labels) };
}

describe('silhouette', () => {
  // 1-D: A = {0, 2}, B = {6, 8, 10}.
  //   x=0:  a = 2,            b = (6+8+10)/3 = 8, s = 6/8  = 0.75
  //   x=2:  a = 2,            b = (4+6+8)/3  = 6, s = 4/6  = 2/3
  //   x=6:  a = (2+4)/2 = 3,  b = (6+4)/2    = 5, s = 2/5  = 0.4
  //   x=8:  a = (2+2)/2 = 2,  b = (8+6)/2    = 7, s = 5/7
  //   x=10: a = (4+2)/2 = 3,  b = (10+8)/2   = 9, s = 6/9  = 2/3
  //   mean = (0.75 + 2/3 + 0.4 + 5/7 + 2/3) / 5 = 0.6395238…
  const expected = [0.75, 2 / 3, 0.4, 5 / 7, 2 / 3];
  const m = line([0, 2, 6, 8, 10]);
  const a = ints([0, 0, 1, 1, 1]);

  it('matches a hand-computed 1-D example, row by row and on average', () => {
    const r = silhouette(m, a);
    expect(r.value).toBeCloseTo(0.6395238095, 9);
    expect(r).toMatchObject({ sampled: false, sampleSize: 5 });
    Array.from(silhouetteSamples(m, a)).forEach((s, i) => expect(s).toBeCloseTo(expected[i], 9));
  });

  it('ignores noise rows and does not care how clusters are numbered', () => {
    const withNoise = line([0, 2, 100, 6, 8, 10]);
    const r = silhouette(withNoise, ints([7, 7, -1, 3, 3, 3]));
    expect(r.value).toBeCloseTo(0.6395238095, 9);
    expect(r.sampleSize).toBe(5);
    expect(Number.isNaN(silhouetteSamples(withNoise, ints([7, 7, -1, 3, 3, 3]))[2])).toBe(true);
  });

  it('gives a one-member cluster s = 0 and uses the nearest other cluster for b', () => {
    // A = {0, 1}, B = {5}, C = {9, 10}.
    //   x=0: a = 1, b = min(5, 9.5) = 5, s = 0.8;   x=1:  a = 1, b = min(4, 8.5) = 4, s = 0.75
    //   x=5: singleton, s = 0
    //   x=9: a = 1, b = min(4, 8.5) = 4, s = 0.75;  x=10: a = 1, b = min(5, 9.5) = 5, s = 0.8
    //   mean = 3.1 / 5 = 0.62
    const r = silhouette(line([0, 1, 5, 9, 10]), ints([0, 0, 1, 2, 2]));
    expect(r.value).toBeCloseTo(0.62, 9);
  });

  it('uses 1 − cosine similarity for the cosine metric (row scale does not matter)', () => {
    // Unit vectors A0=(1,0), A1=(.8,.6), B0=(0,1), B1=(-.6,.8); A0 scaled by 3.
    // Distances: A0A1 .2, A0B0 1, A0B1 1.6, A1B0 .4, A1B1 1, B0B1 .2.
    //   A0: a=.2, b=(1+1.6)/2=1.3 → 11/13;  A1: a=.2, b=(.4+1)/2=.7 → 5/7
    //   B0: a=.2, b=(1+.4)/2=.7 → 5/7;      B1: a=.2, b=(1.6+1)/2=1.3 → 11/13
    //   mean = (11/13 + 5/7) / 2 = 0.7802198
    const r = silhouette(
      mat([
        [3, 0],
        [0.8, 0.6],
        [0, 1],
        [-0.6, 0.8],
      ]),
      ints([0, 0, 1, 1]),
      { metric: 'cosine' },
    );
    expect(r.value).toBeCloseTo(0.7802198, 6);
  });

  it('is NaN with a reason for fewer than 2 clusters or as many clusters as rows (scikit-learn raises)', () => {
    const one = silhouette(line([0, 1, 2]), ints([0, 0, 0]));
    expect(one.value).toBeNaN();
    expect(one.reason).toMatch(/at least 2 clusters/);
    const allNoiseButOne = silhouette(line([0, 1, 2]), ints([-1, 0, -1]));
    expect(allNoiseButOne.value).toBeNaN();
    const singletons = silhouette(line([0, 1, 2]), ints([0, 1, 2]));
    expect(singletons.value).toBeNaN();
    expect(singletons.reason).toMatch(/fewer clusters/);
  });

  it('treats identical points as scikit-learn does: a = b = 0 gives 0, a = 0 < b gives 1', () => {
    expect(silhouette(line([3, 3, 3, 3]), ints([0, 0, 1, 1])).value).toBe(0);
    // Copies of two random 384-d vectors: own-cluster distances must come out exactly 0.
    const rng = makeRng(5);
    const u = Array.from({ length: 384 }, () => rng() - 0.5);
    const v = Array.from({ length: 384 }, () => rng() - 0.5);
    const copies = mat([u, u, u, v, v, v]);
    expect(silhouette(copies, ints([0, 0, 0, 1, 1, 1])).value).toBeCloseTo(1, 12);
    expect(silhouette(copies, ints([0, 0, 0, 1, 1, 1]), { metric: 'cosine' }).value).toBeCloseTo(1, 6);
  });

  it('agrees with a definition-level implementation across chunk boundaries, with noise', () => {
    // 1100 rows > the kernel's 1024-column chunk, not a multiple of its 3-row groups.
    const rng = makeRng(11);
    const n = 1100;
    const rows = Array.from({ length: n }, () => Array.from({ length: 7 }, () => rng() * 2 - 1));
    const a = ints(rows.map((r) => (rng() < 0.05 ? -1 : r[0] > 0.3 ? 2 : r[1] > 0 ? 0 : 5)));
    const m = mat(rows);
    for (const metric of ['euclidean', 'cosine'] as const) {
      const ref = naiveSilhouettes(m, a, metric);
      const got = silhouetteSamples(m, a, { metric });
      let worst = 0;
      ref.forEach((s, i) => {
        if (Number.isNaN(s)) expect(got[i]).toBeNaN();
        else worst = Math.max(worst, Math.abs(s - got[i]));
      });
      expect(worst).toBeLessThan(1e-5);
      const clustered = ref.filter((s) => !Number.isNaN(s));
      const mean = clustered.reduce((x, y) => x + y, 0) / clustered.length;
      expect(silhouette(m, a, { metric }).value).toBeCloseTo(mean, 5);
    }
  });

  it('agrees with the definition when n·k is too large for the symmetric pass', () => {
    // 3000 rows in 2900 clusters: 8.7M sums > the 2^23 limit, so rows are swept in groups.
    const rng = makeRng(4);
    const m = mat(Array.from({ length: 3000 }, () => [rng(), rng()]));
    const a = ints(Array.from({ length: 3000 }, (_, i) => i % 2900));
    const ref = naiveSilhouettes(m, a, 'euclidean');
    const got = silhouetteSamples(m, a);
    expect(Math.max(...ref.map((s, i) => Math.abs(s - got[i])))).toBeLessThan(1e-5);
    expect(ref.filter((s) => s !== 0).length).toBeGreaterThan(150); // the 2-member clusters count
  });

  it('sampled rows are scored against all rows: leaving one row out drops exactly one row silhouette', () => {
    const { m, a } = blobs(200, 5, 3, 2, 3);
    const ref = naiveSilhouettes(m, a, 'euclidean');
    const total = ref.reduce((x, y) => x + y, 0);
    const r = silhouette(m, a, { maxExact: 10, sampleSize: 199, seed: 9 });
    expect(r).toMatchObject({ sampled: true, sampleSize: 199 });
    const omitted = total - r.value * 199;
    expect(Math.min(...ref.map((s) => Math.abs(s - omitted)))).toBeLessThan(1e-6);
  });

  it('a seeded sample is reproducible and close to the exact value on blobs', () => {
    const { m, a } = blobs(1500, 16, 4, 3, 7);
    const exact = silhouette(m, a);
    expect(exact.sampled).toBe(false);
    const s1 = silhouette(m, a, { maxExact: 1000, sampleSize: 400, seed: 1 });
    const s2 = silhouette(m, a, { maxExact: 1000, sampleSize: 400, seed: 1 });
    const s3 = silhouette(m, a, { maxExact: 1000, sampleSize: 400, seed: 2 });
    expect(s1).toMatchObject({ sampled: true, sampleSize: 400 });
    expect(s2.value).toBe(s1.value);
    expect(s3.value).not.toBe(s1.value);
    expect(Math.abs(s1.value - exact.value)).toBeLessThan(0.03);
    expect(Math.abs(s3.value - exact.value)).toBeLessThan(0.03);
  });
});

describe('Davies–Bouldin and Calinski–Harabasz', () => {
  // A = {(0,0),(2,0)}  centroid (1,0),  S_A = 1
  // B = {(7,3),(7,5)}  centroid (7,4),  S_B = 1
  // C = {(1,8),(1,12)} centroid (1,10), S_C = 2
  // Centroid distances: AB = √52, AC = 10, BC = √72.
  // R_AB = 2/√52 = .2774, R_AC = 3/10 = .3, R_BC = 3/√72 = .3536
  // DB = (max(.2774,.3) + max(.2774,.3536) + max(.3,.3536)) / 3 = (.3 + 2·3/√72) / 3 = 0.3357023
  //
  // Overall mean (3, 14/3). Between = 2·(4 + 196/9) + 2·(16 + 4/9) + 2·(4 + 256/9) = 1344/9.
  // Within = (1+1) + (1+1) + (4+4) = 12.  CH = (1344/9 / 2) / (12 / 3) = 56/3.
  const pts = [
    [0, 0],
    [2, 0],
    [7, 3],
    [7, 5],
    [1, 8],
    [1, 12],
  ];
  const a = ints([0, 0, 1, 1, 2, 2]);

  it('match the hand-computed 2-D example', () => {
    expect(daviesBouldin(mat(pts), a)).toBeCloseTo(0.1 + 2 / Math.sqrt(72), 9);
    expect(calinskiHarabasz(mat(pts), a)).toBeCloseTo(56 / 3, 9);
  });

  it('leave noise rows out', () => {
    const withNoise = mat([...pts, [50, -50]]);
    const an = ints([0, 0, 1, 1, 2, 2, -1]);
    expect(daviesBouldin(withNoise, an)).toBeCloseTo(0.1 + 2 / Math.sqrt(72), 9);
    expect(calinskiHarabasz(withNoise, an)).toBeCloseTo(56 / 3, 9);
  });

  it('DB with a singleton: X = [[0,1],[1,1],[3,4]], labels [0,0,1]', () => {
    // S = (0.5, 0), centroid distance |(2.5, 3)| = √15.25, both ratios 0.5/√15.25 = 0.128037.
    expect(daviesBouldin(mat([[0, 1], [1, 1], [3, 4]]), ints([0, 0, 1]))).toBeCloseTo(0.5 / Math.sqrt(15.25), 9);
  });

  it('follow scikit-learn at the edges', () => {
    // Each cluster one repeated point: all S are 0 → DB = 0; within dispersion 0 → CH = 1.
    const twoPoints = mat([
      [0, 0],
      [0, 0],
      [5, 5],
      [5, 5],
    ]);
    expect(daviesBouldin(twoPoints, ints([0, 0, 1, 1]))).toBe(0);
    expect(calinskiHarabasz(twoPoints, ints([0, 0, 1, 1]))).toBe(1);
    expect(daviesBouldin(mat(pts), ints([0, 0, 0, 0, 0, 0]))).toBeNaN();
    expect(calinskiHarabasz(mat(pts), ints([0, 0, 0, 0, 0, 0]))).toBeNaN();
  });
});

describe('noiseRatio and internalMetrics', () => {
  it('counts negative assignments', () => {
    expect(noiseRatio(ints([0, -1, 1, -1]))).toBe(0.5);
    expect(noiseRatio(ints([0, 1]))).toBe(0);
    expect(noiseRatio(new Int32Array(0))).toBe(0);
  });

  it('gathers every metric', () => {
    const m = line([0, 2, 6, 8, 10, 100]);
    const r = internalMetrics(m, ints([0, 0, 1, 1, 1, -1]));
    expect(r.silhouette.value).toBeCloseTo(0.6395238095, 9);
    expect(r.noiseRatio).toBeCloseTo(1 / 6, 12);
    expect(r.clusters).toBe(2);
    expect(r.clustered).toBe(5);
    // 1-D: centroids 1 and 8, S = (1, 4/3), DB = (1 + 4/3) / 7 for both clusters.
    expect(r.daviesBouldin).toBeCloseTo(7 / 3 / 7, 9);
    // Mean 5.2; between = 2·4.2² + 3·2.8² = 58.8; within = 2 + 8 = 10; CH = 58.8 / (10/3) = 17.64.
    expect(r.calinskiHarabasz).toBeCloseTo(17.64, 9);
  });

  it('rejects assignments of the wrong length', () => {
    expect(() => silhouette(line([0, 1, 2]), ints([0, 1]))).toThrow(RangeError);
  });
});
