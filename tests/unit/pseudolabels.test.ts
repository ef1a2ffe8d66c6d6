import { describe, expect, it } from 'vitest';
import { estimateMessagesTokens, estimateTokens, type ChatMessage } from '../../src/core/llm/engine';
import { ScriptedEngine } from '../../src/core/llm/scripted';
import { externalMetrics } from '../../src/core/metrics/external';
import { meanTextTokens, METHOD_MARKERS, type MethodLogEntry } from '../../src/core/methods/common';
import { exactKnn, ivfKnn, knn, knnRecall, neighboursOf } from '../../src/core/methods/knn';
import {
  candidatesFor,
  estimatePseudoLabelCost,
  keywordLabel,
  pseudoLabels,
  withLabels,
  type PseudoLabelCheckpoint,
  type PseudoLabelOptions,
  type PseudoLabelResult,
} from '../../src/core/methods/pseudolabels';
import { pseudoLabelStage } from '../../src/core/methods/stage';
import { makeRng } from '../../src/core/random';
import type { Matrix } from '../../src/core/types';
import { matrix, normalizeRows } from '../../src/core/vectors';
import * as responder from '../support/method-answers.mjs';

const INTENTS = [
  ['card', 'arrive', 'delivery', 'post', 'mail', 'late'],
  ['transfer', 'pending', 'bank', 'account', 'wire', 'slow'],
  ['refund', 'return', 'purchase', 'merchant', 'money', 'back'],
  ['pin', 'blocked', 'unlock', 'code', 'reset', 'locked'],
];

function corpus(n: number): { texts: string[]; labels: string[] } {
  const texts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % INTENTS.length;
    const w = INTENTS[c];
    texts.push(`${w[i % 6]} ${w[(i * 5 + 1) % 6]} ${w[(i * 7 + 3) % 6]} #${i}`);
    labels.push(String(c));
  }
  return { texts, labels };
}

const vec = (t: string[]): Matrix => responder.hashVectors(t, 32);
const embed = async (t: string[]): Promise<Matrix> => vec(t);
const responderEngine = (): ScriptedEngine => new ScriptedEngine((m) => responder.answerMethodPrompt(m) ?? new Error('not a method prompt'), { contextTokens: 8192 });
const user = (m: ChatMessage[]): string => m[m.length - 1].content;
const sent = (log: MethodLogEntry[], step: string): MethodLogEntry[] => log.filter((e) => e.step === step && e.outcome !== 'too-long');
const noWait = { sleep: async () => {}, backoffMs: 0 };

/** Random unit rows, the last `dups` copies of the first ones (exact ties), for exactness checks. */
function randomRows(n: number, d: number, seed: number, dups = 0): Matrix {
  const rng = makeRng(seed);
  const m = matrix(n, d);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng() * 2 - 1;
  for (let i = 0; i < dups; i++) m.data.copyWithin((n - 1 - i) * d, i * d, i * d + d);
  return normalizeRows(m);
}

/** Brute force: all cosines, sorted by similarity then index. */
function bruteForce(m: Matrix, k: number): number[][] {
  const { rows: n, cols: d, data } = m;
  return Array.from({ length: n }, (_, i) => {
    const all: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += data[i * d + t] * data[j * d + t];
      all.push([s, j]);
    }
    all.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    return all.slice(0, k).map((x) => x[1]);
  });
}

/** Gaussian blobs around c random centres, normalised. */
function blobs(n: number, d: number, c: number, spread: number, seed: number): Matrix {
  const rng = makeRng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: c * d }, gauss);
  const m = matrix(n, d);
  for (let i = 0; i < n; i++) {
    const g = i % c;
    for (let t = 0; t < d; t++) m.data[i * d + t] = centres[g * d + t] + spread * gauss();
  }
  return normalizeRows(m);
}

describe('nearest neighbours', () => {
  it('exact search equals brute force, ties to the lower index', async () => {
    const m = randomRows(300, 16, 1, 10);
    const r = await exactKnn(m, 10);
    const truth = bruteForce(m, 10);
    for (let i = 0; i < 300; i++) expect(neighboursOf(r, i)).toEqual(truth[i]);
    // A duplicated row finds its twin first, at similarity 1.
    expect(r.indices[0 * 10]).toBe(299);
    expect(r.sims[0]).toBeCloseTo(1, 6);
  });

  it('does not need normalised input and pads rows with fewer than k others', async () => {
    const m = randomRows(40, 3, 2);
    const scaled = { ...m, data: m.data.map((x, i) => x * (1 + Math.floor(i / 3) * 0.37)) }; // each row its own factor
    const a = await exactKnn(m, 5);
    const b = await exactKnn(scaled, 5);
    for (let i = 0; i < 40; i++) expect(new Set(neighboursOf(b, i))).toEqual(new Set(neighboursOf(a, i)));
    const tiny = await exactKnn(randomRows(15, 3, 3), 20);
    expect(Array.from(tiny.indices.subarray(0, 20)).filter((j) => j < 0)).toHaveLength(6);
  });

  it('IVF finds most true neighbours on clustered data, all of them when every bucket is probed', async () => {
    const m = blobs(2000, 24, 20, 0.6, 3);
    const exact = await exactKnn(m, 10);
    const approx = await ivfKnn(m, 10, { seed: 1 });
    expect(approx.method).toBe('ivf');
    const recall = knnRecall(approx, exact);
    expect(recall).toBeGreaterThan(0.9);
    expect(recall).toBeLessThanOrEqual(1);
    const all = await ivfKnn(m, 10, { seed: 1, nprobe: 1000 });
    expect(knnRecall(all, exact)).toBe(1);
    expect(knnRecall(exact, exact)).toBe(1);
  });

  it("'auto' is exact for small data and IVF above the work limit", async () => {
    const m = blobs(200, 8, 4, 0.5, 4);
    expect((await knn(m, 5)).method).toBe('exact');
    expect((await knn(m, 5, { exactWork: 1 })).method).toBe('ivf');
  });
});

describe('labels and candidates', () => {
  it('candidates are the neighbours’ labels the text lacks, most shared first', () => {
    const labels = [['Card arrival'], ['card arrival', 'late post'], ['late post', 'refund'], ['late post']];
    expect(candidatesFor(0, labels, [1, 2, 3], 10)).toEqual(['late post', 'refund']);
    expect(candidatesFor(0, labels, [1, 2, 3], 1)).toEqual(['late post']);
    expect(withLabels('where is my card', ['card arrival', 'late post'])).toBe('where is my card (card arrival; late post)');
    expect(keywordLabel('Where is my new card?')).toBe('new card');
  });
});

describe('the label rounds', () => {
  it('converge: the rounds stop when no label set changes', async () => {
    const { texts, labels } = corpus(80);
    const res = await pseudoLabels(vec(texts), texts, { engine: responderEngine(), embed }, { k: 4, maxRounds: 12, seed: 1 });
    expect(res.converged).toBe(true);
    expect(res.rounds).toBeGreaterThan(1); // labels did spread before they settled
    expect(res.rounds).toBeLessThan(12);
    expect(res.changedPerRound[res.changedPerRound.length - 1]).toBe(0);
    expect(res.changedPerRound.slice(0, -1).every((c) => c > 0)).toBe(true);
    expect(res.labels.every((l) => l.length >= 1)).toBe(true);
    // Labels are shared: most texts hold a label that another text of their intent holds too.
    const byLabel = new Map<string, Set<string>>();
    res.labels.forEach((set, i) => set.forEach((l) => byLabel.set(l, (byLabel.get(l) ?? new Set()).add(labels[i]))));
    const shared = res.labels.filter((set, i) => set.some((l) => res.labels.some((o, j) => j !== i && labels[j] === labels[i] && o.includes(l)))).length;
    expect(shared / texts.length).toBeGreaterThan(0.8);
    expect(res.assignments.length).toBe(80);
    expect(externalMetrics(labels, res.assignments).acc).toBeGreaterThan(0.6);
  });

  it('stop after maxRounds when label sets keep changing', async () => {
    const { texts } = corpus(40);
    // Every text starts with its own label and accepts every candidate: sets grow every round.
    const engine = new ScriptedEngine((m) => {
      const u = user(m);
      if (u.includes(METHOD_MARKERS.label)) return JSON.stringify({ 1: { label: `intent ${/#(\d+)/.exec(u)?.[1]}` } });
      return JSON.stringify(Object.fromEntries([...u.matchAll(/^(\d+)\. /gm)].map((x) => [x[1], 'yes'])));
    });
    const res = await pseudoLabels(vec(texts), texts, { engine, embed }, { k: 4, maxRounds: 2, maxLabels: 40, maxCandidates: 3 });
    expect(res.rounds).toBe(2);
    expect(res.converged).toBe(false);
    expect(res.changedPerRound.every((c) => c > 0)).toBe(true);
    expect(sent(res.promptLog, 'pick').every((e) => e.round === 1 || e.round === 2)).toBe(true);
    expect(res.notes.join(' ')).toContain('stopped after 2 rounds');
    expect(Math.max(...res.labels.map((l) => l.length))).toBeLessThanOrEqual(1 + 2 * 3);
  });

  it('re-embeds text ⊕ labels each round and clusters the final embeddings', async () => {
    const { texts } = corpus(40);
    const calls: string[][] = [];
    const spy = async (t: string[]): Promise<Matrix> => {
      calls.push(t);
      return vec(t);
    };
    const engine = responderEngine();
    const res = await pseudoLabels(vec(texts), texts, { engine, embed: spy }, { k: 4, maxRounds: 1 });
    const firstLabels = sent(res.promptLog, 'label').map((e) => JSON.parse(e.answer ?? '{}')['1'].label as string);
    expect(calls[0]).toEqual(texts.map((t, i) => withLabels(t, [firstLabels[i]])));
    expect(calls[calls.length - 1]).toEqual(texts.map((t, i) => withLabels(t, res.labels[i])));
    expect(Array.from(res.vectors.data)).toEqual(Array.from(vec(calls[calls.length - 1]).data));
  });

  it('texts the LLM fails on get a keyword label, counted; failed picks are counted too', async () => {
    const { texts } = corpus(40);
    const bad = (u: string): boolean => Number(/Text: "[^"]*#(\d+)"/.exec(u)?.[1]) % 5 === 0;
    const engine = new ScriptedEngine((m) => (bad(user(m)) ? 'no idea, sorry' : (responder.answerMethodPrompt(m) ?? '')));
    const res = await pseudoLabels(vec(texts), texts, { engine, embed }, { k: 4, maxRounds: 1, maxRetries: 0, ...noWait });
    expect(res.labelFallbacks).toBe(8);
    for (let i = 0; i < 40; i += 5) expect(res.labels[i][0]).toBe(keywordLabel(texts[i]));
    const failedPicks = sent(res.promptLog, 'pick').filter((e) => e.outcome === 'unparsed').length;
    expect(res.pickFailures).toBe(failedPicks);
    expect(res.fallbacks).toBe(8 + failedPicks);
  });

  it("k 'auto' picks k by the silhouette sweep", async () => {
    const { texts } = corpus(60);
    const res = await pseudoLabels(vec(texts), texts, { engine: responderEngine(), embed }, { k: 'auto', maxRounds: 1, ks: [2, 3, 4, 6] });
    expect(res.sweep?.points.map((p) => p.param)).toEqual([2, 3, 4, 6]);
    expect(res.k).toBe(res.sweep?.best);
  });
});

describe('cost estimate', () => {
  const mean = (t: string[]): number => {
    expect(meanTextTokens(t)).toBeCloseTo(t.reduce((s, x) => s + estimateTokens(x), 0) / t.length, 9);
    return meanTextTokens(t);
  };

  it('counts the labelling calls exactly and bounds the rounds', async () => {
    const { texts } = corpus(60);
    for (const labelBatchSize of [1, 4]) {
      const settings = { k: 4, maxRounds: 3, labelBatchSize };
      const est = estimatePseudoLabelCost({ n: 60, meanTextTokens: mean(texts), contextTokens: 8192, settings });
      const engine = responderEngine();
      const res = await pseudoLabels(vec(texts), texts, { engine, embed }, settings);
      expect(est.exact).toBe(false);
      expect(sent(res.promptLog, 'label').length).toBe(est.steps[0].calls);
      expect(est.steps[0].calls).toBe(Math.ceil(60 / labelBatchSize));
      expect(engine.calls.length).toBeLessThanOrEqual(est.calls);
      expect(res.llmCalls).toBe(engine.calls.length);
      const labelTokens = sent(res.promptLog, 'label').reduce((s, e) => s + estimateMessagesTokens(e.messages), 0);
      expect(est.steps[0].promptTokens).toBeGreaterThan(labelTokens * 0.7);
      expect(est.steps[0].promptTokens).toBeLessThan(labelTokens * 1.5);
    }
  });

  it('is exact without rounds', async () => {
    const { texts } = corpus(30);
    const est = estimatePseudoLabelCost({ n: 30, meanTextTokens: mean(texts), contextTokens: 8192, settings: { k: 3, maxRounds: 0 } });
    const engine = responderEngine();
    await pseudoLabels(vec(texts), texts, { engine, embed }, { k: 3, maxRounds: 0 });
    expect(engine.calls.length).toBe(est.calls);
    expect(est.embedPasses).toBe(1);
  });
});

describe('checkpoints, resume and abort', () => {
  const comparable = (r: PseudoLabelResult) => ({
    labels: r.labels,
    assignments: Array.from(r.assignments),
    calls: r.llmCalls,
    rounds: r.changedPerRound,
    fallbacks: r.fallbacks,
    log: r.promptLog.map((e) => [e.step, e.round, e.ids.join(','), e.answer]),
  });

  it.each([
    ['labelling', 'label'],
    ['a round of picks', 'refine'],
  ])('resuming from a checkpoint taken during %s gives the uninterrupted result', async (_name, phase) => {
    const { texts } = corpus(60);
    const settings: PseudoLabelOptions = { k: 4, maxRounds: 4, seed: 3 };
    const full = await pseudoLabels(vec(texts), texts, { engine: responderEngine(), embed }, settings);
    // Abort half-way through the phase's calls.
    const after = Math.ceil(sent(full.promptLog, phase === 'label' ? 'label' : 'pick').length / 2);
    expect(after).toBeGreaterThan(2);
    const controller = new AbortController();
    let cp: PseudoLabelCheckpoint | undefined;
    let inPhase = 0;
    const engine = new ScriptedEngine(
      (m) => {
        if (cp?.phase === phase && ++inPhase === after) controller.abort();
        return responder.answerMethodPrompt(m) ?? '';
      },
      { contextTokens: 8192 },
    );
    await expect(pseudoLabels(vec(texts), texts, { engine, embed }, { ...settings, signal: controller.signal, onCheckpoint: (c) => void (cp = c) })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(cp?.phase).toBe(phase);
    const saved = JSON.parse(JSON.stringify(cp)) as PseudoLabelCheckpoint;
    const again = responderEngine();
    const resumed = await pseudoLabels(vec(texts), texts, { engine: again, embed }, { ...settings, resume: saved });
    expect(comparable(resumed)).toEqual(comparable(full));
    expect(again.calls.length).toBeLessThan(full.llmCalls);
  });

  it('honours an abort before the start', async () => {
    const { texts } = corpus(20);
    const c = new AbortController();
    c.abort();
    const engine = responderEngine();
    await expect(pseudoLabels(vec(texts), texts, { engine, embed }, { k: 2, signal: c.signal })).rejects.toThrow(/abort/i);
    expect(engine.calls.length).toBe(0);
  });

  it('refuses a checkpoint made with other settings', async () => {
    const { texts } = corpus(20);
    let cp: PseudoLabelCheckpoint | undefined;
    await pseudoLabels(vec(texts), texts, { engine: responderEngine(), embed }, { k: 2, maxRounds: 1, onCheckpoint: (c) => void (cp = c) });
    await expect(pseudoLabels(vec(texts), texts, { engine: responderEngine(), embed }, { k: 2, maxRounds: 2, resume: cp })).rejects.toThrow(/other settings/);
  });
});

describe('stage', () => {
  it('pseudoLabelStage scores the clusters and names each by its most shared label', async () => {
    const { texts, labels } = corpus(60);
    const out = await pseudoLabelStage({ vectors: vec(texts), texts, labels, seed: 2, pseudolabels: { k: 4, maxRounds: 3 } }, { engine: responderEngine(), embed });
    expect(out.clustered.k).toBe(4);
    expect(out.labels).toHaveLength(60);
    for (const c of out.clustered.clusters) {
      expect(c.name).toBe(out.clusterLabels[c.id][0].label);
      expect(c.description).toContain('Most shared pseudo-labels');
      const holders = out.labels.filter((l, i) => out.clustered.assignments[i] === c.id && l.includes(c.name)).length;
      expect(holders).toBe(out.clusterLabels[c.id][0].count);
    }
    expect(out.clustered.metrics?.acc).toBeGreaterThan(0.5);
    expect(out.llmCalls).toBe(out.promptLog.length);
    expect(out.promptLog[0].messages[1].content.startsWith(METHOD_MARKERS.label)).toBe(true);
  });
});
