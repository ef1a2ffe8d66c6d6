/**
 * Batched cluster naming with an LLM (HERCULES §3.4, seed 001; breadth-first tree naming, seed 003).
 *
 * Batching policy, in the order the loop applies it:
 * - a batch takes the next `size` pending clusters (size starts at `batchSize`);
 * - a prompt whose estimated tokens + answer reserve exceed the engine's context is not sent: the
 *   batch is shrunk (size × shrinkFactor, floored, at least minBatchSize), and that smaller size
 *   becomes a ceiling; at the minimum size the sample budget is halved instead (up to 3 times);
 * - ContextOverflowError from the engine is handled the same way (it is the engine's own count);
 * - an answer with no usable name shrinks the batch (no ceiling: small models fail at random) and
 *   counts a failure for each of its clusters; ids missing from a partial answer count a failure
 *   and go back to the front of the queue; a thrown engine error counts a failure and retries the
 *   same batch;
 * - before a batch holding clusters that failed f times, wait backoffMs · 2^(f−1);
 * - a cluster that failed more than maxRetries times gets its keyword name;
 * - a fully named batch doubles the size, up to the ceiling.
 * Every prompt, answer, parse outcome, timing and batch size is kept in the log.
 */
import type { ProgressFn } from '../types';
import {
  ContextOverflowError,
  estimateMessagesTokens,
  isAbortError,
  abortReason,
  sleep as defaultSleep,
  throwIfAborted,
  type ChatMessage,
  type GenerateResult,
  type LlmEngine,
} from './engine';
import { parseNamingAnswer } from './parse';
import { buildNamingPrompt, type ClusterForNaming, type PromptBudget } from './prompts';

export interface ClusterName {
  title: string;
  description: string;
  source: 'llm' | 'keywords';
}

export type PromptOutcome =
  /** Every id of the batch got a name. */
  | 'ok'
  /** Some ids got names, the others go back to the queue. */
  | 'partial'
  /** The answer gave no usable name. */
  | 'unparsed'
  /** The engine threw ContextOverflowError. */
  | 'overflow'
  /** The prompt's estimate exceeded the context; not sent. */
  | 'too-long'
  /** The engine threw another error. */
  | 'error'
  /** Keyword names given (no engine, or retries spent); no prompt. */
  | 'fallback';

export interface PromptLogEntry {
  /** Position in the log. */
  seq: number;
  /** Level index for nameTree, or opts.level. */
  level?: number;
  ids: string[];
  /** Clusters in this batch. */
  batchSize: number;
  /** Most earlier failures among the batch's clusters (0 = first try). */
  attempt: number;
  outcome: PromptOutcome;
  /** Prompt sent (empty for 'fallback'). */
  messages: ChatMessage[];
  answer?: string;
  error?: string;
  /** Ids named by this answer. */
  named: string[];
  missing: string[];
  extra: string[];
  /** Parser repair notes, and other remarks. */
  notes: string[];
  estimatedTokens: number;
  /** Share of the default sample budget used (1, 0.5, …). */
  sampleScale: number;
  promptTokens?: number;
  completionTokens?: number;
  tokensPerSecond?: number;
  /** Back-off waited before sending. */
  waitedMs: number;
  /** Time spent in the engine call. */
  ms: number;
}

export interface NamingOptions {
  topicSeed?: string;
  /** Initial (and largest) batch size; default 8. */
  batchSize?: number;
  /** Default 1. */
  minBatchSize?: number;
  /** Retries per cluster after its first failure; default 2. */
  maxRetries?: number;
  /** Base of the exponential back-off; default 500 ms. */
  backoffMs?: number;
  /** Batch size multiplier on failure; default 0.5. */
  shrinkFactor?: number;
  /** Default 0.2: names should be stable, not creative. */
  temperature?: number;
  budget?: Partial<PromptBudget>;
  /** Tag for log entries. */
  level?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Injected for tests: how to wait for the back-off. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests: a clock in ms. */
  now?: () => number;
}

export interface NamingResult {
  names: Map<string, ClusterName>;
  log: PromptLogEntry[];
}

/** Tokens reserved for the answer: ~90 per cluster (a ≤ 7-word title, 2 sentences, JSON) + 40. */
export function answerTokens(clusters: number): number {
  return 40 + 90 * clusters;
}

/** Keyword label: top 3 keywords joined; the description lists the top 5. */
export function keywordName(c: ClusterForNaming): ClusterName {
  const kws = c.keywords.map((k) => k.trim()).filter((k) => k !== '');
  if (kws.length === 0) return { title: `Cluster ${c.id}`, description: '', source: 'keywords' };
  return { title: kws.slice(0, 3).join(', '), description: `Top keywords: ${kws.slice(0, 5).join(', ')}.`, source: 'keywords' };
}

interface RunState {
  names: Map<string, ClusterName>;
  log: PromptLogEntry[];
  /** Named before this call (progress offset) and total over the whole job. */
  doneBase: number;
  total: number;
}

const SCALES_AT_MIN = [1, 0.5, 0.25, 0.125];

async function nameInto(clusters: readonly ClusterForNaming[], engine: LlmEngine | null, opts: NamingOptions, st: RunState): Promise<void> {
  const byId = new Map<string, ClusterForNaming>();
  for (const c of clusters) {
    if (byId.has(c.id)) throw new Error(`duplicate cluster id "${c.id}"`);
    byId.set(c.id, c);
  }
  const signal = opts.signal;
  const now = opts.now ?? (() => Date.now());
  const wait = opts.sleep ?? defaultSleep;
  let namedHere = 0;
  const progress = (message: string): void => {
    opts.onProgress?.({ stage: 'name', done: st.doneBase + namedHere, total: st.total, message });
  };
  const base = (ids: string[]): Omit<PromptLogEntry, 'outcome'> => ({
    seq: st.log.length,
    level: opts.level,
    ids,
    batchSize: ids.length,
    attempt: 0,
    messages: [],
    named: [],
    missing: [],
    extra: [],
    notes: [],
    estimatedTokens: 0,
    sampleScale: 1,
    waitedMs: 0,
    ms: 0,
  });
  const giveKeywords = (ids: string[], note: string): void => {
    for (const id of ids) {
      st.names.set(id, keywordName(byId.get(id) as ClusterForNaming));
      namedHere++;
    }
    st.log.push({ ...base(ids), outcome: 'fallback', named: ids.slice(), notes: [note] });
  };

  throwIfAborted(signal);
  if (clusters.length === 0) return;
  if (!engine) {
    giveKeywords(
      clusters.map((c) => c.id),
      'no LLM engine: keyword names',
    );
    progress('keyword names');
    return;
  }

  const initial = Math.max(1, Math.floor(opts.batchSize ?? 8));
  const minB = Math.min(initial, Math.max(1, Math.floor(opts.minBatchSize ?? 1)));
  const maxRetries = Math.max(0, opts.maxRetries ?? 2);
  const backoff = Math.max(0, opts.backoffMs ?? 500);
  const factor = opts.shrinkFactor ?? 0.5;
  const ctx = engine.contextTokens > 0 ? engine.contextTokens : Infinity;
  const promptOpts = { topicSeed: opts.topicSeed, budget: opts.budget };
  const shrink = (n: number): number => Math.max(minB, Math.min(n - 1, Math.floor(n * factor)));

  let size = initial;
  let ceiling = initial;
  let queue = clusters.map((c) => c.id);
  const failures = new Map<string, number>();
  /** Sample-budget index into SCALES_AT_MIN, per id, raised by overflows at the minimum size. */
  const scaleIdx = new Map<string, number>();

  /** Counts a failure for ids; those past maxRetries get keyword names. Returns the retired. */
  const fail = (ids: string[], why: string): void => {
    const retired: string[] = [];
    for (const id of ids) {
      const f = (failures.get(id) ?? 0) + 1;
      failures.set(id, f);
      if (f > maxRetries) retired.push(id);
    }
    if (retired.length > 0) {
      giveKeywords(retired, `no usable LLM name after ${maxRetries + 1} tries (${why}): keyword names`);
      const gone = new Set(retired);
      queue = queue.filter((id) => !gone.has(id));
    }
  };
  /** Context too small for this batch: shrink it, or at the minimum size send less sample text. */
  const overflowed = (ids: string[]): void => {
    if (ids.length > minB) {
      size = shrink(ids.length);
      ceiling = Math.min(ceiling, size);
      return;
    }
    const k = Math.max(...ids.map((id) => scaleIdx.get(id) ?? 0)) + 1;
    if (k < SCALES_AT_MIN.length) {
      for (const id of ids) scaleIdx.set(id, k);
      return;
    }
    giveKeywords(ids, 'prompt does not fit the context even with the smallest sample budget: keyword names');
    const gone = new Set(ids);
    queue = queue.filter((id) => !gone.has(id));
  };

  progress('naming clusters');
  while (queue.length > 0) {
    throwIfAborted(signal);
    const ids = queue.slice(0, Math.min(size, queue.length));
    const batch = ids.map((id) => byId.get(id) as ClusterForNaming);
    const attempt = Math.max(...ids.map((id) => failures.get(id) ?? 0));
    const scale = SCALES_AT_MIN[Math.max(...ids.map((id) => scaleIdx.get(id) ?? 0))];
    const prompt = buildNamingPrompt(batch, promptOpts, scale);
    const reserve = answerTokens(ids.length);
    const estimated = estimateMessagesTokens(prompt.messages);
    const entry = { ...base(ids), attempt, messages: prompt.messages, estimatedTokens: estimated, sampleScale: scale };

    if (estimated + reserve > ctx) {
      st.log.push({ ...entry, outcome: 'too-long', notes: [`estimated ${estimated} + ${reserve} answer tokens > context ${ctx}`] });
      overflowed(ids);
      continue;
    }

    let waitedMs = 0;
    if (attempt > 0 && backoff > 0) {
      waitedMs = backoff * 2 ** (attempt - 1);
      await wait(waitedMs, signal);
    }
    progress(`batch of ${ids.length}${attempt > 0 ? ` (retry ${attempt})` : ''}`);
    const t0 = now();
    let res: GenerateResult;
    try {
      res = await engine.generate(prompt.messages, { json: true, maxTokens: reserve, temperature: opts.temperature ?? 0.2, signal });
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      if (isAbortError(e)) throw e;
      const ms = now() - t0;
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof ContextOverflowError) {
        st.log.push({ ...entry, outcome: 'overflow', error: message, waitedMs, ms });
        overflowed(ids);
      } else {
        st.log.push({ ...entry, outcome: 'error', error: message, waitedMs, ms });
        fail(ids, 'engine error');
      }
      continue;
    }
    const ms = now() - t0;
    throwIfAborted(signal);

    const parsed = parseNamingAnswer(res.text, ids);
    const named = ids.filter((id) => parsed.names.has(id));
    for (const id of named) {
      const n = parsed.names.get(id) as { title: string; description: string };
      st.names.set(id, { title: n.title, description: n.description, source: 'llm' });
      namedHere++;
    }
    const outcome: PromptOutcome = named.length === 0 ? 'unparsed' : parsed.missing.length > 0 ? 'partial' : 'ok';
    st.log.push({
      ...entry,
      outcome,
      answer: res.text,
      named,
      missing: parsed.missing,
      extra: parsed.extra,
      notes: parsed.repaired,
      promptTokens: res.promptTokens,
      completionTokens: res.completionTokens,
      tokensPerSecond: res.tokensPerSecond,
      waitedMs,
      ms,
    });
    const done = new Set(named);
    queue = queue.filter((id) => !done.has(id));
    if (outcome === 'ok') {
      size = Math.min(ceiling, size * 2);
    } else if (outcome === 'unparsed') {
      if (ids.length > minB) size = shrink(ids.length);
      fail(ids, 'unusable answer');
    } else {
      fail(parsed.missing, 'missing from the answer');
    }
    progress(`${st.doneBase + namedHere}/${st.total} named`);
  }
}

/** Names every cluster: by the LLM in adaptive batches, else by keywords. */
export async function nameClusters(clusters: ClusterForNaming[], engine: LlmEngine | null, opts: NamingOptions = {}): Promise<NamingResult> {
  const st: RunState = { names: new Map(), log: [], doneBase: 0, total: clusters.length };
  await nameInto(clusters, engine, opts, st);
  return { names: st.names, log: st.log };
}

export interface TreeNamingOptions extends NamingOptions {
  /**
   * 'top-down' (default, seed 003): levels[0] holds the roots; a cluster's `parentId` names a
   * cluster of an earlier level whose name is passed as `parent` context, and siblings are batched
   * together. 'bottom-up' (HERCULES): levels[0] holds the finest clusters; `childIds` name clusters
   * of earlier levels whose names and sizes are passed as `children` summaries.
   */
  direction?: 'top-down' | 'bottom-up';
}

/**
 * Names a tree breadth-first, level by level in array order, so each level's prompts can carry
 * the names just given to the level before. Ids must be unique across all levels.
 */
export async function nameTree(levels: ClusterForNaming[][], engine: LlmEngine | null, opts: TreeNamingOptions = {}): Promise<NamingResult> {
  const direction = opts.direction ?? 'top-down';
  const all = new Map<string, ClusterForNaming>();
  for (const level of levels) {
    for (const c of level) {
      if (all.has(c.id)) throw new Error(`duplicate cluster id "${c.id}" in the tree`);
      all.set(c.id, c);
    }
  }
  const st: RunState = { names: new Map(), log: [], doneBase: 0, total: all.size };
  for (let li = 0; li < levels.length; li++) {
    let prepared: ClusterForNaming[];
    if (direction === 'top-down') {
      prepared = levels[li].map((c) => {
        const p = c.parentId !== undefined ? st.names.get(c.parentId) : undefined;
        return p ? { ...c, parent: { title: p.title, description: p.description } } : c;
      });
      // Stable sort by parent so that siblings share prompts and can be told apart.
      const firstSeen = new Map<string, number>();
      prepared.forEach((c, i) => {
        const key = c.parentId ?? '';
        if (!firstSeen.has(key)) firstSeen.set(key, i);
      });
      prepared = prepared
        .map((c, i) => ({ c, i, g: firstSeen.get(c.parentId ?? '') as number }))
        .sort((a, b) => a.g - b.g || a.i - b.i)
        .map((x) => x.c);
    } else {
      prepared = levels[li].map((c) => {
        if (!c.childIds || c.childIds.length === 0) return c;
        // Biggest children first: the prompt shows only the first maxChildren.
        const children = c.childIds
          .flatMap((id) => {
            const n = st.names.get(id);
            return n ? [{ title: n.title, description: n.description, size: all.get(id)?.size ?? 0 }] : [];
          })
          .sort((a, b) => b.size - a.size);
        return children.length > 0 ? { ...c, children } : c;
      });
    }
    await nameInto(prepared, engine, { ...opts, level: li }, st);
    st.doneBase += prepared.length;
  }
  return { names: st.names, log: st.log };
}
