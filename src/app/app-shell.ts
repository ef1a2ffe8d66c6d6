import { LitElement, css, html } from 'lit';
import type { Dataset, Progress, RunRecord } from '../core/types';
import { deleteRun, getRun, listRuns, renameRun, saveRun, type RunMeta } from '../store/runs';
import './data-source';
import type { DataSource, DatasetChange } from './data-source';
import './explorer';
import './progress-view';
import type { ProgressView } from './progress-view';
import { executeRun, type RunRequest } from './run-controller';
import { clearPendingRun, getPendingRun, type PendingRun } from '../store/pending-run';
import type { LlmMethodCheckpoint } from '../core/methods/run-method';
import { estimateClusterFusionCost, type ClusterFusionSettings } from '../core/methods/clusterfusion';
import { estimatePseudoLabelCost, type PseudoLabelSettings } from '../core/methods/pseudolabels';
import { meanTextTokens } from '../core/methods/common';
import './run-settings';
import { defaultLevels, LLM_METHODS, type RunSettings } from './run-settings';
import './llm-settings';
import './offline-status';
import type { LlmSettings } from './llm-settings';
import './runs-list';
import { CancelledError } from './worker-client';

type Mode = 'setup' | 'running' | 'explore';

/** The page: runs on the left; setup → progress → explorer on the right. */
export class AppShell extends LitElement {
  static override properties = {
    mode: { state: true },
    runs: { state: true },
    run: { state: true },
    progress: { state: true },
    error: { state: true },
    notice: { state: true },
    change: { state: true },
    settingsTick: { state: true },
    pending: { state: true },
    warnings: { state: true },
    unsaved: { state: true },
  };

  mode: Mode = 'setup';
  runs: RunMeta[] = [];
  run: RunRecord | null = null;
  progress: Progress | null = null;
  error = '';
  notice = '';
  change: DatasetChange | null = null;
  settingsTick = 0;
  /** What the last run could not do well (texts without vectors, truncated texts, not saved…). */
  warnings: string[] = [];
  /** The shown run could not be stored (e.g. a full quota). */
  unsaved = false;
  /** An LLM-formed run a reload or crash interrupted, kept in IndexedDB. */
  pending: PendingRun<RunRequest, LlmMethodCheckpoint> | null = null;
  private abort: AbortController | null = null;

  static override styles = css`
    :host { display: grid; grid-template-columns: 17rem 1fr; grid-template-rows: auto 1fr; min-height: 100vh; font-family: var(--cst-font, system-ui, sans-serif); color: #1d2330; background: var(--cst-bg, #f6f7fb); }
    header { grid-column: 1 / -1; display: flex; align-items: center; gap: 1rem; padding: 0.7rem 1.2rem; background: #fff; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
    header h1 { font-size: 1.2rem; margin: 0; letter-spacing: 0.01em; }
    header .tag { color: var(--cst-muted, #5b6475); font-size: 0.9rem; flex: 1; }
    aside { padding: 1rem; border-right: 1px solid var(--cst-border, #e2e5ec); background: #fff; overflow: auto; }
    main { padding: 1rem 1.2rem; min-width: 0; }
    section { background: #fff; border: 1px solid var(--cst-border, #e2e5ec); border-radius: 12px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
    section h2 { font-size: 1rem; margin: 0 0 0.75rem; }
    .go { display: flex; align-items: center; gap: 1rem; }
    .primary { background: var(--cst-accent, #3b6cf6); color: #fff; border: none; border-radius: 8px; padding: 0.6rem 1.2rem; font: inherit; font-weight: 600; cursor: pointer; }
    .primary[disabled] { opacity: 0.5; cursor: default; }
    .error { color: #a11; background: #fdecec; border: 1px solid #f3c2c2; padding: 0.6rem 0.8rem; border-radius: 8px; margin-bottom: 1rem; white-space: pre-wrap; }
    .notice { color: #234; background: #eef6ee; border: 1px solid #cfe6cf; padding: 0.5rem 0.8rem; border-radius: 8px; margin-bottom: 1rem; }
    .warnbox { color: #6b4500; background: #fff6e5; border: 1px solid #f0d9a8; padding: 0.5rem 0.8rem; border-radius: 8px; margin-bottom: 1rem; }
    .warnbox div + div { margin-top: 0.3rem; }
    .why { color: var(--cst-muted, #5b6475); font-size: 0.9rem; }
    .cost { color: #1d2330; font-size: 0.9rem; }
    button.link { background: none; border: 1px solid var(--cst-border, #ccd); border-radius: 8px; padding: 0.4rem 0.8rem; font: inherit; cursor: pointer; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refreshRuns();
    void this.refreshPending();
  }

  private async refreshRuns(): Promise<void> {
    try {
      this.runs = await listRuns();
    } catch (e) {
      this.error = `Saved runs could not be read: ${message(e)}`;
    }
  }

  private get settings(): RunSettings | null {
    return this.renderRoot.querySelector('cst-run-settings');
  }

  private get llmSettings(): LlmSettings | null {
    return this.renderRoot.querySelector('cst-llm-settings');
  }

  private onDataset(e: CustomEvent<DatasetChange>): void {
    this.change = e.detail;
    const s = this.settings;
    if (s) {
      const ds: Dataset = e.detail.dataset;
      s.n = ds.texts.length;
      // A sensible k: the number of labels when there are labels, else about √(n/2).
      const labels = ds.labels ? new Set(ds.labels.filter((l) => l !== '')).size : 0;
      const guess = labels > 1 ? labels : Math.round(Math.sqrt(ds.texts.length / 2));
      s.k = Math.max(1, Math.min(ds.texts.length, guess || 1));
      // UMAP is the clearer map, but on large data it would dominate the run time.
      s.projection = ds.texts.length <= 20000 ? 'umap' : 'pca';
      s.levels = defaultLevels(ds.texts.length).join(', ');
    }
  }

  /** Why the run cannot start, or '': the settings' own problems, then what they need of each other. */
  private problem(): string {
    const s = this.settings;
    const llm = this.llmSettings;
    const own = s?.problem() || llm?.problem() || '';
    if (own) return own;
    if (s && LLM_METHODS.includes(s.method) && (!llm || llm.kind === 'none')) return 'This method has the LLM form the clusters: choose an LLM in step 3.';
    return '';
  }

  private async start(): Promise<void> {
    const s = this.settings;
    const change = this.change;
    if (!s || !change) return;
    const problem = this.problem();
    if (problem) {
      this.error = problem;
      return;
    }
    await this.execute({
      dataset: change.dataset,
      spec: s.spec(),
      k: s.kChoice(),
      hierarchy: s.hierarchySettings(),
      llmMethod: s.llmMethodSettings(),
      llm: this.llmSettings?.spec(),
      seed: 42,
      projection: s.projection,
      textField: change.textField,
      labelField: change.labelField,
      idField: change.idField,
    });
  }

  /** Continues the LLM-formed run a reload interrupted, from its last checkpoint. */
  private async resumePending(): Promise<void> {
    const p = this.pending;
    if (!p?.request) return;
    // The API key was never kept: the one typed in step 3 serves when it is for the same server.
    const here = this.llmSettings?.spec();
    const llm = p.request.llm?.kind === 'openai' && here?.kind === 'openai' && here.baseUrl === p.request.llm.baseUrl ? { ...p.request.llm, apiKey: here.apiKey } : p.request.llm;
    await this.execute({ ...p.request, llm, resume: { id: p.id, checkpoint: p.checkpoint } });
  }

  private async discardPending(): Promise<void> {
    this.pending = null;
    await clearPendingRun().catch(() => undefined);
  }

  private async execute(req: RunRequest): Promise<void> {
    this.error = '';
    this.notice = '';
    this.warnings = [];
    this.unsaved = false;
    this.abort = new AbortController();
    this.mode = 'running';
    this.progress = { stage: 'embed', done: 0, total: req.dataset.texts.length };
    await this.updateComplete;
    this.renderRoot.querySelector<ProgressView>('cst-progress')?.reset();
    try {
      const { run, warnings, saved } = await executeRun(req, (p) => (this.progress = p), this.abort.signal);
      this.warnings = warnings;
      this.unsaved = !saved;
      this.pending = null;
      this.run = run;
      this.mode = 'explore';
      this.notice = `Embedded ${run.embedStats.embedded.toLocaleString()} texts, ${run.embedStats.cached.toLocaleString()} taken from the cache, on ${run.embedStats.device}.${namingNote(run)}`;
      await this.refreshRuns();
    } catch (e) {
      this.mode = 'setup';
      const kept = req.llmMethod ? ' The LLM work done so far is kept: you can resume it.' : '';
      this.error = e instanceof CancelledError ? `Cancelled. Nothing was saved; your data is still loaded.${kept}` : `${message(e)}${kept}`;
      // Only an LLM-formed run has something worth resuming; for the others the message says it all.
      if (req.llmMethod) await this.refreshPending();
      else await clearPendingRun().catch(() => undefined);
    } finally {
      this.abort = null;
    }
  }

  private async refreshPending(): Promise<void> {
    try {
      this.pending = (await getPendingRun<RunRequest, LlmMethodCheckpoint>()) ?? null;
    } catch {
      this.pending = null;
    }
  }

  private async open(id: string): Promise<void> {
    try {
      const run = await getRun(id);
      if (!run) throw new Error('That run is no longer stored in this browser.');
      this.run = run;
      this.mode = 'explore';
      this.error = '';
      this.notice = '';
      this.warnings = [];
      this.unsaved = false;
    } catch (e) {
      this.error = message(e);
    }
  }

  /**
   * Saves an imported run and opens it (issue 6). A run whose id is already saved here is kept as a
   * copy under a new id, so importing never overwrites a run (or its renaming).
   */
  private async importRun(imported: RunRecord): Promise<void> {
    try {
      const clash = (await getRun(imported.id)) !== undefined;
      const run = clash ? { ...imported, id: `${imported.id}-import-${Date.now().toString(36)}`, name: `${imported.name} (imported)` } : imported;
      await saveRun(run);
      await this.refreshRuns();
      this.run = run;
      this.mode = 'explore';
      this.error = '';
      this.notice = `Imported “${run.name}”${clash ? ' as a copy (a run with its id is already saved here)' : ''}: ${run.texts.length.toLocaleString()} texts.`;
    } catch (e) {
      this.error = `The run could not be imported: ${message(e)}`;
    }
  }

  private async rename(id: string, name: string): Promise<void> {
    try {
      await renameRun(id, name);
      if (this.run?.id === id) this.run = { ...this.run, name };
      await this.refreshRuns();
    } catch (e) {
      this.error = message(e);
    }
  }

  private async removeRun(id: string): Promise<void> {
    try {
      await deleteRun(id);
      if (this.run?.id === id) {
        this.run = null;
        this.mode = 'setup';
      }
      await this.refreshRuns();
    } catch (e) {
      this.error = message(e);
    }
  }

  override render() {
    const problem = this.problem();
    void this.settingsTick;
    return html`
      <header>
        <h1>✶ Constellate</h1>
        <span class="tag">A map of the themes in your texts, made in this browser. Nothing is uploaded.</span>
        <cst-offline-status></cst-offline-status>
        ${this.mode === 'explore' ? html`<button class="link new-run" @click=${() => { this.mode = 'setup'; this.notice = ''; }}>New run</button>` : ''}
      </header>
      <aside>
        <cst-runs-list
          .runs=${this.runs}
          .activeId=${this.mode === 'explore' ? this.run?.id ?? '' : ''}
          @run-open=${(e: CustomEvent<{ id: string }>) => this.open(e.detail.id)}
          @run-rename=${(e: CustomEvent<{ id: string; name: string }>) => this.rename(e.detail.id, e.detail.name)}
          @run-delete=${(e: CustomEvent<{ id: string }>) => this.removeRun(e.detail.id)}
          @run-import=${(e: CustomEvent<{ run: RunRecord }>) => this.importRun(e.detail.run)}
        ></cst-runs-list>
      </aside>
      <main>
        ${this.error ? html`<div class="error app-error" role="alert">${this.error}</div>` : ''}
        ${this.pending && this.mode !== 'running' ? this.renderPending(this.pending) : ''}
        ${this.warnings.length && this.mode === 'explore'
          ? html`<div class="warnbox run-warnings" role="status" data-unsaved=${this.unsaved ? 'true' : 'false'}>${this.warnings.map((w) => html`<div>${w}</div>`)}</div>`
          : ''}
        ${this.notice
          ? html`<div class="notice" data-embedded=${this.run?.embedStats.embedded ?? ''} data-cached=${this.run?.embedStats.cached ?? ''}>${this.notice}</div>`
          : ''}
        <div ?hidden=${this.mode !== 'setup'}>
          <section>
            <h2>1 · Your texts</h2>
            <cst-data-source @dataset-change=${(e: CustomEvent<DatasetChange>) => this.onDataset(e)}></cst-data-source>
          </section>
          <section>
            <h2>2 · Embedding and clusters</h2>
            <cst-run-settings @settings-change=${() => this.settingsTick++}></cst-run-settings>
          </section>
          <section>
            <h2>3 · Names for the clusters</h2>
            <cst-llm-settings @settings-change=${() => this.settingsTick++}></cst-llm-settings>
          </section>
          <section class="go">
            <button class="primary start" ?disabled=${!this.change || this.change.dataset.texts.length === 0 || !!problem} @click=${() => this.start()}>Cluster</button>
            <span class="why">${!this.change ? 'Load texts first: try the sample, pick a file, or paste.' : problem}</span>
            ${!problem && this.change ? this.renderCost(this.change.dataset) : ''}
          </section>
        </div>
        ${this.mode === 'running'
          ? html`<cst-progress .progress=${this.progress} @cancel=${() => this.abort?.abort()}></cst-progress>`
          : ''}
        ${this.mode === 'explore' && this.run ? html`<cst-explorer .run=${this.run}></cst-explorer>` : ''}
      </main>
    `;
  }

  /** A run that a reload or crash interrupted: resume it (LLM-formed runs) or say what was kept. */
  private renderPending(p: PendingRun<RunRequest, LlmMethodCheckpoint>) {
    const what = p.summary.method === 'pseudolabels' ? 'pseudo-label' : p.summary.method === 'clusterfusion' ? 'ClusterFusion' : p.summary.method === 'kmeans' ? 'clustering' : p.summary.method === 'hercules' ? 'HERCULES' : 'recursive';
    const head = html`A ${what} run of <b>${p.summary.dataset}</b> (${p.summary.texts.toLocaleString()} texts, started ${new Date(p.startedAt).toLocaleString()}) was interrupted${p.where ? ` at ${p.where}` : ''}.`;
    return p.request
      ? html`<div class="notice pending" role="status" data-resumable="true">${head} Its LLM work so far is kept.
          <button class="link resume" @click=${() => this.resumePending()}>Resume</button>
          <button class="link discard" @click=${() => this.discardPending()}>Discard</button></div>`
      : html`<div class="notice pending" role="status" data-resumable="false">${head} Nothing of it was saved, but the vectors it computed are cached: load the data and run it again to finish quickly.
          <button class="link discard" @click=${() => this.discardPending()}>Dismiss</button></div>`;
  }

  /** What an LLM-formed run will cost, before it starts: LLM calls and tokens. */
  private renderCost(ds: Dataset) {
    const method = this.settings?.llmMethodSettings();
    const context = this.llmSettings?.contextHint() ?? 8192;
    if (!method) return '';
    const { kind, ...settings } = method;
    const input = { n: ds.texts.length, meanTextTokens: meanTextTokens(ds.texts), contextTokens: context };
    const c =
      kind === 'clusterfusion'
        ? estimateClusterFusionCost({ ...input, settings: settings as ClusterFusionSettings })
        : estimatePseudoLabelCost({ ...input, settings: settings as PseudoLabelSettings });
    return html`<span class="cost" data-calls=${c.calls} data-tokens=${c.totalTokens}>
      ${c.exact ? 'About' : 'At most'} <b>${c.calls.toLocaleString()}</b> LLM calls and ${formatTokens(c.totalTokens)} tokens
      (planned for a ${Math.round(context / 1024)}k-token context).</span>`;
  }

  /** The one-click start used by the page's `?sample` flag and tests. */
  async loadSample(): Promise<void> {
    await this.updateComplete;
    await this.renderRoot.querySelector<DataSource>('cst-data-source')?.loadSample();
  }
}

function formatTokens(t: number): string {
  return t >= 1e6 ? `${(t / 1e6).toFixed(1)} million` : t >= 1e4 ? `${Math.round(t / 1000)}k` : t.toLocaleString();
}

/** How many clusters the LLM named, and how many fell back to keywords. */
function namingNote(run: RunRecord): string {
  if (!run.config.llm) return '';
  const nodes = run.hierarchy ? Object.values(run.hierarchy.nodes) : run.clusters;
  const byLlm = nodes.filter((n) => n.nameSource === 'llm').length;
  const fallback = nodes.length - byLlm;
  return ` ${run.config.llm.model} named ${byLlm.toLocaleString()} of ${nodes.length.toLocaleString()} clusters${fallback ? ` (${fallback.toLocaleString()} kept keyword names)` : ''}.`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

customElements.define('cst-app', AppShell);
