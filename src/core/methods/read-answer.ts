/**
 * Reading the methods' answers with the naming parser (src/core/llm/parse.ts), which already
 * copes with fences, prose, smart quotes, trailing commas, cut-off answers, renamed ids and
 * "id: value" lines. It reads string titles only, so numbers and booleans in an answer
 * ({"3": 12}, {"2": true}) are turned into strings first.
 */
import { parseNamingAnswer } from '../llm/parse';

function stringsOnly(v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(stringsOnly);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, stringsOnly(x)]));
  return v;
}

/**
 * The answer with its number/boolean values quoted: exactly through JSON when the answer (or its
 * code fence) is strict JSON, else by quoting `: 12` / `: true` before a delimiter.
 */
export function quoteScalars(answer: string): string {
  const fenced = /```[\w-]*\s*\n?([\s\S]*?)(?:```|$)/.exec(answer);
  for (const candidate of [answer, fenced?.[1] ?? '']) {
    const t = candidate.trim();
    if (!t.startsWith('{') && !t.startsWith('[')) continue;
    try {
      return JSON.stringify(stringsOnly(JSON.parse(t)));
    } catch {
      /* not strict JSON: quote below */
    }
  }
  return answer.replace(/([:[,]\s*)(-?\d+(?:\.\d+)?|true|false)(?=\s*(?:[,}\]\r\n]|$))/g, '$1"$2"');
}

export interface KeyedAnswer {
  /** Value text per expected id that the answer gave. */
  values: Map<string, string>;
  missing: string[];
  extra: string[];
  notes: string[];
}

/** Reads an answer of the shape {"<id>": value} or {"<id>": {"label"|"topic"|…: value}}. */
export function readKeyed(answer: string, ids: string[]): KeyedAnswer {
  const p = parseNamingAnswer(quoteScalars(answer), ids);
  const values = new Map<string, string>();
  for (const [id, e] of p.names) values.set(id, e.title);
  return { values, missing: p.missing, extra: p.extra, notes: p.repaired };
}

export interface TopicDraft {
  name: string;
  description: string;
}

/** Normal form of a topic or label for comparisons: lower case, single spaces, no edge punctuation. */
export function normName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .replace(/^[\s"'`*.,;:!?-]+|[\s"'`*.,;:!?-]+$/g, '')
    .trim();
}

/**
 * Topics of a proposal or merge answer, keyed 1..max: in id order, duplicates (same name) dropped.
 * An answer that lists topics without usable ids (an array of objects) is read by position.
 */
export function readTopics(answer: string, max: number): { topics: TopicDraft[]; notes: string[] } {
  const ids = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i + 1));
  let p = parseNamingAnswer(answer, ids(max));
  if (p.names.size === 0) {
    // Positional reading needs the count to agree: count the entries the answer holds.
    const count = (answer.match(/["']?(?:name|title|topic|label)["']?\s*:/gi) ?? []).length;
    if (count > 0 && count !== max) p = parseNamingAnswer(answer, ids(Math.min(count, max)));
  }
  const topics: TopicDraft[] = [];
  const seen = new Set<string>();
  const notes = p.repaired.slice();
  for (const id of ids(max)) {
    const e = p.names.get(id);
    if (!e) continue;
    const key = normName(e.title);
    if (!key) continue;
    if (seen.has(key)) {
      notes.push(`topic "${e.title}" named twice: kept the first`);
      continue;
    }
    seen.add(key);
    topics.push({ name: e.title, description: e.description });
  }
  return { topics, notes };
}
