import { LitElement, css, html, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { ClusterSummary } from '../../core/types';
import { controlStyles } from '../theme';
import { fireClusterSelect } from './events';
import { clampPage, clusterMembers, filterMembers, formatShare, labelCounts, pageCount, pageSlice, splitMatches } from './members';
import { clusterColor } from './palette';

/** Members shown per page. */
export const PAGE_SIZE = 25;

/**
 * The selected cluster: name, size, cohesion, keywords, representatives, ground-truth label mix
 * (when labels exist), then its members 25 a page with a substring search. The close button
 * dispatches `cluster-select` with `cluster: null`.
 */
export class ClusterDetail extends LitElement {
  static override properties = {
    clusters: { attribute: false },
    texts: { attribute: false },
    labels: { attribute: false },
    assignments: { attribute: false },
    selectedCluster: { attribute: false },
    page: { state: true },
    query: { state: true },
  };

  clusters: ClusterSummary[] = [];
  texts: string[] = [];
  /** Ground-truth label per text, when the dataset has them. */
  labels: string[] | undefined = undefined;
  assignments: Int32Array = new Int32Array(0);
  selectedCluster: number | null = null;
  /** 0-based page of the (filtered) members. */
  page = 0;
  query = '';

  private members: number[] = [];
  private filtered: number[] = [];

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex; flex-direction: column; min-height: 0; height: 100%; overflow: auto; position: relative;
        background: var(--cst-panel, #fff);
        border: 1px solid var(--cst-border, #e2e5ec);
        border-radius: var(--cst-radius, 10px);
      }
      .placeholder { margin: auto; padding: 2rem 1.5rem; text-align: center; color: var(--cst-muted, #5b6475); }
      header { display: flex; gap: 0.6rem; align-items: flex-start; padding: 0.8rem 0.9rem 0.6rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
      header .swatch { width: 1rem; height: 1rem; margin-top: 0.2rem; }
      header .titles { flex: 1; min-width: 0; }
      h2 { font-size: 1.05rem; margin: 0; overflow-wrap: anywhere; }
      .figures { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.8rem; color: var(--cst-muted, #5b6475); margin-top: 0.2rem; font-variant-numeric: tabular-nums; }
      .figures b { color: var(--cst-text, #1d2330); font-weight: 600; }
      button.close { border: none; background: none; font-size: 1.2rem; line-height: 1; padding: 0.15rem 0.4rem; color: var(--cst-muted, #5b6475); }
      section { padding: 0.65rem 0.9rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
      section:last-child { border-bottom: none; }
      h3 { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--cst-muted, #5b6475); margin: 0 0 0.45rem; font-weight: 600; }
      .chips { display: flex; flex-wrap: wrap; gap: 0.3rem; }
      ol, ul { margin: 0; padding: 0; list-style: none; }
      .reps li { padding: 0.35rem 0.55rem; border-left: 3px solid var(--swatch, #ccc); background: var(--cst-bg, #f6f7fb); border-radius: 0 6px 6px 0; margin-bottom: 0.3rem; overflow-wrap: anywhere; font-size: 0.85rem; }
      .labels li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.1rem 0.6rem; font-size: 0.8rem; margin-bottom: 0.3rem; }
      .labels .lname { overflow-wrap: anywhere; }
      .labels .lcount { color: var(--cst-muted, #5b6475); font-variant-numeric: tabular-nums; }
      .labels .lbar { grid-column: 1 / -1; height: 3px; background: var(--cst-chip, #eef0f5); border-radius: 2px; overflow: hidden; }
      .labels .lbar span { display: block; height: 100%; background: var(--cst-accent, #3b6cf6); opacity: 0.6; }
      .search {
        display: flex; gap: 0.5rem; align-items: center; padding: 0.3rem 0 0.5rem;
        position: sticky; top: 0; z-index: 1; background: var(--cst-panel, #fff);
      }
      .search .found { font-size: 0.78rem; color: var(--cst-muted, #5b6475); white-space: nowrap; font-variant-numeric: tabular-nums; }
      .members li { display: flex; gap: 0.6rem; align-items: baseline; padding: 0.4rem 0.1rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); font-size: 0.85rem; }
      .members li:last-child { border-bottom: none; }
      .members .num { color: var(--cst-faint, #8a92a3); font-size: 0.72rem; min-width: 2.6rem; text-align: right; font-variant-numeric: tabular-nums; }
      .members .text { flex: 1; min-width: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
      .members .chip { flex: none; max-width: 38%; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; overflow-wrap: normal; }
      .empty { color: var(--cst-muted, #5b6475); padding: 0.6rem 0; font-style: italic; }
      .pager { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; margin-top: 0.6rem; }
      .pager .page { font-size: 0.8rem; color: var(--cst-muted, #5b6475); font-variant-numeric: tabular-nums; }
    `,
  ];

  override willUpdate(changed: PropertyValues<this>): void {
    const clusterChanged = changed.has('selectedCluster') || changed.has('assignments');
    if (clusterChanged) {
      this.members = this.selectedCluster === null ? [] : clusterMembers(this.assignments, this.selectedCluster);
      if (changed.has('selectedCluster')) {
        this.page = 0;
        this.query = '';
      }
    }
    if (clusterChanged || changed.has('query') || changed.has('texts')) {
      this.filtered = filterMembers(this.members, this.texts, this.query);
      if (changed.has('query')) this.page = 0;
    }
    this.page = clampPage(this.page, this.filtered.length, PAGE_SIZE);
    this.toggleAttribute('data-empty', this.selectedCluster === null);
    if (this.selectedCluster === null) this.removeAttribute('data-cluster-id');
    else this.setAttribute('data-cluster-id', String(this.selectedCluster));
  }

  override updated(changed: PropertyValues<this>): void {
    // The pane scrolls as a whole: a new cluster starts at its top, a new page at its first member.
    if (changed.has('selectedCluster')) this.scrollTop = 0;
    else if (changed.has('page') && changed.get('page') !== undefined) {
      const section = this.renderRoot.querySelector<HTMLElement>('.member-section');
      if (section && section.offsetTop < this.scrollTop) this.scrollTop = section.offsetTop;
    }
  }

  override render() {
    const id = this.selectedCluster;
    if (id === null) {
      return html`<div class="placeholder">Select a cluster in the map or the list to see its texts.</div>`;
    }
    const c = this.clusters.find((x) => x.id === id);
    const colour = clusterColor(id);
    const total = this.assignments.length;
    const name = c?.name ?? (id < 0 ? 'Noise' : `Cluster ${id}`);
    return html`
      <header>
        <span class="swatch" style=${styleMap({ background: colour })}></span>
        <div class="titles">
          <h2 class="name">${name}</h2>
          <div class="figures">
            <span class="size"><b>${this.members.length.toLocaleString()}</b> texts (${formatShare(this.members.length, total)})</span>
            ${c ? html`<span class="cohesion" title="Mean cosine similarity of members to the centroid">cohesion <b>${c.cohesion.toFixed(2)}</b></span>` : ''}
            <span class="muted">#${id}</span>
          </div>
        </div>
        <button class="close" title="Close" aria-label="Close cluster details" @click=${() => fireClusterSelect(this, null)}>×</button>
      </header>
      ${c && c.keywords.length
        ? html`<section class="keywords"><h3>Keywords</h3><div class="chips">${c.keywords.map((k) => html`<span class="chip">${k}</span>`)}</div></section>`
        : ''}
      ${c && c.representatives.length
        ? html`<section><h3>Representative texts</h3>
            <ol class="reps" style=${styleMap({ '--swatch': colour })}>
              ${c.representatives.slice(0, 5).map((i) => html`<li data-index=${i}>${this.texts[i] ?? ''}</li>`)}
            </ol></section>`
        : ''}
      ${this.renderLabels()} ${this.renderMembers()}
    `;
  }

  private renderLabels() {
    if (!this.labels || this.members.length === 0) return '';
    const top = labelCounts(this.members, this.labels, 5);
    const n = this.members.length;
    return html`<section><h3>Ground-truth labels</h3>
      <ul class="labels">
        ${top.map(
          (l) => html`<li>
            <span class="lname">${l.label}</span><span class="lcount">${l.count.toLocaleString()} · ${formatShare(l.count, n)}</span>
            <span class="lbar"><span style=${styleMap({ width: `${(100 * l.count) / n}%` })}></span></span>
          </li>`,
        )}
      </ul></section>`;
  }

  private renderMembers() {
    const pages = pageCount(this.filtered.length, PAGE_SIZE);
    const shown = pageSlice(this.filtered, this.page, PAGE_SIZE);
    const labels = this.labels;
    return html`<section class="member-section">
      <h3>Members</h3>
      <div class="search">
        <input
          type="search"
          class="member-search"
          placeholder="Search this cluster's texts"
          aria-label="Search members"
          .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
        />
        ${this.query.trim()
          ? html`<span class="found">${this.filtered.length.toLocaleString()} of ${this.members.length.toLocaleString()}</span>`
          : ''}
      </div>
      ${shown.length === 0 ? html`<div class="empty">${this.members.length ? 'No member matches the search.' : 'This cluster has no members.'}</div>` : ''}
      <ul class="members">
        ${shown.map(
          (i) => html`<li data-index=${i}>
            <span class="num">${(i + 1).toLocaleString()}</span>
            <span class="text">${splitMatches(this.texts[i] ?? '', this.query).map((p) => (p.match ? html`<mark>${p.text}</mark>` : p.text))}</span>
            ${labels ? html`<span class="chip label" title=${`Ground-truth label: ${labels[i] ?? ''}`}>${labels[i] ?? ''}</span>` : ''}
          </li>`,
        )}
      </ul>
      <div class="pager">
        <button class="prev" ?disabled=${this.page === 0} @click=${() => (this.page = this.page - 1)}>‹ Prev</button>
        <span class="page" data-page=${this.page + 1} data-pages=${pages}>Page ${this.page + 1} of ${pages}</span>
        <button class="next" ?disabled=${this.page >= pages - 1} @click=${() => (this.page = this.page + 1)}>Next ›</button>
      </div>
    </section>`;
  }
}

customElements.define('cst-cluster-detail', ClusterDetail);

declare global {
  interface HTMLElementTagNameMap {
    'cst-cluster-detail': ClusterDetail;
  }
}
