import { describe, expect, it } from 'vitest';
import { embedWithCache } from '../../src/core/embed/cached';
import { MemoryVectorCache } from '../../src/core/embed/memory-cache';
import type { Embedder, EmbedderInfo, Matrix } from '../../src/core/types';

/** Counts what it is asked to embed; vector = [length, vowels] normalised. */
class CountingEmbedder implements Embedder {
  calls: string[][] = [];
  constructor(
    readonly corpusDependent = false,
    readonly info: EmbedderInfo = { id: 'glove-sif', model: 'm', dtype: 'fp32', device: 'cpu', dims: 2 },
  ) {}
  async embed(texts: string[]): Promise<Matrix> {
    this.calls.push(texts);
    const data = new Float32Array(texts.length * 2);
    texts.forEach((t, i) => {
      const a = t.length;
      const b = (t.match(/[aeiou]/g) ?? []).length + 1;
      const n = Math.hypot(a, b);
      data[i * 2] = a / n;
      data[i * 2 + 1] = b / n;
    });
    return { data, rows: texts.length, cols: 2 };
  }
}

describe('embedWithCache', () => {
  it('embeds each distinct text once and takes repeats from the cache', async () => {
    const cache = new MemoryVectorCache();
    const e = new CountingEmbedder();
    const texts = ['apple', 'kiwi', 'apple', 'banana'];
    const first = await embedWithCache(e, texts, cache);
    expect(e.calls).toEqual([['apple', 'kiwi', 'banana']]);
    expect(first.stats).toMatchObject({ cached: 0, embedded: 4 });
    expect(Array.from(first.vectors.data.subarray(0, 2))).toEqual(Array.from(first.vectors.data.subarray(4, 6)));

    const second = await embedWithCache(e, ['banana', 'kiwi', 'cherry'], cache);
    expect(e.calls[1]).toEqual(['cherry']);
    expect(second.stats).toMatchObject({ cached: 2, embedded: 1 });
    expect(Array.from(second.vectors.data.subarray(0, 2))).toEqual(Array.from(first.vectors.data.subarray(6, 8)));

    const third = await embedWithCache(e, texts, cache);
    expect(e.calls).toHaveLength(2);
    expect(third.stats).toMatchObject({ cached: 4, embedded: 0 });
  });

  it('keys corpus-fitted embedders by corpus: a changed corpus re-embeds everything', async () => {
    const cache = new MemoryVectorCache();
    const e = new CountingEmbedder(true);
    await embedWithCache(e, ['a', 'b'], cache);
    const again = await embedWithCache(e, ['a', 'b'], cache);
    expect(again.stats.embedded).toBe(0);
    const changed = await embedWithCache(e, ['a', 'b', 'c'], cache);
    expect(e.calls[1]).toEqual(['a', 'b', 'c']);
    expect(changed.stats).toMatchObject({ cached: 0, embedded: 3 });
  });

  it('applies finalize to the gathered vectors', async () => {
    const e = new CountingEmbedder();
    let seen = 0;
    const withFinalize: Embedder = {
      info: e.info,
      corpusDependent: false,
      embed: (t) => e.embed(t),
      finalize: (m) => {
        seen = m.rows;
        return { ...m, data: m.data.map(() => 0.5) };
      },
    };
    const out = await embedWithCache(withFinalize, ['x', 'y', 'x'], null);
    expect(seen).toBe(3);
    expect(Array.from(out.vectors.data)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  });
});
