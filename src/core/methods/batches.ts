/**
 * The batched-LLM loop of both methods, with the naming loop's policy (src/core/llm/naming.ts) but
 * over any items and with a plain-data state, so a run can stop after any batch and go on later:
 * - a batch takes the next `size` pending items;
 * - a prompt whose estimate + answer reserve exceeds the context is not sent: the batch shrinks
 *   (and that size becomes the ceiling); at the minimum size the text budget is halved instead,
 *   up to 3 times, then the items are given up; ContextOverflowError from the engine is the same;
 * - an answer with no usable item shrinks the batch and counts a failure for each item; items
 *   missing from a partial answer count a failure and stay at the front of the queue; an engine
 *   error counts a failure and retries the batch;
 * - before a batch holding items that failed f times, wait backoffMs · 2^(f−1);
 * - an item that failed more than maxRetries times is given up (the caller's fallback takes it);
 * - a fully answered batch doubles the size, up to the ceiling.
 * Every prompt and answer goes into the log.
 */
import {
  ContextOverflowError,
  abortReason,
  estimateMessagesTokens,
  estimateTokens,
  isAbortError,
  sleep as defaultSleep,
  throwIfAborted,
  type ChatMessage,
  type GenerateResult,
  type LlmEngine,
} from '../llm/engine';
import type { PromptOutcome } from '../llm/naming';
import type { ProgressFn } from '../types';
import { contextOf, type LlmCallOptions, type MethodId, type MethodLogEntry } from './common';

/** Where a batched step stands: plain JSON data. */
export interface BatchState<T> {
  /** Items still to answer, in queue order. */
  pending: number[];
  /** Failures so far, by item. */
  failures: Record<string, number>;
  /** Text-budget level by item (index into SCALES), raised by overflows at the minimum size. */
  scale: Record<string, number>;
  size: number;
  ceiling: number;
  /** Results by item. */
  done: Record<string, T>;
  /** Items given up after their retries, or that never fit the context. */
  gaveUp: number[];
}

export interface BatchJob<T> {
  method: MethodId;
  step: string;
  round?: number;
  /** Progress stage name. */
  stage: string;
  build(ids: number[], scale: number): ChatMessage[];
  /** Tokens reserved for the answer. */
  answerTokens(ids: number[]): number;
  /** What the answer says for each item it covers; items left out are retried. */
  read(answer: string, ids: number[]): { results: Map<number, T>; extra?: string[]; notes: string[] };
}

export interface BatchContext extends LlmCallOptions {
  engine: LlmEngine;
  log: MethodLogEntry[];
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Called after every batch with the state just reached (for checkpoints). */
  onBatch?: () => void | Promise<void>;
}

/** Text-budget multipliers tried at the minimum batch size (the naming loop's ladder). */
export const SCALES = [1, 0.5, 0.25, 0.125];

export function newBatchState<T>(items: number[], batchSize: number): BatchState<T> {
  const size = Math.max(1, Math.floor(batchSize));
  return { pending: items.slice(), failures: {}, scale: {}, size, ceiling: size, done: {}, gaveUp: [] };
}

/** Outcomes that mean a prompt was sent to the engine. */
const SENT: ReadonlySet<PromptOutcome> = new Set(['ok', 'partial', 'unparsed', 'overflow', 'error']);

export function callsIn(log: readonly MethodLogEntry[]): number {
  let c = 0;
  for (const e of log) if (SENT.has(e.outcome)) c++;
  return c;
}

/** Estimated prompt + answer tokens of the prompts actually sent. */
export function tokensIn(log: readonly MethodLogEntry[]): { prompt: number; answer: number } {
  let prompt = 0;
  let answer = 0;
  for (const e of log) {
    if (!SENT.has(e.outcome)) continue;
    prompt += e.estimatedTokens;
    answer += e.answer !== undefined ? estimateTokens(e.answer) : 0;
  }
  return { prompt, answer };
}

/** Runs the job until no item is pending; mutates and returns the state. */
export async function runBatches<T>(job: BatchJob<T>, st: BatchState<T>, ctx: BatchContext, minBatchSize = 1): Promise<BatchState<T>> {
  const { engine, signal } = ctx;
  const now = ctx.now ?? (() => Date.now());
  const wait = ctx.sleep ?? defaultSleep;
  const maxRetries = Math.max(0, ctx.maxRetries ?? 1);
  const backoff = Math.max(0, ctx.backoffMs ?? 500);
  const factor = ctx.shrinkFactor ?? 0.5;
  const minB = Math.max(1, Math.min(minBatchSize, st.ceiling));
  const ctxTokens = contextOf(engine);
  const total = st.pending.length + Object.keys(st.done).length + st.gaveUp.length;
  const shrink = (n: number): number => Math.max(minB, Math.min(n - 1, Math.floor(n * factor)));
  const progress = (message?: string): void => {
    ctx.onProgress?.({ stage: job.stage, done: total - st.pending.length, total, message });
  };
  const giveUp = (ids: number[]): void => {
    const gone = new Set(ids);
    st.pending = st.pending.filter((id) => !gone.has(id));
    st.gaveUp.push(...ids);
  };
  const fail = (ids: number[]): void => {
    const out: number[] = [];
    for (const id of ids) {
      const f = (st.failures[id] ?? 0) + 1;
      st.failures[id] = f;
      if (f > maxRetries) out.push(id);
    }
    if (out.length > 0) giveUp(out);
  };
  const overflowed = (ids: number[]): void => {
    if (ids.length > minB) {
      st.size = shrink(ids.length);
      st.ceiling = Math.min(st.ceiling, st.size);
      return;
    }
    const k = Math.max(...ids.map((id) => st.scale[id] ?? 0)) + 1;
    if (k < SCALES.length) for (const id of ids) st.scale[id] = k;
    else giveUp(ids);
  };

  progress();
  let sent = 0;
  while (st.pending.length > 0) {
    // An engine that answers at once (a test responder) never leaves the microtask queue: yield
    // now and then so a worker still sees an abort message.
    if (++sent % 32 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    throwIfAborted(signal);
    const ids = st.pending.slice(0, Math.min(st.size, st.pending.length));
    const attempt = Math.max(...ids.map((id) => st.failures[id] ?? 0));
    const scale = SCALES[Math.max(...ids.map((id) => st.scale[id] ?? 0))];
    const messages = job.build(ids, scale);
    const reserve = job.answerTokens(ids);
    const estimated = estimateMessagesTokens(messages);
    const entry: MethodLogEntry = {
      method: job.method,
      step: job.step,
      round: job.round,
      seq: ctx.log.length,
      ids: ids.map(String),
      batchSize: ids.length,
      attempt,
      outcome: 'ok',
      messages,
      named: [],
      missing: [],
      extra: [],
      notes: [],
      estimatedTokens: estimated,
      sampleScale: scale,
      waitedMs: 0,
      ms: 0,
    };
    if (estimated + reserve > ctxTokens) {
      ctx.log.push({ ...entry, outcome: 'too-long', notes: [`estimated ${estimated} + ${reserve} answer tokens > context ${ctxTokens}`] });
      overflowed(ids);
      await ctx.onBatch?.();
      continue;
    }
    if (attempt > 0 && backoff > 0) {
      entry.waitedMs = backoff * 2 ** (attempt - 1);
      await wait(entry.waitedMs, signal);
    }
    const t0 = now();
    let res: GenerateResult;
    try {
      res = await engine.generate(messages, { json: true, maxTokens: reserve, temperature: ctx.temperature ?? 0, signal });
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      if (isAbortError(e)) throw e;
      const error = e instanceof Error ? e.message : String(e);
      const overflow = e instanceof ContextOverflowError;
      ctx.log.push({ ...entry, outcome: overflow ? 'overflow' : 'error', error, ms: now() - t0 });
      if (overflow) overflowed(ids);
      else fail(ids);
      await ctx.onBatch?.();
      continue;
    }
    const ms = now() - t0;
    throwIfAborted(signal);
    const read = job.read(res.text, ids);
    const named = ids.filter((id) => read.results.has(id));
    const missing = ids.filter((id) => !read.results.has(id));
    for (const id of named) st.done[id] = read.results.get(id) as T;
    const outcome: PromptOutcome = named.length === 0 ? 'unparsed' : missing.length > 0 ? 'partial' : 'ok';
    ctx.log.push({
      ...entry,
      outcome,
      answer: res.text,
      named: named.map(String),
      missing: missing.map(String),
      extra: read.extra ?? [],
      notes: read.notes,
      promptTokens: res.promptTokens,
      completionTokens: res.completionTokens,
      tokensPerSecond: res.tokensPerSecond,
      ms,
    });
    const answered = new Set(named);
    st.pending = st.pending.filter((id) => !answered.has(id));
    if (outcome === 'ok') st.size = Math.min(st.ceiling, st.size * 2);
    else if (outcome === 'unparsed') {
      if (ids.length > minB) st.size = shrink(ids.length);
      fail(ids);
    } else fail(missing);
    progress(`${total - st.pending.length}/${total}`);
    await ctx.onBatch?.();
  }
  return st;
}

/** A copy that later batches do not change (results are never mutated once stored). */
export function cloneBatchState<T>(b: BatchState<T>): BatchState<T> {
  return { ...b, pending: b.pending.slice(), failures: { ...b.failures }, scale: { ...b.scale }, done: { ...b.done }, gaveUp: b.gaveUp.slice() };
}

/**
 * Hands snapshots of a method's state to its onCheckpoint: at phase changes always, between
 * batches every `every` batches (by default so that one phase gives at most ~200 snapshots, as
 * each copies the state and the log).
 */
export class Checkpointer<C> {
  private count = 0;
  private period = 1;
  constructor(
    private readonly send: ((cp: C) => void | Promise<void>) | undefined,
    private readonly snapshot: () => C,
    private readonly every?: number,
  ) {}

  /** A phase of about `batches` batches starts. */
  phase(batches: number): void {
    this.period = this.every ?? Math.max(1, Math.floor(batches / 200));
  }

  async batch(): Promise<void> {
    if (!this.send) return;
    this.count++;
    if (this.count % this.period === 0) await this.send(this.snapshot());
  }

  async force(): Promise<void> {
    if (this.send) await this.send(this.snapshot());
  }
}
