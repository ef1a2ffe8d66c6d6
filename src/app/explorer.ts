import { LitElement, css, html } from 'lit';
import { ancestors, assignmentsAtLevel, descendants, getNode, levelCounts, levelCut, type Hierarchy } from '../core/hierarchy/tree';
import type { RunRecord } from '../core/types';
import { getRun, listRuns, type RunMeta } from '../store/runs';
import { formatSeconds } from './progress-view';
import './views/index';
import type { ClusterSelectEvent } from './views/index';
import type { NodeSelectEvent } from './views/events';
import './views/node-detail';
import { nodeTitle } from './views/hierarchy-display';
// Issue 6: the Export menu, placing new texts, analysing a column.
import './views/export-menu';
import './views/place-texts';
import './views/analysis-panel';

/** A finished run: summary figures, then the cluster list, the 2-D map and the selected cluster's members. */
export class Explorer extends LitElement {
  static override properties = {
    run: { attribute: false },
    selected: { state: true },
    tab: { state: true },
    others: { state: true },
    other: { state: true },
    compareError: { state: true },
    selectedNode: { state: true },
    mapLevel: { state: true },
  };
  run: RunRecord | null = null;
  selected: number | null = null;
  tab: 'themes' | 'map' | 'labels' | 'compare' | 'place' | 'analyse' = 'map';
  /** Hierarchy runs: the node shown in the pane (any level), and the level the map is coloured by. */
  selectedNode: string | null = null;
  mapLevel = 1;
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
    .tabs cst-export-menu { margin-left: auto; }
    .pane { background: var(--cst-panel, #fff); border: 1px solid var(--cst-border, #e2e5ec); border-radius: 12px; padding: 1rem; }
    .pane select { font: inherit; margin-left: 0.5rem; max-width: 40rem; }
    .muted { color: var(--cst-muted, #5b6475); }
    .levels-table { border-collapse: collapse; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
    .levels-table th, .levels-table td { padding: 0.15rem 0.6rem; text-align: right; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
    .levels-table th { color: var(--cst-muted, #5b6475); font-weight: 600; }
    cst-sweep-chart { flex-basis: 22rem; max-width: 26rem; }
    .grid { display: grid; grid-template-columns: minmax(16rem, 20rem) minmax(0, 1fr) minmax(18rem, 24rem); gap: 1rem; height: max(560px, calc(100vh - 15rem)); }
    .grid.open-none { grid-template-columns: minmax(16rem, 20rem) minmax(0, 1fr); }
    .grid > * { min-width: 0; min-height: 0; }
    /* Heights only: each view sets its own display (the lists are flex columns that scroll inside). */
    cst-scatter, cst-cluster-list, cst-cluster-detail, cst-hierarchy-list, cst-treemap, cst-node-detail { height: 100%; min-height: 0; }
    .map-col { display: flex; flex-direction: column; gap: 0.4rem; min-height: 0; }
    .map-col cst-scatter { flex: 1; height: auto; }
    .level-pick { font-size: 0.85rem; color: var(--cst-muted, #5b6475); }
    .level-pick select { font: inherit; margin-left: 0.4rem; }
    @media (max-width: 1100px) { .grid { grid-template-columns: 1fr; height: auto; } cst-scatter { height: 480px; } cst-cluster-list, cst-cluster-detail { height: 480px; } }
  `;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('run') && this.run !== this.namesFor) {
      this.selected = null;
      this.selectedNode = null;
      this.mapLevel = 1;
      this.tab = this.run?.hierarchy ? 'themes' : 'map';
      this.other = null;
      this.compareError = '';
      this.namesFor = this.run;
      const names: string[] = [];
      for (const c of this.run?.clusters ?? []) names[c.id] = c.name;
      this.names = names;
    }
    const h = this.run?.hierarchy;
    if (h && (changed.has('run') || changed.has('mapLevel'))) this.levelView = levelView(h, this.mapLevel);
  }

  /** The map of a hierarchy run at `mapLevel`: the cut, its names and each text's cluster. */
  private levelView: LevelView | null = null;

  private onNodeSelect(e: NodeSelectEvent): void {
    this.selectedNode = e.detail.nodeId;
  }

  /** A click on the map of a hierarchy run selects the clicked cluster of the shown level. */
  private onMapSelect(e: ClusterSelectEvent): void {
    e.stopPropagation();
    const cut = this.levelView?.cut;
    this.selectedNode = cut && e.detail.cluster !== null ? (cut[e.detail.cluster] ?? null) : null;
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

  /** Quality per level of a hierarchy, top level first. */
  private renderLevels(r: RunRecord) {
    const rows = [...(r.levels ?? [])].reverse();
    const has = (k: keyof NonNullable<RunRecord['levels']>[number]) => rows.some((x) => x[k] !== undefined);
    const cols: { key: keyof NonNullable<RunRecord['levels']>[number]; label: string; title: string }[] = [
      { key: 'silhouette', label: 'silhouette', title: 'Silhouette of the texts grouped at this level' },
      ...(has('acc') ? ([{ key: 'acc', label: 'ACC', title: 'Accuracy after Hungarian matching to the labels' }, { key: 'nmi', label: 'NMI', title: 'Normalised mutual information' }, { key: 'ari', label: 'ARI', title: 'Adjusted Rand index' }, { key: 'vMeasure', label: 'V', title: 'V-measure' }] as const) : []),
      ...(has('llmSilhouette') ? ([{ key: 'llmSilhouette', label: 'LLM silhouette', title: 'Silhouette of the embedded descriptions of the level below, grouped by this level: how distinct the summaries are' }] as const) : []),
      ...(has('topicAlignment') ? ([{ key: 'topicAlignment', label: 'topic alignment', title: 'Mean cosine of the topic seed to the descriptions of this level' }] as const) : []),
    ];
    return html`<table class="levels-table">
      <thead><tr><th>level</th><th>themes</th>${cols.map((c) => html`<th title=${c.title}>${c.label}</th>`)}</tr></thead>
      <tbody>${rows.map(
        (x) => html`<tr data-level=${x.level}><td>${x.level}</td><td>${x.clusters}</td>${cols.map((c) => html`<td data-metric=${c.key} data-value=${String(x[c.key] ?? '')}>${fmt(x[c.key] as number | undefined)}</td>`)}</tr>`,
      )}</tbody>
    </table>`;
  }

  private renderFlat(r: RunRecord) {
    return html`
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
            .promptLog=${r.promptLog}
            .describe=${labelsOf(r)}
          ></cst-cluster-detail>`
        : ''}
    </div>
    `;
  }

  private renderHierarchy(r: RunRecord, h: Hierarchy) {
    const view = this.levelView;
    const sel = this.selectedNode !== null && this.selectedNode in h.nodes ? this.selectedNode : null;
    const lit = sel !== null && view ? litClusters(h, view, sel) : [];
    const counts = levelCounts(h);
    return html`
      <div class="grid hier ${sel === null ? 'open-none' : ''}" ?hidden=${this.tab !== 'themes' && this.tab !== 'map'}
        @node-select=${(ev: NodeSelectEvent) => this.onNodeSelect(ev)}>
        <cst-hierarchy-list .hierarchy=${h} .selectedNodeId=${sel}></cst-hierarchy-list>
        ${this.tab === 'map' && view
          ? html`<div class="map-col">
              <label class="level-pick">Colour by level
                <select class="map-level" @change=${(e: Event) => (this.mapLevel = Number((e.target as HTMLSelectElement).value))}>
                  ${counts.map((n, i) => html`<option value=${i + 1} .selected=${i + 1 === this.mapLevel}>${i + 1} (${n} themes)</option>`)}
                </select>
              </label>
              <cst-scatter
                .coords=${r.coords}
                .assignments=${view.assignments}
                .clusterNames=${view.names}
                .texts=${r.texts}
                .selectedCluster=${lit.length === 1 ? lit[0] : null}
                .highlighted=${lit}
                @cluster-select=${(ev: ClusterSelectEvent) => this.onMapSelect(ev)}
              ></cst-scatter>
            </div>`
          : html`<cst-treemap .hierarchy=${h} .selectedNodeId=${sel}></cst-treemap>`}
        ${sel !== null
          ? html`<cst-node-detail .hierarchy=${h} .texts=${r.texts} .labels=${r.labels} .nodeId=${sel}></cst-node-detail>`
          : ''}
      </div>
    `;
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
        ${r.hierarchy
          ? html`<span class="fig levels">levels <b>${[...levelCounts(r.hierarchy)].reverse().join(' › ')}</b> themes (${r.hierarchy.method === 'hercules' ? `HERCULES, ${r.config.mode ?? 'direct'}` : 'recursive'})</span>`
          : html`<span class="fig">clusters <b>${r.config.k}</b>${r.llmMethod ? '' : ' (k-means)'}</span>`}
        ${r.llmMethod ? html`<span class="fig formed" data-calls=${r.llmMethod.llmCalls} data-fallbacks=${r.llmMethod.fallbacks}
              title=${r.llmMethod.notes.join('\n')}>formed by <b>${r.llmMethod.kind === 'clusterfusion' ? 'ClusterFusion' : 'shared pseudo-labels'}</b>:
              <b>${r.llmMethod.llmCalls.toLocaleString()}</b> LLM calls, ${(r.llmMethod.tokens.prompt + r.llmMethod.tokens.answer).toLocaleString()} tokens,
              <b>${r.llmMethod.fallbacks.toLocaleString()}</b> texts placed by embedding${r.llmMethod.rounds !== undefined ? `, ${r.llmMethod.rounds} rounds${r.llmMethod.converged ? ' (converged)' : ''}` : ''}</span>`
          : ''}
        <span class="fig names">names <b>${r.config.llm ? r.config.llm.model : 'keywords'}</b></span>
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
        ${r.levels?.length ? this.renderLevels(r) : ''}
        ${r.sweep ? html`<cst-sweep-chart class="sweep" .curve=${r.sweep}></cst-sweep-chart>` : ''}
      </div>
      <div class="tabs" role="tablist">
        ${r.hierarchy ? html`<button class="tab-themes ${this.tab === 'themes' ? 'on' : ''}" role="tab" @click=${() => (this.tab = 'themes')}>Themes</button>` : ''}
        <button class="tab-map ${this.tab === 'map' ? 'on' : ''}" role="tab" @click=${() => (this.tab = 'map')}>${r.hierarchy ? 'Map' : 'Map and clusters'}</button>
        ${r.labels ? html`<button class="tab-labels ${this.tab === 'labels' ? 'on' : ''}" role="tab" @click=${() => (this.tab = 'labels')}>Clusters vs labels</button>` : ''}
        <button class="tab-compare ${this.tab === 'compare' ? 'on' : ''}" role="tab" @click=${() => this.openCompare()}>Compare with another run</button>
        <button class="tab-place ${this.tab === 'place' ? 'on' : ''}" role="tab" @click=${() => (this.tab = 'place')}>Place new texts</button>
        <button class="tab-analyse ${this.tab === 'analyse' ? 'on' : ''}" role="tab" @click=${() => (this.tab = 'analyse')}>Analyse a column</button>
        <cst-export-menu .run=${r}></cst-export-menu>
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
      <div class="pane" ?hidden=${this.tab !== 'place'}><cst-place-texts .run=${r}></cst-place-texts></div>
      ${this.tab === 'analyse' ? html`<div class="pane"><cst-analysis-panel .run=${r}></cst-analysis-panel></div>` : ''}
      ${r.hierarchy ? this.renderHierarchy(r, r.hierarchy) : this.renderFlat(r)}
    `;
  }
}

/** Pseudo-label runs: the labels of an opened member. */
function labelsOf(r: RunRecord): ((i: number) => string[]) | null {
  const labels = r.llmMethod?.labels;
  return labels ? (i) => [`Pseudo-labels: ${(labels[i] ?? []).join(' · ') || '—'}`] : null;
}

interface LevelView {
  level: number;
  cut: string[];
  assignments: Int32Array;
  names: string[];
}

function levelView(h: Hierarchy, level: number): LevelView {
  const cut = levelCut(h, level);
  return { level, cut, assignments: assignmentsAtLevel(h, level), names: cut.map((id) => nodeTitle(getNode(h, id))) };
}

/**
 * The clusters of the map's level to draw at full strength for a selected node: every one under it
 * when it sits above the level, else the one holding it.
 */
function litClusters(h: Hierarchy, view: LevelView, id: string): number[] {
  const index = new Map(view.cut.map((c, i) => [c, i]));
  const own = index.get(id);
  if (own !== undefined) return [own];
  const below = descendants(h, id).flatMap((d) => (index.has(d) ? [index.get(d) as number] : []));
  if (below.length > 0) return below;
  // Below the level: the cut holds one of its ancestors.
  for (const a of ancestors(h, id)) if (index.has(a)) return [index.get(a) as number];
  return [];
}

/** NaN arrives as null from JSON: both show as a dash. */
function fmt(x: number | null | undefined, digits = 3): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—';
}

customElements.define('cst-explorer', Explorer);
