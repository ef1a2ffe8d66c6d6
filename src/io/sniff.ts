/**
 * Format detection: the file name's extension when it names a format, else the content of the
 * file's first bytes (JSON array, JSONL, a delimited table, else plain text).
 */
import Papa from 'papaparse';

export type TableFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'txt';

export interface Detected {
  format: TableFormat;
  /** Field delimiter for csv/tsv. */
  delimiter?: string;
}

const DELIMITERS = [',', '\t', ';', '|'];
/** Lines looked at when sniffing. */
const SNIFF_LINES = 50;

export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/**
 * `head` is the decoded start of the file; `complete` says whether it is the whole file (else its
 * last line may be cut and is ignored).
 */
export function detectFormat(name: string, head: string, complete: boolean): Detected {
  const ext = extensionOf(name);
  const lines = headLines(head, complete);
  switch (ext) {
    case 'csv':
      return delimited(sniffDelimiter(lines, false) ?? ',');
    case 'tsv':
    case 'tab':
      return { format: 'tsv', delimiter: '\t' };
    case 'jsonl':
    case 'ndjson':
    case 'jsonlines':
      return { format: 'jsonl' };
    case 'json':
      // JSON Lines saved as .json is common; anything else is read as JSON and judged there.
      return !/^\s*\[/.test(head) && lines.length >= 2 && looksLikeJsonl(lines) ? { format: 'jsonl' } : { format: 'json' };
    default:
      // .txt, pasted text, unknown or no extension: trust the content, conservatively.
      return sniffContent(head, lines);
  }
}

function delimited(delimiter: string): Detected {
  return { format: delimiter === '\t' ? 'tsv' : 'csv', delimiter };
}

function sniffContent(head: string, lines: string[]): Detected {
  // `[{`, `["`, `[]` or `[[` open a JSON array; `[INFO] …` log lines do not.
  if (/^\s*\[\s*[[{"\]]/.test(head)) return { format: 'json' };
  if (looksLikeJsonl(lines)) return { format: 'jsonl' };
  const d = sniffDelimiter(lines, true);
  return d ? delimited(d) : { format: 'txt' };
}

function headLines(head: string, complete: boolean): string[] {
  const lines = head.split(/\r?\n/);
  if (!complete && lines.length > 1) lines.pop();
  return lines.filter((l) => l.trim() !== '').slice(0, SNIFF_LINES);
}

/** Most (60%) non-blank lines of the head are JSON objects, the first one included. */
function looksLikeJsonl(lines: string[]): boolean {
  if (lines.length === 0) return false;
  let ok = 0;
  for (const [i, line] of lines.entries()) {
    const isObject = isJsonObjectLine(line);
    if (i === 0 && !isObject) return false;
    if (isObject) ok++;
  }
  return ok >= 0.6 * lines.length;
}

function isJsonObjectLine(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return false;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/**
 * The delimiter under which the head parses as a table of ≥ 2 columns with a consistent field count
 * (≥ 90% of rows) and a plausible header. `strict` (content sniffing) also rejects headers that look
 * like prose ("Hello, world." is not a two-column table), so plain text stays plain text.
 */
export function sniffDelimiter(lines: string[], strict: boolean): string | undefined {
  if (lines.length < 2) return undefined;
  const sample = lines.join('\n');
  let best: { d: string; consistency: number; cols: number } | undefined;
  for (const d of DELIMITERS) {
    const rows = Papa.parse<string[]>(sample, { delimiter: d, skipEmptyLines: 'greedy' }).data;
    if (rows.length < 2) continue;
    const header = rows[0];
    const cols = header.length;
    if (cols < 2 || !plausibleHeader(header, d, strict)) continue;
    const body = rows.slice(1);
    const consistency = body.filter((r) => r.length === cols).length / body.length;
    if (consistency < 0.9) continue;
    if (!best || consistency > best.consistency || (consistency === best.consistency && cols > best.cols))
      best = { d, consistency, cols };
  }
  return best?.d;
}

function plausibleHeader(header: string[], d: string, strict: boolean): boolean {
  if (!strict) return true;
  const names = header.map((h) => h.trim());
  // Unique names of sane length; pandas writes an empty first name for its index column.
  if (new Set(names).size !== names.length) return false;
  if (names.some((n, i) => n.length > 64 || (n === '' && i > 0))) return false;
  if (names.some((n) => /[.!?]$/.test(n))) return false;
  // Prose puts a space after its commas/semicolons; table headers do not.
  if (d !== '\t' && header.slice(1).some((h) => /^\s/.test(h))) return false;
  return true;
}
