/**
 * Column picker defaults and the table → Dataset step (texts, optional ids and labels, counts of
 * what was dropped or repeated).
 */
import { parseColumn } from '../core/analyse';
import type { Dataset, LoadStats } from '../core/types';
import { ParseError } from './errors';

export interface TableLike {
  columns: string[];
  rows: Record<string, string>[];
}

export interface ColumnGuess {
  text: string;
  id?: string;
  label?: string;
}

const TEXT_NAMES = ['text', 'content', 'body', 'message', 'sentence', 'utterance', 'title', 'question', 'review', 'comment', 'description', 'summary', 'abstract', 'query', 'prompt', 'answer', 'response', 'feedback', 'post', 'tweet'];
const ID_NAMES = ['id', 'uuid', 'guid', 'key', 'uid'];
/** In order of preference when several columns qualify. */
const LABEL_NAMES = ['label', 'labels', 'category', 'class', 'intent', 'topic', 'tag', 'target', 'theme', 'sentiment', 'type', 'group', 'cluster', 'categories'];
/** Rows looked at when measuring lengths and number-likeness (exact checks use all rows). */
const SAMPLE = 5000;
/** A label column has at most this many distinct values, and fewer than half the rows. */
const MAX_LABELS = 1000;

/** Name split into lower-case words: "ticketId" → ticket, id; "Review_Text" → review, text. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function nameScore(name: string, vocabulary: readonly string[]): number {
  const w = words(name);
  let best = -1;
  for (const x of w) {
    const i = vocabulary.indexOf(x);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

interface ColumnProfile {
  name: string;
  avgLength: number;
  numeric: number;
}

function profile(table: TableLike, name: string): ColumnProfile {
  const n = Math.min(table.rows.length, SAMPLE);
  let len = 0;
  let numeric = 0;
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const v = (table.rows[i][name] ?? '').trim();
    if (v === '') continue;
    filled++;
    len += v.length;
    if (/^[-+]?(\d+([.,]\d*)?|\.\d+)(e[-+]?\d+)?%?$/i.test(v) || v === 'true' || v === 'false') numeric++;
  }
  return { name, avgLength: n > 0 ? len / n : 0, numeric: filled > 0 ? numeric / filled : 0 };
}

function allUnique(table: TableLike, name: string): boolean {
  const seen = new Set<string>();
  for (const row of table.rows) {
    const v = (row[name] ?? '').trim();
    if (v === '' || seen.has(v)) return false;
    seen.add(v);
  }
  return table.rows.length > 0;
}

function distinctCount(table: TableLike, name: string, cap: number): number {
  const seen = new Set<string>();
  for (const row of table.rows) {
    seen.add((row[name] ?? '').trim());
    if (seen.size > cap) break;
  }
  seen.delete('');
  return seen.size;
}

/**
 * Default columns. Text: the longest (on average) of the columns named like texts, else of all
 * non-numeric columns. Id: a column named like an id whose values are all present and unique.
 * Label: a column named like a label with between 2 and min(1000, rows/2) distinct values.
 */
export function guessColumns(table: TableLike): ColumnGuess {
  const cols = table.columns;
  if (cols.length === 0) throw new ParseError('This table has no columns.');
  const profiles = cols.map((c) => profile(table, c));
  const longest = (ps: ColumnProfile[]) => ps.reduce((a, b) => (b.avgLength > a.avgLength ? b : a));

  const idCandidates = cols.filter((c) => nameScore(c, ID_NAMES) >= 0 && allUnique(table, c));
  const id = idCandidates.sort((a, b) => nameScore(a, ID_NAMES) - nameScore(b, ID_NAMES))[0];

  const notId = (p: ColumnProfile) => p.name !== id && nameScore(p.name, ID_NAMES) < 0;
  const texty = profiles.filter((p) => nameScore(p.name, TEXT_NAMES) >= 0 && notId(p) && p.numeric < 0.5 && p.avgLength > 0);
  const prose = profiles.filter((p) => notId(p) && p.numeric < 0.5);
  const text = (texty.length ? longest(texty) : prose.length ? longest(prose) : longest(profiles)).name;

  const cap = Math.min(MAX_LABELS, Math.floor(table.rows.length / 2));
  const label = cols
    .filter((c) => c !== text && c !== id && nameScore(c, LABEL_NAMES) >= 0)
    .filter((c) => {
      const d = distinctCount(table, c, cap);
      return d >= 2 && d <= cap;
    })
    .sort((a, b) => nameScore(a, LABEL_NAMES) - nameScore(b, LABEL_NAMES))[0];

  return { text, ...(id !== undefined ? { id } : {}), ...(label !== undefined ? { label } : {}) };
}

/**
 * Columns worth keeping for analysis (issue 6, "Analyse a column"): every column but `exclude`
 * whose cells (the first rows) are all yes/no values or numbers, missing cells aside.
 */
export function analysableColumns(table: TableLike, exclude: readonly (string | undefined)[]): string[] {
  const rows = table.rows.slice(0, SAMPLE);
  return table.columns.filter((c) => !exclude.includes(c) && parseColumn(rows.map((r) => r[c] ?? '')).kind !== 'other');
}

export interface ToDatasetOptions {
  name: string;
  /** One or more columns; several are joined with a newline (empty parts left out). */
  textFields: string[];
  idField?: string;
  labelField?: string;
  /** Extra columns kept per text for analysis (Dataset.columns), cells trimmed. */
  extraFields?: string[];
}

/**
 * Texts ready for the pipeline. Texts are trimmed; empty ones are dropped and counted; exact
 * duplicates are kept and counted. A missing id becomes the row's 1-based number; a missing or
 * blank label becomes '' (a class of its own: "no label"); a label column that is blank on every
 * kept row gives no labels at all.
 */
export function toDataset(table: TableLike, opts: ToDatasetOptions): Dataset {
  if (opts.textFields.length === 0) throw new ParseError('Pick at least one text column.');
  const extra = opts.extraFields ?? [];
  const columns: Record<string, string[]> = Object.fromEntries(extra.map((f) => [f, [] as string[]]));
  for (const f of [...opts.textFields, opts.idField, opts.labelField, ...extra]) {
    if (f !== undefined && !table.columns.includes(f)) throw new ParseError(`There is no column “${f}” in this file.`);
  }
  const texts: string[] = [];
  const ids: string[] = [];
  const labels: string[] = [];
  const seen = new Set<string>();
  const stats: LoadStats = { rows: table.rows.length, empty: 0, duplicates: 0, kept: 0 };
  let anyLabel = false;
  table.rows.forEach((row, i) => {
    const parts: string[] = [];
    for (const f of opts.textFields) {
      const part = (row[f] ?? '').trim();
      if (part) parts.push(part);
    }
    const text = parts.join('\n');
    if (text === '') {
      stats.empty++;
      return;
    }
    if (seen.has(text)) stats.duplicates++;
    else seen.add(text);
    texts.push(text);
    if (opts.idField !== undefined) ids.push((row[opts.idField] ?? '').trim() || String(i + 1));
    if (opts.labelField !== undefined) {
      const label = (row[opts.labelField] ?? '').trim();
      if (label) anyLabel = true;
      labels.push(label);
    }
    for (const f of extra) columns[f].push((row[f] ?? '').trim());
  });
  stats.kept = texts.length;
  return {
    name: opts.name,
    texts,
    ...(opts.idField !== undefined ? { ids } : {}),
    ...(anyLabel ? { labels } : {}),
    ...(extra.length > 0 ? { columns } : {}),
    stats,
  };
}
