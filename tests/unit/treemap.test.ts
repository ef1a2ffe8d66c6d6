import { hcl } from 'd3';
import { describe, expect, test } from 'vitest';
import { buildHercules } from '../../src/core/hierarchy/hercules';
import { descendants, type Hierarchy } from '../../src/core/hierarchy/tree';
import { makeRng } from '../../src/core/random';
import { fromRows } from '../../src/core/vectors';
import {
  DARK_TEXT,
  LIGHT_TEXT,
  NOISE_TITLE,
  NO_VALUE_COLOR,
  contrast,
  luminance,
  nodeColors,
  nodeTitle,
  orderedChildren,
  textColorOn,
  totalItems,
  valueColors,
} from '../../src/app/views/hierarchy-display';
import { NOISE_COLOR, clusterColor } from '../../src/app/views/palette';
import {
  DEFAULT_LAYOUT,
  ELLIPSIS,
  TOP_CRUMB,
  breadcrumb,
  expandFrom,
  fitText,
  focusForSelection,
  headerLabel,
  isAbove,
  layoutTreemap,
  parentFocus,
  shrinkInto,
  tileLabel,
  wrapText,
  zoomAnchor,
  type Tile,
} from '../../src/app/views/treemap-geometry';
import { makeTree, uneven } from './treemap-fixture';

const W = 800;
const H = 500;
const opts = { width: W, height: H, ...DEFAULT_LAYOUT };

/** A fake font: 6 px a character, 9 px for W and M, so widths differ by text not just length. */
const measure = (s: string): number => [...s].reduce((w, c) => w + (c === 'W' || c === 'M' ? 9 : 6), 0);

const area = (t: Tile, grow = 0): number => (t.x1 - t.x0 + grow) * (t.y1 - t.y0 + grow);
const inside = (a: Tile, b: { x0: number; y0: number; x1: number; y1: number }): boolean => a.x0 >= b.x0 && a.y0 >= b.y0 && a.x1 <= b.x1 && a.y1 <= b.y1;
const overlap = (a: Tile, b: Tile): number => Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));

/** Checks what every zoom step of any tree must satisfy; returns the tiles. */
function checkLayout(h: Hierarchy, focus: string | null): Tile[] {
  const tiles = layoutTreemap(h, focus, opts);
  const top = tiles.filter((t) => t.depth === 1);
  const expectedKids = orderedChildren(h, focus).filter((id) => h.nodes[id].size > 0);
  expect(top.map((t) => t.id)).toEqual(expectedKids);
  const total = top.reduce((s, t) => s + t.value, 0);
  const focusSize = focus === null ? h.roots.reduce((s, r) => s + h.nodes[r].size, 0) : h.nodes[focus].size;
  expect(total).toBe(focusSize);
  for (const t of top) {
    expect(t.value).toBe(h.nodes[t.id].size);
    expect(inside(t, { x0: 0, y0: 0, x1: W, y1: H })).toBe(true);
    // Area ∝ items: grown by half a gap each side, the tiles split (W + gap)(H + gap); rounding to
    // whole pixels moves each edge by at most half a pixel.
    const want = (t.value / total) * (W + opts.gap) * (H + opts.gap);
    const w = t.x1 - t.x0 + opts.gap;
    const ht = t.y1 - t.y0 + opts.gap;
    expect(Math.abs(area(t, opts.gap) - want)).toBeLessThanOrEqual(w + ht + 1);
    for (const u of top) if (u !== t) expect(overlap(t, u)).toBe(0);
    const nested = tiles.filter((n) => n.parentId === t.id);
    expect(t.nested).toBe(nested.length > 0);
    for (const n of nested) {
      expect(n.depth).toBe(2);
      expect(h.nodes[n.id].parentId).toBe(t.id);
      // Below the header strip, inside the parent's frame.
      expect(inside(n, { x0: t.x0, y0: t.y0 + opts.header, x1: t.x1, y1: t.y1 })).toBe(true);
      for (const m of nested) if (m !== n) expect(overlap(n, m)).toBe(0);
    }
    const kids = h.nodes[t.id].childIds.filter((c) => h.nodes[c].size > 0).length;
    if (kids > 0 && nested.length === kids) {
      expect(nested.reduce((s, n) => s + n.value, 0)).toBe(t.value);
    }
  }
  return tiles;
}

describe('hierarchy display helpers', () => {
  test('titles: noise is Unclustered, blank titles fall back to keywords, then the id', () => {
    const h = makeTree({ R: { a: 3, b: 2, '~x': 1 } }, { '~x': { title: '<b>noise</b>' }, a: { title: '  ', keywords: ['alpha', 'beta', 'gamma', 'delta'] }, b: { title: '', keywords: [] } });
    expect(nodeTitle(h.nodes['~x'])).toBe(NOISE_TITLE);
    expect(nodeTitle(h.nodes.a)).toBe('alpha, beta, gamma');
    expect(nodeTitle(h.nodes.b)).toBe('b');
    expect(nodeTitle(h.nodes.R)).toBe('Theme R');
  });

  test('children largest first, ties in stored order, noise last however big', () => {
    const h = makeTree({ R: { '~n': 50, a: 3, b: 9, c: 3, d: 7 }, S: 60, T: 2 });
    expect(orderedChildren(h, 'R')).toEqual(['b', 'd', 'a', 'c', '~n']);
    expect(orderedChildren(h, null)).toEqual(['R', 'S', 'T']);
    expect(orderedChildren(h, 'S')).toEqual([]);
    expect(totalItems(uneven())).toBe(30 + 10 + 25 + 12 + 8 + 40 + 35 + 5 + 3);
  });

  test('colour per node: a palette hue per root, shades of it below, noise grey', () => {
    const h = uneven();
    const c = nodeColors(h);
    expect(c.size).toBe(Object.keys(h.nodes).length);
    h.roots.forEach((r, i) => expect(c.get(r)).toBe(clusterColor(i)));
    expect(c.get('~n')).toBe(NOISE_COLOR);
    const hueGap = (a: string, b: string): number => {
      const d = Math.abs((hcl(a).h - hcl(b).h + 360) % 360);
      return Math.min(d, 360 - d);
    };
    for (const r of h.roots) {
      for (const d of descendants(h, r)) {
        if (h.nodes[d].isNoise) continue;
        const col = c.get(d) as string;
        expect(col).toMatch(/^#[0-9a-f]{6}$/);
        expect(hueGap(col, c.get(r) as string)).toBeLessThan(30);
      }
    }
    // Siblings differ from each other and from their parent.
    for (const p of ['R', 'A', 'T']) {
      const kids = h.nodes[p].childIds.filter((k) => !h.nodes[k].isNoise).map((k) => c.get(k));
      expect(new Set([...kids, c.get(p)]).size).toBe(kids.length + 1);
    }
  });

  test('colour by value: darker for higher values, missing values pale, noise grey', () => {
    const h = uneven();
    const c = valueColors(h, { A1: 0.1, A2: 0.5, B: 0.9, R: Number.NaN });
    expect(luminance(c.get('A1') as string)).toBeGreaterThan(luminance(c.get('A2') as string));
    expect(luminance(c.get('A2') as string)).toBeGreaterThan(luminance(c.get('B') as string));
    expect(c.get('R')).toBe(NO_VALUE_COLOR);
    expect(c.get('S')).toBe(NO_VALUE_COLOR);
    expect(c.get('~n')).toBe(NOISE_COLOR);
    // One value only: the middle of the ramp, not an error.
    const one = valueColors(h, { S: 3 });
    expect(one.get('S')).not.toBe(NO_VALUE_COLOR);
  });

  test('text colour: whichever of dark and light contrasts more, never below 3.9:1', () => {
    const fills = [...nodeColors(uneven()).values(), NOISE_COLOR, '#000000', '#ffffff', '#777777', '#3b6cf6', '#ffff00'];
    for (let i = 0; i < 40; i++) fills.push(clusterColor(i));
    for (const f of fills) {
      const ink = textColorOn(f);
      expect(contrast(f, ink)).toBeCloseTo(Math.max(contrast(f, DARK_TEXT), contrast(f, LIGHT_TEXT)), 9);
      expect(contrast(f, ink)).toBeGreaterThan(3.9);
    }
    expect(textColorOn('#000000')).toBe(LIGHT_TEXT);
    expect(textColorOn('#ffffff')).toBe(DARK_TEXT);
  });
});

describe('treemap layout', () => {
  test('top level of an uneven tree: roots as tiles, their children nested, areas ∝ items', () => {
    const h = uneven();
    const tiles = checkLayout(h, null);
    const byId = new Map(tiles.map((t) => [t.id, t]));
    // S was never split: a plain tile. R and T show their children inside them; A's children are
    // two levels down and not drawn.
    expect(byId.get('S')?.nested).toBe(false);
    expect(byId.get('R')?.nested).toBe(true);
    expect(tiles.filter((t) => t.parentId === 'R').map((t) => t.id)).toEqual(['A', 'B', '~n']);
    expect(byId.has('A1')).toBe(false);
    expect(byId.get('~n')?.node.isNoise).toBe(true);
  });

  test('every zoom step of the uneven tree', () => {
    const h = uneven();
    for (const focus of [null, 'R', 'A', 'T']) checkLayout(h, focus);
    const r = layoutTreemap(h, 'R', opts);
    expect(r.filter((t) => t.depth === 1).map((t) => t.id)).toEqual(['A', 'B', '~n']);
    expect(r.find((t) => t.id === 'B')?.nested).toBe(false);
    expect(r.filter((t) => t.parentId === 'A').map((t) => t.id)).toEqual(['A1', 'A2']);
    // A leaf has nothing to lay out; an empty box neither.
    expect(layoutTreemap(h, 'S', opts)).toEqual([]);
    expect(layoutTreemap(h, null, { ...opts, width: 0 })).toEqual([]);
  });

  test('empty nodes are left out, tiny nested tiles are dropped but never their parent', () => {
    const h = makeTree({ R: { big: 5000, mid: 400, small: 1, none: 0 }, Z: 0 });
    const tiles = layoutTreemap(h, null, opts);
    expect(tiles.some((t) => t.id === 'Z' || t.id === 'none')).toBe(false);
    // 1 item of 5,401 nested in R is well under 4 px across: not drawn, but still counted in R.
    expect(tiles.some((t) => t.id === 'small')).toBe(false);
    expect(tiles.filter((t) => t.parentId === 'R').map((t) => t.id)).toEqual(['big', 'mid']);
    expect(tiles.find((t) => t.id === 'R')?.value).toBe(5401);
    const atR = layoutTreemap(h, 'R', opts);
    expect(atR.slice(0, 2).map((t) => t.id)).toEqual(['big', 'mid']);
    expect(atR.some((t) => t.id === 'none')).toBe(false);
  });

  test('a HERCULES tree: every focus lays out its children with sizes that add up', async () => {
    const rng = makeRng(3);
    const rows: number[][] = [];
    const texts: string[] = [];
    for (let i = 0; i < 360; i++) {
      const s = i % 4;
      const t = Math.floor(i / 4) % 3;
      const v = new Array<number>(10).fill(0).map(() => rng() * 0.6);
      v[s] += 30;
      v[4 + ((s + t) % 6)] += 6;
      rows.push(v);
      texts.push(`topic${s} sub${t} filler${i % 7}`);
    }
    const h = await buildHercules(fromRows(rows), texts, { levelClusterCounts: [12, 4], mode: 'direct', engine: null, seed: 5 });
    expect(h.roots.length).toBeGreaterThan(1);
    const top = checkLayout(h, null);
    expect(top.filter((t) => t.depth === 2).length).toBe(Object.values(h.nodes).filter((n) => n.level === 1 && n.size > 0).length);
    for (const r of h.roots) checkLayout(h, r);
  });

  test('the layout fills the box: depth-1 tiles grown by half a gap tile it exactly', () => {
    const h = uneven();
    const top = layoutTreemap(h, null, opts).filter((t) => t.depth === 1);
    const sum = top.reduce((s, t) => s + area(t, opts.gap), 0);
    expect(Math.abs(sum - (W + opts.gap) * (H + opts.gap))).toBeLessThan(top.length * (W + H) * 0.01 + 1);
  });
});

describe('breadcrumb and zoom steps', () => {
  test('breadcrumb runs from the whole tree to the focus, noise named Unclustered', () => {
    const h = uneven();
    expect(breadcrumb(h, null)).toEqual([{ id: null, label: TOP_CRUMB }]);
    expect(breadcrumb(h, 'A').map((c) => c.id)).toEqual([null, 'R', 'A']);
    expect(breadcrumb(h, 'A').map((c) => c.label)).toEqual([TOP_CRUMB, 'Theme R', 'Theme A']);
    expect(breadcrumb(h, '~n').at(-1)?.label).toBe(NOISE_TITLE);
  });

  test('selection focuses an inner node itself, a leaf its parent; up goes to the parent', () => {
    const h = uneven();
    expect(focusForSelection(h, 'A')).toBe('A');
    expect(focusForSelection(h, 'A1')).toBe('A');
    expect(focusForSelection(h, 'B')).toBe('R');
    expect(focusForSelection(h, 'S')).toBe(null);
    expect(parentFocus(h, 'A')).toBe('R');
    expect(parentFocus(h, 'R')).toBe(null);
    expect(parentFocus(h, null)).toBeUndefined();
    expect(isAbove(h, null, 'A')).toBe(true);
    expect(isAbove(h, 'R', 'A')).toBe(true);
    expect(isAbove(h, 'A', 'R')).toBe(false);
    expect(isAbove(h, 'T', 'A')).toBe(false);
    expect(isAbove(h, 'A', null)).toBe(false);
  });

  test('zoom anchor: the shown tile that is the inner focus or its nearest ancestor', () => {
    const h = uneven();
    const top = layoutTreemap(h, null, opts);
    expect(zoomAnchor(h, top, 'R')?.id).toBe('R');
    // A is nested at the top level: the zoom from the top into A grows A's own tile.
    expect(zoomAnchor(h, top, 'A')?.id).toBe('A');
    const atR = layoutTreemap(h, 'R', opts);
    expect(zoomAnchor(h, atR.filter((t) => t.depth === 1), 'A')?.id).toBe('A');
    expect(zoomAnchor(h, atR, 'T')).toBeNull();
    expect(zoomAnchor(h, top, null)).toBeNull();
  });

  test('shrinkInto and expandFrom are inverse; the full view maps onto the box', () => {
    const box = { x0: 100, y0: 50, x1: 300, y1: 150 };
    const whole = { x0: 0, y0: 0, x1: W, y1: H };
    expect(shrinkInto(whole, box, W, H)).toEqual(box);
    expect(expandFrom(box, box, W, H)).toEqual(whole);
    const r = { x0: 13, y0: 27, x1: 420, y1: 333 };
    const back = expandFrom(shrinkInto(r, box, W, H), box, W, H);
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(back[k]).toBeCloseTo(r[k], 9);
  });
});

describe('label fitting', () => {
  test('fitText keeps what fits, else the longest prefix with an ellipsis', () => {
    expect(fitText('Space  shuttle', 200, measure)).toBe('Space shuttle');
    const cut = fitText('Space shuttle missions', 60, measure);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
    expect(measure(cut)).toBeLessThanOrEqual(60);
    // One more character would not fit.
    const n = cut.length - 1;
    expect(measure('Space shuttle missions'.slice(0, n + 1).trimEnd() + ELLIPSIS)).toBeGreaterThan(60);
    expect(fitText('Space', 8, measure)).toBe('');
    expect(fitText('', 50, measure)).toBe('');
  });

  test('wrapText wraps on words, cuts long words, ends in an ellipsis when out of lines', () => {
    const lines = wrapText('hockey puck goal ice skates', 70, 3, measure);
    expect(lines).toEqual(['hockey puck', 'goal ice', 'skates']); // 66, 48 and 36 px
    for (const l of lines) expect(measure(l)).toBeLessThanOrEqual(70);
    const two = wrapText('hockey puck goal ice skates', 70, 2, measure);
    expect(two[0]).toBe('hockey puck');
    expect(two[1].endsWith(ELLIPSIS)).toBe(true);
    expect(measure(two[1])).toBeLessThanOrEqual(70);
    // A word too wide for a line is cut on a line of its own; the words after it go on.
    const long = wrapText('health insurance care', 40, 3, measure);
    expect(long).toEqual(['health', `insur${ELLIPSIS}`, 'care']); // 36, 36 and 24 px of 40
    for (const l of long) expect(measure(l)).toBeLessThanOrEqual(40);
    expect(wrapText('anything', 70, 0, measure)).toEqual([]);
    expect(wrapText('   ', 70, 2, measure)).toEqual([]);
  });

  test('tileLabel fills the tile, keeps a line for the size when there is room', () => {
    const style = { pad: 5, lineHeight: 15, sizeHeight: 14 };
    const big = tileLabel('Space shuttle missions', 300, 80, style, measure, '1,234');
    expect(big).toEqual({ lines: ['Space shuttle missions'], showSize: true });
    const narrow = tileLabel('Space shuttle missions', 70, 80, style, measure, '1,234');
    expect(narrow.lines.length).toBeGreaterThan(1);
    expect(narrow.showSize).toBe(true);
    expect(narrow.lines.length * style.lineHeight + style.sizeHeight).toBeLessThanOrEqual(80 - 2 * style.pad);
    const flat = tileLabel('Space shuttle missions', 300, 26, style, measure, '1,234');
    expect(flat.lines).toEqual(['Space shuttle missions']);
    expect(flat.showSize).toBe(false);
    expect(tileLabel('Space', 9, 80, style, measure, '1')).toEqual({ lines: [], showSize: false });
    expect(tileLabel('Space', 100, 12, style, measure, '1')).toEqual({ lines: [], showSize: false });
  });

  test('headerLabel drops the size before cutting the title short', () => {
    expect(headerLabel('Religion', '1,234', 200, measure)).toEqual({ title: 'Religion', showSize: true });
    const tight = headerLabel('Religion and philosophy', '1,234', 100, measure);
    expect(tight.showSize).toBe(true);
    expect(measure(tight.title) + measure('1,234') + 8).toBeLessThanOrEqual(100);
    const tiny = headerLabel('Religion and philosophy', '12,345', 70, measure);
    expect(tiny.showSize).toBe(false);
    expect(measure(tiny.title)).toBeLessThanOrEqual(70);
    expect(tiny.title.length).toBeGreaterThan(3);
  });
});
