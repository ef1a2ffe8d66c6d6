import { openAsBlob } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/core/types';
import { parseInput, ParseError } from '../../src/io/parse';

const fixture = (name: string) => openAsBlob(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));

async function parseError(p: Promise<unknown>): Promise<ParseError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ParseError);
  return e as ParseError;
}

describe('fixtures (Blob input, as in the CLI)', () => {
  it('reads a TSV, skipping the blank line, keeping quotes and commas inside cells', async () => {
    const t = await parseInput(await fixture('tickets.tsv'), { name: 'tickets.tsv' });
    expect(t.format).toBe('tsv');
    expect(t.columns).toEqual(['id', 'text', 'label']);
    expect(t.rows.map((r) => r.id)).toEqual(['1', '2', '3', '4']);
    expect(t.rows[1].text).toBe('App crashes when I open "settings", every time');
    expect(t.rows[3]).toEqual({ id: '4', text: 'Refund still pending, 10 days now', label: 'billing' });
  });

  it('reads JSONL, skipping a malformed line (with its number) and counting blank lines', async () => {
    const t = await parseInput(await fixture('bad-line.jsonl'), { name: 'bad-line.jsonl' });
    expect(t.format).toBe('jsonl');
    expect(t.rows.map((r) => r.id)).toEqual(['a1', 'a2', 'a4']);
    expect(t.columns).toEqual(['id', 'text', 'label', 'score', 'urgent', 'meta']);
    // JSON scalars stringified, nested objects as JSON, null and missing keys as ''.
    expect(t.rows[0]).toMatchObject({ score: '4', urgent: 'true', meta: '' });
    expect(t.rows[1].meta).toBe('{"channel":"email"}');
    expect(t.rows[2].score).toBe('');
    expect(t.warnings.some((w) => w.startsWith('Line 4:'))).toBe(true);
    expect(t.warnings).toContain('1 blank line skipped.');
  });

  it('reads a JSON array of objects and strings', async () => {
    const t = await parseInput(await fixture('array.json'), { name: 'array.json' });
    expect(t.format).toBe('json');
    expect(t.columns).toEqual(['id', 'text', 'tags', 'votes']);
    expect(t.rows[0]).toEqual({ id: '1', text: 'The checkout page freezes', tags: '["bug","checkout"]', votes: '3' });
    expect(t.rows[1].votes).toBe('0.5');
    expect(t.rows[2]).toEqual({ id: '', text: 'Just a plain string item', tags: '', votes: '' });
  });

  it('reads TXT as one text per line, CRLF and blank lines handled', async () => {
    const t = await parseInput(await fixture('lines.txt'), { name: 'lines.txt' });
    expect(t.format).toBe('txt');
    expect(t.columns).toEqual(['text']);
    expect(t.rows.map((r) => r.text)).toEqual(['First text line', 'Second text line, with a comma', 'Third line']);
    expect(t.warnings).toEqual(['2 blank lines skipped.']);
  });

  it('rejects binary, empty and unparseable files with a ParseError', async () => {
    expect((await parseError(parseInput(await fixture('binary.bin'), { name: 'binary.bin' }))).message).toMatch(/binary/);
    expect((await parseError(parseInput(await fixture('binary.bin'), { name: 'sheet.xlsx' }))).message).toMatch(/Save the sheet as CSV/);
    expect((await parseError(parseInput(await fixture('empty.txt'), { name: 'empty.txt' }))).message).toMatch(/empty/);
    expect((await parseError(parseInput(await fixture('malformed.csv'), { name: 'malformed.csv' }))).message).toMatch(/cannot be read as CSV/);
  });
});

describe('CSV details', () => {
  it('handles quoted delimiters, doubled quotes and line breaks inside quotes', async () => {
    const t = await parseInput('id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\nlines"\r\n', { name: 'x.csv' });
    expect(t.rows.map((r) => r.text)).toEqual(['a, b', 'say "hi"', 'two\nlines']);
  });

  it('sniffs the delimiter of a .csv file (semicolon) and drops a UTF-8 BOM', async () => {
    const t = await parseInput('\uFEFFid;text\n1;un, deux\n2;trois\n', { name: 'x.csv' });
    expect(t.columns).toEqual(['id', 'text']);
    expect(t.rows[0].text).toBe('un, deux');
  });

  it('names empty and repeated header cells', async () => {
    const t = await parseInput(',text,text\n0,a,b\n1,c,d\n', { name: 'x.csv' });
    expect(t.columns).toEqual(['column_1', 'text', 'text_1']);
    expect(t.rows[1]).toEqual({ column_1: '1', text: 'c', text_1: 'd' });
  });

  it('keeps a file with a few ragged rows, warning with their row numbers', async () => {
    const lines = ['id,text,label'];
    for (let i = 1; i <= 10; i++) lines.push(i === 4 ? '4,short' : i === 7 ? '7,x,y,z' : `${i},text ${i},l`);
    const t = await parseInput(lines.join('\n'), { name: 'x.csv' });
    expect(t.rows).toHaveLength(10);
    expect(t.rows[3]).toEqual({ id: '4', text: 'short', label: '' });
    expect(t.rows[6]).toEqual({ id: '7', text: 'x', label: 'y' });
    expect(t.warnings.some((w) => w.startsWith('Row 4:') && /few/.test(w))).toBe(true);
    expect(t.warnings.some((w) => w.startsWith('Row 7:') && /many/.test(w))).toBe(true);
  });

  it('rejects an unclosed quote that swallows the rest of the file, naming the row', async () => {
    const lines = ['id,text', '1,fine', '2,"broken'];
    for (let i = 3; i < 40; i++) lines.push(`${i},text ${i}`);
    const e = await parseError(parseInput(lines.join('\n'), { name: 'x.csv' }));
    expect(e.message).toMatch(/row 2 is never closed/);
  });

  it('rejects a header with no data rows', async () => {
    await parseError(parseInput('id,text\n', { name: 'x.csv' }));
  });
});

describe('JSON details', () => {
  it('rejects JSON that is not an array, and invalid JSON', async () => {
    expect((await parseError(parseInput('{"a": 1}', { name: 'x.json' }))).message).toMatch(/not an array/);
    expect((await parseError(parseInput('[{"a": 1},', { name: 'x.json' }))).message).toMatch(/not valid JSON/);
    expect((await parseError(parseInput('[1, 2, null]', { name: 'x.json' }))).message).toMatch(/no objects or strings/);
  });

  it('reads rows from an object wrapping one array, saying so', async () => {
    const t = await parseInput('{"count": 2, "data": [{"text": "a"}, {"text": "b"}]}', { name: 'x.json' });
    expect(t.rows.map((r) => r.text)).toEqual(['a', 'b']);
    expect(t.warnings[0]).toMatch(/“data”/);
  });

  it('reads JSON Lines saved with a .json extension', async () => {
    const t = await parseInput('{"text": "a"}\n{"text": "b"}\n', { name: 'x.json' });
    expect(t.format).toBe('jsonl');
    expect(t.rows).toHaveLength(2);
  });

  it('lists the first five malformed JSONL lines and counts the rest', async () => {
    const lines = ['{"text": "ok"}'];
    for (let i = 0; i < 8; i++) lines.push(`{"text": broken ${i}`);
    const t = await parseInput(lines.join('\n'), { name: 'x.jsonl' });
    expect(t.rows).toHaveLength(1);
    expect(t.warnings.filter((w) => w.startsWith('Line '))).toHaveLength(5);
    expect(t.warnings[0]).toMatch(/^Line 2:/);
    expect(t.warnings).toContain('…and 3 more malformed lines skipped.');
  });

  it('rejects a JSONL file where no line is valid', async () => {
    expect((await parseError(parseInput('{bad\n{worse\n', { name: 'x.jsonl' }))).message).toMatch(/2 malformed lines/);
  });
});

describe('format sniffing (pasted text, unknown extensions)', () => {
  it('keeps prose with commas as TXT', async () => {
    const t = await parseInput('Hello, world.\nThanks, the app works, mostly.\nOne more, please\n', { name: 'pasted.txt' });
    expect(t.format).toBe('txt');
    expect(t.rows).toHaveLength(3);
  });

  it('detects pasted CSV, TSV, JSONL and JSON', async () => {
    expect((await parseInput('id,text\n1,hello there\n2,bye now\n', { name: 'pasted.txt' })).format).toBe('csv');
    expect((await parseInput('text\tlabel\nhello there\ta\nbye\tb\n', { name: 'pasted.txt' })).format).toBe('tsv');
    const jl = await parseInput('{"text": "a"}\n{"text": "b"}\n', { name: 'pasted.txt' });
    expect(jl.format).toBe('jsonl');
    expect(jl.rows.map((r) => r.text)).toEqual(['a', 'b']);
    expect((await parseInput('["a", "b"]', { name: 'data' })).format).toBe('json');
  });

  it('does not take log lines starting with [ for JSON', async () => {
    const t = await parseInput('[INFO] started\n[WARN] slow\n', { name: 'app.log' });
    expect(t.format).toBe('txt');
    expect(t.rows[1].text).toBe('[WARN] slow');
  });
});

describe('encodings', () => {
  it('decodes Windows-1252 bytes when the file is not UTF-8', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('text\ncaf'), 0xe9, 0x0a]);
    const t = await parseInput(new Blob([bytes]), { name: 'x.csv' });
    expect(t.rows[0].text).toBe('café');
  });

  it('decodes UTF-16LE with a BOM', async () => {
    const s = 'text\nnaïve ☕\n';
    const bytes = new Uint8Array(2 + s.length * 2);
    bytes[0] = 0xff;
    bytes[1] = 0xfe;
    for (let i = 0; i < s.length; i++) {
      bytes[2 + 2 * i] = s.charCodeAt(i) & 0xff;
      bytes[3 + 2 * i] = s.charCodeAt(i) >> 8;
    }
    const t = await parseInput(new Blob([bytes]), { name: 'x.csv' });
    expect(t.rows).toEqual([{ text: 'naïve ☕' }]);
  });
});

describe('large inputs stream in chunks', () => {
  const N = 40_000;
  // Multi-byte characters and quoted line breaks land on chunk boundaries somewhere in ~3 MB.
  const textOf = (i: number) => `ticket ${i}: “café” 🚚, delayed\nagain ${'x'.repeat(i % 50)}`;

  it('CSV: every row intact, progress in bytes up to the total', async () => {
    const body = ['id,text'];
    for (let i = 0; i < N; i++) body.push(`${i},"${textOf(i)}"`);
    const blob = new Blob([body.join('\n')]);
    const progress: Progress[] = [];
    const t = await parseInput(blob, { name: 'big.csv', onProgress: (p) => progress.push(p) });
    expect(t.rows).toHaveLength(N);
    for (let i = 0; i < N; i++) if (t.rows[i].text !== textOf(i) || t.rows[i].id !== String(i)) throw new Error(`row ${i} differs`);
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.every((p) => p.stage === 'load' && p.total === blob.size)).toBe(true);
    expect(progress.at(-1)?.done).toBe(blob.size);
    for (let i = 1; i < progress.length; i++) expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done);
  });

  it('JSONL: every line intact', async () => {
    const lines: string[] = [];
    for (let i = 0; i < N; i++) lines.push(JSON.stringify({ id: i, text: textOf(i) }));
    const t = await parseInput(new Blob([lines.join('\n')]), { name: 'big.jsonl' });
    expect(t.rows).toHaveLength(N);
    for (let i = 0; i < N; i++) if (t.rows[i].text !== textOf(i)) throw new Error(`row ${i} differs`);
  });

  it('stops when aborted', async () => {
    const lines: string[] = [];
    for (let i = 0; i < N; i++) lines.push(`line ${i} ${'y'.repeat(40)}`);
    const ac = new AbortController();
    const p = parseInput(lines.join('\n'), {
      name: 'big.txt',
      signal: ac.signal,
      onProgress: (pr) => {
        if (pr.done > 0) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    const ac2 = new AbortController();
    ac2.abort();
    await expect(parseInput('a,b\n1,2', { name: 'x.csv', signal: ac2.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
