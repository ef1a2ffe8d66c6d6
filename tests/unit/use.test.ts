import { describe, expect, it } from 'vitest';
import { UseEmbedder } from '../../src/cli/embedders/use';
import type { Matrix } from '../../src/core/types';

const dot = (m: Matrix, i: number, j: number) => {
  let s = 0;
  for (let d = 0; d < m.cols; d++) s += m.data[i * m.cols + d] * m.data[j * m.cols + d];
  return s;
};

describe('UseEmbedder', () => {
  it('scores similar sentences above unrelated ones, with unit rows and progress', async () => {
    const e = await UseEmbedder.create();
    const progress: number[] = [];
    const m = await e.embed(
      ['I want a refund for my card payment', 'please return my money for the card charge', 'the weather is sunny in Paris', ''],
      { batchSize: 3, onProgress: (p) => progress.push(p.done) },
    );
    expect(m.cols).toBe(512);
    expect(m.rows).toBe(4);
    for (let i = 0; i < 4; i++) expect(Math.sqrt(dot(m, i, i))).toBeCloseTo(1, 4);
    expect(dot(m, 0, 1)).toBeGreaterThan(dot(m, 0, 2) + 0.2);
    expect(dot(m, 0, 1)).toBeGreaterThan(dot(m, 1, 2) + 0.2);
    expect(progress).toEqual([3, 4]);
  }, 120_000);
});
