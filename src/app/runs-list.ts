import { LitElement, css, html } from 'lit';
import type { RunMeta } from '../store/runs';
import { runFromJson } from '../io/run-json';

/**
 * Saved runs, newest first: open, rename, delete, and import a run file. Emits `run-open`,
 * `run-rename`, `run-delete`, and `run-import` (detail: the checked RunRecord) after reading a file.
 */
export class RunsList extends LitElement {
  static override properties = { runs: { attribute: false }, activeId: { type: String }, editing: { state: true }, importError: { state: true } };
  runs: RunMeta[] = [];
  activeId = '';
  editing = '';
  /** Why the last picked run file could not be read. */
  importError = '';

  static override styles = css`
    :host { display: block; font-size: 0.9rem; }
    h3 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--cst-muted, #666); margin: 0 0 0.4rem; }
    ul { list-style: none; padding: 0; margin: 0; }
    li { padding: 0.45rem 0.5rem; border-radius: 6px; cursor: pointer; border: 1px solid transparent; }
    li:hover { background: #f2f4f8; }
    li.active { border-color: var(--cst-accent, #3b6cf6); background: #f3f6ff; }
    .name { font-weight: 600; overflow-wrap: anywhere; }
    .meta { color: var(--cst-muted, #666); font-size: 0.8rem; }
    .actions { display: flex; gap: 0.4rem; margin-top: 0.25rem; }
    .actions button { font-size: 0.75rem; background: none; border: none; color: var(--cst-accent, #3b6cf6); cursor: pointer; padding: 0; }
    input { font: inherit; width: 100%; box-sizing: border-box; }
    .empty { color: var(--cst-muted, #666); font-style: italic; }
    .import { margin-top: 0.8rem; }
    .import label { font-size: 0.8rem; color: var(--cst-accent, #3b6cf6); cursor: pointer; }
    .import input { position: absolute; width: 1px; height: 1px; opacity: 0; }
    .import-error { color: #a11; font-size: 0.8rem; margin-top: 0.3rem; white-space: pre-wrap; overflow-wrap: anywhere; }
  `;

  /** Reads a run file (exported from any Constellate page) and hands the run on as `run-import`. */
  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    this.importError = '';
    try {
      const run = runFromJson(await file.text());
      this.dispatchEvent(new CustomEvent('run-import', { detail: { run }, bubbles: true, composed: true }));
    } catch (e) {
      this.importError = `${file.name}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private fire(type: string, id: string, extra: Record<string, string> = {}): void {
    this.dispatchEvent(new CustomEvent(type, { detail: { id, ...extra }, bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <h3>Saved runs</h3>
      ${this.runs.length === 0 ? html`<div class="empty">No runs yet. They are kept in this browser.</div>` : ''}
      <ul>
        ${this.runs.map(
          (r) => html`<li class="run ${r.id === this.activeId ? 'active' : ''}" data-run-id=${r.id} @click=${() => this.fire('run-open', r.id)}>
            ${this.editing === r.id
              ? html`<input .value=${r.name} @click=${(e: Event) => e.stopPropagation()}
                  @keydown=${(e: KeyboardEvent) => {
                    if (e.key === 'Enter') {
                      this.fire('run-rename', r.id, { name: (e.target as HTMLInputElement).value });
                      this.editing = '';
                    } else if (e.key === 'Escape') this.editing = '';
                  }} />`
              : html`<div class="name">${r.name}</div>`}
            <div class="meta">${r.n.toLocaleString()} texts · ${r.levels ? `${r.levels} themes` : `k=${r.k}`} · ${r.embedder} · ${new Date(r.createdAt).toLocaleString()}</div>
            <div class="actions">
              <button class="rename" @click=${(e: Event) => { e.stopPropagation(); this.editing = r.id; }}>Rename</button>
              <button class="delete" @click=${(e: Event) => {
                e.stopPropagation();
                if (confirm(`Delete the run “${r.name}”? This cannot be undone.`)) this.fire('run-delete', r.id);
              }}>Delete</button>
            </div>
          </li>`,
        )}
      </ul>
      <div class="import">
        <label>Import a run (JSON)…<input type="file" class="import-run" accept=".json,application/json" @change=${(e: Event) => this.importFile(e.target as HTMLInputElement)} /></label>
        ${this.importError ? html`<div class="import-error" role="alert">${this.importError}</div>` : ''}
      </div>
    `;
  }
}

customElements.define('cst-runs-list', RunsList);
