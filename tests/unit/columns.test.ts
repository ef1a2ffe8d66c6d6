import { describe, expect, it } from 'vitest';
import { guessColumns, toDataset, type TableLike } from '../../src/io/columns';
import { ParseError } from '../../src/io/errors';

function table(columns: string[], data: string[][]): TableLike {
  return { columns, rows: data.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? '']))) };
}

describe('guessColumns', () => {
  it('picks the longest text-named column, a unique id and a label with at most rows/2 values', () => {
    const t = table(
      ['ticket_id', 'title', 'body', 'category', 'score'],
      [
        ['T1', 'Login', 'I cannot log in since the update yesterday', 'login', '3'],
        ['T2', 'Refund', 'Charged twice for the same order last week', 'billing', '5'],
        ['T3', 'Crash', 'The app closes as soon as I open my basket', 'crash', '1'],
        ['T4', 'Login again', 'Password reset email never arrives at all', 'login', '2'],
        ['T5', 'Double charge', 'My card was billed two times this month', 'billing', '4'],
        ['T6', 'Freeze', 'Frozen screen after the splash, every time', 'crash', '1'],
      ],
    );
    expect(guessColumns(t)).toEqual({ text: 'body', id: 'ticket_id', label: 'category' });
  });

  it('falls back to the longest non-numeric column when no name looks like text', () => {
    const t = table(
      ['n', 'a', 'b'],
      [
        ['123456789012345678901234567890', 'short', 'a much longer free-text answer here'],
        ['223456789012345678901234567890', 'tiny', 'another long free-text answer, yes'],
      ],
    );
    const g = guessColumns(t);
    expect(g.text).toBe('b');
    expect(g.id).toBeUndefined();
    expect(g.label).toBeUndefined();
  });

  it('gives no id when values repeat or are missing, and no label when every value differs', () => {
    const t = table(
      ['id', 'text', 'label'],
      [
        ['1', 'one', 'a'],
        ['1', 'two', 'b'],
        ['2', 'three', 'c'],
        ['3', 'four', 'd'],
      ],
    );
    expect(guessColumns(t)).toEqual({ text: 'text' });
    const missing = table(['id', 'text'], [['1', 'x'], ['', 'y']]);
    expect(guessColumns(missing).id).toBeUndefined();
  });

  it('prefers "label" over other label-like names and splits camelCase names', () => {
    const rows = [
      ['a', 'x', 'p', 'k1', 'hello there friend'],
      ['b', 'y', 'p', 'k2', 'another message text'],
      ['a', 'x', 'q', 'k3', 'third message text'],
      ['b', 'y', 'q', 'k4', 'fourth message'],
    ];
    const t = table(['topic', 'label', 'intentName', 'rowKey', 'userMessage'], rows);
    expect(guessColumns(t)).toEqual({ text: 'userMessage', id: 'rowKey', label: 'label' });
  });
});

describe('toDataset', () => {
  const t = table(
    ['id', 'subject', 'text', 'label'],
    [
      ['1', 'Hi', 'Cannot log in', 'login'],
      ['2', '', '   ', 'billing'],
      ['', 'Hi', ' Cannot log in ', ''],
      ['4', '', 'Refund please', 'billing'],
      ['5', '', 'Cannot log in', 'login'],
      ['6', '', '', ''],
    ],
  );

  it('drops and counts empty texts, keeps and counts exact duplicates', () => {
    const d = toDataset(t, { name: 'd', textFields: ['text'], idField: 'id', labelField: 'label' });
    expect(d.texts).toEqual(['Cannot log in', 'Cannot log in', 'Refund please', 'Cannot log in']);
    expect(d.stats).toEqual({ rows: 6, empty: 2, duplicates: 2, kept: 4 });
    // A missing id becomes the 1-based row number; a missing label becomes ''.
    expect(d.ids).toEqual(['1', '3', '4', '5']);
    expect(d.labels).toEqual(['login', '', 'billing', 'login']);
    expect(d.name).toBe('d');
  });

  it('joins several text columns with a newline, leaving out empty parts', () => {
    const d = toDataset(t, { name: 'd', textFields: ['subject', 'text'] });
    expect(d.texts).toEqual(['Hi\nCannot log in', 'Hi\nCannot log in', 'Refund please', 'Cannot log in']);
    expect(d.stats).toEqual({ rows: 6, empty: 2, duplicates: 1, kept: 4 });
    expect(d.ids).toBeUndefined();
    expect(d.labels).toBeUndefined();
  });

  it('gives no labels when the label column is blank everywhere', () => {
    const d = toDataset(table(['text', 'label'], [['a', ''], ['b', ' ']]), { name: 'd', textFields: ['text'], labelField: 'label' });
    expect(d.labels).toBeUndefined();
  });

  it('rejects unknown columns and an empty choice', () => {
    expect(() => toDataset(t, { name: 'd', textFields: ['nope'] })).toThrow(ParseError);
    expect(() => toDataset(t, { name: 'd', textFields: ['text'], labelField: 'nope' })).toThrow(/“nope”/);
    expect(() => toDataset(t, { name: 'd', textFields: [] })).toThrow(ParseError);
  });
});
