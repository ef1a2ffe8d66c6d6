import { LitElement, css, html, nothing, svg, type PropertyValues } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { styleMap } from 'lit/directives/style-map.js';
import { interpolateBlues } from 'd3';
import { clusterPurity, confusion, labelSpread, type ClusterPurity, type Confusion, type LabelSpread } from '../../core/compare';
import type { RunRecord } from '../../core/types';
import { controlStyles } from '../theme';
import { clusterLabel, fireClusterSelect } from './events';
import { formatShare } from './members';
import { clusterColor } from './palette';

/** Side of a cell in CSS pixels: big enough to hover at 77 × 77, capped for small tables. */
export function cellSize(rows: number, cols: number): number {
  return Math.max(12, Math.min(28, Math.floor(640 / Math.max(1, rows, cols))));
}

/** Fill for a cell holding `share` of its cluster; empty cells are not drawn. */
export function cellColor(share: number): string {
  return interpolateBlues(0.12 + 0.88 * Math.min(1, Math.max(0, share)));
}

const ROW_HEAD = 190;
const COL_HEAD = 128;
/** Clusters shown per label in the spread table before "+N more". */
const SPREAD_SHOWN = 3;

interface Hover {
  r: number;
  c: number;
  x: number;
  y: number;
}

/**
 * The run's clusters against its label column: a heatmap of the cluster × label counts (colour =
 * share of the cluster), rows ordered so the Hungarian matching runs down the diagonal, and beside
 * it each cluster's majority label, purity and matched label, and each label's spread over
 * clusters. Clicking a row (in the map or the table) dispatches `cluster-select`. Names and labels
 * are untrusted: text bindings only.
 */
export class ConfusionView extends LitElement {
  static override properties = {
    run: { attribute: false },
    selectedCluster: { attribute: false },
    hover: { state: true },
  };

  run: RunRecord | null = null;
  selectedCluster: number | null = null;
  hover: Hover | null = null;

  private table: Confusion | null = null;
  private purity: ClusterPurity[] = [];
  private spread: LabelSpread[] = [];
  private names: string[] = [];
  private rowOf = new Map<number, number>();

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block; position: relative;
        background: var(--cst-panel, #fff);
        border: 1px solid var(--cst-border, #e2e5ec);
        border-radius: var(--cst-radius, 10px);
        padding: 0.8rem 0.9rem;
      }
      .placeholder { padding: 1.5rem; text-align: center; color: var(--cst-muted, #5b6475); }
      header { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; align-items: baseline; margin-bottom: 0.7rem; }
      h2 { font-size: 1rem; margin: 0; }
      h3 { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--cst-muted, #5b6475); margin: 0 0 0.45rem; font-weight: 600; }
      .figures { font-size: 0.82rem; color: var(--cst-muted, #5b6475); font-variant-numeric: tabular-nums; }
      .figures b { color: var(--cst-text, #1d2330); }
      .layout { display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: flex-start; }
      .heat { flex: 0 1 auto; min-width: 0; max-width: 100%; }
      .side { flex: 1 1 26rem; min-width: 0; display: flex; flex-direction: column; gap: 1rem; }
      .legend { display: flex; align-items: center; gap: 0.4rem; font-size: 0.75rem; color: var(--cst-muted, #5b6475); margin-bottom: 0.4rem; }
      .legend .ramp { width: 7rem; height: 0.6rem; border-radius: 3px; box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.08); }
      .legend .diag { width: 0.8rem; height: 0.8rem; border: 2px solid var(--cst-text, #1d2330); border-radius: 2px; margin-left: 0.6rem; }

      .scroller { overflow: auto; max-width: 100%; max-height: min(78vh, 760px); border: 1px solid var(--cst-border, #e2e5ec); border-radius: 8px; background: var(--cst-panel, #fff); }
      .head { display: flex; position: sticky; top: 0; z-index: 2; width: max-content; background: var(--cst-panel, #fff); }
      .corner { position: sticky; left: 0; z-index: 3; flex: none; background: var(--cst-panel, #fff); display: flex; align-items: flex-end; justify-content: flex-end; padding: 0 0.45rem 0.3rem 0; font-size: 0.7rem; color: var(--cst-faint, #8a92a3); text-align: right; }
      .cols { display: flex; align-items: flex-end; flex: none; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
      .clabel {
        display: block; flex: none; writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
        font-size: 11px; text-align: left; padding: 0.3rem 0; color: var(--cst-muted, #5b6475);
      }
      .clabel.matched { color: var(--cst-text, #1d2330); }
      .clabel.hot, .rlabel.hot { color: var(--cst-accent, #3b6cf6); font-weight: 600; }
      .body { display: flex; width: max-content; }
      .rows { position: sticky; left: 0; z-index: 1; flex: none; background: var(--cst-panel, #fff); border-right: 1px solid var(--cst-border, #e2e5ec); }
      .rlabel {
        display: flex; align-items: center; gap: 0.3rem; width: 100%; border: none; border-radius: 0; padding: 0 0.45rem 0 0.3rem; margin: 0;
        font-size: 11px; line-height: 1; text-align: left; background: none; color: var(--cst-text, #1d2330); cursor: pointer;
      }
      .rlabel:hover:not([disabled]) { background: var(--cst-hover, #f2f4f8); }
      .rlabel.selected { background: var(--cst-accent-soft, #eef3ff); }
      .rlabel .swatch { width: 0.55rem; height: 0.55rem; border-radius: 2px; }
      .rlabel .nm { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .rlabel .id { color: var(--cst-faint, #8a92a3); font-variant-numeric: tabular-nums; }
      svg.cells { display: block; flex: none; cursor: pointer; }
      .grid { stroke: var(--cst-border, #e2e5ec); stroke-width: 0.5; shape-rendering: crispEdges; }
      .match { fill: none; stroke: var(--cst-text, #1d2330); stroke-width: 1.5; pointer-events: none; }
      .sel { fill: var(--cst-accent, #3b6cf6); fill-opacity: 0.1; stroke: var(--cst-accent, #3b6cf6); stroke-width: 1.5; pointer-events: none; }
      .hot { fill: none; stroke: var(--cst-accent, #3b6cf6); stroke-width: 2; pointer-events: none; }
      .count { font-size: 9px; text-anchor: middle; dominant-baseline: central; pointer-events: none; font-variant-numeric: tabular-nums; }

      .tablebox { max-height: 24rem; overflow: auto; border: 1px solid var(--cst-border, #e2e5ec); border-radius: 8px; }
      table { border-collapse: collapse; width: 100%; font-size: 0.8rem; }
      th { position: sticky; top: 0; background: var(--cst-bg, #f6f7fb); text-align: left; font-weight: 600; color: var(--cst-muted, #5b6475); padding: 0.35rem 0.5rem; white-space: nowrap; z-index: 1; }
      td { padding: 0.3rem 0.5rem; border-top: 1px solid var(--cst-border, #e2e5ec); vertical-align: top; }
      td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      td.name { overflow-wrap: anywhere; }
      td.name .swatch { margin-right: 0.35rem; vertical-align: -1px; }
      td.lbl { overflow-wrap: anywhere; }
      .clusters tbody tr { cursor: pointer; }
      .clusters tbody tr:hover { background: var(--cst-hover, #f2f4f8); }
      .clusters tbody tr.selected { background: var(--cst-accent-soft, #eef3ff); }
      .differs { color: #a15c00; }
      .pbar { display: inline-block; width: 2.6rem; height: 4px; border-radius: 2px; background: var(--cst-chip, #eef0f5); margin-left: 0.35rem; vertical-align: middle; overflow: hidden; }
      .pbar span { display: block; height: 100%; background: var(--cst-accent, #3b6cf6); opacity: 0.7; }
      .spread { display: flex; flex-wrap: wrap; gap: 0.2rem; }
      .spread .chip { display: inline-flex; align-items: center; gap: 0.25rem; max-width: 100%; cursor: pointer; border: none; }
      .spread .chip .swatch { width: 0.55rem; height: 0.55rem; }
      .spread .chip .nm { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 11rem; }
      .spread .more { font-size: 0.75rem; color: var(--cst-muted, #5b6475); align-self: center; }

      .tip {
        position: fixed; left: 0; top: 0; visibility: hidden; width: max-content; max-width: 340px; pointer-events: none; z-index: 10;
        background: var(--cst-tooltip-bg, rgba(24, 29, 41, 0.94)); color: var(--cst-tooltip-text, #f4f6fb);
        border-radius: 8px; padding: 0.45rem 0.6rem; font-size: 0.8rem; line-height: 1.35; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18);
      }
      .tip .line { overflow-wrap: anywhere; }
      .tip .sub { opacity: 0.8; font-size: 0.75rem; margin-top: 0.1rem; }
    `,
  ];

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('run')) {
      const r = this.run;
      this.hover = null;
      this.table = r?.labels && r.labels.length === r.assignments.length ? confusion(r.labels, r.assignments) : null;
      this.purity = this.table ? clusterPurity(this.table) : [];
      this.spread = this.table ? labelSpread(this.table) : [];
      this.rowOf = new Map(this.table?.rows.map((id, i) => [id, i]) ?? []);
      const names: string[] = [];
      for (const c of r?.clusters ?? []) names[c.id] = c.name;
      this.names = names;
      const t = this.table;
      this.toggleAttribute('data-empty', !t);
      if (t) {
        this.setAttribute('data-rows', String(t.rows.length));
        this.setAttribute('data-cols', String(t.cols.length));
        this.setAttribute('data-cells', String(t.counts.reduce((s, row) => s + row.filter((x) => x > 0).length, 0)));
      } else {
        for (const a of ['data-rows', 'data-cols', 'data-cells']) this.removeAttribute(a);
      }
    }
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('hover') && this.hover) this.placeTip(this.hover);
  }

  private name(id: number): string {
    return clusterLabel(id, this.names);
  }

  override render() {
    const r = this.run;
    if (!r) return html``;
    const t = this.table;
    if (!t) {
      return html`<div class="placeholder">
        ${r.labels
          ? 'The label column does not cover every text of this run, so there is nothing to compare against.'
          : 'This run has no label column, so its clusters cannot be compared with ground truth. Pick a label column when loading the data to see this view.'}
      </div>`;
    }
    const realRows = t.rows.filter((id) => id >= 0).length;
    return html`
      <header>
        <h2>Clusters against labels</h2>
        <span class="figures"><b>${t.n.toLocaleString()}</b> texts · <b>${realRows}</b> clusters × <b>${t.cols.length}</b> labels</span>
        <span class="figures" title="Texts on the matched (diagonal) cells: clustering accuracy"
          >on the diagonal <b class="acc">${formatShare(t.hits, t.n)}</b> (${t.hits.toLocaleString()})</span
        >
      </header>
      <div class="layout">
        <section class="heat">${this.renderHeatmap(t)}</section>
        <section class="side">${this.renderClusterTable(t)} ${this.renderLabelTable()}</section>
      </div>
      ${this.hover ? this.renderTip(t, this.hover) : nothing}
    `;
  }

  private renderHeatmap(t: Confusion) {
    const cell = cellSize(t.rows.length, t.cols.length);
    const w = cell * t.cols.length;
    const h = cell * t.rows.length;
    const hv = this.hover;
    const sel = this.selectedCluster !== null ? this.rowOf.get(this.selectedCluster) : undefined;
    const pairs = t.matched.filter((m) => m >= 0).length;
    return html`
      <div class="legend">
        <span>share of the cluster</span><span>0%</span>
        <span class="ramp" style=${styleMap({ background: `linear-gradient(to right, ${cellColor(0)}, ${cellColor(0.5)}, ${cellColor(1)})` })}></span
        ><span>100%</span>
        <span class="diag"></span><span>matched pair</span>
      </div>
      <div class="scroller">
        <div class="head">
          <div class="corner" style=${styleMap({ width: `${ROW_HEAD}px`, height: `${COL_HEAD}px` })}>clusters ↓ · labels →</div>
          <div class="cols" style=${styleMap({ width: `${w}px`, height: `${COL_HEAD}px` })}>
            ${t.cols.map(
              (label, c) =>
                html`<span
                  class="clabel ${c < pairs ? 'matched' : ''} ${hv?.c === c ? 'hot' : ''}"
                  data-col=${c}
                  title=${label}
                  style=${styleMap({ width: `${cell}px`, lineHeight: `${cell}px`, maxHeight: `${COL_HEAD}px` })}
                  >${label}</span
                >`,
            )}
          </div>
        </div>
        <div class="body">
          <div class="rows" style=${styleMap({ width: `${ROW_HEAD}px` })}>
            ${t.rows.map(
              (id, r) =>
                html`<button
                  class="rlabel ${sel === r ? 'selected' : ''} ${hv?.r === r ? 'hot' : ''}"
                  data-cluster-id=${id}
                  data-row=${r}
                  title=${`${this.name(id)} (${t.rowTotals[r].toLocaleString()} texts)`}
                  style=${styleMap({ height: `${cell}px` })}
                  @click=${() => fireClusterSelect(this, id)}
                >
                  <span class="swatch" style=${styleMap({ background: clusterColor(id) })}></span>
                  <span class="nm">${this.name(id)}</span>
                  ${id >= 0 ? html`<span class="id">#${id}</span>` : nothing}
                </button>`,
            )}
          </div>
          <svg
            class="cells"
            width=${w}
            height=${h}
            viewBox="0 0 ${w} ${h}"
            role="img"
            aria-label="Cluster by label counts"
            @pointermove=${(e: PointerEvent) => this.onMove(e, cell)}
            @pointerleave=${() => (this.hover = null)}
            @click=${(e: MouseEvent) => this.onClick(e, cell)}
          >
            ${guard([t, cell], () => this.renderCells(t, cell))}
            ${sel !== undefined ? svg`<rect class="sel" x="0.75" y=${sel * cell + 0.75} width=${w - 1.5} height=${cell - 1.5}></rect>` : nothing}
            ${hv ? svg`<rect class="hot" x=${hv.c * cell + 1} y=${hv.r * cell + 1} width=${cell - 2} height=${cell - 2}></rect>` : nothing}
          </svg>
        </div>
      </div>
    `;
  }

  /** The static part of the map (grid, cells, matched outlines), rebuilt only when the table changes. */
  private renderCells(t: Confusion, cell: number) {
    const w = cell * t.cols.length;
    const h = cell * t.rows.length;
    const showCounts = cell >= 24;
    const lines = [];
    for (let r = 1; r < t.rows.length; r++) lines.push(svg`<line class="grid" x1="0" x2=${w} y1=${r * cell} y2=${r * cell}></line>`);
    for (let c = 1; c < t.cols.length; c++) lines.push(svg`<line class="grid" y1="0" y2=${h} x1=${c * cell} x2=${c * cell}></line>`);
    const cells = [];
    for (let r = 0; r < t.rows.length; r++) {
      const total = t.rowTotals[r];
      for (let c = 0; c < t.cols.length; c++) {
        const n = t.counts[r][c];
        if (n === 0) continue;
        const share = n / total;
        cells.push(
          svg`<rect class="cell" data-row=${r} data-col=${c} data-count=${n} x=${c * cell} y=${r * cell} width=${cell} height=${cell} fill=${cellColor(share)}></rect>`,
        );
        if (showCounts) {
          cells.push(
            svg`<text class="count" x=${c * cell + cell / 2} y=${r * cell + cell / 2} fill=${share > 0.45 ? '#fff' : '#1d2330'}>${n}</text>`,
          );
        }
      }
    }
    const matches = t.matched.map((c, r) =>
      c >= 0 ? svg`<rect class="match" data-row=${r} data-col=${c} x=${c * cell + 0.75} y=${r * cell + 0.75} width=${cell - 1.5} height=${cell - 1.5}></rect>` : nothing,
    );
    return svg`<rect x="0" y="0" width=${w} height=${h} fill="#fbfcfe"></rect>${lines}${cells}${matches}`;
  }

  private renderClusterTable(t: Confusion) {
    return html`<div>
      <h3>Per cluster</h3>
      <div class="tablebox">
        <table class="clusters">
          <thead>
            <tr><th>Cluster</th><th class="num">Texts</th><th>Majority label</th><th class="num">Purity</th><th>Matched label</th></tr>
          </thead>
          <tbody>
            ${this.purity.map((p) => {
              const differs = p.matched >= 0 && p.matched !== p.majority;
              return html`<tr
                data-cluster-id=${p.cluster}
                class=${this.selectedCluster === p.cluster ? 'selected' : ''}
                @click=${() => fireClusterSelect(this, p.cluster)}
              >
                <td class="name"><span class="swatch" style=${styleMap({ background: clusterColor(p.cluster) })}></span>${this.name(p.cluster)}</td>
                <td class="num size">${p.size.toLocaleString()}</td>
                <td class="lbl majority">${p.majority >= 0 ? t.cols[p.majority] : '—'}</td>
                <td class="num purity" data-value=${p.purity}>
                  ${Number.isFinite(p.purity) ? formatShare(p.majorityCount, p.size) : '—'}<span class="pbar"
                    ><span style=${styleMap({ width: `${Number.isFinite(p.purity) ? 100 * p.purity : 0}%` })}></span
                  ></span>
                </td>
                <td
                  class="lbl matched ${differs ? 'differs' : ''}"
                  title=${p.matched < 0
                    ? p.cluster < 0
                      ? 'Noise is not matched to a label'
                      : 'Every label already went to a cluster that fits it better'
                    : differs
                      ? `Its majority label went to a cluster that holds more of it; this one got the label it holds ${p.matchedCount.toLocaleString()} texts of`
                      : `Holds ${p.matchedCount.toLocaleString()} texts of this label`}
                  >${p.matched >= 0 ? t.cols[p.matched] : '—'}</td
                >
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
    </div>`;
  }

  private renderLabelTable() {
    return html`<div>
      <h3>Per label</h3>
      <div class="tablebox">
        <table class="labels">
          <thead>
            <tr><th>Label</th><th class="num">Texts</th><th class="num">In top cluster</th><th>Spread over</th></tr>
          </thead>
          <tbody>
            ${this.spread.map(
              (s) => html`<tr data-label=${s.label} data-clusters=${s.clusters.length}>
                <td class="lbl">${s.label}</td>
                <td class="num">${s.size.toLocaleString()}</td>
                <td class="num">${s.clusters.length ? formatShare(s.clusters[0].count, s.size) : '—'}</td>
                <td>
                  <div class="spread">
                    ${s.clusters.slice(0, SPREAD_SHOWN).map(
                      (x) => html`<button
                        class="chip"
                        data-cluster-id=${x.cluster}
                        title=${`${this.name(x.cluster)}: ${x.count.toLocaleString()} of the label's texts`}
                        @click=${() => fireClusterSelect(this, x.cluster)}
                      >
                        <span class="swatch" style=${styleMap({ background: clusterColor(x.cluster) })}></span><span class="nm">${this.name(x.cluster)}</span
                        ><b>${x.count.toLocaleString()}</b>
                      </button>`,
                    )}
                    ${s.clusters.length > SPREAD_SHOWN
                      ? html`<span
                          class="more"
                          title=${s.clusters
                            .slice(SPREAD_SHOWN)
                            .map((x) => `${this.name(x.cluster)}: ${x.count}`)
                            .join('\n')}
                          >+${s.clusters.length - SPREAD_SHOWN} more</span
                        >`
                      : nothing}
                  </div>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </div>`;
  }

  private renderTip(t: Confusion, h: Hover) {
    const id = t.rows[h.r];
    const n = t.counts[h.r][h.c];
    return html`<div class="tip" role="tooltip" data-row=${h.r} data-col=${h.c}>
      <div class="line">${this.name(id)} × ${t.cols[h.c]}: ${n.toLocaleString()} (${formatShare(n, t.rowTotals[h.r])})</div>
      <div class="sub">
        of the cluster's ${t.rowTotals[h.r].toLocaleString()} texts; ${formatShare(n, t.colTotals[h.c])} of the label's
        ${t.colTotals[h.c].toLocaleString()} texts${t.matched[h.r] === h.c ? ' · matched pair' : ''}
      </div>
    </div>`;
  }

  private cellAt(e: MouseEvent, cell: number): { r: number; c: number } | null {
    const t = this.table;
    const el = e.currentTarget as Element | null;
    if (!t || !el) return null;
    const box = el.getBoundingClientRect();
    const r = Math.floor((e.clientY - box.top) / cell);
    const c = Math.floor((e.clientX - box.left) / cell);
    if (r < 0 || c < 0 || r >= t.rows.length || c >= t.cols.length) return null;
    return { r, c };
  }

  private onMove(e: PointerEvent, cell: number): void {
    const at = this.cellAt(e, cell);
    if (!at) {
      this.hover = null;
      return;
    }
    const h = this.hover;
    if (h && h.r === at.r && h.c === at.c) {
      // Same cell: only move the tooltip, no re-render.
      h.x = e.clientX;
      h.y = e.clientY;
      this.placeTip(h);
      return;
    }
    this.hover = { ...at, x: e.clientX, y: e.clientY };
  }

  private onClick(e: MouseEvent, cell: number): void {
    const at = this.cellAt(e, cell);
    if (at && this.table) fireClusterSelect(this, this.table.rows[at.r]);
  }

  /** Beside the pointer, flipped and clamped to stay in the window. */
  private placeTip(h: Hover): void {
    const tip = this.renderRoot.querySelector<HTMLElement>('.tip');
    if (!tip) return;
    const w = tip.offsetWidth;
    const ht = tip.offsetHeight;
    const gap = 14;
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    let left = h.x + gap;
    if (left + w > vw - 6) left = h.x - gap - w;
    left = Math.max(6, Math.min(left, vw - w - 6));
    let top = h.y + gap;
    if (top + ht > vh - 6) top = h.y - gap - ht;
    top = Math.max(6, top);
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
    tip.style.visibility = 'visible';
  }
}

customElements.define('cst-confusion', ConfusionView);

declare global {
  interface HTMLElementTagNameMap {
    'cst-confusion': ConfusionView;
  }
}
