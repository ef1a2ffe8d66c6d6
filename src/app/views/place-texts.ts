import { LitElement, css, html, nothing } from 'lit';
import { placementModel, placeVectors, runTree, type Placement, type PlacementModel } from '../../core/assign';
import { getNode } from '../../core/hierarchy/tree';
import type { Dataset, RunRecord } from '../../core/types';
import { guessColumns, toDataset } from '../../io/columns';
import { placementsCsv } from '../../io/memberships-csv';
import { parseInput, type ParsedTable } from '../../io/parse';
import { controlStyles } from '../theme';
import { CancelledError } from '../worker-client';
import { downloadBlob, fileStem } from './export-menu';
import { nodeTitle } from './hierarchy-display';
import { truncate } from './members';
import { embedProblem, embedWithRun, hasSameOriginModel, type ModelFiles } from './run-embed';

/** Rows shown in the page; the CSV has all. */
const SHOWN = 500;

interface Result {
  dataset: Dataset;
  placed: Placement[];
  model: PlacementModel;
  refitted: boolean;
}

/**
 * Place new texts in a finished run (seed 003 phase 3): paste texts or load a file (the same
 * parsers as the data step), embed them with the run's embedder together with the run's own texts
 * (one space for both), and send each down the tree to the nearest centre at each level
 * (src/core/assign.ts). Shows a table of text, path of titles, similarity and an outlier flag, and
 * offers it as CSV. Reflects `data-placed` (texts placed) and `data-outliers`.
 */
export class PlaceTexts extends LitElement {
  static override properties = {
    run: { attribute: false },
    table: { state: true },
    textField: { state: true },
    idField: { state: true },
    busy: { state: true },
    error: { state: true },
    result: { state: true },
    files: { state: true },
  };
  run: RunRecord | null = null;
  table: ParsedTable | null = null;
  textField = '';
  idField = '';
  busy = '';
  error = '';
  result: Result | null = null;
  files: ModelFiles = 'hub';
  private sourceName = 'new texts';
  /** The texts to place, from the table and the picked columns (null until something is read). */
  private ds: Dataset | null = null;
  private dsError = '';
  private abort: AbortController | null = null;

  static override styles = [
    controlStyles,
    css`
      :host { display: block; }
      h3 { font-size: 1rem; margin: 0 0 0.4rem; }
      p { margin: 0.3rem 0 0.6rem; }
      .muted { color: var(--cst-muted, #5b6475); font-size: 0.88rem; }
      .warn { color: #7a5300; background: #fff7e0; border: 1px solid #f0dca0; border-radius: 8px; padding: 0.5rem 0.7rem; font-size: 0.88rem; }
      .error { color: #a11; background: #fdecec; border: 1px solid #f3c2c2; padding: 0.5rem 0.7rem; border-radius: 8px; white-space: pre-wrap; }
      textarea { width: 100%; min-height: 7rem; box-sizing: border-box; font: inherit; font-size: 0.9rem; }
      .row { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; margin: 0.5rem 0; }
      label { font-size: 0.85rem; color: var(--cst-muted, #5b6475); }
      select { font: inherit; margin-left: 0.3rem; }
      .primary { background: var(--cst-accent, #3b6cf6); color: #fff; border: none; font-weight: 600; }
      .primary:hover:not([disabled]) { background: #2f5ad8; }
      table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin-top: 0.6rem; }
      th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); vertical-align: top; }
      th { color: var(--cst-muted, #5b6475); font-weight: 600; position: sticky; top: 0; background: var(--cst-panel, #fff); }
      td.text { max-width: 28rem; overflow-wrap: anywhere; }
      td.path { overflow-wrap: anywhere; }
      td.sim { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
      tr.outlier td { background: #fff6f0; }
      .flag { color: #a34a00; font-weight: 600; }
      .scroll { max-height: 32rem; overflow: auto; }
    `,
  ];

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('table') || changed.has('textField') || changed.has('idField')) {
      this.ds = null;
      this.dsError = '';
      try {
        if (this.table) this.ds = toDataset(this.table, { name: this.sourceName, textFields: [this.textField], idField: this.idField || undefined });
      } catch (e) {
        this.dsError = e instanceof Error ? e.message : String(e);
      }
    }
    if (changed.has('run')) {
      this.result = null;
      this.error = '';
      const run = this.run;
      this.files = 'hub';
      if (run?.config.embedder.id === 'transformers') void hasSameOriginModel(run).then((ok) => ok && this.run === run && (this.files = 'same-origin'));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  private async read(input: Blob | string, name: string): Promise<void> {
    this.error = '';
    this.result = null;
    try {
      const table = await parseInput(input, { name });
      const guess = guessColumns(table);
      this.table = table;
      this.textField = guess.text;
      this.idField = guess.id ?? '';
      this.sourceName = name;
    } catch (e) {
      this.table = null;
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private async place(): Promise<void> {
    const run = this.run;
    const ds = this.ds;
    if (!run || !ds) return;
    if (ds.texts.length === 0) {
      this.error = `The column “${this.textField}” has no non-empty texts.`;
      return;
    }
    this.error = '';
    this.abort = new AbortController();
    const refit = run.config.embedder.id === 'tfidf-lsa';
    try {
      this.busy = 'Embedding…';
      const { corpus, extra } = await embedWithRun(
        run,
        ds.texts,
        (p) => (this.busy = p.stage === 'embed' && p.total ? `Embedding… ${Math.round((100 * p.done) / p.total)} %` : `${p.message ?? p.stage}…`),
        this.abort.signal,
        this.files,
      );
      this.busy = 'Placing…';
      const model = placementModel(runTree(run), corpus);
      this.result = { dataset: ds, placed: placeVectors(model, extra), model, refitted: refit };
    } catch (e) {
      this.error = e instanceof CancelledError ? 'Cancelled.' : e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = '';
      this.abort = null;
    }
  }

  private downloadCsv(): void {
    const run = this.run;
    const r = this.result;
    if (!run || !r) return;
    const csv = placementsCsv(r.model.tree, !run.hierarchy, r.dataset.texts, r.placed, r.dataset.ids);
    downloadBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), `${fileStem(run.name)}.placed.csv`, this.renderRoot);
  }

  private renderResult(run: RunRecord, r: Result) {
    const tree = r.model.tree;
    const outliers = r.placed.filter((p) => p.outlier).length;
    const q = Math.round(r.model.quantile * 100);
    return html`
      <div class="result" data-placed=${r.placed.length} data-outliers=${outliers} data-threshold=${r.model.threshold}>
        <div class="row">
          <b>${r.placed.length.toLocaleString()} texts placed</b>
          <span class="muted">${outliers.toLocaleString()} outliers: similarity below ${fmt(r.model.threshold)}, the ${q}th percentile of this run’s own ${r.model.members.toLocaleString()} texts’ similarity to their ${run.hierarchy ? 'finest theme' : 'cluster'}${r.refitted ? ' (in the refitted TF-IDF/LSA space)' : ''}.</span>
          <button class="download-placed" @click=${() => this.downloadCsv()}>Download as CSV</button>
        </div>
        <div class="scroll">
          <table>
            <thead><tr><th>#</th><th>text</th><th>${run.hierarchy ? 'path (top theme first)' : 'cluster'}</th><th>similarity</th><th>outlier</th></tr></thead>
            <tbody>
              ${r.placed.slice(0, SHOWN).map((p, i) => {
                const path = p.path.map((s) => nodeTitle(getNode(tree, s.nodeId)));
                return html`<tr class="placed ${p.outlier ? 'outlier' : ''}" data-path=${p.path.map((s) => s.nodeId).join('/')} data-similarity=${p.similarity}>
                  <td>${i + 1}</td>
                  <td class="text" title=${r.dataset.texts[i]}>${truncate(r.dataset.texts[i], 240)}</td>
                  <td class="path">${path.length ? path.join(' › ') : html`<span class="muted">no known words: not placed</span>`}</td>
                  <td class="sim">${fmt(p.similarity)}</td>
                  <td>${p.outlier ? html`<span class="flag">outlier</span>` : ''}</td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
        ${r.placed.length > SHOWN ? html`<p class="muted">The first ${SHOWN} of ${r.placed.length.toLocaleString()} are shown; the CSV has all.</p>` : nothing}
      </div>
    `;
  }

  override render() {
    const run = this.run;
    if (!run) return nothing;
    const e = run.config.embedder;
    const problem = embedProblem(run);
    const lsa = e.id === 'tfidf-lsa';
    const ds = this.ds;
    const cols = this.table?.columns ?? [];
    return html`
      <h3>Place new texts in this run</h3>
      <p class="muted">
        Each new text is embedded with this run’s embedder (${e.id} · ${e.model}) and sent down the ${run.hierarchy ? 'tree: at each level to the theme' : 'clusters: to the cluster'} whose centre is nearest
        (cosine). A text less similar to where it lands than 95 % of the run’s own texts are to theirs is marked as an outlier. The run itself does not change.
      </p>
      ${lsa
        ? html`<p class="warn lsa-note">
            TF-IDF/LSA vectors are fitted to the texts they were made from, so a new text has no place in this run’s space as it is. Placing refits TF-IDF/LSA on the run’s
            ${run.texts.length.toLocaleString()} texts plus the new ones and recomputes every centre in that refitted space from the run’s own members; the run’s clusters stay as they were.
          </p>`
        : nothing}
      ${problem ? html`<p class="error">${problem}</p>` : nothing}
      <textarea class="new-texts" placeholder="One text per line (or paste CSV / JSONL)"></textarea>
      <div class="row">
        <button class="use-pasted" @click=${() => this.read(this.renderRoot.querySelector('textarea')?.value ?? '', 'pasted.txt')}>Use the pasted texts</button>
        <label>or a file <input type="file" class="new-file" accept=".csv,.tsv,.jsonl,.ndjson,.json,.txt,text/*" @change=${(ev: Event) => {
          const f = (ev.target as HTMLInputElement).files?.[0];
          if (f) void this.read(f, f.name);
        }} /></label>
      </div>
      ${this.table && cols.length > 1
        ? html`<div class="row">
            <label>Text column <select class="new-text-field" @change=${(ev: Event) => (this.textField = (ev.target as HTMLSelectElement).value)}>
              ${cols.map((c) => html`<option value=${c} .selected=${c === this.textField}>${c}</option>`)}
            </select></label>
            <label>ID column <select class="new-id-field" @change=${(ev: Event) => (this.idField = (ev.target as HTMLSelectElement).value)}>
              <option value="" .selected=${!this.idField}>— none —</option>
              ${cols.map((c) => html`<option value=${c} .selected=${c === this.idField}>${c}</option>`)}
            </select></label>
          </div>`
        : nothing}
      ${e.id === 'transformers'
        ? html`<div class="row"><label>Model files from <select class="model-files" @change=${(ev: Event) => (this.files = (ev.target as HTMLSelectElement).value as ModelFiles)}>
            <option value="same-origin" .selected=${this.files === 'same-origin'}>this site’s models/ folder</option>
            <option value="hub" .selected=${this.files === 'hub'}>Hugging Face (cached by the browser)</option>
          </select></label></div>`
        : nothing}
      <div class="row">
        <button class="primary place" ?disabled=${!ds || ds.texts.length === 0 || !!problem || !!this.busy} @click=${() => this.place()}>
          ${lsa ? 'Refit and place' : 'Place'} ${ds ? `${ds.texts.length.toLocaleString()} texts` : 'texts'}
        </button>
        ${this.busy ? html`<span class="muted busy" role="status">${this.busy}</span> <button class="cancel" @click=${() => this.abort?.abort()}>Cancel</button>` : nothing}
        ${ds && !this.busy ? html`<span class="muted">${ds.stats.empty ? `${ds.stats.empty.toLocaleString()} empty rows left out.` : ''}</span>` : nothing}
      </div>
      ${this.error || this.dsError ? html`<div class="error" role="alert">${this.error || this.dsError}</div>` : nothing}
      ${this.result ? this.renderResult(run, this.result) : nothing}
    `;
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : '—';
}

customElements.define('cst-place-texts', PlaceTexts);

declare global {
  interface HTMLElementTagNameMap {
    'cst-place-texts': PlaceTexts;
  }
}
