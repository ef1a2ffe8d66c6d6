import { lab, schemeTableau10 } from 'd3';
import { describe, expect, test } from 'vitest';
import { clampPage, clusterMembers, filterMembers, formatShare, labelCounts, pageCount, pageSlice, splitMatches, truncate } from '../../src/app/views/members';
import { NOISE_COLOR, PALETTE_SIZE, clusterColor, clusterPalette, deltaE } from '../../src/app/views/palette';
import { drawSquares, fillBuffer, mixRgb } from '../../src/app/views/raster';
import { dataExtent, fitExtent } from '../../src/app/views/scatter-geometry';

describe('palette', () => {
  test('noise is grey, small k uses Tableau 10 without its grey', () => {
    expect(clusterColor(-1)).toBe(NOISE_COLOR);
    expect(clusterColor(-7)).toBe(NOISE_COLOR);
    for (let i = 0; i < 9; i++) expect(clusterColor(i)).toBe(schemeTableau10[i]);
  });

  test('colours are distinct, distinguishable for 77 clusters, and cycle after the palette', () => {
    const p = clusterPalette();
    expect(p.length).toBe(PALETTE_SIZE);
    expect(new Set(p).size).toBe(PALETTE_SIZE);
    for (const c of p) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    let min = Infinity;
    for (let i = 0; i < 77; i++) for (let j = 0; j < i; j++) min = Math.min(min, deltaE(lab(p[i]), lab(p[j])));
    // ΔE76 ≈ 2.3 is a just-noticeable difference; 12 is clearly different side by side.
    expect(min).toBeGreaterThan(12);
    for (let i = 0; i < 77; i++) expect(deltaE(lab(p[i]), lab(NOISE_COLOR))).toBeGreaterThan(12);
    expect(clusterColor(PALETTE_SIZE + 3)).toBe(clusterColor(3));
    expect(clusterPalette()).toBe(p); // computed once
  });
});

describe('members', () => {
  test('members, substring filter and paging', () => {
    expect(clusterMembers(new Int32Array([2, 0, 2, -1, 2]), 2)).toEqual([0, 2, 4]);
    expect(clusterMembers([2, 0, 2, -1, 2], -1)).toEqual([3]);
    const texts = ['Card DECLINED', 'refund', 'my card was declined', 'x'];
    expect(filterMembers([0, 1, 2, 3], texts, ' declined ')).toEqual([0, 2]);
    expect(filterMembers([0, 1], texts, '')).toEqual([0, 1]);
    expect([pageCount(0, 25), pageCount(25, 25), pageCount(26, 25), pageCount(51, 25)]).toEqual([1, 1, 2, 3]);
    const items = Array.from({ length: 51 }, (_, i) => i);
    expect(pageSlice(items, 2, 25)).toEqual([50]);
    expect(pageSlice(items, 1, 25)[0]).toBe(25);
    expect(pageSlice(items, 1, 25).length).toBe(25);
    expect(clampPage(9, 51, 25)).toBe(2);
    expect(clampPage(-1, 51, 25)).toBe(0);
  });

  test('text helpers', () => {
    expect(truncate('a   b\n c', 10)).toBe('a b c');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    expect(splitMatches('Abcabc', 'BC')).toEqual([
      { text: 'A', match: false },
      { text: 'bc', match: true },
      { text: 'a', match: false },
      { text: 'bc', match: true },
    ]);
    expect(splitMatches('<img>', '')).toEqual([{ text: '<img>', match: false }]);
    expect(labelCounts([0, 1, 2, 3, 4], ['b', 'a', 'b', 'a', 'c'], 2)).toEqual([
      { label: 'a', count: 2 },
      { label: 'b', count: 2 },
    ]);
    expect([formatShare(1, 3), formatShare(1, 200), formatShare(1, 10_000), formatShare(0, 0)]).toEqual(['33%', '0.5%', '<0.1%', '0%']);
  });
});

describe('scatter geometry', () => {
  test('extent skips non-finite points; fit keeps one scale for both axes, y up', () => {
    const coords = new Float32Array([0, 0, NaN, 100, 10, 5, 4, 2]);
    const e = dataExtent(coords, 4)!;
    expect(e).toEqual({ x0: 0, x1: 10, y0: 0, y1: 5 });
    expect(dataExtent(new Float32Array([NaN, 1]), 1)).toBeNull();
    // 100 × 100 usable pixels: x spans 10 → 10 px/unit, y spans 5 → 20 px/unit; the smaller wins.
    const f = fitExtent(e, 120, 120, 10);
    expect(f.scale).toBe(10);
    expect([f.tx + f.scale * 0, f.ty - f.scale * 0]).toEqual([10, 85]);
    expect([f.tx + f.scale * 10, f.ty - f.scale * 5]).toEqual([110, 35]);
    // A single point lands in the middle.
    const one = fitExtent({ x0: 3, x1: 3, y0: 3, y1: 3 }, 200, 100, 0);
    expect([one.tx + one.scale * 3, one.ty - one.scale * 3]).toEqual([100, 50]);
  });
});

describe('raster', () => {
  const px = (d: Uint8ClampedArray, w: number, x: number, y: number) => Array.from(d.slice((y * w + x) * 4, (y * w + x) * 4 + 4));

  test('opaque and half-transparent squares land on the right pixels and clip at the edges', () => {
    const buf = { data: new Uint8ClampedArray(4 * 4 * 4), width: 4, height: 4 };
    fillBuffer(buf, [255, 255, 255]);
    // Point (1.5, 2.5) with sx = x, sy = 4 − y → centre (1.5, 1.5): a 2 × 2 square over pixels 1..2.
    drawSquares(buf, [1.5, 2.5], [0], { a: 1, bx: 0, by: 4 }, 1, 2, [255, 0, 0], 1);
    expect(px(buf.data, 4, 1, 1)).toEqual([255, 0, 0, 255]);
    expect(px(buf.data, 4, 2, 2)).toEqual([255, 0, 0, 255]);
    expect(px(buf.data, 4, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(px(buf.data, 4, 3, 1)).toEqual([255, 255, 255, 255]);
    // Half-transparent black at the corner (0, 4) → centre (0, 0): only pixel (0, 0) is inside.
    drawSquares(buf, [0, 4], [0], { a: 1, bx: 0, by: 4 }, 1, 2, [0, 0, 0], 0.5);
    expect(px(buf.data, 4, 0, 0)).toEqual([128, 128, 128, 255]);
    expect(px(buf.data, 4, 1, 0)).toEqual([255, 255, 255, 255]);
    // dpr 2 doubles positions: (1, 1) CSS → (2, 2) device.
    const hi = { data: new Uint8ClampedArray(4 * 4 * 4), width: 4, height: 4 };
    fillBuffer(hi, [0, 0, 0]);
    drawSquares(hi, [1, 1], [0], { a: 1, bx: 0, by: 2 }, 2, 1, [9, 8, 7], 1);
    expect(px(hi.data, 4, 1, 1)).toEqual([0, 0, 0, 255]);
    expect(px(hi.data, 4, 2, 2)).toEqual([9, 8, 7, 255]);
    expect(mixRgb([255, 0, 100], [255, 255, 255], 0.2)).toEqual([255, 204, 224]);
  });
});
