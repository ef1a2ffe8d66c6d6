import { describe, expect, it } from 'vitest';
import { sampleIndices } from '../../src/core/random';
import { sampleDataset } from '../../src/core/sample-dataset';
import type { Dataset } from '../../src/core/types';

function ds(n: number): Dataset {
  const texts = Array.from({ length: n }, (_, i) => `text ${i}`);
  return {
    name: 'big',
    texts,
    ids: texts.map((_, i) => `id${i}`),
    labels: texts.map((_, i) => `L${i % 7}`),
    columns: { flag: texts.map((_, i) => (i % 2 ? 'yes' : 'no')) },
    stats: { rows: n, empty: 0, duplicates: 0, kept: n },
  };
}

describe('sampleDataset', () => {
  it('takes distinct indices in file order, the same for the same seed', () => {
    const a = sampleIndices(1000, 100, 7);
    expect(a).toHaveLength(100);
    expect(new Set(a).size).toBe(100);
    expect(Array.from(a)).toEqual([...a].sort((x, y) => x - y));
    expect(Array.from(sampleIndices(1000, 100, 7))).toEqual(Array.from(a));
    expect(Array.from(sampleIndices(1000, 100, 8))).not.toEqual(Array.from(a));
  });

  it('keeps ids, labels and columns aligned with their texts and says it sampled', () => {
    const s = sampleDataset(ds(5000), 300, 3);
    expect(s.texts).toHaveLength(300);
    s.texts.forEach((t, j) => {
      const i = Number(t.split(' ')[1]);
      expect(s.ids?.[j]).toBe(`id${i}`);
      expect(s.labels?.[j]).toBe(`L${i % 7}`);
      expect(s.columns?.flag[j]).toBe(i % 2 ? 'yes' : 'no');
    });
    expect(s.stats).toMatchObject({ kept: 300, sampledFrom: 5000, rows: 5000 });
    expect(s.name).toBe('big (sample of 300)');
  });

  it('is the dataset itself when the sample would hold every text', () => {
    const d = ds(50);
    expect(sampleDataset(d, 50)).toBe(d);
    expect(sampleDataset(d, 80)).toBe(d);
  });

  it('is roughly uniform: each half of the file gets about half the sample', () => {
    const a = sampleIndices(100_000, 10_000, 1);
    const low = Array.from(a).filter((i) => i < 50_000).length;
    expect(low).toBeGreaterThan(4700);
    expect(low).toBeLessThan(5300);
  });
});
