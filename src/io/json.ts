/** A JSON document: an array of objects or strings (it has to be read whole, unlike JSONL). */
import { ParseError } from './errors';
import { fillColumns, jsonValueToRow, type LinesResult } from './lines';
import { WarningList } from './warnings';

export function parseJsonDocument(text: string): LinesResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ParseError(`This file is not valid JSON (${why}). Expected an array of objects, or JSON Lines with one object per line.`);
  }
  const warnings = new WarningList();
  let items: unknown[];
  if (Array.isArray(doc)) items = doc;
  else {
    // `{"data": [...]}` wrappers are common exports: accept one whose only array is the rows.
    const arrays = typeof doc === 'object' && doc !== null ? Object.entries(doc).filter(([, v]) => Array.isArray(v)) : [];
    if (arrays.length !== 1)
      throw new ParseError('This JSON file is not an array. Expected an array of objects like [{"text": "…"}, …] or of strings.');
    items = arrays[0][1] as unknown[];
    warnings.note(`Read the rows from the “${arrays[0][0]}” array of this JSON object.`);
  }
  const rows: Record<string, string>[] = [];
  const columns = new Map<string, true>();
  items.forEach((item, i) => {
    const row = jsonValueToRow(item, columns);
    if (row) rows.push(row);
    else warnings.add('skipped', 'items skipped', `Item ${i + 1}: not an object or string; skipped.`);
  });
  if (rows.length === 0) throw new ParseError('This JSON array has no objects or strings to read.');
  const cols = [...columns.keys()];
  fillColumns(rows, cols);
  return { columns: cols, rows, warnings: warnings.finish() };
}
