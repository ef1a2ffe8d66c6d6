/**
 * CSV/TSV through papaparse in streaming mode. The Blob is decoded by our own reader and fed to
 * papaparse as a minimal Node-style stream, which papaparse accepts everywhere; its own Blob
 * reader needs FileReader, which Node lacks.
 */
import Papa from 'papaparse';
import { decodeChunks, type DecodeOptions, type TextEncodingName } from './decode';
import { ParseError } from './errors';
import { WarningList, plural } from './warnings';

export interface DelimitedResult {
  columns: string[];
  rows: Record<string, string>[];
  warnings: string[];
}

/** Reject when the unterminated quoted value swallowed this many line breaks (i.e. many rows). */
const SWALLOWED_LINES = 10;

export function parseDelimited(
  blob: Blob,
  encoding: TextEncodingName,
  delimiter: string,
  opts: DecodeOptions,
): Promise<DelimitedResult> {
  return new Promise<DelimitedResult>((resolve, reject) => {
    const rows: Record<string, string>[] = [];
    const warnings = new WarningList();
    let columns: string[] = [];
    let problemRows = 0;
    let extraFields = 0;
    let firstChunk = true;
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      reject(e);
    };

    const source = new ChunkSource(decodeChunks(blob, encoding, opts));
    Papa.parse<Record<string, string | string[] | undefined>>(source as unknown as File, {
      header: true,
      delimiter,
      skipEmptyLines: 'greedy',
      transformHeader: (h, i) => h.trim() || `column_${i + 1}`,
      chunk: (res) => {
        if (failed) return;
        const before = rows.length;
        if (columns.length === 0 && res.meta.fields) {
          columns = res.meta.fields;
          const renamed = (res.meta as { renamedHeaders?: Record<string, string> | null }).renamedHeaders;
          if (renamed && Object.keys(renamed).length > 0)
            warnings.note(`Repeated column names were renamed: ${Object.entries(renamed).map(([to, from]) => `“${from}” → “${to}”`).join(', ')}.`);
        }
        for (const err of res.errors) {
          // FieldMismatch rows are counted across chunks; quote errors per chunk (header included in the first).
          const r = err.row ?? 0;
          const local = Math.max(0, err.type === 'FieldMismatch' ? r - before : r - (firstChunk ? 1 : 0));
          const rowNo = before + local + 1;
          problemRows++;
          if (err.code === 'MissingQuotes') {
            const row = res.data[Math.min(res.data.length - 1, local)];
            const longest = row ? Math.max(0, ...Object.values(row).map((v) => (typeof v === 'string' ? v.split('\n').length - 1 : 0))) : 0;
            if (longest >= SWALLOWED_LINES) {
              fail(
                new ParseError(
                  `This CSV cannot be read: a quote opened in row ${rowNo} is never closed, so the rest of the file would become one value. ` +
                    'Values that contain the delimiter or line breaks must be in double quotes, with quotes inside them doubled ("").',
                ),
              );
              return;
            }
            warnings.add('quotes', 'quoting problems', `Row ${rowNo}: a quoted value is never closed.`);
          } else if (err.type === 'FieldMismatch') {
            warnings.add('fields', 'rows with the wrong number of fields', `Row ${rowNo}: ${err.message.replace(/^Too/, 'too')}.`);
          } else {
            warnings.add('other', 'parse problems', `Row ${rowNo}: ${err.message}.`);
          }
        }
        for (const raw of res.data) {
          const row: Record<string, string> = {};
          for (const c of columns) {
            const v = raw[c];
            row[c] = typeof v === 'string' ? v : '';
          }
          if (raw.__parsed_extra) extraFields++;
          rows.push(row);
        }
        firstChunk = false;
      },
      complete: () => {
        if (failed) return;
        if (rows.length === 0 && columns.length > 0)
          return fail(new ParseError('This file has a header row but no data rows.'));
        if (rows.length === 0 || problemRows >= Math.max(1, rows.length / 2)) {
          const first = warnings.finish()[0];
          return fail(
            new ParseError(
              `This file cannot be read as ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${plural(problemRows, 'problem')} in ${plural(rows.length, 'row')} ` +
                `(rows that do not match the ${columns.length}-column header, or broken quotes${first ? `; first: ${first}` : ''}). Check the delimiter and quoting.`,
            ),
          );
        }
        if (extraFields > 0) warnings.note(`${plural(extraFields, 'row')} had extra fields beyond the header; the extras were ignored.`);
        resolve({ columns, rows, warnings: warnings.finish() });
      },
      error: (e) => fail(e instanceof ParseError ? e : new ParseError(`Could not read this file: ${e.message}`)),
    });
    source.start(fail);
  });
}

type Listener = (arg?: unknown) => void;

/**
 * The slice of a Node Readable that papaparse's stream reader uses: `readable`, `read`, `on`,
 * `removeListener`, `pause`, `resume`. Text chunks are pushed from an async iterator.
 */
class ChunkSource {
  readonly readable = true;
  private readonly listeners = new Map<string, Listener[]>();
  private paused = false;
  private wake: (() => void) | null = null;

  constructor(private readonly chunks: AsyncIterable<string>) {}

  read(): null {
    return null;
  }

  on(event: string, fn: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }

  removeListener(event: string, fn: Listener): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((f) => f !== fn));
    return this;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** Pumps the chunks; a read error (or abort) goes to `onError` and stops the pump. */
  start(onError: (e: unknown) => void): void {
    void (async () => {
      try {
        for await (const chunk of this.chunks) {
          while (this.paused) await new Promise<void>((r) => (this.wake = r));
          this.emit('data', chunk);
        }
        this.emit('end');
      } catch (e) {
        onError(e);
      }
    })();
  }

  private emit(event: string, arg?: unknown): void {
    for (const fn of this.listeners.get(event) ?? []) fn(arg);
  }
}
