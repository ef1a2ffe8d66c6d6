import { LitElement, css, html } from 'lit';
import type { RunMeta } from '../store/runs';

/** Saved runs, newest first: open, rename, delete. Emits `run-open`, `run-rename`, `run-delete`. */
export class RunsList extends LitElement {
  static override properties = { runs: { attribute: false }, activeId: { type: String }, editing: { state: true } };
  runs: RunMeta[] = [];
  activeId = '';
  editing = '';

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
  `;

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
    `;
  }
}

customElements.define('cst-runs-list', RunsList);
