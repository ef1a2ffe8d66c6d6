/** Line-oriented formats: JSONL (one JSON object per line) and TXT (one text per line). */
import { ParseError } from './errors';
import { WarningList, cellToString, plural } from './warnings';

export interface LinesResult {
  columns: string[];
  rows: Record<string, string>[];
  warnings: string[];
}

/** Turns one parsed JSON value into a row; strings become `{ text }`. Returns null for other types. */
export function jsonValueToRow(v: unknown, columns: Map<string, true>): Record<string, string> | null {
  if (typeof v === 'string') {
    columns.set('text', true);
    return { text: v };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const row: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    columns.set(k, true);
    row[k] = cellToString(val);
  }
  return row;
}

/** Rows missing a column get '' so every row has every column. */
export function fillColumns(rows: Record<string, string>[], columns: string[]): void {
  for (const row of rows) for (const c of columns) if (!(c in row)) row[c] = '';
}

export async function parseJsonl(lines: AsyncIterable<string>): Promise<LinesResult> {
  const rows: Record<string, string>[] = [];
  const columns = new Map<string, true>();
  const warnings = new WarningList();
  let lineNo = 0;
  let blank = 0;
  for await (const line of lines) {
    lineNo++;
    const t = line.trim();
    if (t === '') {
      blank++;
      continue;
    }
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      warnings.add('malformed', 'malformed lines skipped', `Line ${lineNo}: not valid JSON (${preview(t)}); skipped.`);
      continue;
    }
    const row = jsonValueToRow(v, columns);
    if (row) rows.push(row);
    else warnings.add('malformed', 'malformed lines skipped', `Line ${lineNo}: not a JSON object or string; skipped.`);
  }
  const bad = warnings.count('malformed');
  if (rows.length === 0) {
    if (bad > 0) throw new ParseError(`No line of this file is a valid JSON object (${plural(bad, 'malformed line')}). Expected JSON Lines: one {"text": …} object per line.`);
    throw new ParseError('This file has no rows.');
  }
  if (blank > 0) warnings.note(`${plural(blank, 'blank line')} skipped.`);
  const cols = [...columns.keys()];
  fillColumns(rows, cols);
  return { columns: cols, rows, warnings: warnings.finish() };
}

export async function parseTxt(lines: AsyncIterable<string>): Promise<LinesResult> {
  const rows: Record<string, string>[] = [];
  let blank = 0;
  for await (const line of lines) {
    if (line.trim() === '') blank++;
    else rows.push({ text: line });
  }
  if (rows.length === 0) throw new ParseError('This file has no rows: every line is blank.');
  return { columns: ['text'], rows, warnings: blank > 0 ? [`${plural(blank, 'blank line')} skipped.`] : [] };
}

function preview(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
