/**
 * Display helpers shared by the hierarchy views (treemap and tree list), kept free of the DOM so
 * they are unit-tested: a node's shown title, the order children are shown in, a colour per node
 * (a hue per top-level theme, shades of it below) or per value, and a readable text colour on it.
 */
import { extent, hcl, interpolateBlues, rgb } from 'd3';
import { getNode, type Hierarchy, type HierarchyNode } from '../../core/hierarchy/tree';
import { NOISE_COLOR, clusterColor } from './palette';

/** What a noise leaf is called in the views, whatever its stored title. */
export const NOISE_TITLE = 'Unclustered';

/** Fill of a node that has no value when colouring by value. */
export const NO_VALUE_COLOR = '#eceef2';

/** Dark text (the theme's text colour) and light text, picked per fill for contrast. */
export const DARK_TEXT = '#1d2330';
export const LIGHT_TEXT = '#ffffff';

/** The title a view shows for a node: "Unclustered" for noise, else its title, keywords or id. */
export function nodeTitle(n: HierarchyNode): string {
  if (n.isNoise) return NOISE_TITLE;
  const t = n.title.trim();
  if (t) return t;
  const kw = n.keywords.slice(0, 3).join(', ');
  return kw || n.id;
}

/**
 * Children in display order (`null` = the roots): largest first, ties in stored order, noise
 * leaves last whatever their size, so both views show the same order and the treemap's squarified
 * layout gets the decreasing sizes it packs best.
 */
export function orderedChildren(h: Hierarchy, id: string | null): string[] {
  const ids = id === null ? h.roots : getNode(h, id).childIds;
  return ids
    .map((c, i) => ({ c, i, n: getNode(h, c) }))
    .sort((a, b) => Number(!!a.n.isNoise) - Number(!!b.n.isNoise) || b.n.size - a.n.size || a.i - b.i)
    .map((x) => x.c);
}

/** Total items of the tree: every item, clustered or not (the denominator of shares). */
export function totalItems(h: Hierarchy): number {
  return h.itemLeaf.length || h.roots.reduce((s, r) => s + getNode(h, r).size, 0);
}

const MIN_L = 34;
const MAX_L = 90;

/** A displayable colour of hue `h`, chroma at most `c`, lightness `l` (chroma lowered until it fits sRGB). */
function shade(h: number, c: number, l: number): string {
  let chroma = c;
  let col = hcl(h, chroma, l);
  while (!col.displayable() && chroma > 0) {
    chroma = Math.max(0, chroma - 4);
    col = hcl(h, chroma, l);
  }
  return rgb(col).formatHex();
}

/**
 * A colour per node: root i (in `h.roots` order, so a theme keeps its colour however it is sorted)
 * takes palette colour i; each child is a shade of its parent: a little lighter a level down and
 * spread in lightness and hue across its siblings so neighbouring tiles stay apart. Noise is grey.
 */
export function nodeColors(h: Hierarchy): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (id: string, colour: string): void => {
    const n = getNode(h, id);
    out.set(id, n.isNoise ? NOISE_COLOR : colour);
    const kids = orderedChildren(h, id).filter((c) => !getNode(h, c).isNoise);
    const base = hcl(colour);
    const hue = Number.isFinite(base.h) ? base.h : 0;
    const chroma = Number.isFinite(base.c) ? base.c : 0;
    kids.forEach((c, j) => {
      // Siblings spread over ±10 lightness and ±11° hue around a parent shade 6 lighter.
      const t = kids.length > 1 ? j / (kids.length - 1) - 0.5 : 0;
      const l = Math.min(MAX_L, Math.max(MIN_L, base.l + 6 + 20 * t));
      visit(c, shade(hue + 22 * t, chroma * 0.92, l));
    });
    for (const c of n.childIds) if (getNode(h, c).isNoise) visit(c, NOISE_COLOR);
  };
  h.roots.forEach((r, i) => visit(r, clusterColor(i)));
  return out;
}

/** Sequential fill for a value in [lo, hi] (light to dark blue); equal bounds give the middle. */
export function valueColor(v: number, lo: number, hi: number): string {
  const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  return interpolateBlues(0.12 + 0.8 * Math.min(1, Math.max(0, t)));
}

/** The finite values' [min, max] over the given node ids, or null when none has a value. */
export function valueDomain(values: Readonly<Record<string, number>>, ids: Iterable<string>): [number, number] | null {
  const vs: number[] = [];
  for (const id of ids) {
    const v = values[id];
    if (typeof v === 'number' && Number.isFinite(v)) vs.push(v);
  }
  const [lo, hi] = extent(vs);
  return lo === undefined || hi === undefined ? null : [lo, hi];
}

/** Colours by value for every node of the tree (no value: NO_VALUE_COLOR; noise stays grey). */
export function valueColors(h: Hierarchy, values: Readonly<Record<string, number>>): Map<string, string> {
  const ids = Object.keys(h.nodes);
  const dom = valueDomain(values, ids);
  const out = new Map<string, string>();
  for (const id of ids) {
    const v = values[id];
    if (h.nodes[id].isNoise) out.set(id, NOISE_COLOR);
    else out.set(id, dom && typeof v === 'number' && Number.isFinite(v) ? valueColor(v, dom[0], dom[1]) : NO_VALUE_COLOR);
  }
  return out;
}

/** WCAG relative luminance of a CSS colour. */
export function luminance(colour: string): number {
  const c = rgb(colour);
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG contrast ratio of two colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Dark or light text, whichever contrasts more with `fill`. */
export function textColorOn(fill: string): string {
  return contrast(fill, DARK_TEXT) >= contrast(fill, LIGHT_TEXT) ? DARK_TEXT : LIGHT_TEXT;
}
