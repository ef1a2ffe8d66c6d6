import { describe, expect, it } from 'vitest';
import { coverageWarnings, overLimit, zeroRows } from '../../src/core/embed/coverage';

describe('embedding coverage warnings', () => {
  it('finds zero rows and says the word vectors do not know those texts', () => {
    const m = { data: Float32Array.from([1, 0, 0, 0, 0, 0.5, 0, 0]), rows: 4, cols: 2 };
    expect(zeroRows(m)).toEqual([1, 3]);
    const w = coverageWarnings(['a', 'مرحبا', 'b', '😀😀'], m, 'glove-sif');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^2 of 4 texts have no word the built-in English word vectors know/);
  });

  it('counts texts over a token limit by estimate, and only those', () => {
    const long = 'word '.repeat(20_000); // 100,000 characters ≈ 25,000 tokens
    expect(overLimit(['short text', long, 'x'.repeat(300)], 256)).toEqual([1]);
    const m = { data: Float32Array.from([1, 0, 0, 1, 1, 0]), rows: 3, cols: 2 };
    const w = coverageWarnings(['short text', long, 'x'.repeat(300)], m, 'transformers', 256);
    expect(w).toEqual([expect.stringMatching(/^About 1 text is longer than the model's 256-token limit \(the longest has 100,000 characters\)/)]);
  });

  it('says nothing when every text got a vector within the limit', () => {
    const m = { data: Float32Array.from([1, 0, 0, 1]), rows: 2, cols: 2 };
    expect(coverageWarnings(['a b', 'c d'], m, 'transformers', 256)).toEqual([]);
  });
});
