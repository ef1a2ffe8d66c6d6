import { describe, expect, it } from 'vitest';
import {
  agreement,
  clusterPurity,
  compareRuns,
  confusion,
  labelSpread,
  matchClusters,
  metricRows,
  sameTexts,
} from '../../src/core/compare';
import { clusteringAccuracy } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';
import type { EmbedderInfo, RunRecord } from '../../src/core/types';

const GLOVE: EmbedderInfo = { id: 'glove-sif', model: 'glove-6B-100d', dtype: 'fp32', device: 'cpu', dims: 100 };

function run(over: Partial<RunRecord> & Pick<RunRecord, 'texts' | 'assignments'>): RunRecord {
  const n = over.texts.length;
  return {
    schema: 1,
    id: 'r',
    name: 'run',
    createdAt: 0,
    datasetName: 'd',
    stats: { rows: n, empty: 0, duplicates: 0, kept: n },
    config: { method: 'kmeans', k: 2, seed: 1, embedder: GLOVE },
    coords: new Float32Array(2 * n),
    clusters: [],
    embedStats: { cached: 0, embedded: n, device: 'cpu' },
    timings: {},
    ...over,
  };
}

describe('confusion', () => {
  it('puts the Hungarian matching on the diagonal, labels alphabetical', () => {
    // Cluster 5: b b c · cluster 0: b a a · cluster 2: c c c. Best matching 0→a, 5→b, 2→c (7 texts).
    const labels = ['b', 'b', 'b', 'a', 'a', 'c', 'c', 'c', 'c'];
    const pred = [5, 5, 0, 0, 0, 2, 2, 2, 5];
    const t = confusion(labels, pred);
    expect(t.cols).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([0, 5, 2]);
    expect(t.counts).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [0, 0, 3],
    ]);
    expect(t.matched).toEqual([0, 1, 2]);
    expect(t.rowTotals).toEqual([3, 3, 3]);
    expect(t.colTotals).toEqual([2, 3, 4]);
    expect(t.hits).toBe(7);
    expect(t.n).toBe(9);

    const p = clusterPurity(t);
    expect(p.map((x) => [x.cluster, x.majority, x.majorityCount, x.matched, x.matchedCount])).toEqual([
      [0, 0, 2, 0, 2],
      [5, 1, 2, 1, 2],
      [2, 2, 3, 2, 3],
    ]);
    expect(p[0].purity).toBeCloseTo(2 / 3, 12);
    expect(p[2].purity).toBe(1);

    const s = labelSpread(t);
    expect(s.map((x) => [x.label, x.size, x.clusters])).toEqual([
      ['a', 2, [{ cluster: 0, count: 2 }]],
      ['b', 3, [{ cluster: 5, count: 2 }, { cluster: 0, count: 1 }]],
      ['c', 4, [{ cluster: 2, count: 3 }, { cluster: 5, count: 1 }]],
    ]);
    expect(s[2].topShare).toBe(0.75);
  });

  it('tells the majority label apart from the matched one', () => {
    // Cluster 0 holds x x x, cluster 1 holds x x y: both are mostly x, but only one can be matched to x.
    const t = confusion(['x', 'x', 'x', 'x', 'x', 'y'], [0, 0, 0, 1, 1, 1]);
    const p = clusterPurity(t);
    const c1 = p.find((x) => x.cluster === 1)!;
    expect(t.cols[c1.majority]).toBe('x');
    expect(t.cols[c1.matched]).toBe('y');
    expect(c1.matchedCount).toBe(1);
    expect(c1.purity).toBeCloseTo(2 / 3, 12);
    expect(t.hits).toBe(4);
  });

  it('puts extra clusters below the diagonal and noise last', () => {
    // Clusters 1 (a a a) and 2 (b b b) are matched; 0 (a a) is extra; −1 is noise.
    const labels = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];
    const pred = [0, 0, 1, 1, 1, 2, 2, 2, -1];
    const t = confusion(labels, pred);
    expect(t.cols).toEqual(['a', 'b']);
    expect(t.rows).toEqual([1, 2, 0, -1]);
    expect(t.matched).toEqual([0, 1, -1, -1]);
    expect(t.counts[3]).toEqual([0, 1]);
    expect(t.hits).toBe(6);
  });

  it('puts unmatched labels after the matched ones, numeric labels in numeric order', () => {
    const t = confusion(['10', '10', '9', '2', '2'], [0, 0, 0, 1, 1]);
    // 0→"10" (2 texts), 1→"2" (2 texts); "9" is left over.
    expect(t.cols).toEqual(['2', '10', '9']);
    expect(t.rows).toEqual([1, 0]);
    expect(t.matched).toEqual([0, 1]);
  });

  it('matched cells add up to clustering accuracy on random labellings', () => {
    const rng = makeRng(11);
    for (let trial = 0; trial < 20; trial++) {
      const n = 60;
      const kl = 2 + Math.floor(rng() * 6);
      const kc = 2 + Math.floor(rng() * 6);
      const labels = Array.from({ length: n }, () => `L${Math.floor(rng() * kl)}`);
      const pred = Array.from({ length: n }, () => Math.floor(rng() * kc));
      const t = confusion(labels, pred);
      expect(t.hits / t.n).toBeCloseTo(clusteringAccuracy(labels, pred), 12);
      const m = Math.min(new Set(labels).size, new Set(pred).size);
      expect(t.matched.slice(0, m)).toEqual(Array.from({ length: m }, (_, i) => i));
      expect(t.rowTotals.reduce((s, x) => s + x, 0)).toBe(n);
    }
  });
});

describe('sameTexts', () => {
  it('accepts identical lists', () => {
    expect(sameTexts(['a', 'b'], ['a', 'b'])).toEqual({ same: true });
  });
  it('says when the counts differ', () => {
    const r = sameTexts(['a', 'b', 'c'], ['a', 'b']);
    expect(r.same).toBe(false);
    if (!r.same) expect(r.reason).toBe('Run A has 3 texts and run B has 2 texts.');
  });
  it('tells a reordering apart from different texts', () => {
    const p = sameTexts(['a', 'b', 'c'], ['a', 'c', 'b']);
    expect(p.same).toBe(false);
    if (!p.same) expect(p.reason).toBe('The runs hold the same texts in a different order (2 positions differ, the first at text 2).');
    const d = sameTexts(['a', 'b', 'c'], ['a', 'b', 'x']);
    if (!d.same) expect(d.reason).toBe('The runs hold different texts (1 position differ, the first at text 3).');
    else throw new Error('should differ');
  });
});

describe('agreement', () => {
  it('is perfect for the same partition under other ids', () => {
    const a = agreement([0, 0, 1, 1, 2, 2], [7, 7, 3, 3, 9, 9]);
    expect(a.ari).toBe(1);
    expect(a.nmi).toBeCloseTo(1, 12);
  });
  it('matches scikit-learn on its documented example', () => {
    // sklearn docs: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) ≈ 0.57;
    // normalized_mutual_info_score of the same pair = 2·ln2 / (ln2 + 1.5·ln2) = 0.8.
    const a = agreement([0, 0, 1, 1], [0, 0, 1, 2]);
    expect(a.ari).toBeCloseTo(4 / 7, 12);
    expect(a.nmi).toBeCloseTo(0.8, 12);
  });
});

describe('matchClusters', () => {
  it('matches by overlap and reports Jaccard', () => {
    // A0 = {0,1,2}, A1 = {3,4}, A2 = {5,6,7}; B7 = {0,1}, B3 = {2,3,4}, B9 = {5,6,7}.
    const m = matchClusters([0, 0, 0, 1, 1, 2, 2, 2], [7, 7, 3, 3, 3, 9, 9, 9]);
    expect(m.pairs).toEqual([
      { a: 2, b: 9, overlap: 3, sizeA: 3, sizeB: 3, jaccard: 1 },
      { a: 0, b: 7, overlap: 2, sizeA: 3, sizeB: 2, jaccard: 2 / 3 },
      { a: 1, b: 3, overlap: 2, sizeA: 2, sizeB: 3, jaccard: 2 / 3 },
    ]);
    expect(m.unmatchedA).toEqual([]);
    expect(m.unmatchedB).toEqual([]);
  });

  it('maximises total overlap rather than greedily taking the biggest cell', () => {
    // A0 = 5 texts (3 in B0, 2 in B1), A1 = 2 texts (both in B0). Greedy takes A0–B0 (3) and is
    // left with A1–B1 (0): 3 in all. The optimum pairs A0–B1 and A1–B0: 2 + 2 = 4.
    const m = matchClusters([0, 0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 0, 0]);
    expect(m.pairs).toEqual([
      { a: 0, b: 1, overlap: 2, sizeA: 5, sizeB: 2, jaccard: 2 / 5 },
      { a: 1, b: 0, overlap: 2, sizeA: 2, sizeB: 5, jaccard: 2 / 5 },
    ]);
  });

  it('leaves extra clusters and zero-overlap pairs unmatched, ignores noise', () => {
    const m = matchClusters([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1]);
    expect(m.pairs.map((p) => [p.a, p.b, p.overlap])).toEqual([
      [0, 0, 2],
      [2, 1, 2],
    ]);
    expect(m.unmatchedA).toEqual([{ id: 1, size: 2 }]);
    // A1 only meets B's noise and B6 only A's noise: the forced pair A1–B6 has no overlap.
    const z = matchClusters([0, 0, 1, -1], [5, 5, -1, 6]);
    expect(z.pairs.map((p) => [p.a, p.b])).toEqual([[0, 5]]);
    expect(z.unmatchedA).toEqual([{ id: 1, size: 1 }]);
    expect(z.unmatchedB).toEqual([{ id: 6, size: 1 }]);
  });
});

describe('metricRows and compareRuns', () => {
  const texts = ['a', 'b', 'c', 'd'];
  const A = run({
    texts,
    assignments: Int32Array.from([0, 0, 1, 1]),
    metrics: { acc: 0.8, nmi: 0.7, ari: 0.6 },
    quality: { silhouette: 0.2, silhouetteRows: 4, daviesBouldin: 1.5, calinskiHarabasz: 30, noiseRatio: 0 },
  });
  const B = run({
    texts,
    assignments: Int32Array.from([1, 1, 1, 0]),
    metrics: { acc: 0.9, nmi: 0.7, ari: 0.5, vMeasure: 0.66 },
    quality: { silhouette: NaN, silhouetteRows: 4, daviesBouldin: 1.2, calinskiHarabasz: 10, noiseRatio: 0 },
  });

  it('marks the better run per metric direction', () => {
    const rows = Object.fromEntries(metricRows(A, B).map((r) => [r.key, r]));
    expect(rows.acc.better).toBe('b');
    expect(rows.nmi.better).toBe('tie');
    expect(rows.ari.better).toBe('a');
    expect(rows.vMeasure).toMatchObject({ a: undefined, b: 0.66, better: null });
    expect(rows.homogeneity).toBeUndefined();
    expect(rows.silhouette.better).toBeNull(); // NaN on one side
    expect(rows.daviesBouldin.better).toBe('b'); // lower is better
    expect(rows.calinskiHarabasz.better).toBe('a');
    expect(rows.noiseRatio.better).toBe('tie');
  });

  it('reads null (NaN from run JSON) as undefined-for-that-run, not as missing', () => {
    const fromJson = { ...B, quality: { ...B.quality!, silhouette: null as unknown as number } };
    const row = metricRows(A, fromJson).find((r) => r.key === 'silhouette')!;
    expect(Number.isNaN(row.b)).toBe(true);
    expect(row.better).toBeNull();
  });

  it('computes agreement and matching only over the same texts', () => {
    const c = compareRuns(A, B);
    expect(c.texts).toEqual({ same: true });
    // By hand: Σ C(n_ij, 2) = 1, Σ C(a_i, 2) = 2, Σ C(b_j, 2) = 3, C(4, 2) = 6 → expected 1, max 2.5, ARI 0.
    expect(c.agreement!.ari).toBeCloseTo(0, 12);
    const mi = 0.5 * Math.log(4 / 3) + 0.25 * Math.log(2 / 3) + 0.25 * Math.log(2);
    const hA = Math.log(2);
    const hB = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    expect(c.agreement!.nmi).toBeCloseTo(mi / ((hA + hB) / 2), 12);
    expect(c.matching!.pairs.map((p) => [p.a, p.b, p.overlap])).toEqual([
      [0, 1, 2],
      [1, 0, 1],
    ]);
    expect(c.sameSpace).toBe(true);
    const other = compareRuns(A, { ...B, texts: ['a', 'b', 'c', 'e'], config: { ...B.config, embedder: { ...GLOVE, id: 'tfidf-lsa' } } });
    expect(other.texts.same).toBe(false);
    expect(other.agreement).toBeNull();
    expect(other.matching).toBeNull();
    expect(other.sameSpace).toBe(false);
  });

  it('refuses assignments that do not cover the texts', () => {
    const broken = compareRuns(A, { ...B, assignments: Int32Array.from([0, 1]) });
    expect(broken.texts).toEqual({ same: false, reason: 'Run B has assignments for a different number of texts than it holds.' });
  });
});
