import { describe, expect, it } from 'vitest';
import { ari, clusteringAccuracy, contingency, externalMetrics, hungarian, nmi } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';

/** Brute-force minimum over all injective row→column maps (reference for small matrices). */
function bruteMin(cost: number[][]): number {
  const r = cost.length;
  const c = cost[0].length;
  let best = Infinity;
  const used = new Array<boolean>(c).fill(false);
  // Each row takes a distinct column when r ≤ c; otherwise each column takes a distinct row.
  if (r <= c) {
    const go = (i: number, acc: number): void => {
      if (i === r) {
        best = Math.min(best, acc);
        return;
      }
      for (let j = 0; j < c; j++) {
        if (used[j]) continue;
        used[j] = true;
        go(i + 1, acc + cost[i][j]);
        used[j] = false;
      }
    };
    go(0, 0);
  } else {
    const t = Array.from({ length: c }, (_, j) => cost.map((row) => row[j]));
    return bruteMin(t);
  }
  return best;
}

function costOf(cost: number[][], assign: number[]): number {
  return assign.reduce((s, j, i) => s + (j >= 0 ? cost[i][j] : 0), 0);
}

describe('hungarian', () => {
  it('solves the scipy linear_sum_assignment docstring example', () => {
    const cost = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    expect(hungarian(cost)).toEqual([1, 0, 2]);
    expect(costOf(cost, hungarian(cost))).toBe(5);
  });

  it('matches brute force on random square and rectangular matrices', () => {
    const rng = makeRng(7);
    for (let trial = 0; trial < 60; trial++) {
      const r = 1 + Math.floor(rng() * 5);
      const c = 1 + Math.floor(rng() * 5);
      const cost = Array.from({ length: r }, () => Array.from({ length: c }, () => Math.floor(rng() * 20) - 5));
      const a = hungarian(cost);
      expect(a.length).toBe(r);
      const assigned = a.filter((j) => j >= 0);
      expect(assigned.length).toBe(Math.min(r, c));
      expect(new Set(assigned).size).toBe(assigned.length);
      expect(costOf(cost, a)).toBe(bruteMin(cost));
    }
  });

  it('handles empty input', () => {
    expect(hungarian([])).toEqual([]);
    expect(hungarian([[], []])).toEqual([-1, -1]);
  });
});

describe('contingency', () => {
  it('counts class × cluster in order of first appearance', () => {
    const ct = contingency(['a', 'a', 'b', 'b', 'b'], [1, 0, 0, 0, -1]);
    expect(ct.classes).toEqual(['a', 'b']);
    expect(ct.clusters).toEqual([1, 0, -1]);
    expect(ct.table).toEqual([
      [1, 1, 0],
      [0, 2, 1],
    ]);
    expect(ct.n).toBe(5);
    expect(() => contingency([1, 2], [1])).toThrow(RangeError);
  });
});

describe('clusteringAccuracy', () => {
  it('uses the optimal mapping where greedy matching of the largest cell is wrong', () => {
    // Cluster 0: 5 × x, 4 × y; cluster 1: 4 × x. Greedy takes 0→x (5) and leaves 1→y (0): 5/13.
    // Hungarian takes 0→y (4) and 1→x (4): 8/13.
    const labels = [...'xxxxxyyyy', ...'xxxx'];
    const pred = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
    expect(clusteringAccuracy(labels, pred)).toBeCloseTo(8 / 13, 12);
  });

  it('is 1 for a relabelled perfect clustering and counts surplus clusters as errors', () => {
    expect(clusteringAccuracy(['a', 'a', 'b', 'b'], [7, 7, 3, 3])).toBe(1);
    // 3 clusters, 2 labels: the best two clusters map (2 + 1 items), the third is unmatched.
    expect(clusteringAccuracy([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(3 / 4, 12);
    // Noise (−1) is a cluster like any other.
    expect(clusteringAccuracy([0, 0, 1, 1], [-1, -1, 4, 4])).toBe(1);
  });
});

describe('ari', () => {
  it('scikit-learn docstring examples', () => {
    expect(ari([0, 0, 1, 1], [0, 0, 1, 1])).toBeCloseTo(1, 12);
    expect(ari([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(ari([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(0.5714285714, 9);
    expect(ari([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.5714285714, 9);
    expect(ari([0, 0, 0, 0], [0, 1, 2, 3])).toBeCloseTo(0, 12);
    expect(ari([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
  });

  it('hand case: [0,0,1,1] vs [0,0,1,2] is 4/7', () => {
    // Pairs: Σ C(n_ij,2) = 1; Σ C(a_i,2) = 2; Σ C(b_j,2) = 1; C(4,2) = 6.
    // expected = 2·1/6 = 1/3, max = (2+1)/2 = 3/2 → (1 − 1/3)/(3/2 − 1/3) = 4/7.
    expect(ari([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 12);
  });

  it('is about 0 for independent labellings and invariant to permutation of ids', () => {
    const rng = makeRng(3);
    const n = 20000;
    const a = Array.from({ length: n }, () => Math.floor(rng() * 5));
    const b = Array.from({ length: n }, () => Math.floor(rng() * 7));
    expect(Math.abs(ari(a, b))).toBeLessThan(0.005);
    const perm = [3, 0, 4, 1, 2];
    const bPerm = b.map((x) => (x < 5 ? perm[x] : x));
    expect(ari(a, bPerm)).toBeCloseTo(ari(a, b), 12);
  });
});

describe('nmi', () => {
  it('scikit-learn docstring examples', () => {
    expect(nmi([0, 0, 1, 1], [0, 0, 1, 1])).toBeCloseTo(1, 12);
    expect(nmi([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(nmi([0, 0, 0, 0], [0, 1, 2, 3])).toBeCloseTo(0, 12);
  });

  it('hand case with the entropies written out', () => {
    // labels [0,0,0,1,1,1], pred [0,0,1,1,2,2]; contingency [[2,1,0],[0,1,2]], n = 6.
    // H(U) = ln 2; H(V) = ln 3.
    // I = (2/6)ln(6·2/(3·2)) + (1/6)ln(6·1/(3·2)) + (1/6)ln(6·1/(3·2)) + (2/6)ln(6·2/(3·2)) = (2/3) ln 2.
    // NMI = I / ((H(U) + H(V))/2) = (4/3) ln 2 / ln 6 ≈ 0.515803.
    const expected = ((4 / 3) * Math.log(2)) / Math.log(6);
    expect(nmi([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.515803, 5);
    // Symmetric in its arguments.
    expect(nmi([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1])).toBeCloseTo(expected, 12);
  });

  it('is 1 when neither labelling splits the data and invariant to renaming', () => {
    expect(nmi([5, 5, 5], ['x', 'x', 'x'])).toBe(1);
    expect(nmi(['cat', 'cat', 'dog', 'dog', 'eel'], [2, 2, 0, 0, 1])).toBeCloseTo(1, 12);
  });
});

describe('externalMetrics', () => {
  it('works with string labels and noise in pred', () => {
    const labels = ['a', 'a', 'a', 'b', 'b', 'b'];
    const pred = [0, 0, 0, 1, 1, -1];
    const m = externalMetrics(labels, pred);
    expect(m.acc).toBeCloseTo(5 / 6, 12);
    expect(m.nmi).toBeCloseTo(nmi(labels, pred), 12);
    expect(m.ari).toBeCloseTo(ari(labels, pred), 12);
    expect(m.ari).toBeLessThan(1);
    expect(externalMetrics(labels, [1, 1, 1, 0, 0, 0])).toEqual({ acc: 1, nmi: 1, ari: 1 });
  });
});
