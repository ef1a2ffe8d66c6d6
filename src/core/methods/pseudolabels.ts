/**
 * Intent clustering with shared pseudo-labels (seed 002).
 * 1. 10 nearest neighbours of every text (cosine); the LLM writes a short label that fits the text
 *    and the neighbours sharing its intent;
 * 2. rounds: embed "text ⊕ its labels", find new neighbours, and let the LLM pick, from the labels
 *    of those neighbours, the ones that also fit the text (labels accumulate); stop when no label
 *    set changed in a round, or after maxRounds;
 * 3. k-means on the final embeddings, k given or chosen by the silhouette sweep.
 * The labels stay in the result as a readable view of each text. Resumable through plain-data
 * checkpoints like ClusterFusion; estimatePseudoLabelCost gives an upper bound of the cost first.
 */
import { kmeans } from '../cluster/kmeans';
import { sweepK } from '../cluster/sweep';
import { estimateMessagesTokens, throwIfAborted, type LlmEngine } from '../llm/engine';
import { SILHOUETTE_EXACT_ROWS, SILHOUETTE_SAMPLE_ROWS } from '../pipeline';
import { contentTokens, tokenize } from '../text/tokenize';
import type { ClusteringResult, Matrix, StageOptions, SweepCurve } from '../types';
import { callsIn, Checkpointer, cloneBatchState, newBatchState, runBatches, tokensIn, type BatchContext, type BatchJob, type BatchState } from './batches';
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
} from './common';
import { knn, knnMethodFor, type KnnOptions } from './knn';
import { buildLabelPrompt, buildPickPrompt, labelAnswerTokens, pickAnswerTokens, type LabelPromptOptions } from './pseudolabels-prompts';
import { normName, readKeyed } from './read-answer';

export interface PseudoLabelSettings extends LlmCallOptions {
  /** Clusters of the final k-means, or 'auto' for the silhouette sweep. */
  k: number | 'auto';
  /** Neighbours per text (m); default 10. */
  neighbours?: number;
  /** Refinement rounds at most; default 5. */
  maxRounds?: number;
  /** Most labels a text may hold; default 8. */
  maxLabels?: number;
  /** Most candidate labels shown per text and round; default 10. */
  maxCandidates?: number;
  /** Texts per labelling prompt; default 1 (as the paper). */
  labelBatchSize?: number;
  /** Texts per picking prompt; default 1. */
  pickBatchSize?: number;
  /** Characters kept of a target text; default 300. */
  textChars?: number;
  /** Characters kept of a neighbour text; default 200. */
  neighbourChars?: number;
  domainContext?: string;
  /** Neighbour search (exact for small n, IVF above); seed defaults to `seed`. */
  knn?: Omit<KnnOptions, 'signal'>;
  seed?: number;
  /** 'auto' k: the k values to try (default the sweep's grid). */
  ks?: number[];
}

export interface PseudoLabelDeps {
  engine: LlmEngine;
  /** Embeds whole-corpus "text ⊕ labels" strings into normalised rows (the text vectors' embedder). */
  embed: (texts: string[], signal?: AbortSignal) => Promise<Matrix>;
}

export interface PseudoLabelOptions extends PseudoLabelSettings, StageOptions {
  resume?: PseudoLabelCheckpoint;
  onCheckpoint?: (cp: PseudoLabelCheckpoint) => void | Promise<void>;
  /** Batches between checkpoints; default so that a phase gives at most ~200. */
  checkpointEvery?: number;
}

export interface PseudoLabelCheckpoint {
  kind: 'pseudolabels-checkpoint';
  version: 1;
  fingerprint: Fingerprint;
  phase: 'label' | 'refine' | 'cluster';
  /** 0 while labelling; the refinement round in progress after. */
  round: number;
  /** Label sets at the start of the round (final ones in 'cluster'). */
  labels: string[][];
  /** Neighbours used by the current step, n × m row-major (−1 padding). */
  neighbours?: number[];
  labelBatch?: BatchState<string>;
  pickBatch?: BatchState<string[]>;
  /** Texts whose label set changed, per finished round. */
  changedPerRound: number[];
  converged: boolean;
  /** Texts whose first label came from keywords (the LLM gave none). */
  labelFallbacks: number[];
  /** Picking prompts given up, per text, over all rounds. */
  pickFailures: number;
  log: MethodLogEntry[];
  notes: string[];
}

export interface PseudoLabelResult {
  labels: string[][];
  k: number;
  assignments: Int32Array;
  sweep?: SweepCurve;
  centroids: Matrix;
  /** Final "text ⊕ labels" embeddings the clusters were found in. */
  vectors: Matrix;
  rounds: number;
  converged: boolean;
  changedPerRound: number[];
  knnMethod: 'exact' | 'ivf';
  /** labelFallbacks + pickFailures. */
  fallbacks: number;
  labelFallbacks: number;
  pickFailures: number;
  llmCalls: number;
  tokens: { prompt: number; answer: number };
  promptLog: MethodLogEntry[];
  notes: string[];
}

interface Resolved {
  k: number | 'auto';
  m: number;
  maxRounds: number;
  maxLabels: number;
  maxCandidates: number;
  labelBatchSize: number;
  pickBatchSize: number;
  prompt: LabelPromptOptions;
  seed: number;
}

function resolve(s: PseudoLabelSettings, n: number): Resolved {
  if (s.k !== 'auto') {
    wholeAtLeast(s.k, 0, 1, 'k');
    if (s.k > n) throw new RangeError(`k (${s.k}) is larger than the number of texts (${n})`);
  } else if (n < 3) throw new RangeError(`Choosing k automatically needs at least 3 texts (there are ${n}).`);
  return {
    k: s.k,
    m: Math.min(Math.max(1, n - 1), wholeAtLeast(s.neighbours, 10, 1, 'neighbours')),
    maxRounds: wholeAtLeast(s.maxRounds, 5, 0, 'maxRounds'),
    maxLabels: wholeAtLeast(s.maxLabels, 8, 1, 'maxLabels'),
    maxCandidates: wholeAtLeast(s.maxCandidates, 10, 1, 'maxCandidates'),
    labelBatchSize: wholeAtLeast(s.labelBatchSize, 1, 1, 'labelBatchSize'),
    pickBatchSize: wholeAtLeast(s.pickBatchSize, 1, 1, 'pickBatchSize'),
    prompt: {
      domainContext: s.domainContext,
      textChars: wholeAtLeast(s.textChars, 300, 16, 'textChars'),
      neighbourChars: wholeAtLeast(s.neighbourChars, 200, 16, 'neighbourChars'),
    },
    seed: s.seed ?? 0,
  };
}

/** The string embedded for a text and its labels (text ⊕ labels). */
export function withLabels(text: string, labels: readonly string[]): string {
  return labels.length > 0 ? `${text} (${labels.join('; ')})` : text;
}

/** A label from the text itself, when the LLM gave none: its first three content words. */
export function keywordLabel(text: string): string {
  const words = contentTokens(text);
  const use = (words.length > 0 ? words : tokenize(text)).slice(0, 3);
  return use.length > 0 ? use.join(' ') : 'unlabelled';
}

/**
 * Candidate labels of text i: the labels of its neighbours it does not hold yet, most frequent
 * among the neighbours first (then in neighbour order), at most `max`.
 */
export function candidatesFor(i: number, labels: readonly string[][], neighbours: readonly number[], max: number): string[] {
  const own = new Set(labels[i].map(normName));
  const count = new Map<string, { label: string; n: number; first: number }>();
  let order = 0;
  for (const j of neighbours) {
    for (const l of labels[j]) {
      const key = normName(l);
      if (own.has(key)) continue;
      const c = count.get(key);
      if (c) c.n++;
      else count.set(key, { label: l, n: 1, first: order++ });
    }
  }
  return [...count.values()]
    .sort((a, b) => b.n - a.n || a.first - b.first)
    .slice(0, max)
    .map((c) => c.label);
}

/** One display form per label (the first met, texts in order), so texts share exact strings. */
function canonicalise(labels: string[][]): string[][] {
  const form = new Map<string, string>();
  return labels.map((set) => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const l of set) {
      const key = normName(l);
      if (!key || seen.has(key)) continue;
      seen.add(key);
      if (!form.has(key)) form.set(key, l.replace(/\s+/g, ' ').trim());
      out.push(form.get(key) as string);
    }
    return out;
  });
}

const YES = /^\s*(?:yes|y|true|1|fits?|matches|match|correct)\b/i;

function snapshot(cp: PseudoLabelCheckpoint): PseudoLabelCheckpoint {
  return {
    ...cp,
    labelBatch: cp.labelBatch && cloneBatchState(cp.labelBatch),
    pickBatch: cp.pickBatch && cloneBatchState(cp.pickBatch),
    changedPerRound: cp.changedPerRound.slice(),
    labelFallbacks: cp.labelFallbacks.slice(),
    log: cp.log.slice(),
    notes: cp.notes.slice(),
  };
}

export async function pseudoLabels(vectors: Matrix, texts: string[], deps: PseudoLabelDeps, opts: PseudoLabelOptions): Promise<PseudoLabelResult> {
  const n = texts.length;
  if (vectors.rows !== n) throw new RangeError(`vectors (${vectors.rows}) and texts (${n}) differ in length`);
  if (n < 2) throw new RangeError('Pseudo-labels need at least 2 texts.');
  const r = resolve(opts, n);
  const { engine } = deps;
  const signal = opts.signal;
  const knnOpts: KnnOptions = { seed: r.seed, ...opts.knn, signal };
  const settings = { ...r, knn: opts.knn ?? null, ks: opts.ks ?? null, context: contextOf(engine), model: engine.model };
  const fp = fingerprint('pseudolabels', texts, settings);
  const search = async (m: Matrix): Promise<number[]> => {
    opts.onProgress?.({ stage: 'labels', done: 0, total: 1, message: 'nearest neighbours' });
    return Array.from((await knn(m, r.m, knnOpts)).indices);
  };
  const near = (nb: readonly number[], i: number): number[] => nb.slice(i * r.m, (i + 1) * r.m).filter((j) => j >= 0);
  const embedLabelled = async (labels: readonly string[][]): Promise<Matrix> => {
    opts.onProgress?.({ stage: 'embed', done: 0, total: n, message: 'text ⊕ labels' });
    const m = await deps.embed(
      texts.map((t, i) => withLabels(t, labels[i])),
      signal,
    );
    if (m.rows !== n || m.cols < 1) throw new RangeError(`embed returned ${m.rows} rows for ${n} texts`);
    return m;
  };

  let cp: PseudoLabelCheckpoint;
  if (opts.resume) {
    checkFingerprint(opts.resume.fingerprint, fp);
    cp = snapshot(opts.resume);
  } else {
    cp = {
      kind: 'pseudolabels-checkpoint',
      version: 1,
      fingerprint: fp,
      phase: 'label',
      round: 0,
      labels: texts.map(() => []),
      neighbours: await search(vectors),
      labelBatch: newBatchState(
        texts.map((_, i) => i),
        r.labelBatchSize,
      ),
      changedPerRound: [],
      converged: false,
      labelFallbacks: [],
      pickFailures: 0,
      log: [],
      notes: [],
    };
  }
  const saver = new Checkpointer(opts.onCheckpoint, () => snapshot(cp), opts.checkpointEvery);
  const batchCtx = (): BatchContext => ({ ...opts, engine, log: cp.log, signal, onBatch: () => saver.batch() });
  if (!opts.resume) await saver.force();
  let lastEmbedding: Matrix | undefined;

  if (cp.phase === 'label' && cp.labelBatch && cp.neighbours) {
    const nb = cp.neighbours;
    const job: BatchJob<string> = {
      method: 'pseudolabels',
      step: 'label',
      round: 0,
      stage: 'labels',
      build: (ids, scale) =>
        buildLabelPrompt(
          ids.map((i) => ({ text: texts[i], neighbours: near(nb, i).map((j) => texts[j]) })),
          r.prompt,
          scale,
        ),
      answerTokens: (ids) => labelAnswerTokens(ids.length),
      read: (answer, ids) => {
        const local = ids.map((_, j) => String(j + 1));
        const a = readKeyed(answer, local);
        const results = new Map<number, string>();
        ids.forEach((id, j) => {
          const v = a.values.get(local[j])?.trim();
          if (v && normName(v)) results.set(id, v);
        });
        return { results, extra: a.extra, notes: a.notes };
      },
    };
    saver.phase(Math.ceil(cp.labelBatch.pending.length / r.labelBatchSize));
    await runBatches(job, cp.labelBatch, batchCtx());
    const done = cp.labelBatch.done;
    const failed = new Set(cp.labelBatch.gaveUp);
    cp.labels = canonicalise(texts.map((t, i) => [failed.has(i) ? keywordLabel(t) : (done[i] as string)]));
    cp.labelFallbacks = [...failed].sort((a, b) => a - b);
    if (failed.size > 0) cp.notes.push(`${failed.size} texts got a keyword label: the LLM gave none`);
    cp.labelBatch = undefined;
    cp.neighbours = undefined;
    cp.round = 1;
    cp.phase = r.maxRounds > 0 ? 'refine' : 'cluster';
    await saver.force();
  }

  while (cp.phase === 'refine') {
    throwIfAborted(signal);
    const labels = cp.labels;
    if (!cp.neighbours || !cp.pickBatch) {
      lastEmbedding = await embedLabelled(labels);
      cp.neighbours = await search(lastEmbedding);
      const nb = cp.neighbours;
      const items = texts.flatMap((_, i) => (labels[i].length < r.maxLabels && candidatesFor(i, labels, near(nb, i), r.maxCandidates).length > 0 ? [i] : []));
      cp.pickBatch = newBatchState(items, r.pickBatchSize);
      await saver.force();
    }
    const nb = cp.neighbours;
    const cands = new Map<number, string[]>();
    const candsOf = (i: number): string[] => {
      let c = cands.get(i);
      if (!c) {
        c = candidatesFor(i, labels, near(nb, i), Math.min(r.maxCandidates, r.maxLabels - labels[i].length));
        cands.set(i, c);
      }
      return c;
    };
    const job: BatchJob<string[]> = {
      method: 'pseudolabels',
      step: 'pick',
      round: cp.round,
      stage: 'labels',
      build: (ids, scale) =>
        buildPickPrompt(
          ids.map((i) => ({ text: texts[i], labels: labels[i], candidates: candsOf(i) })),
          r.prompt,
          scale,
        ),
      answerTokens: (ids) => pickAnswerTokens(ids.reduce((s, i) => s + candsOf(i).length, 0)),
      read: (answer, ids) => readPicks(answer, ids.map(candsOf), ids),
    };
    saver.phase(Math.ceil(cp.pickBatch.pending.length / r.pickBatchSize));
    opts.onProgress?.({ stage: 'labels', done: 0, total: 1, message: `round ${cp.round}` });
    await runBatches(job, cp.pickBatch, batchCtx());
    const picks = cp.pickBatch.done;
    cp.pickFailures += cp.pickBatch.gaveUp.length;
    let changed = 0;
    const next = labels.map((set, i) => {
      const add = picks[i] ?? [];
      if (add.length === 0) return set;
      const have = new Set(set.map(normName));
      const grown = set.concat(add.filter((l) => !have.has(normName(l)))).slice(0, r.maxLabels);
      if (grown.length > set.length) changed++;
      return grown;
    });
    cp.labels = next;
    cp.changedPerRound.push(changed);
    cp.pickBatch = undefined;
    cp.neighbours = undefined;
    if (changed === 0) {
      cp.converged = true;
      cp.phase = 'cluster';
    } else if (cp.round >= r.maxRounds) {
      cp.phase = 'cluster';
      cp.notes.push(`stopped after ${r.maxRounds} rounds; ${changed} label sets still changed in the last`);
    } else {
      cp.round++;
      lastEmbedding = undefined;
    }
    await saver.force();
  }

  // The last round left the labels as they were embedded for it when it converged.
  const final = cp.converged && lastEmbedding ? lastEmbedding : await embedLabelled(cp.labels);
  throwIfAborted(signal);
  let result: ClusteringResult;
  let sweep: SweepCurve | undefined;
  if (r.k === 'auto') {
    const s = await sweepK(final, { seed: r.seed, ks: opts.ks, maxExact: SILHOUETTE_EXACT_ROWS, sampleSize: SILHOUETTE_SAMPLE_ROWS, signal, onProgress: opts.onProgress });
    if (!s.bestResult) throw new Error(`No k could be scored: ${s.reason ?? 'unknown reason'}.`);
    result = s.bestResult;
    sweep = { param: 'k', best: s.best, points: s.curve.map((p) => ({ param: p.param, score: p.score, silhouette: p.silhouette, noiseRatio: p.noiseRatio, clusters: p.clusters, seconds: p.seconds + p.scoreSeconds })) };
  } else {
    result = await kmeans(final, { k: r.k, seed: r.seed, signal, onProgress: opts.onProgress });
  }
  const labelFallbacks = cp.labelFallbacks.length;
  return {
    labels: cp.labels,
    k: result.k,
    assignments: result.assignments,
    sweep,
    centroids: result.centroids,
    vectors: final,
    rounds: cp.changedPerRound.length,
    converged: cp.converged,
    changedPerRound: cp.changedPerRound,
    knnMethod: knnMethodFor(n, vectors.cols, knnOpts),
    fallbacks: labelFallbacks + cp.pickFailures,
    labelFallbacks,
    pickFailures: cp.pickFailures,
    llmCalls: callsIn(cp.log),
    tokens: tokensIn(cp.log),
    promptLog: cp.log,
    notes: cp.notes,
  };
}

/**
 * Yes/no per candidate number (numbered across the prompt's targets). An answer with no numbered
 * entries may still name the chosen labels in quotes, or list their numbers: read those instead.
 */
function readPicks(answer: string, cands: string[][], ids: number[]): { results: Map<number, string[]>; extra?: string[]; notes: string[] } {
  const numbers: string[] = [];
  const owner: { t: number; label: string }[] = [];
  cands.forEach((list, t) =>
    list.forEach((label) => {
      numbers.push(String(numbers.length + 1));
      owner.push({ t, label });
    }),
  );
  const a = readKeyed(answer, numbers);
  const results = new Map<number, string[]>();
  if (a.values.size > 0) {
    const answered = new Set<number>();
    const chosen: string[][] = cands.map(() => []);
    numbers.forEach((num, c) => {
      const v = a.values.get(num);
      if (v === undefined) return;
      answered.add(owner[c].t);
      if (YES.test(v)) chosen[owner[c].t].push(owner[c].label);
    });
    ids.forEach((id, t) => {
      if (answered.has(t)) results.set(id, chosen[t]);
    });
    return { results, extra: a.extra, notes: a.notes };
  }
  const lower = answer.toLowerCase();
  const listed = new Set<number>();
  for (const m of answer.matchAll(/\[([\d\s,]+)\]/g)) for (const x of m[1].split(',')) if (x.trim()) listed.add(Number(x.trim()));
  const chosen: string[][] = cands.map(() => []);
  owner.forEach((o, c) => {
    if (listed.has(c + 1) || lower.includes(`"${o.label.toLowerCase()}"`)) chosen[o.t].push(o.label);
  });
  if (chosen.some((c) => c.length > 0)) {
    ids.forEach((id, t) => results.set(id, chosen[t]));
    return { results, notes: [...a.notes, 'no numbered yes/no entries: read the labels the answer quotes or lists'] };
  }
  return { results, notes: a.notes };
}

// ---------------------------------------------------------------------------------------------

export interface PseudoLabelCostInput {
  n: number;
  meanTextTokens: number;
  contextTokens: number;
  settings: PseudoLabelSettings;
}

/** Tokens of one label in a prompt or answer, for cost estimates. */
const LABEL_TOKENS_EST = 5;

/**
 * Upper bound of the LLM cost: one labelling pass over all texts (exact), then maxRounds picking
 * passes over all texts (rounds end early on convergence, and texts without new candidate labels
 * are not asked), each picking prompt with up to maxCandidates candidates and a few held labels.
 */
export function estimatePseudoLabelCost(inp: PseudoLabelCostInput): MethodCostEstimate {
  const { n } = inp;
  const r = resolve(inp.settings, Math.max(n, 3));
  const mean = Math.max(1, inp.meanTextTokens);
  const target = Math.min(mean, Math.ceil(r.prompt.textChars / 4)) + 4;
  const neighbour = Math.min(mean, Math.ceil(r.prompt.neighbourChars / 4)) + 4;
  const labelCalls = Math.ceil(n / r.labelBatchSize);
  const labelHead = estimateMessagesTokens(buildLabelPrompt([], r.prompt));
  const pickCalls = Math.ceil(n / r.pickBatchSize);
  const pickHead = estimateMessagesTokens(buildPickPrompt([], r.prompt));
  const held = Math.min(r.maxLabels, 3);
  const candidates = Math.min(r.maxCandidates, r.maxLabels);
  const steps = [
    {
      step: 'label',
      calls: labelCalls,
      promptTokens: labelCalls * (labelHead + 10) + n * (target + r.m * neighbour),
      answerTokens: n * (LABEL_TOKENS_EST + 6),
    },
  ];
  if (r.maxRounds > 0) {
    steps.push({
      step: 'pick',
      calls: pickCalls * r.maxRounds,
      promptTokens: r.maxRounds * (pickCalls * pickHead + n * (target + held * LABEL_TOKENS_EST + candidates * (LABEL_TOKENS_EST + 2))),
      answerTokens: r.maxRounds * n * candidates * 5,
    });
  }
  return sumSteps('pseudolabels', steps, false, r.maxRounds + 1, [
    `${labelCalls} labelling prompts, then at most ${r.maxRounds} rounds of at most ${pickCalls} picking prompts`,
  ]);
}
