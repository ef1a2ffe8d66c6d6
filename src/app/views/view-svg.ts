/**
 * The treemap and the 2-D map as standalone SVG documents (strings, no DOM), for the SVG and PNG
 * downloads and the offline HTML report. The same geometry, colours and label fitting as the live
 * views (treemap-geometry, hierarchy-display, scatter-geometry, palette). Every title and text is
 * XML-escaped: an LLM's answer or a text can never become markup.
 */
import { format } from 'd3';
import { getNode, levelCut, assignmentsAtLevel, type Hierarchy } from '../../core/hierarchy/tree';
import { makeRng } from '../../core/random';
import { nodeColors, nodeTitle, textColorOn, totalItems, valueColor, valueColors, valueDomain } from './hierarchy-display';
import { formatShare } from './members';
import { clusterColor, NOISE_COLOR } from './palette';
import { dataExtent, fitExtent, pointRadius } from './scatter-geometry';
import { DEFAULT_LAYOUT, LEAF_STYLE, NESTED_PX, NESTED_STYLE, SIZE_PX, TITLE_PX, headerLabel, layoutTreemap, tileLabel, type Measure } from './treemap-geometry';

/** Escapes text for XML and HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export const SVG_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/**
 * An approximate text width for a font size (no canvas needed): per-character widths of a typical
 * sans-serif, wide for CJK and emoji. Generous, so labels fit in any browser's font.
 */
export function approxMeasure(px: number, bold = false): Measure {
  // Widths of DejaVu Sans (the widest common sans-serif), so a label fits whatever font draws it.
  const k = bold ? 1.1 : 1;
  return (text: string): number => {
    let w = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp >= 0x1100 && (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || cp >= 0x1f300)) w += 1;
      else if (/[ilj.,;:'|!]/.test(ch)) w += 0.32;
      else if (ch === ' ') w += 0.32;
      else if (/[mwMW@%]/.test(ch)) w += 0.9;
      else if (/[A-Z]/.test(ch)) w += 0.72;
      else w += 0.62;
    }
    return w * px * k;
  };
}

const fmtValue = format('.3~g');
const r1 = (x: number): string => String(Math.round(x * 10) / 10);

export interface TreemapSvgOptions {
  width: number;
  height: number;
  /** Colour tiles by a value per node (with a legend) instead of by theme. */
  colorValues?: Readonly<Record<string, number>> | null;
  colorLabel?: string;
  /** Heading drawn above the tiles. */
  title?: string;
}

/** The top of the tree as an SVG treemap: the roots, each with its children nested under a header. */
export function treemapSvg(h: Hierarchy, opts: TreemapSvgOptions): string {
  const { width } = opts;
  const headH = opts.title ? 26 : 0;
  const dom = opts.colorValues ? valueDomain(opts.colorValues, Object.keys(h.nodes)) : null;
  const legendH = dom ? 26 : 0;
  const height = Math.max(40, opts.height - headH - legendH);
  const colours = opts.colorValues ? valueColors(h, opts.colorValues) : nodeColors(h);
  const measure = { title: approxMeasure(TITLE_PX, true), nested: approxMeasure(NESTED_PX), size: approxMeasure(SIZE_PX) };
  const total = totalItems(h);
  const tiles = layoutTreemap(h, null, { width, height, ...DEFAULT_LAYOUT });
  const parts: string[] = [];
  for (const t of tiles) {
    const w = t.x1 - t.x0;
    const ht = t.y1 - t.y0;
    const fill = colours.get(t.id) ?? '#ccc';
    const ink = textColorOn(fill);
    const title = nodeTitle(t.node);
    const sizeText = t.value.toLocaleString('en-US');
    const value = opts.colorValues?.[t.id];
    const tip = [title, `${sizeText} texts · ${formatShare(t.value, total)} of all`, t.node.isNoise ? '' : t.node.keywords.slice(0, 6).join(', '), typeof value === 'number' && Number.isFinite(value) ? `${opts.colorLabel ?? 'value'}: ${fmtValue(value)}` : '']
      .filter(Boolean)
      .join('\n');
    const labels: string[] = [];
    if (t.depth === 1 && t.nested) {
      const pad = 5;
      const lab = headerLabel(title, sizeText, w - 2 * pad, measure.title, measure.size);
      const y = Math.round(DEFAULT_LAYOUT.header / 2 + TITLE_PX * 0.36);
      if (lab.title) labels.push(`<text x="${pad}" y="${y}" font-size="${TITLE_PX}" font-weight="600">${escapeXml(lab.title)}</text>`);
      if (lab.showSize) labels.push(`<text x="${w - pad}" y="${y}" font-size="${SIZE_PX}" text-anchor="end" opacity="0.85">${escapeXml(sizeText)}</text>`);
    } else {
      const nested = t.depth === 2;
      const style = nested ? NESTED_STYLE : LEAF_STYLE;
      const px = nested ? NESTED_PX : TITLE_PX;
      const lab = tileLabel(title, w, ht, style, nested ? measure.nested : measure.title, sizeText, measure.size);
      lab.lines.forEach((line, i) =>
        labels.push(`<text x="${style.pad}" y="${r1(style.pad + px * 0.9 + i * style.lineHeight)}" font-size="${px}" font-weight="${nested ? 500 : 600}">${escapeXml(line)}</text>`),
      );
      if (lab.showSize)
        labels.push(`<text x="${style.pad}" y="${r1(style.pad + px * 0.9 + (lab.lines.length - 1) * style.lineHeight + style.sizeHeight)}" font-size="${SIZE_PX}" opacity="0.85">${escapeXml(sizeText)}</text>`);
    }
    parts.push(
      `<g class="tile" data-node-id="${escapeXml(t.id)}" transform="translate(${t.x0},${t.y0})"><title>${escapeXml(tip)}</title><rect width="${w}" height="${ht}" fill="${fill}" stroke="#fff" stroke-width="0.5"${t.node.isNoise ? ' stroke-dasharray="4 3"' : ''}/><g fill="${ink}">${labels.join('')}</g></g>`,
    );
  }
  const head = opts.title ? `<text x="4" y="17" font-size="15" font-weight="600" fill="#1d2330">${escapeXml(opts.title)}</text>` : '';
  let legend = '';
  if (dom) {
    const y = headH + height + 8;
    const stops = [0, 0.5, 1].map((t) => `<stop offset="${t}" stop-color="${valueColor(dom[0] + t * (dom[1] - dom[0]), dom[0], dom[1])}"/>`).join('');
    legend = `<defs><linearGradient id="ramp">${stops}</linearGradient></defs><g font-size="11" fill="#5b6475"><text x="0" y="${y + 10}">${escapeXml(opts.colorLabel ?? 'Value')}</text><text x="${width - 150}" y="${y + 10}" text-anchor="end">${escapeXml(fmtValue(dom[0]))}</text><rect x="${width - 144}" y="${y + 1}" width="100" height="11" rx="3" fill="url(#ramp)"/><text x="${width - 38}" y="${y + 10}">${escapeXml(fmtValue(dom[1]))}</text></g>`;
  }
  return svgDocument(width, opts.height, `${head}${legend}<g transform="translate(0,${headH})">${parts.join('')}</g>`, 'Treemap of themes');
}

export interface ScatterSvgOptions {
  width: number;
  height: number;
  /** Points drawn at most (a seeded sample above it, said in the SVG's description). */
  maxPoints?: number;
  /** Display name per cluster id, for the legend. */
  names?: readonly string[];
  /** Colour per cluster id (default: the cluster palette). */
  colors?: readonly string[];
  title?: string;
  seed?: number;
}

/** Indices 0..n−1, or a seeded sample of `max` of them in ascending order. */
export function samplePoints(n: number, max: number, seed = 1): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  const rng = makeRng(seed);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

/**
 * The 2-D map as SVG: one path per cluster of round zero-length strokes (a dot per text, ~15 bytes
 * each), noise in grey underneath, and a legend of the largest clusters.
 */
export function scatterSvg(coords: ArrayLike<number>, assignments: ArrayLike<number>, opts: ScatterSvgOptions): string {
  const n = assignments.length;
  const { width } = opts;
  const headH = opts.title ? 26 : 0;
  const max = opts.maxPoints ?? 50_000;
  const idx = samplePoints(n, max, opts.seed);
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) sizes.set(assignments[i], (sizes.get(assignments[i]) ?? 0) + 1);
  const legendIds = [...sizes.entries()].filter(([c]) => c >= 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 12).map(([c]) => c);
  const legendW = opts.names && legendIds.length > 0 ? Math.min(260, Math.round(width * 0.3)) : 0;
  const plotW = width - legendW;
  const plotH = opts.height - headH;
  const ext = dataExtent(coords, n);
  const paths = new Map<number, string[]>();
  if (ext) {
    const fit = fitExtent(ext, plotW, plotH, 12);
    for (const i of idx) {
      const x = coords[2 * i];
      const y = coords[2 * i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const c = assignments[i] < 0 ? -1 : assignments[i];
      let list = paths.get(c);
      if (!list) paths.set(c, (list = []));
      list.push(`M${r1(fit.tx + fit.scale * x)} ${r1(headH + fit.ty - fit.scale * y)}h0`);
    }
  }
  const r = pointRadius(idx.length);
  const order = [...paths.keys()].sort((a, b) => a - b); // noise (−1) first, underneath
  const colourOf = (c: number): string => (c < 0 ? NOISE_COLOR : (opts.colors?.[c] ?? clusterColor(c)));
  const dots = order
    .map((c) => `<path d="${(paths.get(c) as string[]).join('')}" stroke="${colourOf(c)}" stroke-width="${r1(2 * r)}" stroke-linecap="round" stroke-opacity="0.85" fill="none"/>`)
    .join('');
  const head = opts.title ? `<text x="4" y="17" font-size="15" font-weight="600" fill="#1d2330">${escapeXml(opts.title)}</text>` : '';
  const m = approxMeasure(11);
  const legend = legendW
    ? `<g font-size="11" fill="#1d2330">${legendIds
        .map((c, j) => {
          const y = headH + 14 + j * 18;
          const name = opts.names?.[c] || `Cluster ${c}`;
          let label = name;
          while (label.length > 1 && m(label) > legendW - 24) label = label.slice(0, -1);
          if (label !== name) label = `${label.trimEnd()}…`;
          return `<g><title>${escapeXml(name)}</title><circle cx="${plotW + 8}" cy="${y - 4}" r="5" fill="${colourOf(c)}"/><text x="${plotW + 18}" y="${y}">${escapeXml(label)}</text></g>`;
        })
        .join('')}</g>`
    : '';
  const desc = idx.length < n ? `A seeded sample of ${idx.length.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} texts.` : `${n.toLocaleString('en-US')} texts.`;
  return svgDocument(width, opts.height, `${head}${dots}${legend}`, `Map of the texts. ${desc}`);
}

function svgDocument(width: number, height: number, body: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family='${SVG_FONT}' role="img" aria-label="${escapeXml(label)}"><desc>${escapeXml(label)}</desc><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
}

/**
 * What the map of a run is coloured by: a hierarchy's level-1 cut (its finest themes) with their
 * titles in the treemap's colours (shades of their top theme's hue), a flat run's clusters with
 * their names in the cluster palette.
 */
export function mapColouring(run: { hierarchy?: Hierarchy; assignments: Int32Array; clusters: { id: number; name: string }[] }, level = 1): { assignments: Int32Array; names: string[]; colors?: string[] } {
  const h = run.hierarchy;
  if (h) {
    const cut = levelCut(h, level);
    const shades = nodeColors(h);
    return { assignments: assignmentsAtLevel(h, level), names: cut.map((id) => nodeTitle(getNode(h, id))), colors: cut.map((id) => shades.get(id) ?? NOISE_COLOR) };
  }
  const names: string[] = [];
  for (const c of run.clusters) names[c.id] = c.name;
  return { assignments: run.assignments, names };
}
