/**
 * ClusterFusion (seed 000): the LLM is the clustering core, embeddings only guide it.
 * 1. k-means into M = 2K groups; a balanced sample of ⌊S/M⌋ texts per group, ordered by group
 *    (or by cosine to a reference), S bounded by what fits the engine's context;
 * 2. the LLM proposes K topics (name + description) from the sample, with optional domain context
 *    and user guidance; a sample too big for one prompt is split into chunks whose topic lists an
 *    LLM merge prompt combines (divide and conquer);
 * 3. the LLM assigns every text to one numbered topic, in batches; a text it fails on or answers
 *    outside the list goes to the nearest topic by embedding (counted as a fallback).
 * Resumable: after every batch the state is a plain-data checkpoint the caller may keep and pass
 * back as `resume`. estimateClusterFusionCost says beforehand what a run costs.
 */
import { kmeans } from '../cluster/kmeans';
import { estimateMessagesTokens, estimateTokens, throwIfAborted, type ChatMessage, type LlmEngine } from '../llm/engine';
import { truncateText } from '../llm/prompts';
import type { Matrix, StageOptions } from '../types';
import { callsIn, Checkpointer, cloneBatchState, newBatchState, runBatches, tokensIn, type BatchContext, type BatchJob, type BatchState } from './batches';
import {
  assignAnswerTokens,
  buildAssignPrompt,
  buildMergePrompt,
  buildProposePrompt,
  mergeListLines,
  topicAnswerTokens,
  topicListLines,
  TOPIC_DESCRIPTION_CHARS,
  type TopicPromptOptions,
} from './clusterfusion-prompts';
import { balancedSample, cosineAt, groupMembers, orderSample, perGroupCount, planMerges, splitChunks, type SampleOrdering } from './clusterfusion-sample';
import {
  checkFingerprint,
  contextOf,
  fingerprint,
  sumSteps,
  wholeAtLeast,
  type Fingerprint,
  type LlmCallOptions,
  type MethodCostEstimate,
  type MethodLogEntry,
  type StepCost,
} from './common';
import { normName, readKeyed, readTopics, type TopicDraft } from './read-answer';

export interface ClusterFusionSettings extends TopicPromptOptions, LlmCallOptions {
  /** K: topics to find. */
  k: number;
  /** M: k-means groups for the balanced sample; default 2K (capped at n). */
  groups?: number;
  /** S: texts in the summarisation sample; 'auto' (default) = as many as fit one prompt, ≤ maxSampleSize. */
  sampleSize?: number | 'auto';
  /** Cap of an 'auto' sample; default 500 (the middle of the paper's S ∈ {200, 500, 1000}). */
  maxSampleSize?: number;
  /** Order of the sample in the prompt; default 'group'. */
  ordering?: SampleOrdering;
  /** 'cosine' ordering: a text index or a vector; default the mean direction of all texts. */
  reference?: number | number[];
  /** Characters kept of each sampled text; default 300. */
  sampleChars?: number;
  /** Characters kept of each text to assign; default 400. */
  assignChars?: number;
  /** Texts per assignment prompt (fewer when the context is small); default 20. */
  assignBatchSize?: number;
  seed?: number;
}

export interface ClusterFusionDeps {
  engine: LlmEngine;
  /**
   * Embeds topic "name: description" texts into the space of the text vectors, for the fallback.
   * Without it, a failed text goes to the topic whose LLM-assigned members' centroid is nearest.
   */
  embed?: (texts: string[], signal?: AbortSignal) => Promise<Matrix>;
}

export interface ClusterFusionOptions extends ClusterFusionSettings, StageOptions {
  /** A checkpoint from an earlier run over the same texts and settings: continue from it. */
  resume?: ClusterFusionCheckpoint;
  /** Receives the state after batches (awaited); keep it to resume after a reload. */
  onCheckpoint?: (cp: ClusterFusionCheckpoint) => void | Promise<void>;
  /** Batches between checkpoints; default so that a phase gives at most ~200. */
  checkpointEvery?: number;
}

/** Where a run stands; plain JSON data. */
export interface ClusterFusionCheckpoint {
  kind: 'clusterfusion-checkpoint';
  version: 1;
  fingerprint: Fingerprint;
  phase: 'propose' | 'merge' | 'assign' | 'done';
  /** k-means group per text. */
  groups: number[];
  /** Sampled text indices in prompt order. */
  sample: number[];
  /** Text indices of each summarisation chunk (one chunk when the sample fits one prompt). */
  chunks: number[][];
  propose: BatchState<TopicDraft[]>;
  merge?: MergeState;
  /** The final topics, once proposed (and merged). */
  topics?: TopicDraft[];
  /** Topic embeddings, topics × dims row-major, when an embed function was given. */
  topicVectors?: number[];
  assign?: { batchSize: number; descriptionChars: number; batch: BatchState<number> };
  log: MethodLogEntry[];
  notes: string[];
}

interface MergeState {
  /** Topic lists to merge at this level. */
  lists: TopicDraft[][];
  /** Indices into lists, one group per merge prompt (a group of one passes through). */
  plan: number[][];
  /** This level merges everything into the final K. */
  final: boolean;
  batch: BatchState<TopicDraft[]>;
}

export interface FusionTopic extends TopicDraft {
  id: number;
  /** Texts assigned. */
  size: number;
  /** Of those, texts placed by the embedding fallback. */
  fallbackSize: number;
}

export interface ClusterFusionResult {
  /** Topics found (≤ K when the LLM gave fewer). */
  k: number;
  topics: FusionTopic[];
  /** Topic per text, 0..k−1. */
  assignments: Int32Array;
  /** 1 where the text's topic came from the nearest-topic fallback. */
  viaFallback: Uint8Array;
  fallbacks: number;
  groups: Int32Array;
  groupCount: number;
  sample: number[];
  chunks: number;
  llmCalls: number;
  /** Estimated tokens of the prompts sent and the answers received. */
  tokens: { prompt: number; answer: number };
  promptLog: MethodLogEntry[];
  notes: string[];
}

const DEFAULT_MAX_SAMPLE = 500;
const DEFAULT_SAMPLE_CHARS = 300;
const DEFAULT_ASSIGN_CHARS = 400;
const DEFAULT_ASSIGN_BATCH = 20;
/** A line's number prefix and line break. */
const LINE_OVERHEAD = 3;
/** Headroom for estimate error in planned prompts. */
const SAFETY = 16;
/** Tokens of one topic in an answer / as a line in a prompt, for cost estimates. */
const TOPIC_ANSWER_EST = 30;
const TOPIC_LINE_EST = 30;
/** Tokens of one record's entry in an assignment answer, for cost estimates. */
const ASSIGN_ANSWER_EST = 4;

interface Resolved {
  k: number;
  groups: number;
  sampleSize: number | 'auto';
  maxSampleSize: number;
  ordering: SampleOrdering;
  sampleChars: number;
  assignChars: number;
  assignBatchSize: number;
  seed: number;
  prompt: TopicPromptOptions;
}

function resolve(s: ClusterFusionSettings, n: number): Resolved {
  const k = wholeAtLeast(s.k, 0, 1, 'k');
  if (k > n) throw new RangeError(`k (${k}) is larger than the number of texts (${n})`);
  const sampleSize = s.sampleSize ?? 'auto';
  if (sampleSize !== 'auto') wholeAtLeast(sampleSize, 0, 1, 'sampleSize');
  return {
    k,
    groups: Math.min(n, wholeAtLeast(s.groups, 2 * k, 1, 'groups')),
    sampleSize,
    maxSampleSize: wholeAtLeast(s.maxSampleSize, DEFAULT_MAX_SAMPLE, 1, 'maxSampleSize'),
    ordering: s.ordering ?? 'group',
    sampleChars: wholeAtLeast(s.sampleChars, DEFAULT_SAMPLE_CHARS, 16, 'sampleChars'),
    assignChars: wholeAtLeast(s.assignChars, DEFAULT_ASSIGN_CHARS, 16, 'assignChars'),
    assignBatchSize: wholeAtLeast(s.assignBatchSize, DEFAULT_ASSIGN_BATCH, 1, 'assignBatchSize'),
    seed: s.seed ?? 0,
    prompt: { domainContext: s.domainContext, guidance: s.guidance },
  };
}

// ---------------------------------------------------------------------------------------------
// Planning, shared by the run and the estimate

function lineTokens(text: string, chars: number): number {
  return estimateTokens(truncateText(text, chars)) + LINE_OVERHEAD;
}

/** Sample tokens one summarisation prompt can hold. Throws when not even the K-topic answer fits. */
function proposeRoom(ctx: number, r: Resolved): number {
  const fixed = estimateMessagesTokens(buildProposePrompt([], r.k, true, r.ordering !== 'none', r.prompt)) + topicAnswerTokens(r.k) + SAFETY;
  if (fixed >= ctx) throw new RangeError(`The model's context (${ctx} tokens) cannot hold a prompt and an answer of ${r.k} topics; choose fewer topics or a model with a longer context.`);
  return ctx - fixed;
}

function mergeRoom(ctx: number, r: Resolved): number {
  return ctx - estimateMessagesTokens(buildMergePrompt([], r.k, true, r.prompt)) - topicAnswerTokens(r.k) - SAFETY;
}

/** Topics a chunk proposes: its share of 2K (a chunk sees about that share of the groups), ≤ K. */
function chunkTopicCount(k: number, chunkLen: number, sampleLen: number, chunks: number): number {
  return chunks === 1 ? k : Math.min(k, Math.max(1, Math.ceil((2 * k * chunkLen) / Math.max(1, sampleLen))));
}

/** Texts per assignment prompt for a prompt head of `headTokens`; 0 when not even one fits. */
function assignFit(ctx: number, headTokens: number, assignChars: number, wanted: number): number {
  const perRecord = Math.ceil(assignChars / 4) + LINE_OVERHEAD + 8;
  const fit = Math.floor((ctx - headTokens - assignAnswerTokens(0) - SAFETY) / perRecord);
  return Math.max(0, Math.min(wanted, fit));
}

// ---------------------------------------------------------------------------------------------
// The run

/** A copy that later steps do not change (log entries and topic lists are never mutated). */
function snapshot(cp: ClusterFusionCheckpoint): ClusterFusionCheckpoint {
  return {
    ...cp,
    propose: cloneBatchState(cp.propose),
    merge: cp.merge && { ...cp.merge, batch: cloneBatchState(cp.merge.batch) },
    assign: cp.assign && { ...cp.assign, batch: cloneBatchState(cp.assign.batch) },
    log: cp.log.slice(),
    notes: cp.notes.slice(),
  };
}

async function prepare(vectors: Matrix, texts: string[], r: Resolved, ctx: number, fp: Fingerprint, opts: ClusterFusionOptions): Promise<ClusterFusionCheckpoint> {
  opts.onProgress?.({ stage: 'cluster', done: 0, total: 1, message: `ClusterFusion: ${r.groups} groups` });
  const km = await kmeans(vectors, { k: r.groups, seed: r.seed, signal: opts.signal });
  const members = groupMembers(km.assignments, r.groups, r.seed);
  const room = proposeRoom(ctx, r);
  const tokens = members.map((list) => list.map((i) => lineTokens(texts[i], r.sampleChars)));
  const perGroup = perGroupCount(tokens, r.sampleSize, room, r.maxSampleSize);
  const picked = balancedSample(members, perGroup);
  const sample = orderSample({ picked, vectors, centroids: km.centroids, ordering: r.ordering, reference: opts.reference, seed: r.seed });
  const chunks = splitChunks(
    sample.map((i) => lineTokens(texts[i], r.sampleChars)),
    room,
  ).map((c) => c.map((pos) => sample[pos]));
  const notes = [`sample of ${sample.length} texts: ${perGroup} from each of ${r.groups} groups (fewer from smaller groups)`];
  if (chunks.length > 1) notes.push(`the sample does not fit one prompt: summarised in ${chunks.length} chunks, then merged`);
  return {
    kind: 'clusterfusion-checkpoint',
    version: 1,
    fingerprint: fp,
    phase: 'propose',
    groups: Array.from(km.assignments),
    sample,
    chunks,
    propose: newBatchState(
      chunks.map((_, c) => c),
      1,
    ),
    log: [],
    notes,
  };
}

/** A summarisation or merge step: one prompt per item, answered with up to count(item) topics. */
function topicJob(step: 'propose' | 'merge', count: (item: number) => number, build: (item: number, scale: number) => ChatMessage[]): BatchJob<TopicDraft[]> {
  return {
    method: 'clusterfusion',
    step,
    stage: 'topics',
    build: ([c], scale) => build(c, scale),
    answerTokens: ([c]) => topicAnswerTokens(count(c)),
    read: (answer, [c]) => {
      const { topics, notes } = readTopics(answer, count(c));
      return { results: new Map(topics.length > 0 ? [[c, topics]] : []), notes };
    },
  };
}

/** Topic number (1-based) or name in an answer → topic index; undefined when outside the list. */
function topicIndexOf(value: string, k: number, byName: Map<string, number>): number | undefined {
  const num = /^\s*(?:topic\s*#?\s*)?(\d+)\b/i.exec(value);
  if (num) {
    const t = Number(num[1]) - 1;
    return t >= 0 && t < k ? t : undefined;
  }
  return byName.get(normName(value));
}

/** Union of lists, first occurrence of each name kept, cut to k: a merge the LLM did not give. */
function unionOf(lists: readonly TopicDraft[][], k: number): TopicDraft[] {
  const seen = new Set<string>();
  const out: TopicDraft[] = [];
  for (const list of lists) {
    for (const t of list) {
      const key = normName(t.name);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(t);
    }
  }
  return out.slice(0, k);
}

function listTokens(list: readonly TopicDraft[], index: number): number {
  return estimateTokens(mergeListLines(list, index).join('\n')) + 1;
}

export async function clusterFusion(vectors: Matrix, texts: string[], deps: ClusterFusionDeps, opts: ClusterFusionOptions): Promise<ClusterFusionResult> {
  const n = texts.length;
  if (vectors.rows !== n) throw new RangeError(`vectors (${vectors.rows}) and texts (${n}) differ in length`);
  const r = resolve(opts, n);
  const { engine } = deps;
  const ctx = contextOf(engine);
  const signal = opts.signal;
  const settings = { ...r, reference: opts.reference ?? null, context: ctx, model: engine.model };
  const fp = fingerprint('clusterfusion', texts, settings);
  let cp: ClusterFusionCheckpoint;
  if (opts.resume) {
    checkFingerprint(opts.resume.fingerprint, fp);
    cp = snapshot(opts.resume);
  } else cp = await prepare(vectors, texts, r, ctx, fp, opts);
  throwIfAborted(signal);

  const saver = new Checkpointer(opts.onCheckpoint, () => snapshot(cp), opts.checkpointEvery);
  const batchCtx = (): BatchContext => ({ ...opts, engine, log: cp.log, signal, onBatch: () => saver.batch() });
  if (!opts.resume) await saver.force();

  // Topic summarisation, one prompt per chunk.
  if (cp.phase === 'propose') {
    const chunks = cp.chunks;
    const count = (c: number): number => chunkTopicCount(r.k, chunks[c].length, cp.sample.length, chunks.length);
    const job = topicJob('propose', count, (c, scale) =>
      buildProposePrompt(
        chunks[c].map((i) => truncateText(texts[i], Math.max(16, Math.floor(r.sampleChars * scale)))),
        count(c),
        chunks.length === 1,
        r.ordering !== 'none',
        r.prompt,
      ),
    );
    saver.phase(chunks.length);
    await runBatches(job, cp.propose, batchCtx());
    const lists = chunks.map((_, c) => cp.propose.done[c]).filter((l): l is TopicDraft[] => l !== undefined);
    if (lists.length === 0) throw new Error('The LLM proposed no usable topics (see the prompt log).');
    if (lists.length < chunks.length) cp.notes.push(`${chunks.length - lists.length} of ${chunks.length} chunks gave no usable topics`);
    await toTopicsOrMerge(lists);
  }

  // Divide and conquer: merge topic lists level by level until one remains.
  while (cp.phase === 'merge' && cp.merge) {
    const mg: MergeState = cp.merge;
    const job = topicJob(
      'merge',
      () => r.k,
      (g, scale) =>
        buildMergePrompt(
          mg.plan[g].map((i) => mg.lists[i]),
          r.k,
          mg.final,
          r.prompt,
          Math.floor(TOPIC_DESCRIPTION_CHARS * scale),
        ),
    );
    saver.phase(mg.batch.pending.length);
    await runBatches(job, mg.batch, batchCtx());
    const next = mg.plan.map((g, gi) => {
      if (g.length === 1) return mg.lists[g[0]];
      const merged = mg.batch.done[gi];
      if (merged) return merged;
      cp.notes.push(`a merge prompt gave no usable topics: kept the first ${r.k} distinct topics of its lists`);
      return unionOf(
        g.map((i) => mg.lists[i]),
        r.k,
      );
    });
    await toTopicsOrMerge(next);
  }

  // Constrained assignment of every text, in batches.
  if (cp.phase === 'assign' && cp.assign && cp.topics) {
    const topics = cp.topics;
    const as = cp.assign;
    const lines = topicListLines(topics, as.descriptionChars);
    const byName = new Map<string, number>();
    topics.forEach((t, i) => byName.set(normName(t.name), i));
    const job: BatchJob<number> = {
      method: 'clusterfusion',
      step: 'assign',
      stage: 'assign',
      build: (ids, scale) =>
        buildAssignPrompt(
          ids.map((i) => truncateText(texts[i], Math.max(16, Math.floor(r.assignChars * scale)))),
          lines,
          r.prompt,
        ),
      answerTokens: (ids) => assignAnswerTokens(ids.length),
      read: (answer, ids) => {
        const local = ids.map((_, j) => String(j + 1));
        const a = readKeyed(answer, local);
        const results = new Map<number, number>();
        const outside: string[] = [];
        ids.forEach((id, j) => {
          const v = a.values.get(local[j]);
          if (v === undefined) return;
          const t = topicIndexOf(v, topics.length, byName);
          if (t === undefined) outside.push(`record ${j + 1}: "${v}"`);
          else results.set(id, t);
        });
        const notes = a.notes.slice();
        if (outside.length > 0) notes.push(`answers outside the topic list (retried, then nearest topic): ${outside.join(', ')}`);
        return { results, extra: a.extra, notes };
      },
    };
    saver.phase(Math.ceil(as.batch.pending.length / as.batchSize));
    await runBatches(job, as.batch, batchCtx());
    cp.phase = 'done';
    await saver.force();
  }
  return finish(vectors, cp);

  /** One list left: those are the topics, go on to assignment; else plan the next merge level. */
  async function toTopicsOrMerge(lists: TopicDraft[][]): Promise<void> {
    if (lists.length === 1) {
      cp.merge = undefined;
      await startAssign(lists[0]);
      return;
    }
    const plan = planMerges(
      lists.map((l, i) => listTokens(l, i)),
      mergeRoom(ctx, r),
    );
    const final = plan.length === 1;
    if (!final && plan.every((g) => g.length === 1)) {
      throw new RangeError(`The model's context (${ctx} tokens) cannot hold two topic lists to merge; choose fewer topics, a smaller sample or a model with a longer context.`);
    }
    const items = plan.flatMap((g, gi) => (g.length > 1 ? [gi] : []));
    cp.merge = { lists, plan, final, batch: newBatchState(items, 1) };
    cp.phase = 'merge';
    await saver.force();
  }

  async function startAssign(topics: TopicDraft[]): Promise<void> {
    if (topics.length < r.k) cp.notes.push(`the LLM gave ${topics.length} topics of the ${r.k} asked for`);
    cp.topics = topics;
    if (deps.embed) {
      const tv = await deps.embed(
        topics.map((t) => `${t.name}: ${t.description}`),
        signal,
      );
      if (tv.rows !== topics.length || tv.cols !== vectors.cols) throw new RangeError(`embed returned ${tv.rows} × ${tv.cols} for ${topics.length} topics of ${vectors.cols} dims`);
      cp.topicVectors = Array.from(tv.data.subarray(0, tv.rows * tv.cols));
    }
    let descriptionChars = TOPIC_DESCRIPTION_CHARS;
    let size = assignFit(ctx, estimateMessagesTokens(buildAssignPrompt([], topicListLines(topics, descriptionChars), r.prompt)), r.assignChars, r.assignBatchSize);
    if (size === 0) {
      descriptionChars = 0;
      size = Math.max(1, assignFit(ctx, estimateMessagesTokens(buildAssignPrompt([], topicListLines(topics, 0), r.prompt)), r.assignChars, r.assignBatchSize));
      cp.notes.push('the topic list with descriptions does not fit the context: assignment prompts list topic names only');
    }
    cp.assign = { batchSize: size, descriptionChars, batch: newBatchState(Array.from({ length: n }, (_, i) => i), size) };
    cp.phase = 'assign';
    await saver.force();
  }
}

/** Topic vectors for the fallback: the embedded topics, else the centroids of LLM-assigned members. */
function fallbackVectors(vectors: Matrix, cp: ClusterFusionCheckpoint, k: number, notes: string[]): Float64Array | number[] {
  if (cp.topicVectors) return cp.topicVectors;
  const d = vectors.cols;
  const sums = new Float64Array(k * d);
  const done = cp.assign?.batch.done ?? {};
  for (const [i, t] of Object.entries(done)) {
    const o = Number(i) * d;
    for (let j = 0; j < d; j++) sums[t * d + j] += vectors.data[o + j];
  }
  notes.push('no topic embeddings: fallback texts went to the nearest centroid of LLM-assigned texts');
  return sums;
}

function finish(vectors: Matrix, cp: ClusterFusionCheckpoint): ClusterFusionResult {
  const n = vectors.rows;
  const d = vectors.cols;
  const topics = cp.topics ?? [];
  const k = topics.length;
  const notes = cp.notes.slice();
  const assignments = new Int32Array(n);
  const viaFallback = new Uint8Array(n);
  const done = cp.assign?.batch.done ?? {};
  for (const [i, t] of Object.entries(done)) assignments[Number(i)] = t;
  const failed = cp.assign?.batch.gaveUp ?? [];
  if (failed.length > 0) {
    const tv = fallbackVectors(vectors, cp, k, notes);
    // A topic without a vector (no members to average) cannot be chosen.
    const usable = Array.from({ length: k }, (_, t) => cosineAt(tv, t * d, tv, t * d, d) > 0);
    for (const i of failed) {
      let best = 0;
      let bestSim = -Infinity;
      for (let t = 0; t < k; t++) {
        if (!usable[t]) continue;
        const s = cosineAt(vectors.data, i * d, tv, t * d, d);
        if (s > bestSim) {
          bestSim = s;
          best = t;
        }
      }
      assignments[i] = best;
      viaFallback[i] = 1;
    }
  }
  const out: FusionTopic[] = topics.map((t, id) => ({ id, name: t.name, description: t.description, size: 0, fallbackSize: 0 }));
  for (let i = 0; i < n; i++) {
    out[assignments[i]].size++;
    if (viaFallback[i]) out[assignments[i]].fallbackSize++;
  }
  return {
    k,
    topics: out,
    assignments,
    viaFallback,
    fallbacks: failed.length,
    groups: Int32Array.from(cp.groups),
    groupCount: Math.max(0, ...cp.groups) + 1,
    sample: cp.sample,
    chunks: cp.chunks.length,
    llmCalls: callsIn(cp.log),
    tokens: tokensIn(cp.log),
    promptLog: cp.log,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Cost estimate

export interface ClusterFusionCostInput {
  /** Texts to cluster. */
  n: number;
  /** Mean estimateTokens of a text. */
  meanTextTokens: number;
  /** The engine's context window; 0 or Infinity when unknown. */
  contextTokens: number;
  settings: ClusterFusionSettings;
}

/**
 * LLM calls and tokens of a run, before it starts: the same planning as the run with every text
 * costing meanTextTokens, groups of equal size and topics of TOPIC_LINE_EST tokens. `exact` (calls
 * are what a run with well-formed answers makes, for texts of similar length) unless the context
 * bounds the merge levels or the assignment batch, which then depend on the topics' lengths.
 * Retries add calls.
 */
export function estimateClusterFusionCost(inp: ClusterFusionCostInput): MethodCostEstimate {
  const { n } = inp;
  const r = resolve(inp.settings, n);
  const ctx = inp.contextTokens > 0 ? inp.contextTokens : Infinity;
  const ordered = r.ordering !== 'none';
  const mean = Math.max(1, inp.meanTextTokens);
  const sampleLine = Math.min(mean, Math.ceil(r.sampleChars / 4)) + LINE_OVERHEAD;
  const base = Math.floor(n / r.groups);
  const sizes = Array.from({ length: r.groups }, (_, g) => base + (g < n % r.groups ? 1 : 0));
  const room = proposeRoom(ctx, r);
  const perGroup = perGroupCount(
    sizes.map((s) => new Array<number>(s).fill(sampleLine)),
    r.sampleSize,
    room,
    r.maxSampleSize,
  );
  const sampleLen = sizes.reduce((s, x) => s + Math.min(x, perGroup), 0);
  const chunks = splitChunks(new Array<number>(sampleLen).fill(sampleLine), room);
  const steps: StepCost[] = [];
  const counts = chunks.map((c) => chunkTopicCount(r.k, c.length, sampleLen, chunks.length));
  steps.push({
    step: 'propose',
    calls: chunks.length,
    promptTokens: chunks.reduce((s, c, i) => s + estimateMessagesTokens(buildProposePrompt([], counts[i], chunks.length === 1, ordered, r.prompt)) + c.length * sampleLine, 0),
    answerTokens: counts.reduce((s, c) => s + c * TOPIC_ANSWER_EST, 0),
  });
  const merge: StepCost = { step: 'merge', calls: 0, promptTokens: 0, answerTokens: 0 };
  let levels = 0;
  let lists = counts;
  const mHead = estimateMessagesTokens(buildMergePrompt([], r.k, true, r.prompt));
  const mRoom = mergeRoom(ctx, r);
  while (lists.length > 1) {
    const tokens = lists.map((c) => c * TOPIC_LINE_EST + 4);
    const plan = planMerges(tokens, mRoom);
    if (plan.length > 1 && plan.every((g) => g.length === 1)) break; // the run would stop here
    const final = plan.length === 1;
    levels++;
    lists = plan.map((g) => {
      if (g.length === 1) return lists[g[0]];
      merge.calls++;
      merge.promptTokens += mHead + g.reduce((s, i) => s + tokens[i], 0);
      const out = final ? r.k : Math.min(r.k, g.reduce((s, i) => s + lists[i], 0));
      merge.answerTokens += out * TOPIC_ANSWER_EST;
      return out;
    });
  }
  if (merge.calls > 0) steps.push(merge);
  const head = estimateMessagesTokens(buildAssignPrompt([], [], r.prompt));
  let batch = assignFit(ctx, head + r.k * TOPIC_LINE_EST, r.assignChars, r.assignBatchSize);
  const notes: string[] = [];
  if (batch === 0) {
    batch = Math.max(1, assignFit(ctx, head + r.k * 10, r.assignChars, r.assignBatchSize));
    notes.push('topic descriptions will not fit assignment prompts: names only');
  }
  const calls = Math.ceil(n / batch);
  const topicHead = head + r.k * (notes.length > 0 ? 10 : TOPIC_LINE_EST);
  steps.push({
    step: 'assign',
    calls,
    promptTokens: calls * topicHead + n * (Math.min(mean, Math.ceil(r.assignChars / 4)) + LINE_OVERHEAD),
    answerTokens: n * ASSIGN_ANSWER_EST,
  });
  notes.unshift(`sample of about ${sampleLen} texts in ${chunks.length} prompt${chunks.length === 1 ? '' : 's'}; ${batch} texts per assignment prompt`);
  // Where the context, not the settings, decides merge levels or assignment batches, the lengths
  // of the topics the LLM will write matter: the calls are then an estimate too.
  const bound = levels > 1 || batch < r.assignBatchSize;
  if (bound) notes.push('the context limits merges or assignment batches: calls depend on how long the topics are');
  return sumSteps('clusterfusion', steps, !bound, 0, notes);
}
