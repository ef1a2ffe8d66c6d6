// The transformers.js text-generation engine for real in Node (onnxruntime-node, CPU) on the tiny
// generated bigram chat model (tests/support/make-tiny-llm.mjs): chat template, exact prompt token
// counts, greedy decoding to </s>, max_tokens, context from the config, overflow, abort between
// tokens, model reuse, and nameClusters end to end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextOverflowError, isAbortError, type ChatMessage } from '../../src/core/llm/engine';
import { nameClusters } from '../../src/core/llm/naming';
import { createEngine } from '../../src/core/llm/spec';
import { ANSWER, CONTEXT, TINY_LLM_ID, answerPieces, makeTinyLlm, promptTokens } from '../support/make-tiny-llm.mjs';

const HAS_ORT_NODE = await import('onnxruntime-node').then(
  () => true,
  () => false,
);
if (!HAS_ORT_NODE) console.warn('onnxruntime-node is not usable here: skipping the Node text-generation tests (the browser test covers them).');

const LOOP_ID = 'constellate/tiny-chat-llm-loop';
let base: string;
// Imported lazily: transformers.js loads onnxruntime-node as soon as it is imported.
let mod: typeof import('../../src/core/llm/transformers-engine');

beforeAll(async () => {
  if (!HAS_ORT_NODE) return;
  base = mkdtempSync(join(tmpdir(), 'tiny-llm-'));
  await makeTinyLlm({ outDir: join(base, TINY_LLM_ID) });
  await makeTinyLlm({ outDir: join(base, LOOP_ID), loop: true });
  mod = await import('../../src/core/llm/transformers-engine');
});
afterAll(async () => {
  if (!HAS_ORT_NODE) return;
  await mod.disposeTransformersLlm();
  rmSync(base, { recursive: true, force: true });
});

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You name clusters of texts.' },
  { role: 'user', content: 'Name clusters 0 and 1 as JSON.' },
];
const source = () => ({ kind: 'same-origin' as const, baseUrl: base });

describe.skipIf(!HAS_ORT_NODE)('TransformersLlmEngine (Node, CPU)', () => {
  it('loads on the CPU with the default dtype, reports progress, takes the context from the config', async () => {
    const progress: { done: number; total: number; stage: string }[] = [];
    const e = await mod.TransformersLlmEngine.create({ model: TINY_LLM_ID, device: 'auto', source: source(), onLoadProgress: (p) => progress.push(p) });
    expect(e).toMatchObject({ id: 'transformers', model: TINY_LLM_ID, device: 'cpu', dtype: 'q4', contextTokens: CONTEXT });
    expect(progress.every((p) => p.stage === 'llm')).toBe(true);
    expect(progress.some((p) => p.total > 1000 && p.done === p.total)).toBe(true); // bytes of the model files
    expect(progress.at(-1)).toMatchObject({ done: 1, total: 1 });
  });

  it('generates the answer greedily up to </s>, with exact token counts', async () => {
    const e = await mod.TransformersLlmEngine.create({ model: TINY_LLM_ID, device: 'auto', source: source() });
    const r = await e.generate(MESSAGES, { json: true, maxTokens: 200, temperature: 0.9 });
    expect(r.text).toBe(ANSWER);
    expect(r.promptTokens).toBe(promptTokens(MESSAGES));
    expect(r.completionTokens).toBe(answerPieces().length + 1); // the pieces and </s>
    expect(r.tokensPerSecond).toBeGreaterThan(0);
  });

  it('stops at maxTokens', async () => {
    const e = await mod.TransformersLlmEngine.create({ model: TINY_LLM_ID, device: 'auto', source: source() });
    const r = await e.generate(MESSAGES, { maxTokens: 3 });
    expect(r.text).toBe(answerPieces().slice(0, 3).join(''));
    expect(r.completionTokens).toBe(3);
  });

  it('throws ContextOverflowError with the exact prompt size when prompt + answer do not fit', async () => {
    const e = await mod.TransformersLlmEngine.create({ model: TINY_LLM_ID, device: 'auto', source: source() });
    const long: ChatMessage[] = [{ role: 'user', content: Array.from({ length: CONTEXT + 100 }, (_, i) => `w${i}`).join(' ') }];
    const err = await e.generate(long, { maxTokens: 50 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ContextOverflowError);
    expect((err as ContextOverflowError).promptTokens).toBe(promptTokens(long));
    expect((err as ContextOverflowError).contextTokens).toBe(CONTEXT);
    // A prompt that fits with room for a short answer gets one, cut to the room left.
    const near: ChatMessage[] = [{ role: 'user', content: Array.from({ length: CONTEXT - 3 - 20 }, (_, i) => `w${i}`).join(' ') }];
    const r = await e.generate(near, { maxTokens: 200 });
    expect(r.promptTokens).toBe(CONTEXT - 20);
    expect(r.completionTokens).toBeLessThanOrEqual(20);
  });

  it('a runaway model is stopped by maxTokens, and by an abort between tokens', async () => {
    const e = await mod.TransformersLlmEngine.create({ model: LOOP_ID, device: 'auto', source: source(), dtype: 'fp32' });
    expect(e.dtype).toBe('fp32');
    const capped = await e.generate(MESSAGES, { maxTokens: 60 });
    expect(capped.completionTokens).toBe(60);
    expect(capped.text.startsWith(ANSWER + answerPieces()[0])).toBe(true);

    const t0 = performance.now();
    const full = await e.generate(MESSAGES, { maxTokens: 400 });
    const fullMs = performance.now() - t0;
    expect(full.completionTokens).toBe(400);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), Math.max(1, fullMs / 10));
    const t1 = performance.now();
    const err = await e.generate(MESSAGES, { maxTokens: 400, signal: ctl.signal }).catch((x: unknown) => x);
    expect(isAbortError(err)).toBe(true);
    expect(performance.now() - t1).toBeLessThan(fullMs * 0.8);
    await expect(e.generate(MESSAGES, { maxTokens: 5, signal: AbortSignal.abort() })).rejects.toSatisfy(isAbortError);
    // Still usable afterwards.
    expect((await e.generate(MESSAGES, { maxTokens: 5 })).completionTokens).toBe(5);
  });

  it('names clusters end to end through nameClusters (built by createEngine from a spec)', async () => {
    const engine = await createEngine({ kind: 'transformers', model: TINY_LLM_ID, dtype: 'q4', device: 'auto', source: source() });
    expect(engine?.id).toBe('transformers');
    const clusters = [
      { id: '0', size: 12, keywords: ['card', 'payment'], samples: ['My card payment failed', 'Refund my card'] },
      { id: '1', size: 9, keywords: ['parcel', 'late'], samples: ['The parcel is late', 'Delivery took ten days'] },
    ];
    const { names, log } = await nameClusters(clusters, engine, { batchSize: 2 });
    expect(log.map((l) => l.outcome)).toEqual(['ok']);
    expect(names.get('0')).toEqual({ title: 'Card Payments', description: 'Problems paying by card and getting refunds.', source: 'llm' });
    expect(names.get('1')).toEqual({ title: 'Late Deliveries', description: 'Parcels that arrive days after the promised date.', source: 'llm' });
    expect(log[0].promptTokens).toBe(promptTokens(log[0].messages));
  });

  it('says where it looked when the model is missing', async () => {
    await expect(mod.TransformersLlmEngine.create({ model: 'constellate/no-such-llm', device: 'auto', source: source() })).rejects.toThrow(/Could not load constellate\/no-such-llm from this site's models folder/);
  });
});
