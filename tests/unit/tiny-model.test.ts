// The generated tiny ONNX model through TransformersEmbedder in Node (onnxruntime-node): vectors
// must equal the normalised mean of the words' GloVe rows read straight from the wink package.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Progress } from '../../src/core/types';

interface TinyModelScript {
  makeTinyModel(o: { outDir: string; words?: number }): Promise<{ vocab: string[] }>;
  gloveRows(words: string[]): Promise<Map<string, Float32Array>>;
  TINY_MODEL_ID: string;
}
// onnxruntime-node's native binary may be missing where its install step was skipped: the browser
// test (tests/e2e/transformers.e2e.mjs) covers the same model then.
const HAS_ORT_NODE = await import('onnxruntime-node').then(
  () => true,
  () => false,
);
if (!HAS_ORT_NODE) console.warn('onnxruntime-node is not usable here: skipping the Node tiny-model tests.');
const SCRIPT = pathToFileURL(join(import.meta.dirname, '../../scripts/make-tiny-model.mjs')).href;

const SENTENCES = ['refund my card payment', 'give my money back for the card charge', 'the weather is sunny', 'Transfer money to my bank account'];

// Imported lazily: transformers.js loads onnxruntime-node as soon as it is imported.
let embedders: typeof import('../../src/core/embed/transformers');
let script: TinyModelScript;
let base: string;
let modelDir: string;
let vocab: Set<string>;
let glove: Map<string, Float32Array>;

beforeAll(async () => {
  if (!HAS_ORT_NODE) return;
  embedders = await import('../../src/core/embed/transformers');
  script = (await import(/* @vite-ignore */ SCRIPT)) as TinyModelScript;
  base = mkdtempSync(join(tmpdir(), 'tiny-model-'));
  modelDir = join(base, script.TINY_MODEL_ID);
  const made = await script.makeTinyModel({ outDir: modelDir });
  vocab = new Set(made.vocab.slice(2));
  const words = [...new Set(SENTENCES.flatMap((s) => s.toLowerCase().split(/\s+/)))];
  glove = await script.gloveRows(words);
}, 120_000);

afterAll(() => embedders?.disposeTransformers());

/** Reference: words in the model's vocabulary contribute their GloVe row, others (UNK) zeros. */
function reference(text: string): Float32Array {
  const toks = text.toLowerCase().split(/\s+/);
  const v = new Float32Array(100);
  for (const t of toks) {
    const row = vocab.has(t) ? glove.get(t) : undefined;
    if (row) for (let d = 0; d < 100; d++) v[d] += row[d] / toks.length;
  }
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function row(data: Float32Array, i: number, cols: number): Float32Array {
  return data.subarray(i * cols, (i + 1) * cols);
}
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe.skipIf(!HAS_ORT_NODE)('tiny GloVe model through TransformersEmbedder (Node)', () => {
  test('fp32 vectors equal the normalised mean of GloVe rows', async () => {
    // 'refund' (rank ~16k) is outside the 8k vocabulary: it must count as a zero vector.
    expect(vocab.has('refund')).toBe(false);
    expect(vocab.has('card')).toBe(true);
    const e = await embedders.TransformersEmbedder.create({ model: script.TINY_MODEL_ID, dtype: 'fp32', device: 'wasm', source: { kind: 'same-origin', baseUrl: base } });
    expect(e.info).toEqual({ id: 'transformers', model: script.TINY_MODEL_ID, dtype: 'fp32', device: 'cpu', dims: 100 });
    const m = await e.embed(SENTENCES);
    expect([m.rows, m.cols]).toEqual([4, 100]);
    for (let i = 0; i < SENTENCES.length; i++) {
      const got = row(m.data, i, 100);
      const want = reference(SENTENCES[i]);
      expect(Math.hypot(...got)).toBeCloseTo(1, 5);
      let maxDiff = 0;
      for (let d = 0; d < 100; d++) maxDiff = Math.max(maxDiff, Math.abs(got[d] - want[d]));
      expect(maxDiff).toBeLessThan(1e-5);
    }
    const [refund, giveBack, weather] = [0, 1, 2].map((i) => row(m.data, i, 100));
    expect(dot(refund, giveBack)).toBeGreaterThan(dot(refund, weather));
  });

  test('the int8 table stays within quantisation error of fp32', async () => {
    const e = await embedders.TransformersEmbedder.create({ model: script.TINY_MODEL_ID, dtype: 'q8', device: 'wasm', source: { kind: 'same-origin', baseUrl: base } });
    expect(e.info.dtype).toBe('q8');
    const m = await e.embed(SENTENCES);
    for (let i = 0; i < SENTENCES.length; i++) {
      const c = dot(row(m.data, i, 100), reference(SENTENCES[i]));
      expect(c).toBeGreaterThan(0.999);
      expect(c).toBeLessThan(1 - 1e-9); // really quantised, not the fp32 table again
    }
  });

  test('texts are truncated to the tokenizer limit (128 tokens)', async () => {
    const e = await embedders.TransformersEmbedder.create({ model: script.TINY_MODEL_ID, dtype: 'fp32', device: 'wasm', source: { kind: 'same-origin', baseUrl: base } });
    expect(e.maxLength).toBe(128);
    const head = Array.from({ length: 128 }, (_, i) => (i % 2 ? 'money' : 'card')).join(' ');
    const tail = Array.from({ length: 200 }, () => 'weather').join(' ');
    const m = await e.embed([head, `${head} ${tail}`]);
    // With truncation the 200 extra words are cut off, so both rows are identical.
    expect(dot(row(m.data, 0, 100), row(m.data, 1, 100))).toBeGreaterThan(1 - 1e-6);

    // A lower cap: only the first 4 tokens ('card money card money') count.
    const capped = await embedders.TransformersEmbedder.create({ model: script.TINY_MODEL_ID, dtype: 'fp32', device: 'wasm', maxTokens: 4, source: { kind: 'same-origin', baseUrl: base } });
    expect(capped.maxLength).toBe(4);
    const c = await capped.embed(['card money card money weather weather weather', 'card money']);
    expect(dot(row(c.data, 0, 100), row(c.data, 1, 100))).toBeGreaterThan(1 - 1e-6);
  });

  test('picked files are refused in Node (onnxruntime-node opens models by path; the browser test covers them)', async () => {
    const files = new Map<string, Blob>([['config.json', new Blob([readFileSync(join(modelDir, 'config.json'))])]]);
    await expect(embedders.TransformersEmbedder.create({ model: script.TINY_MODEL_ID, dtype: 'fp32', device: 'wasm', source: { kind: 'files', files } })).rejects.toThrow(
      /1 picked files: Picked files work in the browser only/,
    );
  });

  test('batches report progress, empty texts give zero rows, abort stops between batches', async () => {
    const e = await embedders.TransformersEmbedder.create({ model: script.TINY_MODEL_ID, dtype: 'fp32', device: 'wasm', source: { kind: 'same-origin', baseUrl: base } });
    const seen: Progress[] = [];
    const m = await e.embed(['card', '', 'money', 'zzzunknownword', 'bank'], { batchSize: 2, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => [p.stage, p.done, p.total])).toEqual([
      ['embed', 0, 5],
      ['embed', 2, 5],
      ['embed', 4, 5],
      ['embed', 5, 5],
    ]);
    expect(Array.from(row(m.data, 1, 100)).every((x) => x === 0)).toBe(true);
    expect(Array.from(row(m.data, 3, 100)).every((x) => x === 0)).toBe(true);
    expect(Math.hypot(...row(m.data, 4, 100))).toBeCloseTo(1, 5);

    const ctrl = new AbortController();
    const done: number[] = [];
    const run = e.embed(['card', 'money', 'bank', 'card'], {
      batchSize: 1,
      signal: ctrl.signal,
      onProgress: (p) => {
        done.push(p.done);
        if (p.done === 2) ctrl.abort();
      },
    });
    await expect(run).rejects.toThrow();
    expect(done).toEqual([0, 1, 2]);
  });
});
