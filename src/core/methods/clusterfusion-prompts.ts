/**
 * ClusterFusion's prompts (seed 000): topic summarisation over a balanced, ordered sample (with the
 * optional domain context in the system prompt and the user's extra guidance), the merge of topic
 * lists proposed from separate chunks (divide and conquer when the sample does not fit one
 * context), and topic assignment constrained to the numbered topic list. The first line of each
 * user message is a marker (METHOD_MARKERS) so test servers can tell the prompts apart.
 */
import type { ChatMessage } from '../llm/engine';
import { truncateText } from '../llm/prompts';
import { METHOD_MARKERS, systemMessage } from './common';
import type { TopicDraft } from './read-answer';

export interface TopicPromptOptions {
  /** Domain knowledge for the system prompt, e.g. "support tickets of a retail bank". */
  domainContext?: string;
  /** The user's preferences, e.g. "merge billing topics; keep refunds separate". */
  guidance?: string;
}

/** Answer reserve: ≈ 40 tokens per topic (a ≤ 7-word name, one sentence, JSON) + 40. */
export function topicAnswerTokens(topics: number): number {
  return 40 + 40 * topics;
}

/** Answer reserve for an assignment batch: ≈ 8 tokens per record ("12": 34,) + 20. */
export function assignAnswerTokens(records: number): number {
  return 20 + 8 * records;
}

/** Longest topic description shown in merge and assignment prompts. */
export const TOPIC_DESCRIPTION_CHARS = 200;

function systemPrompt(opts: TopicPromptOptions): ChatMessage {
  return systemMessage('You are an expert at organising collections of texts into clear, distinct topics.', opts.domainContext);
}

function guidanceLines(opts: TopicPromptOptions): string[] {
  const g = opts.guidance?.trim();
  return g ? ['', `EXTRA GUIDANCE FROM THE USER (follow it): ${g}`] : [];
}

function topicFormat(count: number): string[] {
  return [
    '',
    `RESPONSE FORMAT: Respond ONLY with one JSON object. Its keys are the topic numbers "1" to "${count}"; each value is an object with non-empty "name" and "description" strings:`,
    '{"1": {"name": "Short topic name", "description": "One sentence saying which records belong here."}, "2": {"name": "…", "description": "…"}}',
    'Do NOT include markdown fences or any text outside the JSON.',
  ];
}

function countWords(count: number, exact: boolean): string {
  return `${exact ? 'exactly' : 'at most'} ${count} topic${count === 1 ? '' : 's'}`;
}

/** A prompt answered with topics: task lines, rules, guidance, format, then a section of data. */
function topicPrompt(task: string[], rules: string[], count: number, exact: boolean, opts: TopicPromptOptions, title: string, data: string[]): ChatMessage[] {
  const user = [
    ...task,
    ...rules.map((r) => `- ${r}`),
    '- each topic has a short name (at most 7 words) and a one-sentence description.',
    ...guidanceLines(opts),
    ...topicFormat(count),
    '',
    `--- ${title} ---`,
    ...data,
    `--- End ${title} ---`,
    '',
    `Give the JSON with ${countWords(count, exact)}.`,
  ];
  return [systemPrompt(opts), { role: 'user', content: user.join('\n') }];
}

/**
 * Topic summarisation: `samples` in prompt order (already ordered by group or similarity),
 * `count` topics, exactly (one prompt holds the whole sample) or at most (one chunk of several).
 */
export function buildProposePrompt(samples: readonly string[], count: number, exact: boolean, ordered: boolean, opts: TopicPromptOptions): ChatMessage[] {
  return topicPrompt(
    [
      METHOD_MARKERS.propose,
      `Below are ${samples.length} records sampled evenly from a larger collection of texts${ordered ? '; similar records are listed next to each other' : ''}.`,
      `Summarise the whole collection as ${countWords(count, exact)}:`,
    ],
    [
      'each topic is distinct from the others and they do not overlap;',
      'the topics are at a similar level of detail, specific enough to tell records apart;',
      'together they cover every record, and each record belongs to exactly one topic;',
    ],
    count,
    exact,
    opts,
    'Records',
    samples.map((s, i) => `${i + 1}. ${s}`),
  );
}

/** Merge of topic lists proposed from different chunks of the sample. */
export function buildMergePrompt(lists: readonly TopicDraft[][], count: number, exact: boolean, opts: TopicPromptOptions, descriptionChars = TOPIC_DESCRIPTION_CHARS): ChatMessage[] {
  return topicPrompt(
    [
      METHOD_MARKERS.merge,
      `The ${lists.length} topic lists below were proposed from different samples of one collection of texts.`,
      `Merge them into ${countWords(count, exact)} that cover the whole collection:`,
    ],
    ['topics that mean the same thing become one topic;', 'distinct topics stay separate, and the merged topics do not overlap;', 'the topics are at a similar level of detail;'],
    count,
    exact,
    opts,
    'Proposed topics',
    lists.flatMap((list, li) => mergeListLines(list, li, descriptionChars)),
  );
}

/** One list's lines in a merge prompt (also what its size is estimated from). */
export function mergeListLines(list: readonly TopicDraft[], index: number, descriptionChars = TOPIC_DESCRIPTION_CHARS): string[] {
  return [`List ${index + 1}:`, ...list.map((t) => topicLine('-', t, descriptionChars))];
}

function topicLine(prefix: string, t: TopicDraft, descriptionChars: number): string {
  const d = descriptionChars > 0 ? truncateText(t.description, descriptionChars) : '';
  return `${prefix} ${truncateText(t.name, 120)}${d ? `: ${d}` : ''}`;
}

/** The numbered topic list of an assignment prompt (also what its size is estimated from). */
export function topicListLines(topics: readonly TopicDraft[], descriptionChars: number): string[] {
  return topics.map((t, i) => topicLine(`${i + 1}.`, t, descriptionChars));
}

/** Assignment of a batch of records (already truncated) to the numbered topics. */
export function buildAssignPrompt(records: readonly string[], topicLines: readonly string[], opts: TopicPromptOptions): ChatMessage[] {
  const k = topicLines.length;
  const user = [
    METHOD_MARKERS.assign,
    `Assign each record below to exactly one of the ${k} topics. Choose the topic that fits the record best.`,
    'Answer only with topic numbers from the list; never invent a topic.',
    ...guidanceLines(opts),
    '',
    '--- Topics ---',
    ...topicLines,
    '--- End Topics ---',
    '',
    '--- Records ---',
    ...records.map((r, i) => `[${i + 1}] ${r}`),
    '--- End Records ---',
    '',
    `RESPONSE FORMAT: Respond ONLY with one JSON object mapping every record number to its topic number (1 to ${k}), e.g. {"1": 4, "2": 1}.`,
    `Records 1 to ${records.length} must each appear exactly once. No text outside the JSON.`,
  ];
  return [
    systemPrompt(opts),
    { role: 'user', content: user.join('\n') },
  ];
}
