import { LitElement, css, html, nothing, svg, type PropertyValues, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { scaleLinear } from 'd3';
import { compareRuns, type MetricRow, type RunComparison } from '../../core/compare';
import type { RunRecord } from '../../core/types';
import { controlStyles } from '../theme';
import { clusterLabel } from './events';
import { clusterColor } from './palette';

type Side = 'a' | 'b';

interface SizeStats {
  clusters: number;
  largest: number;
  median: number;
  smallest: number;
  noise: number;
  /** Non-noise cluster sizes, largest first. */
  sorted: number[];
}

/** Cluster sizes from the assignments (the truth), not from the summaries. */
function sizeStats(r: RunRecord): SizeStats {
  const counts = new Map<number, number>();
  let noise = 0;
  for (const id of r.assignments) {
    if (id < 0) noise++;
    else counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const sorted = [...counts.values()].sort((x, y) => y - x);
  const m = sorted.length;
  const median = m === 0 ? NaN : m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
  return { clusters: m, largest: sorted[0] ?? 0, median, smallest: sorted[m - 1] ?? 0, noise, sorted };
}

/** Seconds with two significant figures below a minute, so small stages still compare. */
export function formatDuration(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '—';
  if (s < 0.01) return s > 0 ? '<0.01 s' : '0 s';
  if (s < 10) return `${s.toPrecision(2)} s`;
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function fmtMetric(key: MetricRow['key'], v: number | undefined): string {
  if (v === undefined) return '—';
  if (!Number.isFinite(v)) return 'n/a';
  if (key === 'noiseRatio') return `${(100 * v).toFixed(1)}%`;
  if (key === 'calinskiHarabasz') return v.toFixed(1);
  return v.toFixed(3);
}

function namesOf(r: RunRecord): string[] {
  const names: string[] = [];
  for (const c of r.clusters) names[c.id] = c.name;
  return names;
}

/** Stages in the order the pipeline runs them (src/core/pipeline.ts), with display names. */
const STAGE_LABEL: Record<string, string> = { load: 'Load', embed: 'Embed', sweep: 'Sweep', cluster: 'Cluster', reduce: 'Reduce', explain: 'Explain', evaluate: 'Evaluate', name: 'Name', save: 'Save' };

/**
 * Two runs side by side: setup, cluster sizes, timings and every metric either has (the better
 * value marked), then how far their clusterings agree (ARI, NMI) and which cluster of A matches
 * which of B — both only when the runs hold the same texts in the same order, else why not.
 */
export class RunCompare extends LitElement {
  static override properties = { a: { attribute: false }, b: { attribute: false } };

  a: RunRecord | null = null;
  b: RunRecord | null = null;

  private cmp: RunComparison | null = null;
  private sizes: Record<Side, SizeStats> | null = null;
  private names: Record<Side, string[]> = { a: [], b: [] };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        background: var(--cst-panel, #fff);
        border: 1px solid var(--cst-border, #e2e5ec);
        border-radius: var(--cst-radius, 10px);
        padding: 0.8rem 0.9rem;
      }
      .placeholder { padding: 1.5rem; text-align: center; color: var(--cst-muted, #5b6475); }
      h2 { font-size: 1rem; margin: 0 0 0.7rem; }
      h3 { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--cst-muted, #5b6475); margin: 1.1rem 0 0.45rem; font-weight: 600; }
      .badge { display: inline-grid; place-items: center; width: 1.3rem; height: 1.3rem; border-radius: 5px; font-size: 0.75rem; font-weight: 700; color: #fff; flex: none; }
      .badge.a { background: #4e79a7; }
      .badge.b { background: #e15759; }
      .run { display: flex; gap: 0.55rem; align-items: flex-start; padding: 0.5rem 0.65rem; border: 1px solid var(--cst-border, #e2e5ec); border-radius: 8px; min-width: 0; color: var(--cst-text, #1d2330); font-weight: 400; }
      .run.a { border-top: 3px solid #4e79a7; }
      .run.b { border-top: 3px solid #e15759; }
      .run .titles { min-width: 0; }
      .run .nm { font-weight: 600; overflow-wrap: anywhere; }
      .run .sub { font-size: 0.78rem; color: var(--cst-muted, #5b6475); overflow-wrap: anywhere; }
      table { border-collapse: collapse; width: 100%; font-size: 0.82rem; }
      th, td { padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
      thead th { color: var(--cst-muted, #5b6475); font-weight: 600; }
      table.side thead th { padding: 0 0.3rem 0.2rem; }
      tbody tr + tr td, tbody tr + tr th { border-top: 1px solid var(--cst-border, #e2e5ec); }
      tbody th { font-weight: 500; color: var(--cst-muted, #5b6475); width: 26%; }
      table.side td { width: 37%; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
      tr.diff th::after { content: ' ≠'; color: #a15c00; font-weight: 700; }
      td.better { font-weight: 700; color: var(--cst-accent, #3b6cf6); }
      td.better::after { content: ' ▲'; font-size: 0.7em; vertical-align: 1px; }
      td.tie { color: var(--cst-text, #1d2330); }
      .dir { font-size: 0.72rem; color: var(--cst-faint, #8a92a3); font-weight: 400; }
      .note { font-size: 0.76rem; color: var(--cst-muted, #5b6475); margin: 0.4rem 0 0; }
      .spark { display: block; margin-top: 0.25rem; }
      .spark rect { shape-rendering: crispEdges; }
      .agreement { display: flex; flex-wrap: wrap; gap: 0.6rem 2rem; align-items: baseline; padding: 0.6rem 0.8rem; background: var(--cst-bg, #f6f7fb); border-radius: 8px; }
      .agreement .fig { font-size: 0.85rem; color: var(--cst-muted, #5b6475); }
      .agreement .fig b { font-size: 1.2rem; color: var(--cst-text, #1d2330); font-variant-numeric: tabular-nums; margin-left: 0.3rem; }
      .why { padding: 0.6rem 0.8rem; background: #fff8eb; border: 1px solid #f3dfb6; border-radius: 8px; font-size: 0.85rem; }
      .tablebox { max-height: 26rem; overflow: auto; border: 1px solid var(--cst-border, #e2e5ec); border-radius: 8px; }
      table.pairs thead th { position: sticky; top: 0; background: var(--cst-bg, #f6f7fb); z-index: 1; }
      table.pairs td { font-variant-numeric: tabular-nums; }
      table.pairs td.cl { overflow-wrap: anywhere; width: 36%; }
      table.pairs td.cl .swatch { margin-right: 0.35rem; vertical-align: -1px; }
      table.pairs td.cl .size { color: var(--cst-faint, #8a92a3); margin-left: 0.3rem; white-space: nowrap; }
      table.pairs .num { text-align: right; white-space: nowrap; }
      .jbar { display: inline-block; width: 3.5rem; height: 5px; border-radius: 3px; background: var(--cst-chip, #eef0f5); margin-left: 0.4rem; vertical-align: middle; overflow: hidden; }
      .jbar span { display: block; height: 100%; background: var(--cst-accent, #3b6cf6); opacity: 0.7; }
      tr.unmatched td { color: var(--cst-muted, #5b6475); font-style: italic; }
    `,
  ];

  override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('a') || changed.has('b')) && this.a && this.b) {
      this.cmp = compareRuns(this.a, this.b);
      this.sizes = { a: sizeStats(this.a), b: sizeStats(this.b) };
      this.names = { a: namesOf(this.a), b: namesOf(this.b) };
      this.toggleAttribute('data-same-texts', this.cmp.texts.same);
    }
  }

  override render() {
    const { a, b, cmp, sizes } = this;
    if (!a || !b || !cmp || !sizes) return html`<div class="placeholder">Pick two runs to compare.</div>`;
    return html`
      <h2>Comparing two runs</h2>
      <table class="side">
        <thead>
          <tr><th></th><th>${this.renderRunCard('a', a)}</th><th>${this.renderRunCard('b', b)}</th></tr>
        </thead>
        ${this.renderSetup(a, b)} ${this.renderSizes(sizes)} ${this.renderTimings(a, b)} ${this.renderMetrics(cmp)}
      </table>
      ${!cmp.sameSpace && cmp.metrics.some((m) => m.kind === 'internal')
        ? html`<p class="note internal-note">
            † Internal scores are measured in each run's own embedding space; with different embedders they tell how well
            each clustering fits its own vectors, not which grouping is better.
          </p>`
        : nothing}
      ${this.renderAgreement(cmp)} ${this.renderMatching(cmp)}
    `;
  }

  private renderRunCard(side: Side, r: RunRecord) {
    return html`<div class="run ${side}">
      <span class="badge ${side}">${side.toUpperCase()}</span>
      <div class="titles">
        <div class="nm">${r.name}</div>
        <div class="sub">${r.datasetName} · ${new Date(r.createdAt).toLocaleString()}</div>
      </div>
    </div>`;
  }

  private section(title: string, rows: TemplateResult[]) {
    return html`<tbody>
      <tr><th colspan="3"><h3>${title}</h3></th></tr>
      ${rows}
    </tbody>`;
  }

  /** A plain row; marked when the two sides differ. */
  private row(key: string, label: string, va: string, vb: string, compare = true) {
    return html`<tr data-row=${key} class=${compare && va !== vb ? 'diff' : ''}><th>${label}</th><td class="a">${va}</td><td class="b">${vb}</td></tr>`;
  }

  private renderSetup(a: RunRecord, b: RunRecord) {
    const ea = a.config.embedder;
    const eb = b.config.embedder;
    const k = (r: RunRecord) => `${r.config.k}${r.config.autoK ? ' (auto)' : ''}`;
    return this.section('Setup', [
      this.row('dataset', 'Dataset', a.datasetName, b.datasetName),
      this.row('texts', 'Texts', a.texts.length.toLocaleString(), b.texts.length.toLocaleString()),
      this.row('embedder', 'Embedder', ea.id, eb.id),
      this.row('model', 'Model', ea.model, eb.model),
      this.row('dims', 'Vectors', `${ea.dims}-d · ${ea.dtype}`, `${eb.dims}-d · ${eb.dtype}`),
      this.row('device', 'Device', a.embedStats.device, b.embedStats.device),
      this.row('method', 'Method', a.config.method, b.config.method),
      this.row('k', 'k', k(a), k(b)),
      this.row('seed', 'Seed', String(a.config.seed), String(b.config.seed)),
      this.row(
        'cache',
        'Embedded / from cache',
        `${a.embedStats.embedded.toLocaleString()} / ${a.embedStats.cached.toLocaleString()}`,
        `${b.embedStats.embedded.toLocaleString()} / ${b.embedStats.cached.toLocaleString()}`,
        false,
      ),
    ]);
  }

  private renderSizes(s: Record<Side, SizeStats>) {
    const top = Math.max(s.a.largest, s.b.largest, 1);
    const fmt = (x: number) => (Number.isFinite(x) ? x.toLocaleString() : '—');
    const rows = [
      this.row('clusters', 'Clusters', String(s.a.clusters), String(s.b.clusters)),
      this.row('largest', 'Largest', fmt(s.a.largest), fmt(s.b.largest), false),
      this.row('median', 'Median', fmt(s.a.median), fmt(s.b.median), false),
      this.row('smallest', 'Smallest', fmt(s.a.smallest), fmt(s.b.smallest), false),
    ];
    if (s.a.noise || s.b.noise) rows.push(this.row('noise', 'Noise', fmt(s.a.noise), fmt(s.b.noise), false));
    rows.push(
      html`<tr data-row="spark"><th>Sizes, largest first</th><td>${this.spark(s.a.sorted, top, 'a')}</td><td>${this.spark(s.b.sorted, top, 'b')}</td></tr>`,
    );
    return this.section('Cluster sizes', rows);
  }

  /** Sorted cluster sizes as bars on a scale shared by both runs, so their balance compares at a glance. */
  private spark(sorted: number[], top: number, side: Side) {
    const W = 180;
    const H = 34;
    const y = scaleLinear().domain([0, top]).range([0, H - 2]);
    const bw = sorted.length ? W / sorted.length : W;
    const fill = side === 'a' ? '#4e79a7' : '#e15759';
    return html`<svg class="spark" width=${W} height=${H} viewBox="0 0 ${W} ${H}" role="img" aria-label="cluster sizes, largest first">
      ${svg`<line x1="0" x2=${W} y1=${H - 0.5} y2=${H - 0.5} stroke="#e2e5ec"></line>`}
      ${sorted.map((n, i) => svg`<rect x=${i * bw} y=${H - 1 - y(n)} width=${Math.max(0.8, bw - (bw > 3 ? 1 : 0))} height=${Math.max(0.5, y(n))} fill=${fill}></rect>`)}
    </svg>`;
  }

  private renderTimings(a: RunRecord, b: RunRecord) {
    // Pipeline order first, then any other stage either run timed.
    const known = Object.keys(STAGE_LABEL);
    const rank = (k: string) => (known.includes(k) ? known.indexOf(k) : known.length);
    const keys = [...new Set([...Object.keys(a.timings), ...Object.keys(b.timings)])].sort((x, y) => rank(x) - rank(y));
    const total = (r: RunRecord) => Object.values(r.timings).reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0);
    const ta = total(a);
    const tb = total(b);
    const rows = keys.map((k) => this.row(`t-${k}`, STAGE_LABEL[k] ?? k, formatDuration(a.timings[k]), formatDuration(b.timings[k]), false));
    const faster = ta === tb ? null : ta < tb ? 'a' : 'b';
    rows.push(html`<tr data-row="t-total">
      <th>Total <span class="dir">lower is better</span></th>
      <td class="a ${faster === 'a' ? 'better' : ''}">${formatDuration(ta)}</td>
      <td class="b ${faster === 'b' ? 'better' : ''}">${formatDuration(tb)}</td>
    </tr>`);
    return this.section('Timings', rows);
  }

  private renderMetrics(cmp: RunComparison) {
    if (cmp.metrics.length === 0) return this.section('Metrics', [html`<tr><td colspan="3" class="muted">Neither run has metrics.</td></tr>`]);
    const rows = cmp.metrics.map((m) => {
      const dagger = m.kind === 'internal' && !cmp.sameSpace ? ' †' : '';
      const cls = (side: Side) => (m.better === side ? 'better' : m.better === 'tie' ? 'tie' : '');
      return html`<tr data-metric=${m.key} data-better=${m.better ?? 'none'} data-kind=${m.kind}>
        <th>${m.label}${dagger} <span class="dir">${m.higherIsBetter ? 'higher is better' : 'lower is better'}</span></th>
        <td class="a ${cls('a')}" data-value=${String(m.a ?? '')}>${fmtMetric(m.key, m.a)}</td>
        <td class="b ${cls('b')}" data-value=${String(m.b ?? '')}>${fmtMetric(m.key, m.b)}</td>
      </tr>`;
    });
    const ext = cmp.metrics.some((m) => m.kind === 'external');
    return this.section(ext ? 'Metrics (against labels, then internal)' : 'Metrics (internal)', rows);
  }

  private renderAgreement(cmp: RunComparison) {
    return html`<h3>Agreement between the two clusterings</h3>
      ${cmp.agreement
        ? html`<div class="agreement" data-ari=${cmp.agreement.ari} data-nmi=${cmp.agreement.nmi}>
            <span class="fig" title="Adjusted Rand index of A's assignments against B's: 1 = the same grouping, 0 = no more alike than chance"
              >ARI<b class="ari">${cmp.agreement.ari.toFixed(3)}</b></span
            >
            <span class="fig" title="Normalised mutual information of A's assignments against B's: 1 = the same grouping"
              >NMI<b class="nmi">${cmp.agreement.nmi.toFixed(3)}</b></span
            >
            <span class="fig">over the ${this.a!.texts.length.toLocaleString()} texts both runs hold</span>
          </div>`
        : html`<div class="why">Not computed: ${cmp.texts.same ? '' : cmp.texts.reason} Agreement and cluster matching need both runs to hold the same texts in the same order.</div>`}`;
  }

  private clusterCell(side: Side, id: number, size: number) {
    return html`<td class="cl ${side}" data-cluster-id=${id}>
      <span class="swatch" style=${styleMap({ background: clusterColor(id) })}></span><span class="nm">${clusterLabel(id, this.names[side])}</span
      ><span class="size">${size.toLocaleString()}</span>
    </td>`;
  }

  private renderMatching(cmp: RunComparison) {
    const m = cmp.matching;
    if (!m) return nothing;
    return html`<h3>Matching clusters (one-to-one, most shared texts)</h3>
      <div class="tablebox">
        <table class="pairs">
          <thead>
            <tr><th><span class="badge a">A</span> cluster</th><th><span class="badge b">B</span> cluster</th><th class="num">Shared</th><th class="num">Jaccard</th></tr>
          </thead>
          <tbody>
            ${m.pairs.map(
              (p) => html`<tr class="pair" data-a=${p.a} data-b=${p.b} data-overlap=${p.overlap} data-jaccard=${p.jaccard}>
                ${this.clusterCell('a', p.a, p.sizeA)} ${this.clusterCell('b', p.b, p.sizeB)}
                <td class="num overlap">${p.overlap.toLocaleString()}</td>
                <td class="num jaccard">${p.jaccard.toFixed(2)}<span class="jbar"><span style=${styleMap({ width: `${100 * p.jaccard}%` })}></span></span></td>
              </tr>`,
            )}
            ${m.unmatchedA.map(
              (u) => html`<tr class="unmatched" data-a=${u.id}>${this.clusterCell('a', u.id, u.size)}<td colspan="3">no partner in B</td></tr>`,
            )}
            ${m.unmatchedB.map(
              (u) => html`<tr class="unmatched" data-b=${u.id}><td>no partner in A</td>${this.clusterCell('b', u.id, u.size)}<td colspan="2"></td></tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }
}

customElements.define('cst-run-compare', RunCompare);

declare global {
  interface HTMLElementTagNameMap {
    'cst-run-compare': RunCompare;
  }
}
