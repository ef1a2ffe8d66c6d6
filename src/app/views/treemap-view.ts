import { easeCubicInOut, format, select, type BaseType, type Selection } from 'd3';
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { getNode, type Hierarchy } from '../../core/hierarchy/tree';
import { controlStyles } from '../theme';
import { fireNodeSelect } from './events';
import { nodeColors, nodeTitle, orderedChildren, textColorOn, totalItems, valueColor, valueColors, valueDomain } from './hierarchy-display';
import { formatShare } from './members';
import {
  DEFAULT_LAYOUT,
  LEAF_STYLE,
  NESTED_PX,
  NESTED_STYLE,
  SIZE_PX,
  TITLE_PX,
  breadcrumb,
  expandFrom,
  focusForSelection,
  headerLabel,
  isAbove,
  layoutTreemap,
  parentFocus,
  shrinkInto,
  tileLabel,
  zoomAnchor,
  type Measure,
  type Rect,
  type Tile,
} from './treemap-geometry';

const fmtValue = format('.3~g');

type TileSel = Selection<SVGGElement, Tile, SVGGElement, unknown>;

interface Fonts {
  title: Measure;
  nested: Measure;
  size: Measure;
}

/**
 * Zoomable treemap of a Hierarchy (SVG, squarified): area = items, colour = top-level theme (or a
 * value per node with `colorValues`). A zoom step shows the focused node's children, each with its
 * own children nested below a header strip. Clicking (or Enter on) a tile with children zooms into
 * it, a leaf tile is selected instead; the breadcrumb, Backspace and Escape go back up. Each zoom
 * and selection dispatches `node-select` (the zoomed or selected node; `null` for the top).
 * Setting `selectedNodeId` highlights that node, zooming to show it. Titles are untrusted: set as
 * text only. Reflects `data-focus` (the focused id, '' at the top), `data-tiles` and, while a zoom
 * animates, `data-animating`.
 */
export class TreemapView extends LitElement {
  static override properties = {
    hierarchy: { attribute: false },
    selectedNodeId: { attribute: false },
    colorValues: { attribute: false },
    colorLabel: { attribute: false },
    duration: { attribute: false },
    focusId: { attribute: false },
  };

  hierarchy: Hierarchy | null = null;
  /** The highlighted node; the map zooms so it is shown (a leaf's parent is focused). */
  selectedNodeId: string | null = null;
  /** Per node id a number (e.g. a rate): colours tiles by value instead of by theme when set. */
  colorValues: Readonly<Record<string, number>> | null = null;
  /** Caption of the value legend. */
  colorLabel = 'Value';
  /** Length of the zoom animation in ms (0: none; users who prefer reduced motion get none). */
  duration = 350;
  /** The node whose children are shown (null: the roots). Setting it zooms without an event. */
  focusId: string | null = null;

  /** Milliseconds the last layout and draw took. */
  lastRenderMs = 0;

  private colours = new Map<string, string>();
  private tiles: Tile[] = [];
  private drawnFocus: string | null | undefined = undefined;
  private drawnWidth = 0;
  private drawnHeight = 0;
  private width = 0;
  private height = 0;
  private observer: ResizeObserver | null = null;
  private frame = 0;
  private active: string | null = null;
  /** After the next draw, move keyboard focus to this tile (or the first, for ''). */
  private focusAfterDraw: string | null = null;
  private measures = new Map<string, Measure>();
  private ctx: CanvasRenderingContext2D | null = null;

  static override styles = [
    controlStyles,
    css`
      :host { display: block; position: relative; min-height: 280px; height: 100%; }
      .wrap {
        position: absolute; inset: 0; display: flex; flex-direction: column; overflow: hidden;
        background: var(--cst-panel, #fff);
        border: 1px solid var(--cst-border, #e2e5ec);
        border-radius: var(--cst-radius, 10px);
      }
      .bar { display: flex; align-items: center; gap: 0.8rem; padding: 0.45rem 0.6rem; min-height: 2.4rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
      nav { flex: 1; min-width: 0; }
      ol { display: flex; align-items: center; list-style: none; margin: 0; padding: 0; min-width: 0; white-space: nowrap; }
      li { display: flex; align-items: center; min-width: 2.2rem; flex: 0 1 auto; }
      li:last-child { min-width: 0; flex: 0 0 auto; max-width: 60%; }
      li:first-child { flex: none; }
      li + li::before { content: '›'; color: var(--cst-faint, #8a92a3); padding: 0 0.3rem; flex: none; }
      .crumb {
        overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; max-width: 16rem;
        border: none; background: none; padding: 0.15rem 0.3rem; border-radius: 6px; font-size: 0.85rem;
      }
      button.crumb { color: var(--cst-accent, #3b6cf6); }
      button.crumb:hover { background: var(--cst-hover, #f2f4f8); text-decoration: underline; }
      .crumb.current { font-weight: 600; color: var(--cst-text, #1d2330); max-width: 100%; }
      .crumb.current.selected { background: var(--cst-accent-soft, #eef3ff); }
      .info { font-size: 0.78rem; color: var(--cst-muted, #5b6475); white-space: nowrap; font-variant-numeric: tabular-nums; }
      .legend { display: flex; align-items: center; gap: 0.35rem; font-size: 0.75rem; color: var(--cst-muted, #5b6475); white-space: nowrap; }
      .legend .ramp { width: 5rem; height: 0.55rem; border-radius: 3px; box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.08); }
      .stage { position: relative; flex: 1; min-height: 0; }
      svg { position: absolute; inset: 0; display: block; width: 100%; height: 100%; }
      .tile { cursor: pointer; outline: none; }
      rect.fill { stroke: var(--cst-panel, #fff); stroke-width: 0.5; shape-rendering: crispEdges; }
      .tile:hover > rect.fill { filter: brightness(1.07) saturate(1.05); }
      .tile.noise > rect.fill { stroke-dasharray: 4 3; stroke: #8a92a3; stroke-width: 1; }
      /* Selection and keyboard focus: a dark ring with a white one inside it, drawn within the
         tile so neighbours never cover it, visible on light and dark fills alike. */
      .ring { fill: none; pointer-events: none; display: none; shape-rendering: crispEdges; }
      .ring.outer { stroke: var(--cst-text, #1d2330); stroke-width: 3; }
      .ring.inner { stroke: #fff; stroke-width: 1.5; }
      .tile.selected > .ring, .tile:focus-visible > .ring.outer { display: block; }
      .tile:focus-visible > .ring.outer { stroke: var(--cst-accent, #3b6cf6); }
      .moving .ring { display: none !important; }
      text { pointer-events: none; font-family: inherit; }
      .title { font-weight: 600; }
      .d2 .title { font-weight: 500; }
      .size { font-variant-numeric: tabular-nums; opacity: 0.85; }
      .labels { transition: opacity 120ms; }
      .moving .labels { opacity: 0; transition: none; }
      .empty { position: absolute; inset: 0; display: grid; place-items: center; color: var(--cst-muted, #5b6475); pointer-events: none; }
      .hint {
        font-size: 0.72rem; color: var(--cst-faint, #8a92a3); padding: 0.25rem 0.6rem;
        white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-top: 1px solid var(--cst-border, #e2e5ec);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.observe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = null;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    const h = this.hierarchy;
    if (changed.has('hierarchy')) {
      this.drawnFocus = undefined; // a new tree is drawn at once, not animated
      if (!h || (this.focusId !== null && !h.nodes[this.focusId])) this.focusId = null;
    }
    if (h && (changed.has('hierarchy') || changed.has('colorValues'))) {
      this.colours = this.colorValues ? valueColors(h, this.colorValues) : nodeColors(h);
      this.drawnFocus = undefined;
    }
    if (h && (changed.has('selectedNodeId') || changed.has('hierarchy')) && this.selectedNodeId !== null && h.nodes[this.selectedNodeId]) {
      this.focusId = focusForSelection(h, this.selectedNodeId);
    }
    this.setAttribute('data-focus', this.focusId ?? '');
  }

  override firstUpdated(): void {
    this.observe();
  }

  override updated(): void {
    if (this.drawnFocus === undefined || this.focusId !== this.drawnFocus || this.drawnWidth !== this.width || this.drawnHeight !== this.height) this.draw();
    this.applySelection();
  }

  /** Zooms to a node (null: the top) and dispatches `node-select` for it. */
  zoomTo(id: string | null): void {
    this.focusId = id;
    fireNodeSelect(this, id);
  }

  /** Zooms one level up (no-op at the top). */
  zoomOut(): void {
    const h = this.hierarchy;
    const up = h ? parentFocus(h, this.focusId) : undefined;
    if (up !== undefined) this.zoomTo(up);
  }

  override render() {
    const h = this.hierarchy;
    const crumbs = h ? breadcrumb(h, this.focusId) : [];
    const empty = !h || h.roots.length === 0;
    return html`
      <div class="wrap">
        <div class="bar">
          <nav aria-label="Zoom path">
            <ol>
              ${crumbs.map((c, i) =>
                i === crumbs.length - 1
                  ? html`<li><span class="crumb current ${c.id !== null && c.id === this.selectedNodeId ? 'selected' : ''}" aria-current="location" title=${c.label}>${c.label}</span></li>`
                  : html`<li><button class="crumb" data-node-id=${c.id ?? ''} title=${c.label} @click=${() => this.zoomTo(c.id)}>${c.label}</button></li>`,
              )}
            </ol>
          </nav>
          ${this.renderLegend()} ${h && !empty ? html`<span class="info">${this.infoText(h)}</span>` : nothing}
        </div>
        <div class="stage">
          <svg role="group" aria-label="Treemap of themes" @click=${this.onClick} @keydown=${this.onKey}></svg>
          ${empty ? html`<div class="empty">No hierarchy to show.</div>` : nothing}
        </div>
        <div class="hint">Click a theme to zoom in · a leaf to select it · the path above, Backspace or Escape to go back up</div>
      </div>
    `;
  }

  private infoText(h: Hierarchy): string {
    const size = this.focusId === null ? h.roots.reduce((s, r) => s + getNode(h, r).size, 0) : getNode(h, this.focusId).size;
    const kids = orderedChildren(h, this.focusId).length;
    return `${size.toLocaleString()} texts · ${kids} ${kids === 1 ? 'theme' : 'themes'}`;
  }

  private renderLegend() {
    const h = this.hierarchy;
    if (!h || !this.colorValues) return nothing;
    const dom = valueDomain(this.colorValues, Object.keys(h.nodes));
    if (!dom) return nothing;
    const ramp = `linear-gradient(to right, ${valueColor(dom[0], ...dom)}, ${valueColor((dom[0] + dom[1]) / 2, ...dom)}, ${valueColor(dom[1], ...dom)})`;
    return html`<span class="legend"
      ><span>${this.colorLabel}</span><span>${fmtValue(dom[0])}</span><span class="ramp" style=${styleMap({ background: ramp })}></span
      ><span>${fmtValue(dom[1])}</span></span
    >`;
  }

  private get svgEl(): SVGSVGElement | null {
    return this.renderRoot.querySelector('svg');
  }

  private observe(): void {
    const stage = this.renderRoot.querySelector('.stage');
    if (!stage || this.observer) return;
    this.observer = new ResizeObserver(() => {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        const s = this.renderRoot.querySelector<HTMLElement>('.stage');
        if (!s) return;
        this.width = s.clientWidth;
        this.height = s.clientHeight;
        if (this.width !== this.drawnWidth || this.height !== this.drawnHeight) this.draw();
      });
    });
    this.observer.observe(stage);
  }

  /** A cached text-width function for a CSS font of `px` pixels (canvas measureText). */
  private measure(font: string, px: number): Measure {
    let m = this.measures.get(font);
    if (!m) {
      const ctx = (this.ctx ??= document.createElement('canvas').getContext('2d'));
      const cache = new Map<string, number>();
      m = (text: string): number => {
        let w = cache.get(text);
        if (w === undefined) {
          if (ctx) {
            ctx.font = font;
            w = ctx.measureText(text).width;
          } else w = text.length * px * 0.6; // no canvas: a generous average glyph width
          cache.set(text, w);
        }
        return w;
      };
      this.measures.set(font, m);
    }
    return m;
  }

  private fonts(): Fonts {
    const family = getComputedStyle(this).fontFamily || 'system-ui, sans-serif';
    return {
      title: this.measure(`600 ${TITLE_PX}px ${family}`, TITLE_PX),
      nested: this.measure(`500 ${NESTED_PX}px ${family}`, NESTED_PX),
      size: this.measure(`400 ${SIZE_PX}px ${family}`, SIZE_PX),
    };
  }

  /** Lays out the current focus and draws it, animating from the previous focus when there is one. */
  private draw(): void {
    const svgEl = this.svgEl;
    const h = this.hierarchy;
    if (!svgEl) return;
    const t0 = performance.now();
    const svg = select(svgEl);
    const stage = this.renderRoot.querySelector<HTMLElement>('.stage');
    if (stage && (this.width === 0 || this.height === 0)) {
      this.width = stage.clientWidth;
      this.height = stage.clientHeight;
    }
    const { width, height } = this;
    const prevFocus = this.drawnFocus;
    const prevTiles = this.tiles;
    // Keyboard focus on a tile that is about to go: carry it to the new view.
    const focused = this.shadowRoot?.activeElement;
    if (this.focusAfterDraw === null && focused instanceof SVGGElement && focused.classList.contains('tile')) {
      this.focusAfterDraw = focused.getAttribute('data-node-id') ?? '';
    }
    const animate =
      prevFocus !== undefined && prevFocus !== this.focusId && width === this.drawnWidth && height === this.drawnHeight && this.motionMs() > 0;
    this.drawnFocus = this.focusId;
    this.drawnWidth = width;
    this.drawnHeight = height;
    svg.attr('viewBox', `0 0 ${Math.max(1, width)} ${Math.max(1, height)}`).attr('data-gap', DEFAULT_LAYOUT.gap);
    svg.selectAll('g.leaving').interrupt().remove();
    const old = svg.selectAll<SVGGElement, unknown>('g.layer').interrupt();
    if (!h || width <= 0 || height <= 0) {
      old.remove();
      this.tiles = [];
      this.setAttribute('data-tiles', '0');
      return;
    }
    const tiles = layoutTreemap(h, this.focusId, { width, height, ...DEFAULT_LAYOUT });
    this.tiles = tiles;
    if (this.active === null || !tiles.some((t) => t.id === this.active)) this.active = tiles[0]?.id ?? null;
    const layer = svg.append('g').attr('class', 'layer');
    const sel = this.drawTiles(layer, tiles, h);
    this.setAttribute('data-tiles', String(tiles.length));

    if (animate) this.animateZoom(old, prevTiles, sel, layer, prevFocus ?? null, h);
    else old.remove();
    this.lastRenderMs = performance.now() - t0;

    if (this.focusAfterDraw !== null) {
      const want = this.focusAfterDraw;
      this.focusAfterDraw = null;
      const target = tiles.find((t) => t.id === want) ?? tiles[0];
      if (target) this.focusTile(target.id);
    }
  }

  private motionMs(): number {
    if (this.duration <= 0) return 0;
    return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ? 0 : this.duration;
  }

  private drawTiles(layer: Selection<SVGGElement, unknown, null, undefined>, tiles: Tile[], h: Hierarchy): TileSel {
    const fonts = this.fonts();
    const total = totalItems(h);
    const sel = layer
      .selectAll<SVGGElement, Tile>('g.tile')
      .data(tiles, (t) => t.id)
      .join('g')
      .attr('class', (t) => `tile d${t.depth}${t.node.isNoise ? ' noise' : ''}`)
      .attr('data-node-id', (t) => t.id)
      .attr('data-depth', (t) => t.depth)
      .attr('data-size', (t) => t.value)
      .attr('role', 'button')
      .attr('tabindex', (t) => (t.id === this.active ? 0 : -1))
      .attr('aria-label', (t) => {
        const kids = t.node.childIds.length;
        return `${nodeTitle(t.node)}, ${t.value.toLocaleString()} texts${kids ? `, ${kids} sub-themes` : ''}`;
      })
      .attr('transform', (t) => `translate(${t.x0},${t.y0})`);
    sel
      .append('rect')
      .attr('class', 'fill')
      .attr('width', (t) => t.x1 - t.x0)
      .attr('height', (t) => t.y1 - t.y0)
      .attr('fill', (t) => this.colours.get(t.id) ?? '#ccc');
    sel.append('title').text((t) => {
      const kw = t.node.isNoise ? [] : t.node.keywords.slice(0, 6);
      const kids = t.node.childIds.length;
      return [
        nodeTitle(t.node),
        `${t.value.toLocaleString()} texts · ${formatShare(t.value, total)} of all`,
        kw.length ? kw.join(', ') : '',
        kids ? `${kids} sub-themes · click to zoom in` : 'click to select',
      ]
        .filter(Boolean)
        .join('\n');
    });
    const labels = sel.append('g').attr('class', 'labels');
    labels.each((t, i, nodes) => this.drawLabel(select(nodes[i]), t, fonts));
    for (const [cls, inset] of [['outer', 1.5], ['inner', 3.75]] as const) {
      sel
        .append('rect')
        .attr('class', `ring ${cls}`)
        .attr('x', inset)
        .attr('y', inset)
        .attr('width', (t) => Math.max(0, t.x1 - t.x0 - 2 * inset))
        .attr('height', (t) => Math.max(0, t.y1 - t.y0 - 2 * inset));
    }
    return sel;
  }

  private drawLabel(g: Selection<SVGGElement, Tile, null, undefined>, t: Tile, fonts: Fonts): void {
    const w = t.x1 - t.x0;
    const ht = t.y1 - t.y0;
    const fill = this.colours.get(t.id) ?? '#ccc';
    const ink = textColorOn(fill);
    const title = nodeTitle(t.node);
    const sizeText = t.value.toLocaleString();
    g.attr('fill', ink);
    if (t.depth === 1 && t.nested) {
      const pad = 5;
      const lab = headerLabel(title, sizeText, w - 2 * pad, fonts.title, fonts.size);
      const baseline = Math.round(DEFAULT_LAYOUT.header / 2 + TITLE_PX * 0.36);
      if (lab.title) g.append('text').attr('class', 'title').attr('x', pad).attr('y', baseline).attr('font-size', TITLE_PX).text(lab.title);
      if (lab.showSize) g.append('text').attr('class', 'size').attr('x', w - pad).attr('y', baseline).attr('text-anchor', 'end').attr('font-size', SIZE_PX).text(sizeText);
      return;
    }
    const nested = t.depth === 2;
    const style = nested ? NESTED_STYLE : LEAF_STYLE;
    const px = nested ? NESTED_PX : TITLE_PX;
    const lab = tileLabel(title, w, ht, style, nested ? fonts.nested : fonts.title, sizeText, fonts.size);
    const text = g.append('text').attr('class', 'title').attr('font-size', px);
    lab.lines.forEach((line, i) =>
      text
        .append('tspan')
        .attr('x', style.pad)
        .attr('y', style.pad + px * 0.9 + i * style.lineHeight)
        .text(line),
    );
    if (lab.showSize) {
      g.append('text')
        .attr('class', 'size')
        .attr('x', style.pad)
        .attr('y', style.pad + px * 0.9 + (lab.lines.length - 1) * style.lineHeight + style.sizeHeight)
        .attr('font-size', SIZE_PX)
        .text(sizeText);
    }
  }

  /**
   * Zoom animation: going down, the clicked tile grows to the whole view while the new tiles grow
   * out of it; going up, the old view shrinks into its tile in the new one. Only tile rectangles
   * move (a few dozen); labels are hidden while they do. Unrelated foci simply cross-fade.
   */
  private animateZoom(old: Selection<SVGGElement, unknown, SVGSVGElement, unknown>, oldTiles: Tile[], sel: TileSel, layer: Selection<SVGGElement, unknown, null, undefined>, prevFocus: string | null, h: Hierarchy): void {
    const { width, height } = this;
    const ms = this.motionMs();
    const down = isAbove(h, prevFocus, this.focusId);
    const up = isAbove(h, this.focusId, prevFocus);
    const anchor = down ? zoomAnchor(h, oldTiles, this.focusId) : up ? zoomAnchor(h, this.tiles, prevFocus) : null;
    // Timed on this view's svg (an ancestor of both layers, so their tiles can inherit it), not on
    // the document's root where it would cut short other views' transitions.
    const svgSel = select(this.svgEl as SVGSVGElement) as unknown as Selection<BaseType, unknown, null, undefined>;
    const tr = svgSel.transition('zoom').duration(ms).ease(easeCubicInOut);
    const at = (f: (t: Tile) => Rect) => ({
      transform: (t: Tile) => `translate(${f(t).x0},${f(t).y0})`,
      width: (t: Tile) => Math.max(0, f(t).x1 - f(t).x0),
      height: (t: Tile) => Math.max(0, f(t).y1 - f(t).y0),
    });
    /** Puts tiles at f(tile) at once. */
    const place = (s: TileSel, f: (t: Tile) => Rect): void => {
      const p = at(f);
      s.attr('transform', p.transform).select('rect.fill').attr('width', p.width).attr('height', p.height);
    };
    /** Moves tiles to f(tile) over the transition. */
    const glide = (s: TileSel, f: (t: Tile) => Rect): void => {
      const p = at(f);
      s.transition(tr).attr('transform', p.transform).select('rect.fill').attr('width', p.width).attr('height', p.height);
    };
    const final = (t: Tile): Rect => t;
    old.classed('layer', false).classed('leaving', true).classed('moving', true).attr('pointer-events', 'none');
    layer.classed('moving', true);
    this.setAttribute('data-animating', '');
    const oldSel = old.selectAll<SVGGElement, Tile>('g.tile');
    if (anchor) {
      // Going down the new view grows out of the anchor tile and the old one grows past the
      // screen; going up the old view shrinks into its tile and the new one closes in around it.
      const inner = (t: Tile): Rect => shrinkInto(t, anchor, width, height);
      const outer = (t: Tile): Rect => expandFrom(t, anchor, width, height);
      place(sel, down ? inner : outer);
      layer.style('opacity', down ? 0.2 : 0).transition(tr).style('opacity', 1);
      glide(sel, final);
      glide(oldSel, down ? outer : inner);
      // Going up, the old view ends up inside a tile of the new one: draw it on top.
      if (up) old.raise();
    } else {
      layer.style('opacity', 0).transition(tr).style('opacity', 1);
    }
    old
      .transition(tr)
      .style('opacity', 0)
      .end()
      .catch(() => undefined) // cut short by a newer draw
      .finally(() => {
        old.remove();
        if (!layer.classed('leaving')) layer.classed('moving', false);
        if (!this.svgEl?.querySelector('g.leaving')) this.removeAttribute('data-animating');
      });
  }

  /** Highlights the selected node's tile and keeps the roving tab stop in place. */
  private applySelection(): void {
    const svgEl = this.svgEl;
    if (!svgEl) return;
    const s = this.selectedNodeId;
    select(svgEl)
      .selectAll<SVGGElement, Tile>('g.layer g.tile')
      .classed('selected', (t) => t.id === s)
      .attr('data-selected', (t) => (t.id === s ? '' : null));
  }

  private tileElement(id: string): SVGGElement | null {
    return this.renderRoot.querySelector<SVGGElement>(`g.layer g.tile[data-node-id="${CSS.escape(id)}"]`);
  }

  private focusTile(id: string): void {
    const el = this.tileElement(id);
    if (!el) return;
    this.renderRoot.querySelectorAll('g.layer g.tile[tabindex="0"]').forEach((e) => e.setAttribute('tabindex', '-1'));
    el.setAttribute('tabindex', '0');
    this.active = id;
    el.focus({ preventScroll: true });
  }

  /** Zoom into a tile with children; select a leaf (focusing its parent). */
  private activate(id: string, byKeyboard: boolean): void {
    const h = this.hierarchy;
    if (!h || !h.nodes[id]) return;
    const n = getNode(h, id);
    if (n.childIds.length > 0) {
      if (byKeyboard) this.focusAfterDraw = '';
      this.zoomTo(id);
      return;
    }
    const focus = focusForSelection(h, id);
    if (focus !== this.focusId) {
      this.focusId = focus;
      if (byKeyboard) this.focusAfterDraw = id;
    }
    fireNodeSelect(this, id);
  }

  private tileIdOf(e: Event): string | null {
    for (const el of e.composedPath()) {
      if (el instanceof SVGGElement && el.classList.contains('tile')) return el.closest('g.layer') ? el.getAttribute('data-node-id') : null;
      if (el === this.svgEl) break;
    }
    return null;
  }

  private onClick = (e: MouseEvent): void => {
    const id = this.tileIdOf(e);
    if (id !== null) this.activate(id, false);
  };

  private onKey = (e: KeyboardEvent): void => {
    const id = this.tileIdOf(e);
    switch (e.key) {
      case 'Enter':
      case ' ':
        if (id === null) return;
        e.preventDefault();
        this.activate(id, true);
        return;
      case 'Backspace':
      case 'Escape':
        if (this.focusId === null) return;
        e.preventDefault();
        this.focusAfterDraw = this.focusId; // the tile we came from
        this.zoomOut();
        return;
      case 'ArrowRight':
      case 'ArrowDown':
      case 'ArrowLeft':
      case 'ArrowUp':
      case 'Home':
      case 'End': {
        if (this.tiles.length === 0) return;
        e.preventDefault();
        const at = Math.max(0, this.tiles.findIndex((t) => t.id === id));
        const last = this.tiles.length - 1;
        const next =
          e.key === 'Home' ? 0 : e.key === 'End' ? last : e.key === 'ArrowRight' || e.key === 'ArrowDown' ? Math.min(last, at + 1) : Math.max(0, at - 1);
        this.focusTile(this.tiles[next].id);
        return;
      }
    }
  };
}

customElements.define('cst-treemap', TreemapView);

declare global {
  interface HTMLElementTagNameMap {
    'cst-treemap': TreemapView;
  }
}
