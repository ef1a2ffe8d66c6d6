import { describe, expect, it } from 'vitest';
import { clusterKeywords, cohesion, representatives, summarizeClusters } from '../../src/core/explain';
import type { ClusteringResult } from '../../src/core/types';
import { fromRows } from '../../src/core/vectors';

const CORPUS = [
  'refund my card payment', // 0
  'pizza delivery late', // 1
  'card payment declined', // 1 → cluster 0
  'pizza was cold', // cluster 1
  'card payment failed again', // cluster 0
  'order pizza tonight', // cluster 1
];
const ASSIGN = new Int32Array([0, 1, 0, 1, 0, 1]);

describe('clusterKeywords (c-TF-IDF)', () => {
  it('ranks the hand-computed keywords of a small corpus', () => {
    // Cluster 0 content tokens: refund card payment | card payment declined | card payment failed
    //   ('my', 'again' are stop words). Unigrams: card 3, payment 3, refund 1, declined 1, failed 1.
    //   Bigrams: "card payment" ×3 (kept); "refund card", "payment declined", "payment failed" ×1 (dropped).
    //   Terms in cluster 0: 9 + 3 = 12.
    // Cluster 1: pizza 3, delivery, late, cold, order, tonight 1 each; every bigram occurs once
    //   (dropped). Terms: 8.   A = (12 + 8) / 2 = 10.
    // Cluster 0: card = payment = "card payment" = 3/12 · ln(1 + 10/3) ≈ 0.3666;
    //   refund = declined = failed = 1/12 · ln(1 + 10/1) ≈ 0.1998.
    //   Ties break alphabetically: card, card payment, payment → "card payment" replaces "card"
    //   and "payment" is then skipped (inside a chosen bigram).
    // Cluster 1: pizza = 3/8 · ln(1 + 10/3) ≈ 0.5499; the others 1/8 · ln 11 ≈ 0.2997.
    const kw = clusterKeywords(CORPUS, ASSIGN, 2);
    expect(kw[0]).toEqual(['card payment', 'declined', 'failed', 'refund']);
    expect(kw[1]).toEqual(['pizza', 'cold', 'delivery', 'late', 'order', 'tonight']);
    expect(clusterKeywords(CORPUS, ASSIGN, 2, 2)).toEqual([
      ['card payment', 'declined'],
      ['pizza', 'cold'],
    ]);
  });

  it('down-weights a term frequent in every cluster (the idf part)', () => {
    // Cluster 0: app, app, bank. Cluster 1: app, app, zoo. One word per text: no bigrams.
    // A = 3; f(app) = 4, f(bank) = f(zoo) = 1.
    // app: 2/3 · ln(1 + 3/4) ≈ 0.3731 < bank: 1/3 · ln(1 + 3) ≈ 0.4621, although tf(app) is twice tf(bank).
    const kw = clusterKeywords(['app', 'app', 'bank', 'app', 'app', 'zoo'], new Int32Array([0, 0, 0, 1, 1, 1]), 2);
    expect(kw).toEqual([
      ['bank', 'app'],
      ['zoo', 'app'],
    ]);
  });

  it('ignores noise rows and gives empty clusters no keywords', () => {
    const kw = clusterKeywords(['alpha beta', 'gamma delta', 'noise words'], new Int32Array([0, 2, -1]), 3);
    expect(kw[1]).toEqual([]);
    expect(kw[0]).toContain('alpha');
    expect(kw.flat()).not.toContain('noise');
  });
});

describe('representatives and cohesion', () => {
  const deg = Math.PI / 180;
  // Cluster 0 around the x axis, cluster 1 around the y axis; centroids given by hand.
  const angles = [30, 0, 10, 5, 90, 80];
  const m = fromRows(angles.map((a) => [2 * Math.cos(a * deg), 2 * Math.sin(a * deg)]));
  const assign = new Int32Array([0, 0, 0, 0, 1, 1]);
  const centroids = fromRows([
    [1, 0],
    [0, 3],
  ]);

  it('orders members by cosine to the centroid, nearest first', () => {
    // Cluster 0 angles 30°, 0°, 10°, 5° → order 0°, 5°, 10°, 30° = rows 1, 3, 2, 0.
    expect(representatives(m, assign, centroids, 5)).toEqual([
      [1, 3, 2, 0],
      [4, 5],
    ]);
    expect(representatives(m, assign, centroids, 2)[0]).toEqual([1, 3]);
  });

  it('skips exact duplicate texts when texts are given', () => {
    const texts = ['a', 'same', 'b', 'same', 'c', 'd'];
    // Rows 1 and 3 share a text: row 3 is skipped.
    expect(representatives(m, assign, centroids, 3, texts)[0]).toEqual([1, 2, 0]);
  });

  it('cohesion is the mean cosine to the centroid', () => {
    const c = cohesion(m, assign, centroids);
    const expected0 = (Math.cos(30 * deg) + 1 + Math.cos(10 * deg) + Math.cos(5 * deg)) / 4;
    const expected1 = (1 + Math.cos(10 * deg)) / 2;
    expect(c[0]).toBeCloseTo(expected0, 6);
    expect(c[1]).toBeCloseTo(expected1, 6);
  });
});

describe('summarizeClusters', () => {
  it('names clusters by their top 3 keywords and handles an empty cluster', () => {
    const m = fromRows([
      [1, 0],
      [0, 1],
      [0.9, 0.1],
      [0.1, 0.9],
      [1, 0.05],
      [0, 1],
    ]);
    const result: ClusteringResult = {
      k: 3,
      assignments: ASSIGN,
      centroids: fromRows([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
      inertia: 0,
      iterations: 1,
    };
    const s = summarizeClusters(CORPUS, m, result, { representatives: 2 });
    expect(s.map((c) => c.size)).toEqual([3, 3, 0]);
    expect(s[0].name).toBe('card payment, declined, failed');
    expect(s[1].name).toBe('pizza, cold, delivery');
    expect(s[0].representatives).toEqual([0, 4]);
    expect(s[1].representatives).toEqual([1, 5]);
    expect(s[2]).toEqual({ id: 2, size: 0, keywords: [], representatives: [], cohesion: 0, name: 'cluster 2' });
    expect(s[0].cohesion).toBeGreaterThan(0.99);
  });
});
