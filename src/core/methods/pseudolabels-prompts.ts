/**
 * Prompts of the shared pseudo-label method (seed 002): a label for a text that also fits the
 * neighbours sharing its intent (the LLM is told that some neighbours do not), and the multi-label
 * step that picks, from the labels of a text's new neighbours, those that also fit it. Several
 * targets may share a prompt; the paper asks one at a time (batch size 1, the default).
 */
import type { ChatMessage } from '../llm/engine';
import { truncateText } from '../llm/prompts';
import { METHOD_MARKERS, systemMessage } from './common';

export interface LabelTarget {
  text: string;
  neighbours: string[];
}

export interface PickTarget {
  text: string;
  labels: string[];
  /** Candidate labels, numbered from `first` in the prompt. */
  candidates: string[];
}

export interface LabelPromptOptions {
  domainContext?: string;
  /** Characters kept of a target text (× scale). */
  textChars: number;
  /** Characters kept of a neighbour text (× scale). */
  neighbourChars: number;
}

/** Answer reserves: ≈ 20 tokens per label entry, ≈ 6 per yes/no entry. */
export function labelAnswerTokens(targets: number): number {
  return 20 + 20 * targets;
}

export function pickAnswerTokens(candidates: number): number {
  return 20 + 6 * candidates;
}

const ROLE = 'You label the intent of short texts for a clustering tool.';

const flat = (s: string, chars: number): string => truncateText(s, Math.max(16, chars)).replace(/"/g, "'");

/** Initial labels: each target with its nearest texts. */
export function buildLabelPrompt(targets: readonly LabelTarget[], opts: LabelPromptOptions, scale = 1): ChatMessage[] {
  const blocks = targets.flatMap((t, i) => [
    `--- Target ${i + 1} ---`,
    `Text: "${flat(t.text, opts.textChars * scale)}"`,
    'Similar texts:',
    ...t.neighbours.map((x) => `- "${flat(x, opts.neighbourChars * scale)}"`),
    `--- End Target ${i + 1} ---`,
  ]);
  const user = [
    METHOD_MARKERS.label,
    `Below ${targets.length === 1 ? 'is a target text with the texts' : `are ${targets.length} target texts, each with the texts`} most similar to it. Some similar texts share the target's intent; others do not.`,
    'For each target, write one short label (2 to 5 words) that names its intent. The label must fit the target and also the similar texts that share its intent, but not those that do not.',
    'Use plain, general wording so that texts with the same intent can share the label.',
    '',
    ...blocks,
    '',
    `RESPONSE FORMAT: Respond ONLY with one JSON object keyed by target number, each value an object with a non-empty "label" string, e.g. {"1": {"label": "…"}}.`,
    `Give a label for target${targets.length === 1 ? ' 1' : `s 1 to ${targets.length}`}. No text outside the JSON.`,
  ];
  return [
    systemMessage(ROLE, opts.domainContext),
    { role: 'user', content: user.join('\n') },
  ];
}

/** Multi-label step: for each candidate label (numbered across the prompt) yes or no. */
export function buildPickPrompt(targets: readonly PickTarget[], opts: LabelPromptOptions, scale = 1): ChatMessage[] {
  let num = 0;
  const blocks = targets.flatMap((t, i) => [
    `--- Target ${i + 1} ---`,
    `Text: "${flat(t.text, opts.textChars * scale)}"`,
    `Labels: ${t.labels.join('; ')}`,
    'Candidates:',
    ...t.candidates.map((c) => `${++num}. ${c}`),
    `--- End Target ${i + 1} ---`,
  ]);
  const user = [
    METHOD_MARKERS.pick,
    `${targets.length === 1 ? 'The target text below has' : 'Each target text below has'} labels already. The numbered candidate labels come from similar texts.`,
    'For every candidate, answer "yes" if it also describes the intent of its target text, otherwise "no".',
    '',
    ...blocks,
    '',
    `RESPONSE FORMAT: Respond ONLY with one JSON object whose keys are the candidate numbers 1 to ${num} and whose values are "yes" or "no", e.g. {"1": "yes", "2": "no"}. No text outside the JSON.`,
  ];
  return [
    systemMessage(ROLE, opts.domainContext),
    { role: 'user', content: user.join('\n') },
  ];
}
