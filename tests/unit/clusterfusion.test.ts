import { describe, expect, it } from 'vitest';
import { estimateMessagesTokens, estimateTokens, type ChatMessage } from '../../src/core/llm/engine';
import { buildNamingPrompt } from '../../src/core/llm/prompts';
import { ScriptedEngine } from '../../src/core/llm/scripted';
import { clusterFusion, estimateClusterFusionCost, type ClusterFusionCheckpoint, type ClusterFusionOptions, type ClusterFusionResult } from '../../src/core/methods/clusterfusion';
import { buildProposePrompt, topicAnswerTokens } from '../../src/core/methods/clusterfusion-prompts';
import { balancedSample, chainGroups, groupMembers, orderSample, perGroupCount, planMerges, splitChunks } from '../../src/core/methods/clusterfusion-sample';
import { METHOD_MARKERS, type MethodLogEntry } from '../../src/core/methods/common';
import { quoteScalars, readKeyed, readTopics } from '../../src/core/methods/read-answer';
import { clusterFusionStage } from '../../src/core/methods/stage';
import type { Matrix } from '../../src/core/types';
import { fromRows } from '../../src/core/vectors';
import * as responder from '../support/method-answers.mjs';

const CLASSES = [
  ['card', 'arrive', 'delivery', 'post', 'mail'],
  ['transfer', 'pending', 'bank', 'account', 'wire'],
  ['refund', 'return', 'purchase', 'merchant', 'money'],
  ['pin', 'blocked', 'unlock', 'code', 'reset'],
];

/** n texts of 4 classes, each exactly 40 characters (10 estimated tokens). */
function corpus(n: number): { texts: string[]; labels: number[] } {
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % CLASSES.length;
    const w = CLASSES[c];
    texts.push(`${w[i % 5]} ${w[(i + 1) % 5]} ${w[(i + 3) % 5]} item${String(i).padStart(3, '0')}`.padEnd(40, '.'));
    labels.push(c);
  }
  return { texts, labels };
}

function vec(texts: string[]): Matrix {
  return responder.hashVectors(texts, 32);
}

const embed = async (t: string[]): Promise<Matrix> => vec(t);
const userOf = (m: ChatMessage[]): string => m.map((x) => x.content).join('\n\n');
const responderEngine = (contextTokens = 8192): ScriptedEngine =>
  new ScriptedEngine((m) => responder.answerMethodPrompt(m) ?? new Error('not a method prompt'), { contextTokens });
const steps = (log: MethodLogEntry[], step: string): MethodLogEntry[] => log.filter((e) => e.step === step && e.outcome !== 'too-long');
const noWait = { sleep: async () => {}, backoffMs: 0 };

describe('balanced sampling', () => {
  it('takes ⌊S/M⌋ from each group and all of a smaller group', () => {
    const groups = [...Array(10).fill(0), ...Array(10).fill(1), 2, 2, 2, 3];
    const members = groupMembers(groups, 4, 7);
    const per = perGroupCount(
      members.map((m) => m.map(() => 1)),
      20,
      Infinity,
      500,
    );
    expect(per).toBe(5);
    const picked = balancedSample(members, per);
    expect(picked.map((p) => p.length)).toEqual([5, 5, 3, 1]);
    picked.forEach((p, g) => {
      for (const i of p) expect(groups[i]).toBe(g);
      expect(new Set(p).size).toBe(p.length);
    });
    // Seeded: the same seed draws the same members, another seed others.
    expect(balancedSample(groupMembers(groups, 4, 7), per)).toEqual(picked);
    expect(balancedSample(groupMembers(groups, 4, 8), per)).not.toEqual(picked);
  });

  it("sizes an 'auto' sample to the room of one prompt", () => {
    const tokens = [Array(10).fill(10), Array(10).fill(10), Array(3).fill(10)];
    // p per group costs 10·(min(p,10) + min(p,10) + min(p,3)): p=4 → 110, p=5 → 130.
    expect(perGroupCount(tokens, 'auto', 120, 1000)).toBe(4);
    expect(perGroupCount(tokens, 'auto', 1e9, 1000)).toBe(10);
    expect(perGroupCount(tokens, 'auto', 1e9, 9)).toBe(3); // cap S = 9 over 3 groups
    expect(perGroupCount(tokens, 'auto', 5, 1000)).toBe(1); // never less than 1: chunks take the rest
  });

  it('the run samples ⌊S/M⌋ from every k-means group', async () => {
    const { texts } = corpus(120);
    const res = await clusterFusion(vec(texts), texts, { engine: responderEngine(), embed }, { k: 4, groups: 8, sampleSize: 24, seed: 3 });
    const size = new Map<number, number>();
    for (const g of res.groups) size.set(g, (size.get(g) ?? 0) + 1);
    const inSample = new Map<number, number>();
    for (const i of res.sample) inSample.set(res.groups[i], (inSample.get(res.groups[i]) ?? 0) + 1);
    for (const [g, s] of size) expect(inSample.get(g) ?? 0).toBe(Math.min(s, 3));
  });
});

describe('sample ordering', () => {
  // Three groups on the unit circle around angles 0, 2 and 3.5 radians; group 1 is the largest.
  const angles = [0, 0.1, -0.15, 2, 2.05, 1.9, 2.2, 3.5, 3.6];
  const groups = [0, 0, 0, 1, 1, 1, 1, 2, 2];
  const vectors = fromRows(angles.map((a) => [Math.cos(a), Math.sin(a)]));
  const centroids = fromRows([0, 2, 3.5].map((a) => [Math.cos(a), Math.sin(a)]));
  const picked = [
    [1, 2, 0],
    [6, 3, 5, 4],
    [8, 7],
  ];

  it('by group: groups chained by centroid similarity, members by cosine to their centroid', () => {
    // The largest group (1, at angle 2) first, then the nearest centroid (3.5), then 0.
    const chain = chainGroups(centroids, [3, 4, 2]);
    expect(chain).toEqual([1, 2, 0]);
    const order = orderSample({ picked, vectors, centroids, ordering: 'group', seed: 0 });
    const runs = order.map((i) => groups[i]).filter((g, j, a) => j === 0 || a[j - 1] !== g);
    expect(runs).toEqual(chain);
    expect(order.slice(0, 4)).toEqual([3, 4, 5, 6]); // |angle − 2|: 0, 0.05, 0.1, 0.2
  });

  it('by cosine to a reference vector or text', () => {
    const byVector = orderSample({ picked, vectors, centroids, ordering: 'cosine', reference: [1, 0], seed: 0 });
    const sims = byVector.map((i) => Math.cos(angles[i]));
    for (let j = 1; j < sims.length; j++) expect(sims[j]).toBeLessThanOrEqual(sims[j - 1] + 1e-12);
    const byText = orderSample({ picked, vectors, centroids, ordering: 'cosine', reference: 7, seed: 0 });
    expect(byText[0]).toBe(7);
    expect(new Set(byText)).toEqual(new Set(picked.flat()));
  });

  it("'none' is a seeded permutation of the sample", () => {
    const a = orderSample({ picked, vectors, centroids, ordering: 'none', seed: 1 });
    expect(a.slice().sort()).toEqual(picked.flat().sort());
    expect(orderSample({ picked, vectors, centroids, ordering: 'none', seed: 1 })).toEqual(a);
  });

  it('the summarisation prompt lists the sample in that order, group by group', async () => {
    const { texts } = corpus(80);
    const engine = responderEngine();
    const res = await clusterFusion(vec(texts), texts, { engine, embed }, { k: 4, seed: 1 });
    const prompt = engine.calls[0].messages[1].content;
    expect(prompt.startsWith(METHOD_MARKERS.propose)).toBe(true);
    const lines = prompt.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(lines.map((l) => l.replace(/^\d+\. /, ''))).toEqual(res.sample.map((i) => texts[i]));
    const seq = res.sample.map((i) => res.groups[i]);
    const runs = seq.filter((g, j) => j === 0 || seq[j - 1] !== g);
    expect(new Set(runs).size).toBe(runs.length); // each group is one contiguous run
  });
});

describe('reading answers', () => {
  it('quotes bare numbers so the naming parser reads them', () => {
    expect(JSON.parse(quoteScalars('{"1": 3, "2": true}'))).toEqual({ 1: '3', 2: 'true' });
    expect(quoteScalars('```json\n{"1": 3,}\n```')).toContain('"3"');
    const r = readKeyed('Sure! {"1": 2, "2": "Topic 4: Refunds", "3": {"topic": 1},}', ['1', '2', '3']);
    expect([...r.values]).toEqual([
      ['1', '2'],
      ['2', 'Topic 4'], // "Title: description" is split; the number is what counts
      ['3', '1'],
    ]);
  });

  it('reads topics keyed by number, as an array, and drops duplicate names', () => {
    expect(readTopics('{"1": {"name": "A", "description": "a"}, "2": {"name": "B", "description": "b"}}', 2).topics.map((t) => t.name)).toEqual(['A', 'B']);
    const arr = readTopics('{"topics": [{"name": "A", "description": "a"}, {"name": "a", "description": "dup"}, {"name": "C"}]}', 5);
    expect(arr.topics.map((t) => t.name)).toEqual(['A', 'C']);
  });
});

/** A scripted LLM: 4 fixed topics; assignment by class word, with scripted misbehaviour. */
function scriptedFusion(misbehave: (record: string, attempt: number) => 'ok' | 'outside' | 'missing' | 'malformed'): ScriptedEngine {
  const seen = new Map<string, number>();
  const topics = { 1: 'Card delivery', 2: 'Bank transfers', 3: 'Refunds', 4: 'PIN problems' };
  return new ScriptedEngine((m) => {
    const text = userOf(m);
    if (text.includes(METHOD_MARKERS.propose)) {
      return JSON.stringify(Object.fromEntries(Object.entries(topics).map(([k, name]) => [k, { name, description: `About ${CLASSES[Number(k) - 1].join(', ')}.` }])));
    }
    const records = [...text.matchAll(/^\[(\d+)\] (.*)$/gm)];
    const out: Record<string, number> = {};
    let malformed = false;
    for (const [, id, body] of records) {
      const attempt = seen.get(body) ?? 0;
      seen.set(body, attempt + 1);
      const what = misbehave(body, attempt);
      if (what === 'malformed') malformed = true;
      if (what === 'missing') continue;
      const c = CLASSES.findIndex((w) => w.includes(body.split(' ')[0]));
      out[id] = what === 'outside' ? 99 : c + 1;
    }
    return malformed ? 'I am sorry, I cannot classify these records.' : JSON.stringify(out);
  });
}

const itemNo = (record: string): number => Number(/item(\d+)/.exec(record)?.[1]);

describe('constrained assignment', () => {
  it('answers outside the list, malformed answers and missing records go to the nearest topic and are counted', async () => {
    const { texts, labels } = corpus(120);
    const vectors = vec(texts);
    const bad = (r: string): 'ok' | 'outside' | 'missing' | 'malformed' => {
      const i = itemNo(r);
      return i === 50 ? 'malformed' : i % 7 === 0 ? 'outside' : i % 11 === 0 ? 'missing' : 'ok';
    };
    const engine = scriptedFusion(bad);
    const res = await clusterFusion(vectors, texts, { engine, embed }, { k: 4, assignBatchSize: 10, maxRetries: 0, ...noWait });
    // With no retries every record is asked once; the fallbacks are exactly the badly answered ones.
    const asked = new Map<number, string[]>();
    engine.calls.slice(1).forEach((c) => {
      const recs = [...userOf(c.messages).matchAll(/^\[\d+\] (.*)$/gm)].map((x) => x[1]);
      for (const r of recs) asked.set(itemNo(r), recs);
    });
    expect(asked.size).toBe(texts.length);
    const expected = new Set<number>();
    for (const [i, batch] of asked) if (bad(texts[i]) !== 'ok' || batch.some((r) => bad(r) === 'malformed')) expected.add(i);
    expect(expected.size).toBeGreaterThan(20);
    const got = new Set<number>();
    res.viaFallback.forEach((f, i) => f && got.add(i));
    expect(got).toEqual(expected);
    expect(res.fallbacks).toBe(expected.size);
    expect(res.topics.reduce((s, t) => s + t.fallbackSize, 0)).toBe(expected.size);
    // A fallback text goes to the topic whose embedded "name: description" is most similar.
    const tv = vec(res.topics.map((t) => `${t.name}: ${t.description}`));
    for (const i of got) {
      const sims = res.topics.map((_, t) => {
        let s = 0;
        for (let j = 0; j < 32; j++) s += vectors.data[i * 32 + j] * tv.data[t * 32 + j];
        return s;
      });
      expect(res.assignments[i]).toBe(sims.indexOf(Math.max(...sims)));
    }
    // LLM-assigned texts keep the LLM's (here: the right) topic.
    for (let i = 0; i < texts.length; i++) if (!got.has(i)) expect(res.assignments[i]).toBe(labels[i]);
    expect(res.promptLog.some((e) => e.outcome === 'unparsed')).toBe(true);
    expect(res.promptLog.some((e) => e.notes.some((n) => n.includes('outside the topic list')))).toBe(true);
  });

  it('retries a bad answer before falling back', async () => {
    const { texts, labels } = corpus(60);
    const engine = scriptedFusion((r, attempt) => (attempt === 0 && itemNo(r) % 5 === 0 ? 'outside' : 'ok'));
    const res = await clusterFusion(vec(texts), texts, { engine, embed }, { k: 4, assignBatchSize: 10, maxRetries: 1, ...noWait });
    expect(res.fallbacks).toBe(0);
    expect(Array.from(res.assignments)).toEqual(labels);
    expect(steps(res.promptLog, 'assign').length).toBeGreaterThan(6);
    expect(res.llmCalls).toBe(engine.calls.length);
  });

  it('without an embed function the fallback uses the centroids of LLM-assigned texts', async () => {
    const { texts, labels } = corpus(60);
    const engine = scriptedFusion((r) => (itemNo(r) % 6 === 0 ? 'missing' : 'ok'));
    const res = await clusterFusion(vec(texts), texts, { engine }, { k: 4, maxRetries: 0, ...noWait });
    expect(res.fallbacks).toBe(10);
    expect(Array.from(res.assignments)).toEqual(labels); // the classes are well separated
    expect(res.notes.join(' ')).toContain('centroid');
  });
});

/** The context in which `room` tokens of sample lines fit one summarisation prompt for k topics. */
function contextFor(k: number, room: number): number {
  return estimateMessagesTokens(buildProposePrompt([], k, true, true, {})) + topicAnswerTokens(k) + 16 + room;
}

describe('divide and conquer', () => {
  it('splits a sample that does not fit into chunks, each within the context, and merges their topics', async () => {
    const { texts } = corpus(120);
    const ctx = contextFor(4, 250);
    const engine = responderEngine(ctx);
    const res = await clusterFusion(vec(texts), texts, { engine, embed }, { k: 4, groups: 8, sampleSize: 48, assignChars: 60, seed: 2 });
    const propose = steps(res.promptLog, 'propose');
    expect(res.sample.length).toBe(48);
    expect(res.chunks).toBe(propose.length);
    expect(propose.length).toBeGreaterThanOrEqual(3); // 48 lines × 13 tokens ≈ 624 > 250
    for (const c of engine.calls) expect(estimateMessagesTokens(c.messages) + (c.opts?.maxTokens ?? 0)).toBeLessThanOrEqual(ctx);
    // Every sampled text is summarised once, in sample order.
    const summarised = propose.flatMap((e) => userOf(e.messages).split('\n').filter((l) => /^\d+\. /.test(l)).map((l) => l.replace(/^\d+\. /, '')));
    expect(summarised).toEqual(res.sample.map((i) => texts[i]));
    const merges = steps(res.promptLog, 'merge');
    expect(merges.length).toBeGreaterThanOrEqual(1);
    const last = merges[merges.length - 1];
    // The final merge asks for exactly K; its answer's topics are the result's.
    expect(userOf(last.messages)).toContain('exactly 4 topics');
    expect(res.topics.map((t) => t.name)).toEqual(readTopics(last.answer ?? '', 4).topics.map((t) => t.name));
    for (const e of propose) for (const t of readTopics(e.answer ?? '', 4).topics) expect(userOf(merges[0].messages)).toContain(t.name);
  });

  it('merges level by level when the topic lists do not fit one merge prompt', async () => {
    const { texts } = corpus(240);
    const res = await clusterFusion(vec(texts), texts, { engine: responderEngine(contextFor(6, 250)), embed }, { k: 6, sampleSize: 120, assignChars: 60, seed: 4 });
    const merges = steps(res.promptLog, 'merge');
    expect(merges.length).toBeGreaterThanOrEqual(2);
    expect(userOf(merges[0].messages)).toContain('at most 6 topics');
    expect(userOf(merges[merges.length - 1].messages)).toContain('exactly 6 topics');
    expect(res.topics.length).toBeLessThanOrEqual(6);
    expect(res.topics.length).toBeGreaterThanOrEqual(4);
  });

  it("with sampleSize 'auto' the sample is the largest that fits one prompt", async () => {
    const { texts } = corpus(120);
    const ctx = contextFor(4, 250);
    const res = await clusterFusion(vec(texts), texts, { engine: responderEngine(ctx), embed }, { k: 4, groups: 8, assignChars: 60, seed: 2 });
    expect(res.chunks).toBe(1);
    const line = estimateTokens(texts[0]) + 3;
    expect(res.sample.length * line).toBeLessThanOrEqual(250);
    expect((res.sample.length + 8) * line).toBeGreaterThan(250); // one more per group would not fit
  });

  it('packs chunks evenly and merge groups within the room', () => {
    expect(splitChunks([5, 5, 5, 5, 5, 5], 20)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(splitChunks([30, 5, 5], 20)).toEqual([[0], [1, 2]]);
    expect(planMerges([10, 10, 10, 10, 10], 25)).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('refuses a context that cannot hold the K-topic answer', () => {
    expect(() => estimateClusterFusionCost({ n: 100, meanTextTokens: 10, contextTokens: 500, settings: { k: 50 } })).toThrow(/context/);
  });
});

describe('cost estimate', () => {
  const run = async (ctx: number, extra: Partial<ClusterFusionOptions>) => {
    const { texts } = corpus(120);
    const settings = { k: 4, groups: 8, seed: 5, ...extra };
    const meanTextTokens = texts.reduce((s, t) => s + estimateTokens(t), 0) / texts.length;
    const est = estimateClusterFusionCost({ n: texts.length, meanTextTokens, contextTokens: ctx, settings });
    const engine = responderEngine(ctx);
    const res = await clusterFusion(vec(texts), texts, { engine, embed }, settings);
    const sent = engine.calls.reduce((s, c) => s + estimateMessagesTokens(c.messages), 0);
    expect(res.llmCalls).toBe(engine.calls.length);
    expect(res.tokens.prompt).toBe(sent);
    expect(est.promptTokens).toBeGreaterThan(sent * 0.7);
    expect(est.promptTokens).toBeLessThan(sent * 1.5);
    return { est, engine, res };
  };

  it.each([
    ['one prompt', 8192, {}],
    ['chunked, one merge', contextFor(4, 400), { sampleSize: 48, assignChars: 60, assignBatchSize: 10 }],
  ])('matches the calls of a scripted run (%s)', async (_name, ctx, extra) => {
    const { est, engine, res } = await run(ctx, extra);
    expect(est.exact).toBe(true);
    expect(engine.calls.length).toBe(est.calls);
    for (const s of est.steps) expect(steps(res.promptLog, s.step).length).toBe(s.calls);
    if (_name.startsWith('chunked')) expect(est.steps.map((s) => s.step)).toEqual(['propose', 'merge', 'assign']);
  });

  it('says when the context makes the calls depend on the topics, and stays close', async () => {
    const { est, engine, res } = await run(contextFor(4, 250), { sampleSize: 48, assignChars: 60, assignBatchSize: 50 });
    expect(est.exact).toBe(false);
    expect(steps(res.promptLog, 'propose').length).toBe(est.steps[0].calls); // chunks depend on the texts only
    expect(Math.abs(engine.calls.length - est.calls)).toBeLessThanOrEqual(Math.ceil(est.calls * 0.2));
  });
});

describe('checkpoints, resume and abort', () => {
  const comparable = (r: ClusterFusionResult) => ({
    assignments: Array.from(r.assignments),
    topics: r.topics,
    calls: r.llmCalls,
    fallbacks: r.fallbacks,
    log: r.promptLog.map((e) => [e.step, e.ids.join(','), e.outcome, e.answer]),
  });

  it.each([
    ['assignment', 'assign', {}],
    ['merging', 'merge', { sampleSize: 48, assignChars: 60 }],
  ])('resuming from a checkpoint taken during %s gives the uninterrupted result', async (_name, phase, extra) => {
    const { texts } = corpus(120);
    const vectors = vec(texts);
    const ctx = phase === 'merge' ? contextFor(4, 250) : 8192;
    const settings: ClusterFusionOptions = { k: 4, groups: 8, seed: 9, assignBatchSize: 10, ...extra };
    const full = await clusterFusion(vectors, texts, { engine: responderEngine(ctx), embed }, settings);

    // Abort when the first call of the phase is in flight: the last checkpoint is just before it.
    const controller = new AbortController();
    let checkpoint: ClusterFusionCheckpoint | undefined;
    const stopping = new ScriptedEngine(
      (m) => {
        if (userOf(m).includes(METHOD_MARKERS[phase as 'assign' | 'merge']) && checkpoint?.phase === phase) controller.abort();
        return responder.answerMethodPrompt(m) ?? '';
      },
      { contextTokens: ctx },
    );
    await expect(
      clusterFusion(vectors, texts, { engine: stopping, embed }, { ...settings, signal: controller.signal, onCheckpoint: (cp) => void (checkpoint = cp) }),
    ).rejects.toThrow(/abort/i);
    expect(checkpoint?.phase).toBe(phase);
    // Plain data: it survives JSON (as IndexedDB would keep it).
    const saved = JSON.parse(JSON.stringify(checkpoint)) as ClusterFusionCheckpoint;
    const resumedEngine = responderEngine(ctx);
    const resumed = await clusterFusion(vectors, texts, { engine: resumedEngine, embed }, { ...settings, resume: saved });
    expect(comparable(resumed)).toEqual(comparable(full));
    expect(resumedEngine.calls.length).toBeLessThan(full.llmCalls); // the work before the checkpoint is not redone
  });

  it('checkpoints after batches, each a snapshot that later batches do not change', async () => {
    const { texts } = corpus(60);
    const cps: ClusterFusionCheckpoint[] = [];
    await clusterFusion(vec(texts), texts, { engine: responderEngine(), embed }, { k: 4, assignBatchSize: 10, onCheckpoint: (cp) => void cps.push(cp) });
    const assigning = cps.filter((c) => c.phase === 'assign');
    expect(assigning.length).toBeGreaterThanOrEqual(6);
    const pending = assigning.map((c) => c.assign?.batch.pending.length);
    for (let j = 1; j < pending.length; j++) expect(pending[j]).toBeLessThanOrEqual(pending[j - 1] as number);
    expect(pending[0]).toBe(60);
    expect(cps[cps.length - 1].phase).toBe('done');
  });

  it('refuses a checkpoint made for other texts or settings', async () => {
    const { texts } = corpus(40);
    let cp: ClusterFusionCheckpoint | undefined;
    await clusterFusion(vec(texts), texts, { engine: responderEngine(), embed }, { k: 4, onCheckpoint: (c) => void (cp = c) });
    const other = texts.map((t) => t.toUpperCase());
    await expect(clusterFusion(vec(other), other, { engine: responderEngine(), embed }, { k: 4, resume: cp })).rejects.toThrow(/other texts/);
    await expect(clusterFusion(vec(texts), texts, { engine: responderEngine(), embed }, { k: 3, resume: cp })).rejects.toThrow(/other settings/);
  });

  it('honours an abort before the start and between calls', async () => {
    const { texts } = corpus(40);
    const pre = new AbortController();
    pre.abort();
    const e0 = responderEngine();
    await expect(clusterFusion(vec(texts), texts, { engine: e0, embed }, { k: 4, signal: pre.signal })).rejects.toThrow(/abort/i);
    expect(e0.calls.length).toBe(0);
    const mid = new AbortController();
    const e1 = new ScriptedEngine((m, call) => {
      if (call === 2) mid.abort();
      return responder.answerMethodPrompt(m) ?? '';
    });
    await expect(clusterFusion(vec(texts), texts, { engine: e1, embed }, { k: 4, assignBatchSize: 5, signal: mid.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(e1.calls.length).toBe(3);
  });
});

describe('stage and test responder', () => {
  it('clusterFusionStage explains and scores the assignments and names clusters by topic', async () => {
    const { texts, labels } = corpus(80);
    const out = await clusterFusionStage(
      { vectors: vec(texts), texts, labels: labels.map(String), seed: 1, clusterfusion: { k: 4, guidance: 'keep refunds separate', domainContext: 'bank support' } },
      { engine: responderEngine(), embed },
    );
    expect(out.clustered.assignments.length).toBe(80);
    expect(out.clustered.metrics?.acc).toBeGreaterThan(0.5);
    const used = out.topics.filter((t) => t.clusterId >= 0);
    expect(out.clustered.k).toBe(used.length);
    for (const t of used) expect(out.clustered.clusters[t.clusterId]).toMatchObject({ name: t.name, size: t.size, nameSource: 'llm' });
    expect(out.llmCalls).toBe(out.promptLog.length);
    const first = out.promptLog[0].messages;
    expect(first[0].content).toContain('Domain context: bank support');
    expect(first[1].content).toContain('EXTRA GUIDANCE FROM THE USER (follow it): keep refunds separate');
  });

  it('the responder mirrors the markers and ignores other prompts', () => {
    expect(responder.METHOD_MARKERS).toEqual(METHOD_MARKERS);
    const naming = buildNamingPrompt([{ id: '1', size: 2, samples: ['a b'], keywords: ['a'] }]).messages;
    expect(responder.answerMethodPrompt(naming)).toBeNull();
    expect(responder.methodPromptKind(naming)).toBeNull();
    const propose = buildProposePrompt(['card not arrived', 'card delivery late', 'refund for purchase'], 2, true, true, {});
    expect(responder.methodPromptKind(propose)).toBe('propose');
    expect(readTopics(responder.answerMethodPrompt(propose) ?? '', 2).topics).toHaveLength(2);
  });
});
