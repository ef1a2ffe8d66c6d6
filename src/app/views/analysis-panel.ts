import { LitElement, css, html, nothing } from 'lit';
import { analyseColumn, parseColumn, type ColumnAnalysis, type ParsedColumn } from '../../core/analyse';
import { runTree } from '../../core/assign';
import { assignmentsAtLevel, getNode, levelCut, type Hierarchy } from '../../core/hierarchy/tree';
import type { RunRecord } from '../../core/types';
import { controlStyles } from '../theme';
import { nodeTitle } from './hierarchy-display';
import './treemap-view';

type Usable = Extract<ParsedColumn, { kind: 'boolean' | 'numeric' }>;

interface ColumnInfo {
  name: string;
  parsed: ParsedColumn;
}

interface View {
  column: string;
  kind: 'boolean' | 'numeric';
  level: number;
  cut: string[];
  analysis: ColumnAnalysis;
  /** Rate or mean per node of every level, for the treemap colours. */
  values: Record<string, number>;
}

/**
 * Analyse a column of the run's data across its clusters (seed 003 milestone 3.3): pick one of the
 * boolean or numeric columns kept with the run; see per cluster (per theme of a chosen level for
 * hierarchies) the rate or mean ± sd with the tests of src/core/analyse.ts, and the treemap
 * coloured by the rate or mean with a legend. Reflects `data-column` and `data-kind`.
 */
export class AnalysisPanel extends LitElement {
  static override properties = { run: { attribute: false }, column: { state: true }, level: { state: true } };
  run: RunRecord | null = null;
  column = '';
  level = 1;
  private columns: ColumnInfo[] = [];
  private tree: Hierarchy | null = null;
  private view: View | null = null;

  static override styles = [
    controlStyles,
    css`
      :host { display: block; }
      h3 { font-size: 1rem; margin: 0 0 0.4rem; }
      .muted { color: var(--cst-muted, #5b6475); font-size: 0.88rem; }
      .row { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: center; margin: 0.4rem 0 0.7rem; }
      label { font-size: 0.85rem; color: var(--cst-muted, #5b6475); }
      select { font: inherit; margin-left: 0.3rem; }
      .layout { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr); gap: 1rem; }
      @media (max-width: 1100px) { .layout { grid-template-columns: 1fr; } }
      cst-treemap { height: 520px; }
      .summary { font-size: 0.9rem; margin: 0.2rem 0 0.6rem; }
      .summary b { font-variant-numeric: tabular-nums; }
      .warn { color: #7a5300; font-size: 0.85rem; }
      .scroll { max-height: 520px; overflow: auto; border: 1px solid var(--cst-border, #e2e5ec); border-radius: 10px; }
      table { border-collapse: collapse; width: 100%; font-size: 0.84rem; font-variant-numeric: tabular-nums; }
      th, td { padding: 0.3rem 0.4rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); text-align: right; white-space: nowrap; }
      th { color: var(--cst-muted, #5b6475); font-weight: 600; position: sticky; top: 0; background: var(--cst-panel, #fff); }
      td.name, th.name { text-align: left; white-space: normal; overflow-wrap: anywhere; min-width: 8rem; }
      tr.sig td { background: #f3f6ff; }
      .bar { display: inline-block; height: 0.55rem; background: var(--cst-accent, #3b6cf6); border-radius: 2px; vertical-align: middle; margin-right: 0.3rem; opacity: 0.75; }
    `,
  ];

  override willUpdate(changed: Map<string, unknown>): void {
    const run = this.run;
    if (changed.has('run')) {
      this.columns = Object.entries(run?.columns ?? {}).map(([name, cells]) => ({ name, parsed: parseColumn(cells) }));
      this.tree = run ? runTree(run) : null;
      const first = this.columns.find((c) => c.parsed.kind !== 'other');
      this.column = first?.name ?? '';
      this.level = this.tree ? this.tree.levels : 1;
    }
    if (changed.has('run') || changed.has('column') || changed.has('level')) this.view = this.analyse();
  }

  override updated(): void {
    this.setAttribute('data-column', this.view?.column ?? '');
    this.setAttribute('data-kind', this.view?.kind ?? '');
  }

  private analyse(): View | null {
    const tree = this.tree;
    const info = this.columns.find((c) => c.name === this.column);
    if (!tree || !info || info.parsed.kind === 'other') return null;
    const column = info.parsed as Usable;
    const values: Record<string, number> = {};
    let chosen: { cut: string[]; analysis: ColumnAnalysis } | null = null;
    for (let level = 1; level <= tree.levels; level++) {
      const cut = levelCut(tree, level);
      const analysis = analyseColumn(column, assignmentsAtLevel(tree, level), cut.length);
      analysis.groups.forEach((g, j) => {
        const v = 'rate' in g ? g.rate : g.mean;
        if (Number.isFinite(v)) values[cut[j]] = v;
      });
      if (level === this.level) chosen = { cut, analysis };
    }
    if (!chosen) return null;
    return { column: info.name, kind: column.kind, level: this.level, cut: chosen.cut, analysis: chosen.analysis, values };
  }

  private renderSummary(v: View) {
    const a = v.analysis;
    if (a.kind === 'boolean') {
      const c = a.chi2;
      return html`<div class="summary" data-chi2=${c.statistic} data-p=${c.p} data-cramers-v=${c.cramersV} data-rate=${a.rate}>
          Overall <b>${pct(a.rate)}</b> of ${a.n.toLocaleString()} texts are “yes”${a.missing ? html` (${a.missing.toLocaleString()} without a value left out)` : nothing}.
          Independence of ${v.column} and ${this.run?.hierarchy ? 'theme' : 'cluster'}: χ²(${c.df}) = <b>${fmt(c.statistic, 2)}</b>, p = <b>${pval(c.p)}</b>, Cramér’s V = <b>${fmt(c.cramersV, 3)}</b>.
        </div>
        ${c.smallExpectedShare > 0.2
          ? html`<div class="warn">${pct(c.smallExpectedShare)} of the expected counts are below 5, so the χ² p-value is only approximate; the per-row tests use Fisher’s exact test where a cell is small.</div>`
          : nothing}`;
    }
    return html`<div class="summary" data-f=${a.anova.f} data-p=${a.anova.p} data-h=${a.kruskal.h} data-mean=${a.mean}>
      Overall mean <b>${fmt(a.mean, 3)}</b> ± ${fmt(a.sd, 3)} over ${a.n.toLocaleString()} texts${a.missing ? html` (${a.missing.toLocaleString()} without a value left out)` : nothing}.
      ANOVA F(${a.anova.df1}, ${a.anova.df2}) = <b>${fmt(a.anova.f, 2)}</b>, p = <b>${pval(a.anova.p)}</b>, η² = ${fmt(a.anova.etaSquared, 3)};
      Kruskal–Wallis H(${a.kruskal.df}) = <b>${fmt(a.kruskal.h, 2)}</b>, p = <b>${pval(a.kruskal.p)}</b>.
    </div>`;
  }

  private renderTable(v: View) {
    const tree = this.tree as Hierarchy;
    const a = v.analysis;
    const rows = v.cut.map((id, j) => ({ id, j, node: getNode(tree, id), g: a.groups[j] }));
    const key = (r: (typeof rows)[number]): number => ('rate' in r.g ? r.g.rate : r.g.mean);
    rows.sort((x, y) => (Number.isFinite(key(y)) ? key(y) : -Infinity) - (Number.isFinite(key(x)) ? key(x) : -Infinity) || x.j - y.j);
    const what = this.run?.hierarchy ? 'theme' : 'cluster';
    if (a.kind === 'boolean') {
      return html`<table>
        <thead><tr><th class="name">${what}</th><th>texts</th><th>yes</th><th>rate</th><th title="This ${what} against all other texts">test</th><th>p</th><th title="Holm-adjusted over the ${what}s">p (Holm)</th></tr></thead>
        <tbody>${rows.map(({ id, node, g }) => {
          if (!('rate' in g)) return nothing;
          return html`<tr data-node-id=${id} data-rate=${g.rate} data-n=${g.n} class=${g.pAdjusted < 0.05 ? 'sig' : ''}>
            <td class="name">${nodeTitle(node)}</td><td>${g.n.toLocaleString()}</td><td>${g.positives.toLocaleString()}</td>
            <td><span class="bar" style="width:${Number.isFinite(g.rate) ? Math.round(g.rate * 40) : 0}px"></span>${pct(g.rate)}</td>
            <td>${g.test === 'fisher' ? 'Fisher' : g.test === 'chi2' ? 'χ²' : '—'}</td><td>${pval(g.p)}</td><td>${pval(g.pAdjusted)}</td>
          </tr>`;
        })}</tbody>
      </table>`;
    }
    return html`<table>
      <thead><tr><th class="name">${what}</th><th>texts</th><th>mean</th><th>sd</th><th>median</th></tr></thead>
      <tbody>${rows.map(({ id, node, g }) => {
        if (!('mean' in g)) return nothing;
        return html`<tr data-node-id=${id} data-mean=${g.mean} data-n=${g.n}>
          <td class="name">${nodeTitle(node)}</td><td>${g.n.toLocaleString()}</td><td>${fmt(g.mean, 3)}</td><td>${fmt(g.sd, 3)}</td><td>${fmt(g.median, 3)}</td>
        </tr>`;
      })}</tbody>
    </table>`;
  }

  override render() {
    const run = this.run;
    const tree = this.tree;
    if (!run || !tree) return nothing;
    const usable = this.columns.filter((c) => c.parsed.kind !== 'other');
    const v = this.view;
    if (this.columns.length === 0)
      return html`<h3>Analyse a column</h3>
        <p class="muted no-columns">This run kept no extra columns. To analyse one (a yes/no column such as “escalated”, or a number such as a rating), load the data again, tick it under “Columns to analyse” in step 1, and run again.</p>`;
    const levels = Array.from({ length: tree.levels }, (_, i) => tree.levels - i);
    return html`
      <h3>Analyse a column</h3>
      <p class="muted">How a yes/no or numeric column of your data varies across the ${run.hierarchy ? 'themes' : 'clusters'}: the rate (or mean) per ${run.hierarchy ? 'theme' : 'cluster'}, a test of whether it depends on them, and the treemap coloured by it.</p>
      <div class="row">
        <label>Column
          <select class="analysis-column" @change=${(e: Event) => (this.column = (e.target as HTMLSelectElement).value)}>
            ${this.columns.map(
              (c) => html`<option value=${c.name} ?disabled=${c.parsed.kind === 'other'} .selected=${c.name === this.column}>${c.name} (${c.parsed.kind === 'other' ? `not usable: ${c.parsed.reason}` : c.parsed.kind === 'boolean' ? 'yes/no' : 'number'})</option>`,
            )}
          </select>
        </label>
        ${run.hierarchy
          ? html`<label>Level
              <select class="analysis-level" @change=${(e: Event) => (this.level = Number((e.target as HTMLSelectElement).value))}>
                ${levels.map((l) => html`<option value=${l} .selected=${l === this.level}>${l} (${levelCut(tree, l).length} themes)</option>`)}
              </select>
            </label>`
          : nothing}
      </div>
      ${usable.length === 0 ? html`<p class="muted">None of the kept columns is yes/no or numeric.</p>` : nothing}
      ${v
        ? html`${this.renderSummary(v)}
            <div class="layout">
              <div class="scroll">${this.renderTable(v)}</div>
              <cst-treemap .hierarchy=${tree} .colorValues=${v.values} .colorLabel=${v.kind === 'boolean' ? `${v.column}: rate` : `${v.column}: mean`}></cst-treemap>
            </div>`
        : nothing}
    `;
  }
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '—';
}

function pval(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

customElements.define('cst-analysis-panel', AnalysisPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cst-analysis-panel': AnalysisPanel;
  }
}
