/**
 * Byte-level reading shared by all parsers: encoding from the BOM (else UTF-8, else Windows-1252
 * when the start is not valid UTF-8), a binary-content check, and streamed decoding of a Blob so
 * that a large file never has to be one string. Uses only Blob and TextDecoder, which browsers,
 * workers and Node 20 all have.
 */
import { ParseError } from './errors';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** How many bytes are read up front for format sniffing. */
export const HEAD_BYTES = 64 * 1024;
/** The binary check looks at this many bytes, as file(1)-style tools do. */
const BINARY_PROBE = 1024;

export interface Head {
  encoding: TextEncodingName;
  /** Decoded start of the file (BOM removed); the last line may be cut unless `complete`. */
  text: string;
  /** True when the head is the whole file. */
  complete: boolean;
}

export async function readHead(blob: Blob, name: string): Promise<Head> {
  const complete = blob.size <= HEAD_BYTES;
  const bytes = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  const encoding = detectEncoding(bytes, complete);
  if (looksBinary(bytes, encoding)) throw new ParseError(binaryMessage(name));
  const text = new TextDecoder(encoding).decode(bytes, { stream: !complete });
  return { encoding, text, complete };
}

function binaryMessage(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (['xlsx', 'xls', 'xlsm', 'ods', 'numbers'].includes(ext))
    return 'Spreadsheet files cannot be read directly. Save the sheet as CSV (or TSV) and load that file.';
  return 'This file looks binary (like an archive, image or spreadsheet), not text. Load a CSV, TSV, JSONL, JSON or plain-text file.';
}

export function detectEncoding(bytes: Uint8Array, complete: boolean): TextEncodingName {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return isValidUtf8(bytes, complete) ? 'utf-8' : 'windows-1252';
}

/** Valid UTF-8, allowing a multi-byte character cut by the end of a partial head. */
function isValidUtf8(bytes: Uint8Array, complete: boolean): boolean {
  const dec = new TextDecoder('utf-8', { fatal: true });
  const maxCut = complete ? 0 : Math.min(3, bytes.length);
  for (let cut = 0; cut <= maxCut; cut++) {
    try {
      dec.decode(bytes.subarray(0, bytes.length - cut));
      return true;
    } catch {
      // try again without a possibly cut trailing character
    }
  }
  return false;
}

/**
 * NUL bytes, or more than 5% control characters, in the first KB mean binary. Text that is not
 * UTF-8 is also binary when most of its bytes are non-ASCII (real Latin-1 text is mostly ASCII).
 */
export function looksBinary(bytes: Uint8Array, encoding: TextEncodingName): boolean {
  const probe = bytes.subarray(0, BINARY_PROBE);
  if (probe.length === 0) return false;
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    const chars = new TextDecoder(encoding).decode(probe);
    let bad = 0;
    for (let i = 0; i < chars.length; i++) if (isControl(chars.charCodeAt(i))) bad++;
    return bad > 0.05 * chars.length;
  }
  let control = 0;
  let high = 0;
  for (const b of probe) {
    if (b === 0) return true;
    if (isControl(b)) control++;
    else if (b >= 0x80) high++;
  }
  if (control > 0.05 * probe.length) return true;
  return encoding === 'windows-1252' && high > 0.3 * probe.length;
}

/** C0 controls other than tab, LF, VT, FF, CR and ESC; DEL. */
function isControl(c: number): boolean {
  return (c < 0x20 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13 && c !== 27) || c === 0x7f || c === 0;
}

export interface DecodeOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the bytes read so far. */
  onBytes?: (bytesRead: number) => void;
}

/** Bytes decoded per step: small enough for steady progress, large enough to cost nothing. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Decoded text of a Blob, chunk by chunk (a BOM is dropped by TextDecoder). Reads fixed-size slices
 * rather than `blob.stream()`, whose chunking differs between runtimes (Node hands an in-memory
 * Blob over in one piece); a File slice is read lazily from disk in browsers and in Node alike.
 */
export async function* decodeChunks(blob: Blob, encoding: TextEncodingName, opts: DecodeOptions = {}): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  for (let pos = 0; pos < blob.size; pos += CHUNK_BYTES) {
    opts.signal?.throwIfAborted();
    const bytes = new Uint8Array(await blob.slice(pos, pos + CHUNK_BYTES).arrayBuffer());
    opts.onBytes?.(Math.min(blob.size, pos + CHUNK_BYTES));
    const text = decoder.decode(bytes, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** Lines of a chunk stream without their line ending (LF or CRLF); a final line ending adds no empty line. */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield text.slice(start, end);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  const last = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  if (last) yield last;
}
