import { describe, expect, it } from 'vitest';
import { cosine, dot, fromRows, matrix, normalizeRows, rowOf, rowSquaredNorms } from '../../src/core/vectors';

describe('matrix / fromRows / rowOf', () => {
  it('builds a zero matrix of the given shape', () => {
    const m = matrix(3, 4);
    expect(m.rows).toBe(3);
    expect(m.cols).toBe(4);
    expect(m.data.length).toBe(12);
    expect([...m.data].every((v) => v === 0)).toBe(true);
  });

  it('rejects negative or fractional shapes', () => {
    expect(() => matrix(-1, 2)).toThrow(RangeError);
    expect(() => matrix(2, 1.5)).toThrow(RangeError);
  });

  it('copies rows in row-major order and rejects ragged input', () => {
    const m = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect([...m.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1/);
    expect(fromRows([]).rows).toBe(0);
  });

  it('rowOf is a view that writes through', () => {
    const m = fromRows([
      [1, 2],
      [3, 4],
    ]);
    const r = rowOf(m, 1);
    expect([...r]).toEqual([3, 4]);
    r[0] = 9;
    expect(m.data[2]).toBe(9);
  });
});

describe('dot / cosine', () => {
  it('dot respects offsets', () => {
    const a = new Float32Array([9, 1, 2, 3]);
    const b = new Float32Array([4, 5, 6, 9, 9]);
    // 1·4 + 2·5 + 3·6 = 32
    expect(dot(a, 1, b, 0, 3)).toBe(32);
  });

  it('cosine of parallel, orthogonal, opposite and zero vectors', () => {
    expect(cosine([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 5])).toBe(0);
    expect(cosine([1, 1], [-2, -2])).toBeCloseTo(-1, 12);
    expect(cosine([0, 0], [1, 2])).toBe(0);
    // (3,4)·(4,3) = 24, norms 5 and 5 → 24/25
    expect(cosine([3, 4], [4, 3])).toBeCloseTo(0.96, 12);
    expect(() => cosine([1], [1, 2])).toThrow(RangeError);
  });
});

describe('normalizeRows', () => {
  it('scales rows to unit length in place and leaves zero rows alone', () => {
    const m = fromRows([
      [3, 4],
      [0, 0],
      [0, -2],
    ]);
    const out = normalizeRows(m);
    expect(out).toBe(m);
    expect(m.data[0]).toBeCloseTo(0.6, 6);
    expect(m.data[1]).toBeCloseTo(0.8, 6);
    expect(m.data[2]).toBe(0);
    expect(m.data[3]).toBe(0);
    expect([...rowOf(m, 2)]).toEqual([0, -1]);
    const norms = rowSquaredNorms(m);
    expect(norms[0]).toBeCloseTo(1, 6);
    expect(norms[1]).toBe(0);
  });
});
