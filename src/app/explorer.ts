import { LitElement, css, html } from 'lit';
import type { RunRecord } from '../core/types';
import { getRun, listRuns, type RunMeta } from '../store/runs';
import { formatSeconds } from './progress-view';
import './views/index';
import type { ClusterSelectEvent } from './views/index';

/** A finished run: summary figures, then the cluster list, the 2-D map and the selected cluster's members. */
export class Explorer extends LitElement {
  static override properties = {
    run: { attribute: false },
    selected: { state: true },
    tab: { state: true },
    others: { state: true },
    other: { state: true },
    compareError: { state: true },
  };
  run: RunRecord | null = null;
  selected: number | null = null;
  tab: 'map' | 'labels' | 'compare' = 'map';
  /** Saved runs to compare with, and the one picked. */
  others: RunMeta[] = [];
  other: RunRecord | null = null;
  compareError = '';
  private names: string[] = [];
  private namesFor: RunRecord | null = null;

  static override styles = css`
    :host { display: block; }
    [hidden] { display: none !important; }
    .summary { display: flex; flex-wrap: wrap; gap: 0.5rem 1.4rem; align-items: baseline; background: var(--cst-panel, #fff); border: 1px solid var(--cst-border, #e2e5ec); border-radius: 12px; padding: 0.8rem 1.1rem; margin-bottom: 1rem; }
    .summary h2 { font-size: 1.05rem; margin: 0; flex-basis: 100%; overflow-wrap: anywhere; }
    .fig { font-size: 0.85rem; color: var(--cst-muted, #5b6475); }
    .fig b { color: #1d2330; font-variant-numeric: tabular-nums; }
    .metric b { color: var(--cst-accent, #3b6cf6); }
    .tabs { display: flex; gap: 0.3rem; margin: 0 0 0.8rem; }
    .tabs button { font: inherit; border: 1px solid var(--cst-border, #e2e5ec); background: var(--cst-panel, #fff); border-radius: 8px; padding: 0.35rem 0.9rem; cursor: pointer; }
    .tabs button.on { border-color: var(--cst-accent, #3b6cf6); background: var(--cst-accent-soft, #eef3ff); font-weight: 600; }
    .pane { background: var(--cst-panel, #fff); border: 1px solid var(--cst-border, #e2e5ec); border-radius: 12px; padding: 1rem; }
    .pane select { font: inherit; margin-left: 0.5rem; max-width: 40rem; }
    .muted { color: var(--cst-muted, #5b6475); }
    cst-sweep-chart { flex-basis: 22rem; max-width: 26rem; }
    .grid { display: grid; grid-template-columns: minmax(16rem, 20rem) minmax(0, 1fr) minmax(18rem, 24rem); gap: 1rem; height: max(560px, calc(100vh - 15rem)); }
    .grid.open-none { grid-template-columns: minmax(16rem, 20rem) minmax(0, 1fr); }
    .grid > * { min-width: 0; min-height: 0; }
    cst-scatter, cst-cluster-list, cst-cluster-detail { display: block; height: 100%; }
    @media (max-width: 1100px) { .grid { grid-template-columns: 1fr; height: auto; } cst-scatter { height: 480px; } cst-cluster-list, cst-cluster-detail { height: 480px; } }
  `;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('run') && this.run !== this.namesFor) {
      this.selected = null;
      this.tab = 'map';
      this.other = null;
      this.compareError = '';
      this.namesFor = this.run;
      const names: string[] = [];
      for (const c of this.run?.clusters ?? []) names[c.id] = c.name;
      this.names = names;
    }
  }

  private onSelect(e: ClusterSelectEvent): void {
    this.selected = e.detail.cluster;
  }

  private async openCompare(): Promise<void> {
    this.tab = 'compare';
    try {
      this.others = (await listRuns()).filter((r) => r.id !== this.run?.id);
    } catch (e) {
      this.compareError = e instanceof Error ? e.message : String(e);
    }
  }

  private async pickOther(id: string): Promise<void> {
    this.compareError = '';
    try {
      this.other = id ? ((await getRun(id)) ?? null) : null;
    } catch (e) {
      this.compareError = e instanceof Error ? e.message : String(e);
    }
  }

  override render() {
    const r = this.run;
    if (!r) return html``;
    const e = r.config.embedder;
    const total = Object.values(r.timings).reduce((a, b) => a + b, 0);
    return html`
      <div class="summary">
        <h2 class="run-name">${r.name}</h2>
        <span class="fig">texts <b>${r.texts.length.toLocaleString()}</b></span>
        <span class="fig">clusters <b>${r.config.k}</b> (k-means)</span>
        <span class="fig">embedder <b>${e.id}</b> · ${e.model} · ${e.dtype} · ${e.dims}-d on <b>${r.embedStats.device}</b></span>
        <span class="fig">embedded <b>${r.embedStats.embedded.toLocaleString()}</b>, from cache <b>${r.embedStats.cached.toLocaleString()}</b></span>
        <span class="fig">map <b>${(r.config.projection ?? 'pca').toUpperCase()}</b></span>
        <span class="fig">time <b>${formatSeconds(total)}</b></span>
        ${r.metrics
          ? html`
              <span class="fig metric" data-metric="acc" data-value=${r.metrics.acc} title="Accuracy after the best one-to-one matching of clusters to labels (Hungarian)">ACC <b>${fmt(r.metrics.acc)}</b></span>
              <span class="fig metric" data-metric="nmi" data-value=${r.metrics.nmi} title="Normalised mutual information with the label column">NMI <b>${fmt(r.metrics.nmi)}</b></span>
              <span class="fig metric" data-metric="ari" data-value=${r.metrics.ari} title="Adjusted Rand index with the label column">ARI <b>${fmt(r.metrics.ari)}</b></span>
              ${r.metrics.vMeasure !== undefined
                ? html`<span class="fig metric" data-metric="v" data-value=${r.metrics.vMeasure} title="V-measure: harmonic mean of homogeneity (${fmt(r.metrics.homogeneity)}) and completeness (${fmt(r.metrics.completeness)})">V <b>${fmt(r.metrics.vMeasure)}</b></span>`
                : ''}
            `
          : ''}
        ${r.quality
          ? html`
              <span class="fig" data-metric="silhouette" data-value=${r.quality.silhouette}
                title="Mean silhouette over ${r.quality.silhouetteRows.toLocaleString()} texts${r.quality.silhouetteRows < r.texts.length ? ' (a seeded sample, each scored against all texts)' : ''}: −1 to 1, higher means tighter, better separated clusters"
                >silhouette <b>${fmt(r.quality.silhouette)}</b>${r.quality.silhouetteRows < r.texts.length ? html` <small>(sample of ${r.quality.silhouetteRows.toLocaleString()})</small>` : ''}</span>
              <span class="fig" data-metric="db" data-value=${r.quality.daviesBouldin} title="Davies–Bouldin index: lower is better">Davies–Bouldin <b>${fmt(r.quality.daviesBouldin)}</b></span>
              <span class="fig" data-metric="ch" data-value=${r.quality.calinskiHarabasz} title="Calinski–Harabasz index: higher is better">Calinski–Harabasz <b>${fmt(r.quality.calinskiHarabasz, 1)}</b></span>
            `
          : ''}
        ${r.sweep ? html`<cst-sweep-chart class="sweep" .curve=${r.sweep}></cst-sweep-chart>` : ''}
      </div>
      <div class="tabs" role="tablist">
        <button class="tab-map ${this.tab === 'map' ? 'on' : ''}" role="tab" @click=${() => (this.tab = 'map')}>Map and clusters</button>
        ${r.labels ? html`<button class="tab-labels ${this.tab === 'labels' ? 'on' : ''}" role="tab" @click=${() => (this.tab = 'labels')}>Clusters vs labels</button>` : ''}
        <button class="tab-compare ${this.tab === 'compare' ? 'on' : ''}" role="tab" @click=${() => this.openCompare()}>Compare with another run</button>
      </div>
      ${this.tab === 'labels' && r.labels
        ? html`<div class="pane" @cluster-select=${(ev: ClusterSelectEvent) => { this.onSelect(ev); this.tab = 'map'; }}>
            <cst-confusion .run=${r} .selectedCluster=${this.selected}></cst-confusion>
          </div>`
        : ''}
      ${this.tab === 'compare'
        ? html`<div class="pane">
            <label>Compare “${r.name}” with
              <select class="compare-with" @change=${(e: Event) => this.pickOther((e.target as HTMLSelectElement).value)}>
                <option value="">— pick a saved run —</option>
                ${this.others.map((o) => html`<option value=${o.id} .selected=${o.id === this.other?.id}>${o.name} (${new Date(o.createdAt).toLocaleString()})</option>`)}
              </select>
            </label>
            ${this.others.length === 0 ? html`<p class="muted">There is no other saved run yet. Run the same data again with another embedder or k to compare.</p>` : ''}
            ${this.compareError ? html`<p class="error" role="alert">${this.compareError}</p>` : ''}
            ${this.other ? html`<cst-run-compare .a=${r} .b=${this.other}></cst-run-compare>` : ''}
          </div>`
        : ''}
      <div class="grid ${this.selected === null ? 'open-none' : ''}" ?hidden=${this.tab !== 'map'} @cluster-select=${(ev: ClusterSelectEvent) => this.onSelect(ev)}>
        <cst-cluster-list .clusters=${r.clusters} .texts=${r.texts} .selectedCluster=${this.selected} .total=${r.texts.length}></cst-cluster-list>
        <cst-scatter
          .coords=${r.coords}
          .assignments=${r.assignments}
          .clusterNames=${this.names}
          .texts=${r.texts}
          .selectedCluster=${this.selected}
        ></cst-scatter>
        ${this.selected !== null
          ? html`<cst-cluster-detail
              .clusters=${r.clusters}
              .texts=${r.texts}
              .labels=${r.labels}
              .assignments=${r.assignments}
              .selectedCluster=${this.selected}
            ></cst-cluster-detail>`
          : ''}
      </div>
    `;
  }
}

/** NaN arrives as null from JSON: both show as a dash. */
function fmt(x: number | null | undefined, digits = 3): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—';
}

customElements.define('cst-explorer', Explorer);
