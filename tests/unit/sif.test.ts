import { beforeAll, describe, expect, it } from 'vitest';
import { loadWordVectorsNode } from '../../src/cli/wordvectors-node';
import { GloveSifEmbedder, removeFirstComponent } from '../../src/core/embed/sif';
import { parseWordVectors, type WordVectors } from '../../src/core/embed/wordvectors';
import type { Matrix } from '../../src/core/types';

const cos = (m: Matrix, i: number, j: number) => {
  let s = 0;
  for (let d = 0; d < m.cols; d++) s += m.data[i * m.cols + d] * m.data[j * m.cols + d];
  return s;
};
const norm = (m: Matrix, i: number) => Math.sqrt(cos(m, i, i));

/** A two-word, 2-d asset written by hand in the documented format. */
function tinyAsset(): ArrayBuffer {
  const words = new TextEncoder().encode('cat\ndog');
  const n = 2;
  const dims = 2;
  const buf = new ArrayBuffer(24 + n * 8 + n * (dims / 2) + words.length);
  const v = new DataView(buf);
  [0x46495347, 2, dims, n, 1000, words.length].forEach((x, i) => v.setUint32(i * 4, x, true));
  v.setFloat32(24, 0.5, true); // scale of "cat"
  v.setFloat32(28, 0.25, true); // scale of "dog"
  v.setUint32(32, 3, true); // rank of "cat"
  v.setUint32(36, 10, true); // rank of "dog"
  const bytes = new Uint8Array(buf);
  bytes[40] = (8 + 7) | ((8 - 2) << 4); // cat = (7, −2) · 0.5
  bytes[41] = (8 - 7) | ((8 + 0) << 4); // dog = (−7, 0) · 0.25
  bytes.set(words, 42);
  return buf;
}

describe('parseWordVectors', () => {
  it('reads words, ranks and dequantises 4-bit codes', () => {
    const wv = parseWordVectors(tinyAsset());
    expect(wv.dims).toBe(2);
    expect(wv.size).toBe(2);
    expect(wv.lookup('dog')).toBe(1);
    expect(wv.lookup('bird')).toBe(-1);
    expect(wv.rank(1)).toBe(10);
    expect(Array.from(wv.vector(0, new Float32Array(2)))).toEqual([3.5, -1]);
    expect(Array.from(wv.vector(1, new Float32Array(2)))).toEqual([-1.75, 0]);
  });

  it('rejects a buffer that is not an asset', () => {
    expect(() => parseWordVectors(new ArrayBuffer(64))).toThrow(/magic/);
  });
});

describe('GloveSifEmbedder', () => {
  let wv: WordVectors;
  beforeAll(async () => {
    wv = await loadWordVectorsNode();
  }, 120_000);

  it('scores related sentences above unrelated ones', async () => {
    const e = new GloveSifEmbedder(wv);
    const m = await e.embed(['I want a refund for my card payment', 'please return my money for the card charge', 'the weather is sunny in Paris']);
    expect(cos(m, 0, 1)).toBeGreaterThan(cos(m, 0, 2) + 0.1);
    expect(cos(m, 0, 1)).toBeGreaterThan(cos(m, 1, 2) + 0.1);
  });

  it('returns unit rows, and a zero row counted as unknown for texts with no known word', async () => {
    const e = new GloveSifEmbedder(wv);
    const progress: number[] = [];
    const m = await e.embed(['The bank declined my transfer', '', 'qzxqzxqzx 42', 'Où est la gare ?'], {
      batchSize: 2,
      onProgress: (p) => progress.push(p.done),
    });
    expect(m.rows).toBe(4);
    expect(m.cols).toBe(100);
    expect(norm(m, 0)).toBeCloseTo(1, 5);
    expect(norm(m, 1)).toBe(0);
    expect(norm(m, 2)).toBe(0);
    expect(e.lastUnknownCount).toBe(2);
    expect(progress).toEqual([2, 4]);
  });

  it('is per-text: a text gets the same vector whatever it is embedded with', async () => {
    const e = new GloveSifEmbedder(wv);
    const a = await e.embed(['my card was stolen']);
    const b = await e.embed(['how do I top up', 'my card was stolen']);
    expect(Array.from(b.data.subarray(100, 200))).toEqual(Array.from(a.data));
    expect(e.corpusDependent).toBe(false);
    expect(e.info.model).toBe(`wink-glove-sg-100d-${wv.size}`);
  });

  it('keeps the stem of contractions and the parts of unknown compounds', async () => {
    const e = new GloveSifEmbedder(wv);
    const m = await e.embed(["didn't", 'did', 'pre-approved-xyzzy', 'pre approved']);
    expect(cos(m, 0, 1)).toBeCloseTo(1, 5);
    expect(cos(m, 2, 3)).toBeCloseTo(1, 5);
  });

  it('stops when aborted', async () => {
    const e = new GloveSifEmbedder(wv);
    const ctl = new AbortController();
    ctl.abort();
    await expect(e.embed(['a text'], { signal: ctl.signal })).rejects.toThrow();
  });
});

describe('removeFirstComponent', () => {
  it('removes the direction shared by all rows and renormalises', () => {
    // Rows (3, ±1)/√10: the first singular vector is (1, 0), leaving (0, ±1).
    const rows = 20;
    const data = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      data[2 * r] = 3 / Math.sqrt(10);
      data[2 * r + 1] = (r % 2 ? -1 : 1) / Math.sqrt(10);
    }
    const out = removeFirstComponent({ data, rows, cols: 2 });
    for (let r = 0; r < rows; r++) {
      expect(out.data[2 * r]).toBeCloseTo(0, 5);
      expect(out.data[2 * r + 1]).toBeCloseTo(r % 2 ? -1 : 1, 5);
    }
  });

  it('leaves tiny corpora unchanged', () => {
    const m = { data: new Float32Array([0.6, 0.8]), rows: 1, cols: 2 };
    expect(removeFirstComponent(m)).toBe(m);
  });
});
