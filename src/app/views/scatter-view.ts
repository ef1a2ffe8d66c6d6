import { color, quadtree, select, zoom, zoomIdentity, type Quadtree, type ZoomBehavior, type ZoomTransform } from 'd3';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { controlStyles } from '../theme';
import { clusterLabel, fireClusterSelect } from './events';
import { truncate } from './members';
import { clusterColor } from './palette';
import { drawSquares, fillBuffer, mixRgb, type ScreenMap } from './raster';
import { dataExtent, fitExtent, pointRadius, type Fit } from './scatter-geometry';

interface Hover {
  index: number;
  /** Point position in CSS pixels inside the canvas. */
  x: number;
  y: number;
}

/** Points of one cluster, drawn with one fill style. */
interface Group {
  id: number;
  indices: Int32Array;
}

/** Pointer distance (CSS px) within which a point counts as hovered or clicked. */
const PICK_RADIUS = 14;
/**
 * Above this many points, squares blended straight into a pixel buffer replace antialiased
 * circles: arcs cost about a microsecond each on software rasterisers, the buffer a few pixels.
 */
const CIRCLE_LIMIT = 20_000;

/**
 * 2-D map of the texts on a canvas: colour by cluster, pan/zoom with the wheel and drag, hover for
 * the nearest text, click to select its cluster (`cluster-select`). The selected cluster is drawn
 * on top at full strength and the rest dimmed. Reflects `data-points` (points drawn) and
 * `data-clusters` (distinct non-noise clusters among them) for tests and the shell.
 */
export class ScatterView extends LitElement {
  static override properties = {
    coords: { attribute: false },
    assignments: { attribute: false },
    clusterNames: { attribute: false },
    texts: { attribute: false },
    selectedCluster: { attribute: false },
    highlighted: { attribute: false },
    hover: { state: true },
  };

  /** Interleaved x0, y0, x1, y1, … */
  coords: Float32Array = new Float32Array(0);
  /** Cluster id per point; negative ids are noise. */
  assignments: Int32Array = new Int32Array(0);
  /** Display name per cluster id. */
  clusterNames: string[] = [];
  /** Text per point, for the tooltip (optional). */
  texts: string[] = [];
  selectedCluster: number | null = null;
  /**
   * Clusters drawn at full strength with the selected one, the rest dimmed: e.g. every cluster
   * under a hierarchy node chosen above the level the map is coloured by.
   */
  highlighted: readonly number[] = [];
  /** The point under the pointer, if any (shown as a ring and a tooltip). */
  hover: Hover | null = null;

  /** Milliseconds the last canvas draw took (for the demo page and benchmarks). */
  lastDrawMs = 0;

  private n = 0;
  private groups: Group[] = [];
  private distinct = 0;
  private tree: Quadtree<number> | null = null;
  private fit: Fit | null = null;
  private transform: ZoomTransform = zoomIdentity;
  private zoomer: ZoomBehavior<HTMLCanvasElement, unknown> | null = null;
  private observer: ResizeObserver | null = null;
  private width = 0;
  private height = 0;
  private frame = 0;
  private image: ImageData | null = null;
  private lowRes: HTMLCanvasElement | null = null;

  static override styles = [
    controlStyles,
    css`
      :host { display: block; position: relative; min-height: 280px; height: 100%; }
      .wrap {
        position: absolute; inset: 0; overflow: hidden;
        background: var(--cst-panel, #fff);
        border: 1px solid var(--cst-border, #e2e5ec);
        border-radius: var(--cst-radius, 10px);
      }
      canvas { display: block; width: 100%; height: 100%; cursor: grab; touch-action: none; }
      canvas:active { cursor: grabbing; }
      canvas.over { cursor: pointer; }
      .empty {
        position: absolute; inset: 0; display: grid; place-items: center;
        color: var(--cst-muted, #5b6475); pointer-events: none;
      }
      .ring {
        position: absolute; width: 14px; height: 14px; margin: -7px 0 0 -7px;
        border-radius: 50%; border: 2px solid var(--cst-text, #1d2330);
        box-shadow: 0 0 0 2px rgba(255, 255, 255, 0.9); pointer-events: none;
      }
      .tip {
        position: absolute; left: 0; top: 0; visibility: hidden; width: max-content;
        max-width: min(320px, 70%); pointer-events: none; z-index: 2;
        background: var(--cst-tooltip-bg, rgba(24, 29, 41, 0.94)); color: var(--cst-tooltip-text, #f4f6fb);
        border-radius: 8px; padding: 0.45rem 0.6rem; font-size: 0.8rem; line-height: 1.35;
        box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18);
      }
      .tip .name { display: flex; align-items: center; gap: 0.4rem; font-weight: 600; margin-bottom: 0.15rem; }
      .tip .text { overflow-wrap: anywhere; opacity: 0.92; }
      .bar {
        position: absolute; top: 0.5rem; right: 0.5rem; display: flex; gap: 0.4rem; align-items: center;
      }
      .bar button { background: rgba(255, 255, 255, 0.92); font-size: 0.78rem; padding: 0.2rem 0.55rem; }
      .hint {
        position: absolute; left: 0.6rem; bottom: 0.4rem; font-size: 0.72rem;
        color: var(--cst-faint, #8a92a3); pointer-events: none; background: rgba(255, 255, 255, 0.8);
        padding: 0 0.25rem; border-radius: 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: calc(100% - 1.2rem);
      }
    `,
  ];

  /** Number of points drawn (finite coordinates that have an assignment). */
  get pointCount(): number {
    return this.n - this.skipped;
  }
  private skipped = 0;

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

  override render() {
    const h = this.hover;
    const empty = this.pointCount === 0;
    return html`
      <div class="wrap">
        <canvas
          class=${h ? 'over' : ''}
          role="img"
          aria-label=${`Map of ${this.pointCount.toLocaleString()} texts in ${this.distinct} clusters`}
          @pointermove=${this.onPointerMove}
          @pointerleave=${this.onPointerLeave}
          @click=${this.onClick}
        ></canvas>
        ${empty ? html`<div class="empty">No points to show.</div>` : ''}
        ${h ? this.renderHover(h) : ''}
        ${empty
          ? ''
          : html`<div class="bar"><button class="reset" title="Fit all points" @click=${this.resetView}>Reset view</button></div>
              <div class="hint">Scroll to zoom · drag to pan · click a point to select its cluster</div>`}
      </div>
    `;
  }

  private renderHover(h: Hover) {
    const id = this.assignments[h.index];
    const text = this.texts[h.index];
    return html`
      <div class="ring" style=${styleMap({ left: `${h.x}px`, top: `${h.y}px` })}></div>
      <div class="tip" role="tooltip" data-index=${h.index}>
        <div class="name">
          <span class="swatch" style=${styleMap({ background: clusterColor(id) })}></span>
          <span>${clusterLabel(id, this.clusterNames)}</span>
        </div>
        ${text !== undefined ? html`<div class="text">${truncate(text, 220)}</div>` : ''}
      </div>
    `;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('coords') || changed.has('assignments')) this.index();
  }

  override firstUpdated(): void {
    const canvas = this.canvas;
    if (!canvas) return;
    this.zoomer = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([0.5, 200])
      .on('zoom', (e: { transform: ZoomTransform }) => {
        this.transform = e.transform;
        this.hover = null;
        this.schedule();
      });
    // Double-click would both zoom and select; selection wins, zoom has the wheel.
    select(canvas).call(this.zoomer).on('dblclick.zoom', null);
    this.observe();
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('coords') || changed.has('assignments') || changed.has('selectedCluster') || changed.has('highlighted')) this.schedule();
    if (changed.has('hover') && this.hover) this.placeTip(this.hover);
  }

  /** Puts the tooltip beside the point, flipped and clamped so it stays inside the map. */
  private placeTip(h: Hover): void {
    const tip = this.renderRoot.querySelector<HTMLElement>('.tip');
    if (!tip) return;
    const w = tip.offsetWidth;
    const ht = tip.offsetHeight;
    const gap = 12;
    const edge = 6;
    let left = h.x + gap;
    if (left + w > this.width - edge) left = h.x - gap - w;
    left = Math.max(edge, Math.min(left, this.width - w - edge));
    let top = h.y - gap - ht;
    if (top < edge) top = h.y + gap;
    top = Math.max(edge, Math.min(top, this.height - ht - edge));
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
    tip.style.visibility = 'visible';
  }

  /** Where point `index` is drawn now, in CSS pixels from the canvas's top-left corner (null before layout). */
  screenPosition(index: number): { x: number; y: number } | null {
    const m = this.mapping();
    if (!m || index < 0 || index >= this.n) return null;
    return { x: m.bx + m.a * this.coords[2 * index], y: m.by - m.a * this.coords[2 * index + 1] };
  }

  /** Fits all points into view again. */
  resetView(): void {
    const canvas = this.canvas;
    if (canvas && this.zoomer) select(canvas).call(this.zoomer.transform, zoomIdentity);
  }

  private get canvas(): HTMLCanvasElement | null {
    return this.renderRoot.querySelector('canvas');
  }

  private observe(): void {
    const wrap = this.renderRoot.querySelector('.wrap');
    if (!wrap || this.observer) return;
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(wrap);
  }

  /** Groups points by cluster (largest drawn first, so small clusters stay visible on top). */
  private index(): void {
    const n = Math.min(this.assignments.length, Math.floor(this.coords.length / 2));
    const counts = new Map<number, number>();
    let skipped = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(this.coords[2 * i]) || !Number.isFinite(this.coords[2 * i + 1])) {
        skipped++;
        continue;
      }
      const id = this.assignments[i];
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const fill = new Map<number, { indices: Int32Array; at: number }>();
    for (const [id, c] of counts) fill.set(id, { indices: new Int32Array(c), at: 0 });
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(this.coords[2 * i]) || !Number.isFinite(this.coords[2 * i + 1])) continue;
      const g = fill.get(this.assignments[i])!;
      g.indices[g.at++] = i;
    }
    this.groups = [...fill].map(([id, g]) => ({ id, indices: g.indices }));
    // Noise underneath everything, then by size descending.
    this.groups.sort((a, b) => (a.id < 0 ? 0 : 1) - (b.id < 0 ? 0 : 1) || b.indices.length - a.indices.length || a.id - b.id);
    this.n = n;
    this.skipped = skipped;
    this.distinct = this.groups.filter((g) => g.id >= 0).length;
    this.tree = null;
    this.hover = null;
    this.setAttribute('data-points', String(this.pointCount));
    this.setAttribute('data-clusters', String(this.distinct));
    const ext = dataExtent(this.coords, n);
    this.fit = ext && this.width > 0 ? fitExtent(ext, this.width, this.height, 16) : null;
    if (this.zoomer) this.resetView();
  }

  /** Quadtree in data space, built on first use (hover or click), not on every data change. */
  private getTree(): Quadtree<number> {
    if (!this.tree) {
      const c = this.coords;
      const t = quadtree<number>()
        .x((i) => c[2 * i])
        .y((i) => c[2 * i + 1]);
      for (const g of this.groups) for (const i of g.indices) t.add(i);
      this.tree = t;
    }
    return this.tree;
  }

  private resize(): void {
    const canvas = this.canvas;
    const wrap = this.renderRoot.querySelector<HTMLElement>('.wrap');
    if (!canvas || !wrap) return;
    const w = wrap.clientWidth;
    const h = wrap.clientHeight;
    if (w === this.width && h === this.height) return;
    this.width = w;
    this.height = h;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(w * dpr));
    canvas.height = Math.max(1, Math.round(h * dpr));
    const ext = dataExtent(this.coords, this.n);
    this.fit = ext && w > 0 ? fitExtent(ext, w, h, 16) : null;
    this.hover = null;
    this.draw(); // at once: resizing the canvas cleared it
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Screen mapping under the current zoom: sx = bx + a·x, sy = by − a·y. */
  private mapping(): ScreenMap | null {
    if (!this.fit) return null;
    const t = this.transform;
    return { a: this.fit.scale * t.k, bx: t.x + t.k * this.fit.tx, by: t.y + t.k * this.fit.ty };
  }

  private draw(): void {
    const canvas = this.canvas;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const t0 = performance.now();
    const dpr = canvas.width / Math.max(1, this.width);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    const m = this.mapping();
    if (!m) return;
    const count = this.pointCount;
    const circles = count <= CIRCLE_LIMIT;
    // Points grow a little when zoomed in, so sparse regions stay readable (less so for the pixel
    // buffer, whose cost grows with the area of the squares).
    const r = pointRadius(count) * Math.min(circles ? 2.5 : 1.8, Math.sqrt(this.transform.k));
    const sel = this.selectedCluster;
    const lit = new Set(this.highlighted);
    if (sel !== null) lit.add(sel);
    const hasSel = this.groups.some((g) => lit.has(g.id));
    const baseAlpha = count > 20_000 ? 0.6 : 0.85;
    const bg = this.background();
    // Dimmed clusters are drawn as opaque pale tints rather than translucent, so dense regions do
    // not add up to full colour and compete with the selection.
    const paint = (g: Group): { rgb: [number, number, number]; alpha: number; r: number } => {
      const rgb = rgbOf(clusterColor(g.id));
      if (!hasSel) return { rgb, alpha: baseAlpha, r };
      return lit.has(g.id) ? { rgb, alpha: 1, r: r * 1.25 } : { rgb: mixRgb(rgb, bg, 0.22), alpha: 1, r };
    };
    // Selected clusters last, so they sit on top of the dimmed rest.
    const order = hasSel ? [...this.groups.filter((g) => !lit.has(g.id)), ...this.groups.filter((g) => lit.has(g.id))] : this.groups;
    if (circles) {
      for (const g of order) {
        const p = paint(g);
        ctx.globalAlpha = p.alpha;
        ctx.fillStyle = `rgb(${p.rgb[0]}, ${p.rgb[1]}, ${p.rgb[2]})`;
        this.drawCircles(ctx, g, m, p.r);
      }
      ctx.globalAlpha = 1;
    } else {
      // On high-DPI screens the buffer is drawn at an integer fraction of the device resolution and
      // scaled up without smoothing: squares stay crisp and the work drops by that factor squared.
      const down = dpr >= 2 ? Math.floor(dpr) : 1;
      const rdpr = dpr / down;
      const w = Math.ceil(canvas.width / down);
      const h = Math.ceil(canvas.height / down);
      if (!this.image || this.image.width !== w || this.image.height !== h) this.image = ctx.createImageData(w, h);
      const buf = this.image;
      fillBuffer(buf, bg);
      for (const g of order) {
        const p = paint(g);
        drawSquares(buf, this.coords, g.indices, m, rdpr, 2 * p.r * rdpr, p.rgb, p.alpha);
      }
      if (down === 1) ctx.putImageData(buf, 0, 0);
      else {
        const low = (this.lowRes ??= document.createElement('canvas'));
        if (low.width !== w || low.height !== h) {
          low.width = w;
          low.height = h;
        }
        low.getContext('2d')?.putImageData(buf, 0, 0);
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(low, 0, 0, w * down, h * down);
        ctx.imageSmoothingEnabled = true;
      }
    }
    this.lastDrawMs = performance.now() - t0;
  }

  private drawCircles(ctx: CanvasRenderingContext2D, g: Group, m: ScreenMap, r: number): void {
    const c = this.coords;
    const { a, bx, by } = m;
    const w = this.width + r;
    const h = this.height + r;
    ctx.beginPath();
    for (const i of g.indices) {
      const x = bx + a * c[2 * i];
      const y = by - a * c[2 * i + 1];
      if (x < -r || y < -r || x > w || y > h) continue;
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    ctx.fill();
  }

  /** The panel colour behind the points (the pixel buffer is opaque). */
  private background(): [number, number, number] {
    const wrap = this.renderRoot.querySelector('.wrap');
    const c = wrap ? color(getComputedStyle(wrap).backgroundColor)?.rgb() : null;
    return c && c.opacity > 0 ? [c.r, c.g, c.b] : [255, 255, 255];
  }

  /** Nearest point to a pointer position within PICK_RADIUS, or null. */
  private pick(e: MouseEvent): Hover | null {
    const m = this.mapping();
    const canvas = this.canvas;
    if (!m || !canvas || this.pointCount === 0) return null;
    const rect = canvas.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    const i = this.getTree().find((px - m.bx) / m.a, (m.by - py) / m.a, PICK_RADIUS / m.a);
    if (i === undefined) return null;
    return { index: i, x: m.bx + m.a * this.coords[2 * i], y: m.by - m.a * this.coords[2 * i + 1] };
  }

  private onPointerMove = (e: PointerEvent): void => {
    if (e.buttons !== 0) return; // dragging: the zoom handler owns the pointer
    const h = this.pick(e);
    const cur = this.hover;
    if (h?.index !== cur?.index || h?.x !== cur?.x || h?.y !== cur?.y) this.hover = h;
  };

  private onPointerLeave = (): void => {
    this.hover = null;
  };

  private onClick = (e: MouseEvent): void => {
    const h = this.pick(e);
    if (h) fireClusterSelect(this, this.assignments[h.index]);
    else if (this.selectedCluster !== null) fireClusterSelect(this, null);
  };
}

const rgbCache = new Map<string, [number, number, number]>();
function rgbOf(hex: string): [number, number, number] {
  let v = rgbCache.get(hex);
  if (!v) {
    const c = color(hex)?.rgb();
    v = c ? [c.r, c.g, c.b] : [128, 128, 128];
    rgbCache.set(hex, v);
  }
  return v;
}

customElements.define('cst-scatter', ScatterView);

declare global {
  interface HTMLElementTagNameMap {
    'cst-scatter': ScatterView;
  }
}
