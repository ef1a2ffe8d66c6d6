/**
 * Reads a file (or pasted text) into a table of string cells: CSV/TSV, JSONL, JSON array or TXT.
 * Runs in the page, in workers and in Node: it only needs Blob, TextDecoder and ReadableStream.
 */
import type { ProgressFn } from '../core/types';
import { parseDelimited } from './csv';
import { decodeChunks, readHead, splitLines, type DecodeOptions } from './decode';
import { ParseError } from './errors';
import { parseJsonDocument } from './json';
import { parseJsonl, parseTxt } from './lines';
import { detectFormat, type TableFormat } from './sniff';

export { ParseError } from './errors';
export type { TableFormat } from './sniff';

export interface ParsedTable {
  format: TableFormat;
  columns: string[];
  /** One record per row; every row has every column ('' where missing). */
  rows: Record<string, string>[];
  /** Problems that did not stop the parse (skipped lines, ragged rows…), ready to show. */
  warnings: string[];
}

export interface ParseOptions {
  /** File name; its extension picks the format (else the content does). Pasted text: e.g. 'pasted.txt'. */
  name: string;
  signal?: AbortSignal;
  /** `{ stage: 'load', done: bytes read, total: bytes }`. */
  onProgress?: ProgressFn;
}

export async function parseInput(input: Blob | string, opts: ParseOptions): Promise<ParsedTable> {
  // Strings go through a Blob too, so that every input takes the same streamed path.
  const blob = typeof input === 'string' ? new Blob([input]) : input;
  const total = blob.size;
  const report = (done: number) => opts.onProgress?.({ stage: 'load', done, total });
  opts.signal?.throwIfAborted();
  report(0);
  if (total === 0) throw new ParseError('This file is empty.');

  const head = await readHead(blob, opts.name);
  if (head.complete && head.text.trim() === '') throw new ParseError('This file is empty (only blank space).');
  const { format, delimiter } = detectFormat(opts.name, head.text, head.complete);

  const dopts: DecodeOptions = { signal: opts.signal, onBytes: report };
  const chunks = () => decodeChunks(blob, head.encoding, dopts);
  let result: { columns: string[]; rows: Record<string, string>[]; warnings: string[] };
  switch (format) {
    case 'csv':
    case 'tsv':
      result = await parseDelimited(blob, head.encoding, delimiter ?? (format === 'tsv' ? '\t' : ','), dopts);
      break;
    case 'jsonl':
      result = await parseJsonl(splitLines(chunks()));
      break;
    case 'txt':
      result = await parseTxt(splitLines(chunks()));
      break;
    case 'json': {
      const parts: string[] = [];
      for await (const c of chunks()) parts.push(c);
      result = parseJsonDocument(parts.join(''));
      break;
    }
  }
  opts.signal?.throwIfAborted();
  if (result.rows.length === 0) throw new ParseError('This file has no rows.');
  report(total);
  return { format, ...result };
}
