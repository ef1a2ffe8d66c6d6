import { LitElement, css, html, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { ClusterSummary } from '../../core/types';
import { controlStyles } from '../theme';
import { listPanelStyles, scrollIntoList } from './list-panel';
import { fireClusterSelect } from './events';
import { formatShare, truncate } from './members';
import { clusterColor } from './palette';

/**
 * Clusters as rows, largest first: swatch, name, size and share, keywords and the first
 * representative text. A filter box narrows the rows; click or Enter selects (`cluster-select`);
 * the selected row is highlighted and scrolled into view. Rows carry `data-cluster-id`.
 */
export class ClusterList extends LitElement {
  static override properties = {
    clusters: { attribute: false },
    texts: { attribute: false },
    selectedCluster: { attribute: false },
    total: { attribute: false },
    query: { state: true },
  };

  clusters: ClusterSummary[] = [];
  /** Texts of the run, to show each cluster's first representative. */
  texts: string[] = [];
  selectedCluster: number | null = null;
  /** Denominator of the shares; defaults to the sum of the cluster sizes. */
  total: number | null = null;
  query = '';

  private sorted: ClusterSummary[] = [];

  static override styles = [
    controlStyles,
    listPanelStyles,
    css`
      li {
        display: flex; gap: 0.6rem; padding: 0.5rem 0.55rem; border-radius: 8px; cursor: pointer;
        border: 1px solid transparent;
      }
      li + li { margin-top: 2px; }
      li:hover { background: var(--cst-hover, #f2f4f8); }
      li.selected { background: var(--cst-accent-soft, #eef3ff); border-color: var(--cst-accent, #3b6cf6); }
      .swatch { margin-top: 0.2rem; }
      .body { min-width: 0; flex: 1; }
      .top { display: flex; gap: 0.5rem; align-items: baseline; }
      .name { font-weight: 600; flex: 1; min-width: 0; overflow-wrap: anywhere; }
      .size { font-size: 0.78rem; color: var(--cst-muted, #5b6475); white-space: nowrap; font-variant-numeric: tabular-nums; }
      .share { height: 3px; border-radius: 2px; background: var(--cst-chip, #eef0f5); margin: 0.3rem 0; overflow: hidden; }
      .share span { display: block; height: 100%; border-radius: 2px; }
      .kw { font-size: 0.78rem; color: var(--cst-muted, #5b6475); overflow-wrap: anywhere; }
      .rep {
        font-size: 0.8rem; margin-top: 0.15rem; color: var(--cst-text, #1d2330); opacity: 0.85;
        overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow-wrap: anywhere;
      }
      .none { padding: 1rem; color: var(--cst-muted, #5b6475); text-align: center; }
    `,
  ];

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('clusters')) {
      this.sorted = [...this.clusters].sort((a, b) => b.size - a.size || a.id - b.id);
    }
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('selectedCluster') && this.selectedCluster !== null) this.scrollToSelected();
  }

  /** Scrolls the list (only the list, never the page) so the selected row is visible. */
  private scrollToSelected(): void {
    const list = this.renderRoot.querySelector<HTMLElement>('ul');
    const row = this.renderRoot.querySelector<HTMLElement>(`li[data-cluster-id="${this.selectedCluster}"]`);
    if (!list || !row) return;
    scrollIntoList(list, row);
  }

  private clusterMatches(c: ClusterSummary, q: string): boolean {
    if (!q) return true;
    if (c.name.toLowerCase().includes(q)) return true;
    if (c.keywords.some((k) => k.toLowerCase().includes(q))) return true;
    const rep = c.representatives[0];
    return rep !== undefined && (this.texts[rep] ?? '').toLowerCase().includes(q);
  }

  override render() {
    const q = this.query.trim().toLowerCase();
    const rows = this.sorted.filter((c) => this.clusterMatches(c, q));
    const total = this.total ?? this.clusters.reduce((s, c) => s + c.size, 0);
    const largest = this.sorted[0]?.size ?? 0;
    const count =
      rows.length === this.sorted.length
        ? `${this.sorted.length.toLocaleString()} clusters`
        : `${rows.length.toLocaleString()} of ${this.sorted.length.toLocaleString()}`;
    return html`
      <div class="head">
        <div class="title"><h2>Clusters</h2><span class="count">${count}</span></div>
        <input
          type="search"
          class="filter"
          placeholder="Filter by name, keyword or text"
          aria-label="Filter clusters"
          .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
        />
      </div>
      <ul role="listbox" aria-label="Clusters">
        ${rows.map((c) => this.renderRow(c, total, largest))}
        ${rows.length === 0
          ? html`<li class="none" role="presentation">${this.sorted.length ? 'No cluster matches the filter.' : 'No clusters yet.'}</li>`
          : ''}
      </ul>
    `;
  }

  private renderRow(c: ClusterSummary, total: number, largest: number) {
    const selected = c.id === this.selectedCluster;
    const colour = clusterColor(c.id);
    const rep = c.representatives[0];
    const repText = rep !== undefined ? this.texts[rep] : undefined;
    return html`
      <li
        class=${selected ? 'selected' : ''}
        data-cluster-id=${c.id}
        role="option"
        aria-selected=${selected ? 'true' : 'false'}
        tabindex="0"
        @click=${() => fireClusterSelect(this, c.id)}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            fireClusterSelect(this, c.id);
          }
        }}
      >
        <span class="swatch" style=${styleMap({ background: colour })}></span>
        <div class="body">
          <div class="top">
            <span class="name">${c.name}</span>
            <span class="size">${c.size.toLocaleString()} · ${formatShare(c.size, total)}</span>
          </div>
          <div class="share"><span style=${styleMap({ width: `${largest ? (100 * c.size) / largest : 0}%`, background: colour })}></span></div>
          ${c.keywords.length ? html`<div class="kw">${c.keywords.slice(0, 6).join(' · ')}</div>` : ''}
          ${repText !== undefined ? html`<div class="rep">“${truncate(repText, 160)}”</div>` : ''}
        </div>
      </li>
    `;
  }
}

customElements.define('cst-cluster-list', ClusterList);

declare global {
  interface HTMLElementTagNameMap {
    'cst-cluster-list': ClusterList;
  }
}
