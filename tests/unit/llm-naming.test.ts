import { describe, expect, it } from 'vitest';
import { ContextOverflowError, estimateMessagesTokens, type ChatMessage } from '../../src/core/llm/engine';
import { answerTokens, keywordName, nameClusters, nameTree, type PromptLogEntry } from '../../src/core/llm/naming';
import { buildNamingPrompt, type ClusterForNaming } from '../../src/core/llm/prompts';
import { answerAll, promptIds, ScriptedEngine } from '../../src/core/llm/scripted';
import type { Progress } from '../../src/core/types';

const mk = (id: string, extra: Partial<ClusterForNaming> = {}): ClusterForNaming => ({
  id,
  size: 10,
  samples: [`sample text of cluster ${id}`],
  keywords: [`kw${id}a`, `kw${id}b`, `kw${id}c`, `kw${id}d`],
  ...extra,
});
const many = (n: number): ClusterForNaming[] => Array.from({ length: n }, (_, i) => mk(String(i)));

/** Batch sizes of the prompts built (sent or not), in order. */
const sizes = (log: PromptLogEntry[]): number[] => log.filter((e) => e.outcome !== 'fallback').map((e) => e.batchSize);
const outcomes = (log: PromptLogEntry[]): string[] => log.map((e) => e.outcome);

/** Records back-off waits instead of sleeping. */
function recorder(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const good = answerAll((id) => `Topic ${id}`);
const GARBAGE = "I'm sorry, I can only describe one cluster at a time.";

describe('adaptive batch size', () => {
  it('shrinks on ContextOverflowError and keeps the smaller size as a ceiling', async () => {
    // Engine overflows above 4 clusters. 20 clusters, batch 8: 8 ✗ → 4 (ceiling 4) → 4,4,4,4,4.
    const engine = new ScriptedEngine((m) => (promptIds(m).length > 4 ? new ContextOverflowError() : good(m)));
    const r = recorder();
    const { names, log } = await nameClusters(many(20), engine, { batchSize: 8, backoffMs: 1, sleep: r.sleep });
    expect(sizes(log)).toEqual([8, 4, 4, 4, 4, 4]);
    expect(outcomes(log)).toEqual(['overflow', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(engine.calls.length).toBe(6);
    expect(r.waits).toEqual([]); // an overflow is not the clusters' failure: no back-off
    expect(names.size).toBe(20);
    expect([...names.values()].every((n) => n.source === 'llm')).toBe(true);
    expect(names.get('13')).toEqual({ title: 'Topic 13', description: 'About 13.', source: 'llm' });
  });

  it('shrinks by floor(n/2): 7 clusters, batch 5, limit 2 → 5 ✗, 2, 2, 2, 1', async () => {
    const engine = new ScriptedEngine((m) => (promptIds(m).length > 2 ? new ContextOverflowError() : good(m)));
    const { log } = await nameClusters(many(7), engine, { batchSize: 5 });
    expect(sizes(log)).toEqual([5, 2, 2, 2, 1]);
  });

  it('shrinks on a garbage answer, retries with back-off, then grows back', async () => {
    // 10 clusters, batch 4. Call 0 (0-3) garbage → size 2, ids 0-3 failed once.
    // [0,1] retry (wait 10) ok → grow to 4. [2,3,4,5] retry (wait 10) ok → 4. [6..9] ok.
    const engine = new ScriptedEngine([GARBAGE, good, good, good]);
    const r = recorder();
    const { names, log } = await nameClusters(many(10), engine, { batchSize: 4, backoffMs: 10, sleep: r.sleep });
    expect(sizes(log)).toEqual([4, 2, 4, 4]);
    expect(outcomes(log)).toEqual(['unparsed', 'ok', 'ok', 'ok']);
    expect(log.map((e) => e.attempt)).toEqual([0, 1, 1, 0]);
    expect(log.map((e) => e.ids)).toEqual([
      ['0', '1', '2', '3'],
      ['0', '1'],
      ['2', '3', '4', '5'],
      ['6', '7', '8', '9'],
    ]);
    expect(r.waits).toEqual([10, 10]);
    expect(log.map((e) => e.waitedMs)).toEqual([0, 10, 10, 0]);
    expect(names.size).toBe(10);
    expect(log[0].answer).toBe(GARBAGE);
    expect(log[0].missing).toEqual(['0', '1', '2', '3']);
  });

  it('a model that only manages one cluster: 3 ✗, 1, 2 ✗, 1, 1 with back-off 1, 1, 2, 2', async () => {
    // failures after [0,1,2] ✗: all 1; size 1. [0] (wait 1) ok → 2. [1,2] (wait 1) ✗: 1,2 at 2; size 1.
    // [1] (wait 2) ok → 2. [2] (wait 2) ok.
    const engine = new ScriptedEngine((m) => (promptIds(m).length > 1 ? GARBAGE : good(m)));
    const r = recorder();
    const { names, log } = await nameClusters(many(3), engine, { batchSize: 8, backoffMs: 1, sleep: r.sleep });
    expect(sizes(log)).toEqual([3, 1, 2, 1, 1]);
    expect(r.waits).toEqual([1, 1, 2, 2]);
    expect([...names.values()].map((n) => n.source)).toEqual(['llm', 'llm', 'llm']);
  });

  it('does not send a prompt whose estimate exceeds the context; shrinks instead', async () => {
    // Identical clusters with short samples: the estimate depends only on the batch size.
    const clusters = many(8);
    const need = (n: number): number => estimateMessagesTokens(buildNamingPrompt(clusters.slice(0, n)).messages) + answerTokens(n);
    expect(need(4)).toBeGreaterThan(need(2));
    const engine = new ScriptedEngine(good, { contextTokens: need(2) });
    const { names, log } = await nameClusters(clusters, engine, { batchSize: 8 });
    expect(sizes(log)).toEqual([8, 4, 2, 2, 2, 2]);
    expect(outcomes(log)).toEqual(['too-long', 'too-long', 'ok', 'ok', 'ok', 'ok']);
    expect(engine.calls.length).toBe(4);
    expect(log[0].notes[0]).toMatch(/^estimated \d+ \+ 760 answer tokens > context \d+$/);
    expect(names.size).toBe(8);
  });

  it('at the minimum size, halves the sample budget (down to 1/8), then falls back to keywords', async () => {
    const engine = new ScriptedEngine(good, { contextTokens: 10 });
    const { names, log } = await nameClusters(many(2), engine, { batchSize: 2 });
    expect(engine.calls.length).toBe(0);
    expect(sizes(log)).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(log.filter((e) => e.outcome === 'too-long').map((e) => e.sampleScale)).toEqual([1, 1, 0.5, 0.25, 0.125, 1, 0.5, 0.25, 0.125]);
    expect(outcomes(log).filter((o) => o === 'fallback').length).toBe(2);
    expect(names.get('0')?.source).toBe('keywords');
    expect(names.get('1')?.source).toBe('keywords');
  });

  it('engine overflow at the minimum size retries with fewer samples', async () => {
    // One cluster, 10 samples of 'abcd ' × 200. Scale 1 (share 6000) and 0.5 (3000): 10 snippets of
    // 295 chars. Scale 0.25 (share 1500): 5 × 295 = 1475, then room 25 → 6 snippets.
    const c = mk('x', { samples: Array(10).fill('abcd '.repeat(200)) });
    const lines = (m: ChatMessage[]): number => m[1].content.split('\n').filter((l) => l.startsWith('- "abcd')).length;
    const seen: number[] = [];
    const engine = new ScriptedEngine((m) => {
      seen.push(lines(m));
      return lines(m) > 6 ? new ContextOverflowError() : good(m);
    });
    const { names, log } = await nameClusters([c], engine, { batchSize: 1 });
    expect(seen).toEqual([10, 10, 6]);
    expect(log.map((e) => [e.outcome, e.sampleScale])).toEqual([
      ['overflow', 1],
      ['overflow', 0.5],
      ['ok', 0.25],
    ]);
    expect(names.get('x')?.source).toBe('llm');
  });
});

describe('retries, back-off and keyword fallback', () => {
  it('retries a failing engine maxRetries times with exponential back-off, then uses keywords', async () => {
    const engine = new ScriptedEngine(() => new Error('HTTP 500'));
    const r = recorder();
    const { names, log } = await nameClusters(many(2), engine, { maxRetries: 2, backoffMs: 5, sleep: r.sleep });
    expect(engine.calls.length).toBe(3);
    expect(r.waits).toEqual([5, 10]);
    expect(sizes(log)).toEqual([2, 2, 2]);
    expect(outcomes(log)).toEqual(['error', 'error', 'error', 'fallback']);
    expect(log[0].error).toBe('HTTP 500');
    expect(log[3].notes[0]).toMatch(/after 3 tries \(engine error\)/);
    expect(names.get('0')).toEqual({ title: 'kw0a, kw0b, kw0c', description: 'Top keywords: kw0a, kw0b, kw0c, kw0d.', source: 'keywords' });
  });

  it('a transient error is retried once and then succeeds', async () => {
    const engine = new ScriptedEngine([new Error('timeout'), good]);
    const r = recorder();
    const { names } = await nameClusters(many(3), engine, { backoffMs: 7, sleep: r.sleep });
    expect(r.waits).toEqual([7]);
    expect([...names.values()].every((n) => n.source === 'llm')).toBe(true);
  });

  it('maxRetries 0: one try, no back-off', async () => {
    const engine = new ScriptedEngine(() => GARBAGE);
    const r = recorder();
    const { names } = await nameClusters(many(1), engine, { maxRetries: 0, sleep: r.sleep });
    expect(engine.calls.length).toBe(1);
    expect(r.waits).toEqual([]);
    expect(names.get('0')?.source).toBe('keywords');
  });

  it('partial answers: named ids are kept, missing ones retried first', async () => {
    // Call 0 names 0 and 2 only; call 1 gets [1] alone (size stays 8, one id left).
    const engine = new ScriptedEngine([JSON.stringify({ 0: { title: 'Zero', description: 'z' }, 2: { title: 'Two', description: 't' } }), good]);
    const r = recorder();
    const { names, log } = await nameClusters(many(3), engine, { backoffMs: 3, sleep: r.sleep });
    expect(outcomes(log)).toEqual(['partial', 'ok']);
    expect(log[0].named).toEqual(['0', '2']);
    expect(log[0].missing).toEqual(['1']);
    expect(log[1].ids).toEqual(['1']);
    expect(r.waits).toEqual([3]);
    expect(names.get('1')?.title).toBe('Topic 1');
    expect(names.get('2')?.title).toBe('Two');
  });

  it('an id the model never names gets keywords after maxRetries + 1 tries', async () => {
    // [a,b,x] partial (x fails once) → [x] wait 1, unparsed (2) → [x] wait 2, unparsed (3 > 2) → keywords.
    const drop = new ScriptedEngine((m) => {
      const out: Record<string, { title: string; description: string }> = {};
      for (const id of promptIds(m)) if (id !== 'x') out[id] = { title: `Name ${id}`, description: `About ${id}.` };
      return JSON.stringify(out);
    });
    const r = recorder();
    const { names, log } = await nameClusters([mk('a'), mk('b'), mk('x')], drop, { backoffMs: 1, sleep: r.sleep });
    expect(sizes(log)).toEqual([3, 1, 1]);
    expect(outcomes(log)).toEqual(['partial', 'unparsed', 'unparsed', 'fallback']);
    expect(r.waits).toEqual([1, 2]);
    expect(names.get('a')).toEqual({ title: 'Name a', description: 'About a.', source: 'llm' });
    expect(names.get('x')).toEqual({ title: 'kwxa, kwxb, kwxc', description: 'Top keywords: kwxa, kwxb, kwxc, kwxd.', source: 'keywords' });
  });

  it('engine null: keyword names for all, no prompt', async () => {
    const { names, log } = await nameClusters([mk('1'), mk('2', { keywords: [] })], null);
    expect(names.get('1')).toEqual({ title: 'kw1a, kw1b, kw1c', description: 'Top keywords: kw1a, kw1b, kw1c, kw1d.', source: 'keywords' });
    expect(names.get('2')).toEqual({ title: 'Cluster 2', description: '', source: 'keywords' });
    expect(outcomes(log)).toEqual(['fallback']);
    expect(log[0].messages).toEqual([]);
  });

  it('keywordName joins the top 3 keywords, skipping blanks', () => {
    expect(keywordName(mk('z', { keywords: [' card ', '', 'declined', 'payment', 'shop'] })).title).toBe('card, declined, payment');
  });

  it('rejects duplicate ids', async () => {
    await expect(nameClusters([mk('1'), mk('1')], null)).rejects.toThrow(/duplicate/);
  });
});

describe('prompts, log and progress', () => {
  it('the prompt sent holds samples, keywords and the topic seed; engine options are set', async () => {
    const engine = new ScriptedEngine(good);
    const c = mk('5', { samples: ['my card was declined at the till'], keywords: ['declined', 'till'] });
    await nameClusters([c], engine, { topicSeed: 'customer complaints' });
    const call = engine.calls[0];
    expect(call.prompt).toContain('- "my card was declined at the till"');
    expect(call.prompt).toContain('Keywords: declined, till');
    expect(call.prompt).toContain("CONTEXT FOCUS: Orient towards 'customer complaints', if relevant.");
    expect(call.opts?.json).toBe(true);
    expect(call.opts?.maxTokens).toBe(130);
    expect(call.opts?.temperature).toBe(0.2);
  });

  it('the log keeps prompt, raw answer, repair notes and token counts', async () => {
    const fenced = '```json\n{"0": {"title": "A B", "description": "d"}}\n```';
    const engine = new ScriptedEngine([fenced]);
    let t = 100;
    const { log } = await nameClusters(many(1), engine, { now: () => (t += 25) });
    expect(log).toHaveLength(1);
    expect(log[0].answer).toBe(fenced);
    expect(log[0].messages).toBe(engine.calls[0].messages);
    expect(log[0].notes).toContain('removed markdown code fence');
    expect(log[0].ms).toBe(25);
    expect(log[0].promptTokens).toBe(log[0].estimatedTokens);
    expect(log[0].named).toEqual(['0']);
  });

  it('reports progress up to total', async () => {
    const events: Progress[] = [];
    await nameClusters(many(5), new ScriptedEngine(good), { batchSize: 2, onProgress: (p) => events.push(p) });
    expect(events.every((e) => e.stage === 'name' && e.total === 5)).toBe(true);
    expect(events[events.length - 1].done).toBe(5);
    const dones = events.map((e) => e.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
  });
});

describe('abort', () => {
  it('rejects at once on an aborted signal, without calling the engine', async () => {
    const engine = new ScriptedEngine(good);
    const ac = new AbortController();
    ac.abort();
    await expect(nameClusters(many(3), engine, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(engine.calls.length).toBe(0);
  });

  it('aborts a call in flight', async () => {
    const engine = new ScriptedEngine(good, { delayMs: 5000 });
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 20);
    await expect(nameClusters(many(3), engine, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('aborts during the back-off wait', async () => {
    const engine = new ScriptedEngine(() => new Error('busy'));
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 30);
    await expect(nameClusters(many(1), engine, { signal: ac.signal, backoffMs: 10_000 })).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(engine.calls.length).toBe(1);
  });
});

describe('nameTree', () => {
  it('top-down: parents first, their names passed to children, siblings batched together', async () => {
    const levels = [
      [mk('A'), mk('B')],
      [mk('a1', { parentId: 'A' }), mk('b1', { parentId: 'B' }), mk('a2', { parentId: 'A' })],
    ];
    const engine = new ScriptedEngine(answerAll((id) => `Name ${id}`));
    const { names, log } = await nameTree(levels, engine, { batchSize: 8 });
    expect(names.size).toBe(5);
    expect(log.map((e) => [e.level, e.ids])).toEqual([
      [0, ['A', 'B']],
      [1, ['a1', 'a2', 'b1']],
    ]);
    const p = engine.calls[1].prompt;
    expect(p).toContain('HIERARCHY:');
    const block = (id: string): string => p.slice(p.indexOf(`--- Cluster ID: ${id} (`), p.indexOf(`--- End Cluster ID: ${id} ---`));
    expect(block('a1')).toContain('Parent Cluster: "Name A" - About A.');
    expect(block('a2')).toContain('Parent Cluster: "Name A" - About A.');
    expect(block('b1')).toContain('Parent Cluster: "Name B" - About B.');
    expect(engine.calls[0].prompt).not.toContain('Parent Cluster:');
  });

  it('bottom-up: children named first, summaries (biggest first) passed to parents', async () => {
    const levels = [
      [mk('x1', { size: 5 }), mk('x2', { size: 30 }), mk('y1', { size: 12 })],
      [mk('X', { size: 35, childIds: ['x1', 'x2'], level: 2 }), mk('Y', { size: 12, childIds: ['y1'], level: 2 })],
    ];
    const engine = new ScriptedEngine(answerAll((id) => `Name ${id}`));
    const events: Progress[] = [];
    const { names } = await nameTree(levels, engine, { direction: 'bottom-up', onProgress: (e) => events.push(e) });
    expect(names.get('X')?.title).toBe('Name X');
    const p = engine.calls[1].prompt;
    expect(p).toContain('Representative Immediate Children (Summaries):\n- "Name x2" (30 items) - About x2.\n- "Name x1" (5 items) - About x1.');
    expect(p).toContain('- "Name y1" (12 items) - About y1.');
    expect(events[events.length - 1]).toMatchObject({ done: 5, total: 5 });
  });

  it('keyword names of parents still give children context when there is no LLM for the parents', async () => {
    const levels = [[mk('P')], [mk('c', { parentId: 'P' })]];
    const { names } = await nameTree(levels, null);
    expect(names.get('P')?.source).toBe('keywords');
    expect(names.get('c')?.source).toBe('keywords');
  });

  it('rejects an id used on two levels', async () => {
    await expect(nameTree([[mk('1')], [mk('1')]], null)).rejects.toThrow(/duplicate/);
  });
});

describe('ScriptedEngine', () => {
  it('records calls, throws scripted errors, and stops when the list runs out', async () => {
    const e = new ScriptedEngine(['one', new Error('boom')]);
    const msgs: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    await expect(e.generate(msgs)).resolves.toMatchObject({ text: 'one' });
    await expect(e.generate(msgs)).rejects.toThrow('boom');
    await expect(e.generate(msgs)).rejects.toThrow(/no reply scripted for call 2/);
    expect(e.calls.map((c) => [c.reply, c.error])).toEqual([
      ['one', undefined],
      [undefined, 'boom'],
      [undefined, 'ScriptedEngine: no reply scripted for call 2'],
    ]);
  });

  it('throws ContextOverflowError above overflowAboveChars', async () => {
    const e = new ScriptedEngine(() => 'ok', { overflowAboveChars: 10 });
    await expect(e.generate([{ role: 'user', content: 'x'.repeat(10) }])).resolves.toMatchObject({ text: 'ok' });
    await expect(e.generate([{ role: 'user', content: 'x'.repeat(11) }])).rejects.toBeInstanceOf(ContextOverflowError);
  });
});
