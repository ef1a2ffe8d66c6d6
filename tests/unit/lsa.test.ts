import { describe, expect, it } from 'vitest';
import { TfidfLsaEmbedder, tfidf } from '../../src/core/embed/lsa';
import { symmetricEigen } from '../../src/core/linalg/eigen';
import type { Matrix } from '../../src/core/types';

const dot = (m: Matrix, i: number, j: number) => {
  let s = 0;
  for (let d = 0; d < m.cols; d++) s += m.data[i * m.cols + d] * m.data[j * m.cols + d];
  return s;
};

// Two topics with disjoint content words, each text a different mix of its topic's words.
const PETS = ['cat', 'dog', 'kitten', 'puppy', 'leash', 'collar', 'fur', 'vet', 'paw', 'bark'];
const CARDS = ['card', 'refund', 'payment', 'bank', 'transfer', 'balance', 'fee', 'account', 'charge', 'atm'];
function corpus(perTopic: number): { texts: string[]; topic: number[] } {
  const texts: string[] = [];
  const topic: number[] = [];
  for (let i = 0; i < perTopic; i++) {
    for (const [t, words] of [PETS, CARDS].entries()) {
      const pick = [0, 1, 2, 3].map((j) => words[(i * 3 + j * (i % 4 + 1)) % words.length]);
      texts.push(`my ${pick.join(' and the ')}`);
      topic.push(t);
    }
  }
  return { texts, topic };
}

describe('tfidf', () => {
  it('matches sublinear tf, smooth idf and unit rows on a hand-computed example', () => {
    // n = 2: "apple apple pear" and "pear". idf(apple) = ln(3/2) + 1, idf(pear) = ln(3/3) + 1 = 1.
    const { matrix, vocabulary } = tfidf(['apple apple pear', 'pear']);
    expect(vocabulary).toEqual(['apple', 'pear']);
    const a = (1 + Math.log(2)) * (Math.log(1.5) + 1);
    const norm = Math.hypot(a, 1);
    expect(Array.from(matrix.indptr)).toEqual([0, 2, 3]);
    expect(Array.from(matrix.indices)).toEqual([0, 1, 1]);
    expect(matrix.values[0]).toBeCloseTo(a / norm, 6);
    expect(matrix.values[1]).toBeCloseTo(1 / norm, 6);
    expect(matrix.values[2]).toBeCloseTo(1, 6);
  });

  it('drops terms seen in one document only once the corpus is large enough', () => {
    const texts = Array.from({ length: 60 }, (_, i) => `common words here unique${String.fromCharCode(97 + (i % 26))}${i}`);
    const { vocabulary } = tfidf(texts);
    expect(vocabulary).toEqual(['common', 'words']);
  });
});

describe('symmetricEigen', () => {
  it('finds the eigenpairs of a 2×2 matrix', () => {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    const big = values[0] > values[1] ? 0 : 1;
    expect(values[big]).toBeCloseTo(3, 10);
    expect(values[1 - big]).toBeCloseTo(1, 10);
    expect(Math.abs(vectors[0 * 2 + big])).toBeCloseTo(Math.SQRT1_2, 10);
    expect(vectors[0 * 2 + big] * vectors[1 * 2 + big]).toBeGreaterThan(0);
  });
});

describe('TfidfLsaEmbedder', () => {
  it('has the documented shape and unit rows', async () => {
    const { texts } = corpus(40);
    const e = new TfidfLsaEmbedder({ dims: 5 });
    const m = await e.embed(texts);
    expect(e.corpusDependent).toBe(true);
    expect(e.info).toMatchObject({ id: 'tfidf-lsa', model: 'tfidf-svd-5', dims: 5 });
    expect(m.rows).toBe(texts.length);
    expect(m.cols).toBe(5);
    for (let i = 0; i < m.rows; i++) expect(Math.sqrt(dot(m, i, i))).toBeCloseTo(1, 5);
  });

  it('is deterministic for a given seed', async () => {
    const { texts } = corpus(30);
    const a = await new TfidfLsaEmbedder({ dims: 4 }).embed(texts);
    const b = await new TfidfLsaEmbedder({ dims: 4 }).embed(texts);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('separates two topics: every text is closer to its own topic', async () => {
    const { texts, topic } = corpus(30);
    const m = await new TfidfLsaEmbedder({ dims: 2 }).embed(texts);
    for (let i = 0; i < m.rows; i++) {
      let own = 0;
      let other = 0;
      let nOwn = 0;
      for (let j = 0; j < m.rows; j++) {
        if (i === j) continue;
        if (topic[j] === topic[i]) {
          own += dot(m, i, j);
          nOwn++;
        } else other += dot(m, i, j);
      }
      expect(own / nOwn).toBeGreaterThan(other / (m.rows - 1 - nOwn) + 0.5);
    }
  });

  it('keeps the component with the largest singular value', async () => {
    // Rows are e_apple, e_apple, e_pear: σ(apple) = √2 > σ(pear) = 1, so the one kept component is
    // the apple axis: the first two texts land on it (same sign) and the third has nothing left.
    const m = await new TfidfLsaEmbedder({ dims: 1 }).embed(['apple', 'apple', 'pear']);
    expect(m.cols).toBe(1);
    expect(Math.abs(m.data[0])).toBeCloseTo(1, 5);
    expect(m.data[1]).toBeCloseTo(m.data[0], 5);
    expect(m.data[2]).toBeCloseTo(0, 5);
    // With two components both directions are kept and the texts stay orthogonal.
    const m2 = await new TfidfLsaEmbedder({ dims: 2 }).embed(['apple', 'apple', 'pear']);
    expect(dot(m2, 0, 1)).toBeCloseTo(1, 5);
    expect(dot(m2, 0, 2)).toBeCloseTo(0, 5);
  });

  it('does not crash on tiny or empty corpora', async () => {
    const e = new TfidfLsaEmbedder({});
    const one = await e.embed(['just one text here']);
    expect(one.rows).toBe(1);
    expect(one.cols).toBe(1);
    expect(Math.abs(one.data[0])).toBeCloseTo(1, 5);
    const two = await e.embed(['refund my card', 'refund the card fee']);
    expect(two.rows).toBe(2);
    expect(two.cols).toBe(1);
    expect(dot(two, 0, 1)).toBeCloseTo(1, 5); // one component: both on the same axis
    const none = await e.embed(['', 'the of and']);
    expect(none.rows).toBe(2);
    expect(Array.from(none.data).every((v) => v === 0)).toBe(true);
  });

  it('reports progress and honours abort', async () => {
    const { texts } = corpus(10);
    const seen: number[] = [];
    await new TfidfLsaEmbedder({ dims: 3 }).embed(texts, { onProgress: (p) => seen.push(p.done / p.total) });
    expect(seen.at(-1)).toBe(1);
    const ctl = new AbortController();
    ctl.abort();
    await expect(new TfidfLsaEmbedder({}).embed(texts, { signal: ctl.signal })).rejects.toThrow();
  });
});
