/**
 * The pure half of the treemap (no DOM): the squarified layout of one zoom step (the focused
 * node's children, each with its own children nested one level deep), the breadcrumb, text fitting
 * against a measuring function, and the rectangles a zoom animates between.
 */
import { hierarchy as d3hierarchy, treemap, treemapSquarify } from 'd3';
import { ancestors, getNode, type Hierarchy, type HierarchyNode } from '../../core/hierarchy/tree';
import { nodeTitle, orderedChildren } from './hierarchy-display';

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Tile extends Rect {
  id: string;
  node: HierarchyNode;
  /** 1 = a child of the focus, 2 = a grandchild drawn inside its parent's tile. */
  depth: 1 | 2;
  /** Items the tile stands for (its area is proportional to this). */
  value: number;
  /** For a depth-2 tile, the depth-1 tile it sits in. */
  parentId: string | null;
  /** Depth-1 tiles only: its children are drawn inside it, below a header strip. */
  nested: boolean;
}

export interface LayoutOptions {
  width: number;
  height: number;
  /** Header strip of a depth-1 tile whose children are nested in it. */
  header: number;
  /** Gap between sibling depth-1 tiles. */
  gap: number;
  /** Gap between nested tiles, and their inset from the parent's edges. */
  innerGap: number;
  /** Nested tiles narrower or lower than this are not drawn. */
  minNested: number;
}

export const DEFAULT_LAYOUT: Omit<LayoutOptions, 'width' | 'height'> = { header: 20, gap: 2, innerGap: 1, minNested: 4 };

interface Datum {
  id: string | null;
  size: number;
  children?: Datum[];
}

/** The focused node's children (roots when `focusId` is null) and theirs, as d3-hierarchy data. */
function focusData(h: Hierarchy, focusId: string | null): Datum {
  const leafDatum = (id: string): Datum => ({ id, size: getNode(h, id).size });
  const kids = orderedChildren(h, focusId).map((id): Datum => {
    const grand = orderedChildren(h, id);
    return grand.length > 0 ? { id, size: 0, children: grand.map(leafDatum) } : leafDatum(id);
  });
  return { id: focusId, size: 0, children: kids };
}

/**
 * Squarified layout of one zoom step over a width × height box. Area is proportional to items:
 * grown by half a gap on each side, depth-1 rectangles split (width + gap) × (height + gap) in
 * proportion to their values (up to rounding to whole pixels). Tiles of zero size are left out.
 */
export function layoutTreemap(h: Hierarchy, focusId: string | null, opts: LayoutOptions): Tile[] {
  const { width, height, header, gap, innerGap, minNested } = opts;
  if (width <= 0 || height <= 0) return [];
  const root = d3hierarchy<Datum>(focusData(h, focusId), (d) => d.children).sum((d) => (d.children ? 0 : Math.max(0, d.size)));
  // The data is already in display order (largest first, noise last); keep it.
  treemap<Datum>()
    .tile(treemapSquarify)
    .size([width, height])
    .round(true)
    .paddingInner((n) => (n.depth === 0 ? gap : innerGap))
    .paddingTop((n) => (n.depth === 1 ? header : 0))
    .paddingLeft((n) => (n.depth === 1 ? innerGap + 1 : 0))
    .paddingRight((n) => (n.depth === 1 ? innerGap + 1 : 0))
    .paddingBottom((n) => (n.depth === 1 ? innerGap + 1 : 0))(root);
  const tiles: Tile[] = [];
  for (const c of root.children ?? []) {
    const r = c as typeof c & Rect;
    if (!c.value || r.x1 <= r.x0 || r.y1 <= r.y0) continue;
    const id = c.data.id as string;
    const inner: Tile[] = [];
    for (const g of c.children ?? []) {
      const gr = g as typeof g & Rect;
      if (!g.value || gr.x1 - gr.x0 < minNested || gr.y1 - gr.y0 < minNested) continue;
      const gid = g.data.id as string;
      inner.push({ id: gid, node: getNode(h, gid), depth: 2, value: g.value, parentId: id, nested: false, x0: gr.x0, y0: gr.y0, x1: gr.x1, y1: gr.y1 });
    }
    tiles.push({ id, node: getNode(h, id), depth: 1, value: c.value, parentId: null, nested: inner.length > 0, x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1 });
    tiles.push(...inner);
  }
  return tiles;
}

export interface Crumb {
  /** null = the whole tree. */
  id: string | null;
  label: string;
}

/** Label of the breadcrumb's first step, the whole tree. */
export const TOP_CRUMB = 'All themes';

/** From the whole tree down to the focus: All themes › root › … › focus. */
export function breadcrumb(h: Hierarchy, focusId: string | null): Crumb[] {
  const top: Crumb = { id: null, label: TOP_CRUMB };
  if (focusId === null) return [top];
  const path = [...ancestors(h, focusId).reverse(), focusId];
  return [top, ...path.map((id) => ({ id, label: nodeTitle(getNode(h, id)) }))];
}

/** The node a view of `selectedId` should focus: an inner node itself, a leaf its parent (null = top). */
export function focusForSelection(h: Hierarchy, selectedId: string): string | null {
  const n = getNode(h, selectedId);
  return n.childIds.length > 0 ? n.id : n.parentId;
}

/** The step up from a focus: its parent, or the whole tree; undefined when already at the top. */
export function parentFocus(h: Hierarchy, focusId: string | null): string | null | undefined {
  return focusId === null ? undefined : getNode(h, focusId).parentId;
}

/**
 * Where the zoom from `from` to `to` is anchored: the tile of the outer layout (the one with the
 * shallower focus) that is `inner` focus or its nearest ancestor shown, or null when neither focus
 * lies under the other (then the views just cross-fade).
 */
export function zoomAnchor(h: Hierarchy, outerTiles: readonly Tile[], innerFocus: string | null): Tile | null {
  if (innerFocus === null) return null;
  const chain = [innerFocus, ...ancestors(h, innerFocus)];
  for (const id of chain) {
    const t = outerTiles.find((x) => x.id === id);
    if (t) return t;
  }
  return null;
}

/** Whether focus `a` lies strictly above focus `b` (null = the top, above everything). */
export function isAbove(h: Hierarchy, a: string | null, b: string | null): boolean {
  if (b === null) return false;
  if (a === null) return true;
  return ancestors(h, b).includes(a);
}

/**
 * Maps a rectangle of a full width × height view into `box` (zoom out: the whole view shrinks
 * into the tile it becomes); `expandFrom` is the inverse (zoom in: a tile grows to the view).
 */
export function shrinkInto(r: Rect, box: Rect, width: number, height: number): Rect {
  const sx = (box.x1 - box.x0) / width;
  const sy = (box.y1 - box.y0) / height;
  return { x0: box.x0 + r.x0 * sx, y0: box.y0 + r.y0 * sy, x1: box.x0 + r.x1 * sx, y1: box.y0 + r.y1 * sy };
}

export function expandFrom(r: Rect, box: Rect, width: number, height: number): Rect {
  const sx = width / Math.max(1e-9, box.x1 - box.x0);
  const sy = height / Math.max(1e-9, box.y1 - box.y0);
  return { x0: (r.x0 - box.x0) * sx, y0: (r.y0 - box.y0) * sy, x1: (r.x1 - box.x0) * sx, y1: (r.y1 - box.y0) * sy };
}

/** Text width in pixels for some font (canvas measureText in the page, a stub in tests). */
export type Measure = (text: string) => number;

export const ELLIPSIS = '…';

/**
 * The longest prefix of `text` (whitespace collapsed) that fits `maxWidth` with an ellipsis, or the
 * whole text when it fits; '' when not even one character and the ellipsis fit.
 */
export function fitText(text: string, maxWidth: number, measure: Measure): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (measure(t) <= maxWidth) return t;
  let lo = 0;
  let hi = t.length - 1;
  // Largest n with measure(t.slice(0, n) + …) ≤ maxWidth, by bisection (prefix widths only grow).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(t.slice(0, mid).trimEnd() + ELLIPSIS) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : t.slice(0, lo).trimEnd() + ELLIPSIS;
}

/**
 * Greedy word wrap into at most `maxLines` lines of at most `maxWidth`; a word wider than a line
 * gets a line of its own, cut with an ellipsis (words are never split across lines), and the last
 * line ends in an ellipsis when text is left over. [] when nothing fits.
 */
export function wrapText(text: string, maxWidth: number, maxLines: number, measure: Measure): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  if (maxLines < 1 || words.length === 0) return [];
  const lines: string[] = [];
  let i = 0;
  while (i < words.length && lines.length < maxLines) {
    if (lines.length === maxLines - 1 || measure(words[i]) > maxWidth) {
      // The last line takes the rest; an over-wide word is cut short on a line of its own.
      const last = lines.length === maxLines - 1;
      const fitted = fitText(last ? words.slice(i).join(' ') : words[i], maxWidth, measure);
      if (!fitted) return lines;
      lines.push(fitted);
      if (last) return lines;
      i++;
      continue;
    }
    let line = words[i++];
    while (i < words.length && measure(`${line} ${words[i]}`) <= maxWidth) line += ` ${words[i++]}`;
    lines.push(line);
  }
  return lines;
}

export interface LabelStyle {
  /** Inner padding of the tile. */
  pad: number;
  /** Baseline-to-baseline distance of the title lines. */
  lineHeight: number;
  /** Height of the size line under the title. */
  sizeHeight: number;
}

/** Label sizes of the treemap, shared by the live view and its SVG export (view-svg.ts). */
export const TITLE_PX = 12;
export const NESTED_PX = 11;
export const SIZE_PX = 11;
export const LEAF_STYLE: LabelStyle = { pad: 5, lineHeight: 15, sizeHeight: 14 };
export const NESTED_STYLE: LabelStyle = { pad: 4, lineHeight: 13, sizeHeight: 13 };

export interface TileLabel {
  lines: string[];
  /** Whether the size line fits under the title. */
  showSize: boolean;
}

/**
 * The title lines that fit a w × h tile (wrapped, the last one truncated) and whether the size line
 * fits below them. A tile too small for any of the title gets no label (its title is a tooltip).
 */
export function tileLabel(title: string, w: number, h: number, style: LabelStyle, measure: Measure, sizeText: string, sizeMeasure: Measure = measure): TileLabel {
  const inner = w - 2 * style.pad;
  const room = h - 2 * style.pad;
  const maxLines = Math.floor(room / style.lineHeight);
  if (inner <= 0 || maxLines < 1) return { lines: [], showSize: false };
  const sizeFits = sizeMeasure(sizeText) <= inner;
  // Keep a line for the size when the tile has two or more.
  const titleLines = maxLines >= 2 && sizeFits ? Math.max(1, Math.floor((room - style.sizeHeight) / style.lineHeight)) : maxLines;
  const lines = wrapText(title, inner, titleLines, measure);
  const used = lines.length * style.lineHeight;
  return { lines, showSize: lines.length > 0 && sizeFits && used + style.sizeHeight <= room };
}

/** A header strip's title and size: the size is dropped before the title is cut below `minChars`. */
export function headerLabel(title: string, sizeText: string, width: number, measure: Measure, sizeMeasure: Measure = measure, minChars = 6, gap = 8): { title: string; showSize: boolean } {
  const withSize = width - sizeMeasure(sizeText) - gap;
  const t = title.replace(/\s+/g, ' ').trim();
  if (withSize > 0) {
    const fitted = fitText(t, withSize, measure);
    if (fitted === t || fitted.length - 1 >= Math.min(minChars, t.length)) return { title: fitted, showSize: true };
  }
  return { title: fitText(t, width, measure), showSize: false };
}
