/**
 * What the LLM-in-the-loop methods (ClusterFusion, shared pseudo-labels) share: their prompt-log
 * entry (the naming log's shape plus the method, step and round, so one log viewer shows all),
 * the retry settings, the cost-estimate shape and the checkpoint fingerprint that stops a saved
 * state being resumed against other data or settings.
 */
import { hashCorpus, hashText } from '../hash';
import { estimateTokens, type ChatMessage } from '../llm/engine';
import type { NamingOptions, PromptLogEntry } from '../llm/naming';

export type MethodId = 'clusterfusion' | 'pseudolabels';

/**
 * The first line of every method prompt's user message: tells a test server (or a log reader)
 * which prompt it is. tests/support/method-answers.mjs matches these lines.
 */
export const METHOD_MARKERS = Object.freeze({
  propose: '### Task: propose topics (ClusterFusion)',
  merge: '### Task: merge topics (ClusterFusion)',
  assign: '### Task: assign topics (ClusterFusion)',
  label: '### Task: write labels (pseudo-labels)',
  pick: '### Task: pick labels (pseudo-labels)',
});


/** One prompt and its answer. `ids` are item ids: text indices, or chunk/list ids for topic steps. */
export interface MethodLogEntry extends PromptLogEntry {
  method: MethodId;
  /** 'propose' | 'merge' | 'assign' (ClusterFusion), 'label' | 'pick' (pseudo-labels). */
  step: string;
  /** Pseudo-labels: refinement round (0 = initial labels). */
  round?: number;
}

/**
 * How LLM calls are retried: the naming loop's knobs, with other defaults — maxRetries 1 (a text
 * has its fallback), temperature 0 (assignments and labels should be reproducible); backoffMs 500
 * and shrinkFactor 0.5 as there.
 */
export type LlmCallOptions = Pick<NamingOptions, 'maxRetries' | 'backoffMs' | 'shrinkFactor' | 'temperature' | 'sleep' | 'now'>;

/** The system message of a method prompt: its role, the user's domain context, JSON only. */
export function systemMessage(role: string, domainContext: string | undefined): ChatMessage {
  const domain = domainContext?.trim();
  return { role: 'system', content: [role, domain ? `Domain context: ${domain}` : '', 'You reply with one valid JSON object and nothing else.'].filter(Boolean).join('\n') };
}

/** LLM cost of one step of a method. */
export interface StepCost {
  step: string;
  calls: number;
  promptTokens: number;
  answerTokens: number;
}

/** What a method will cost before it starts (rough tokens: see estimateTokens). */
export interface MethodCostEstimate {
  method: MethodId;
  calls: number;
  promptTokens: number;
  answerTokens: number;
  totalTokens: number;
  steps: StepCost[];
  /**
   * True when `calls` is what a run with well-formed answers makes; false when it is an upper bound
   * (pseudo-labels: rounds stop early on convergence and texts with no new candidate labels are
   * not asked).
   */
  exact: boolean;
  /** Whole-corpus embedding passes besides the LLM calls. */
  embedPasses: number;
  notes: string[];
}

export function sumSteps(method: MethodId, raw: StepCost[], exact: boolean, embedPasses: number, notes: string[]): MethodCostEstimate {
  const steps = raw.map((s) => ({ ...s, promptTokens: Math.round(s.promptTokens), answerTokens: Math.round(s.answerTokens) }));
  const calls = steps.reduce((s, x) => s + x.calls, 0);
  const promptTokens = steps.reduce((s, x) => s + x.promptTokens, 0);
  const answerTokens = steps.reduce((s, x) => s + x.answerTokens, 0);
  return { method, calls, promptTokens, answerTokens, totalTokens: promptTokens + answerTokens, steps, exact, embedPasses, notes };
}

/** Mean estimated tokens of a text, the cost estimates' input (every ⌈n/2000⌉-th text counted). */
export function meanTextTokens(texts: readonly string[]): number {
  const step = Math.max(1, Math.ceil(texts.length / 2000));
  let sum = 0;
  let count = 0;
  for (let i = 0; i < texts.length; i += step) {
    sum += estimateTokens(texts[i]);
    count++;
  }
  return count > 0 ? sum / count : 0;
}

/** Identifies the data and settings a checkpoint belongs to. */
export interface Fingerprint {
  method: MethodId;
  n: number;
  corpus: string;
  settings: string;
}

export function fingerprint(method: MethodId, texts: readonly string[], settings: unknown): Fingerprint {
  return { method, n: texts.length, corpus: hashCorpus(texts), settings: hashText(JSON.stringify(settings)) };
}

/** Throws when a checkpoint was made for other data or settings. */
export function checkFingerprint(saved: Fingerprint, now: Fingerprint): void {
  if (saved.method !== now.method) throw new Error(`checkpoint is for ${saved.method}, not ${now.method}`);
  if (saved.n !== now.n || saved.corpus !== now.corpus) throw new Error('checkpoint was made for other texts');
  if (saved.settings !== now.settings) throw new Error('checkpoint was made with other settings');
}

/** The context window in tokens, Infinity when the engine does not know it. */
export function contextOf(engine: { contextTokens: number } | null | undefined): number {
  const c = engine?.contextTokens ?? 0;
  return c > 0 ? c : Infinity;
}

/** A whole number ≥ min, or the fallback when v is undefined. */
export function wholeAtLeast(v: number | undefined, fallback: number, min: number, name: string): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < min) throw new RangeError(`${name} must be a whole number of at least ${min} (got ${x})`);
  return x;
}
