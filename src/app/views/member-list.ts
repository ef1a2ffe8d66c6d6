import { LitElement, css, html, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { controlStyles } from '../theme';
import { clampPage, filterMembers, formatShare, labelCounts, pageCount, pageSlice, snippet, splitMatches } from './members';

/** Members shown per page. */
export const PAGE_SIZE = 25;

/** Characters of a text shown in a closed row; a click opens the whole text. */
export const ROW_CHARS = 320;

/**
 * The texts of one cluster or hierarchy node, 25 a page, with a substring search that highlights
 * matches; a new `members` list starts again at page 1 with an empty search. Shared by the cluster
 * and node panes. A click on a row opens the whole text, with `describe(i)` (its path through a
 * hierarchy, say) under it. Texts are untrusted: they only ever reach the page through text bindings.
 */
export class MemberList extends LitElement {
  static override properties = {
    members: { attribute: false },
    texts: { attribute: false },
    labels: { attribute: false },
    what: { type: String },
    describe: { attribute: false },
    page: { state: true },
    query: { state: true },
    open: { state: true },
  };

  /** Indices of the texts to list, in order. */
  members: number[] = [];
  texts: string[] = [];
  labels: string[] | undefined = undefined;
  /** "cluster" or "theme", for the placeholder and empty messages. */
  what = 'cluster';
  /** Lines shown under an opened text (e.g. its path of themes). */
  describe: ((index: number) => string[]) | null = null;
  page = 0;
  query = '';
  /** The text opened in full, if any. */
  open: number | null = null;
  private filtered: number[] = [];

  static override styles = [
    controlStyles,
    css`
      :host { display: block; }
      h3 { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--cst-muted, #5b6475); margin: 0 0 0.45rem; font-weight: 600; }
      ul { margin: 0; padding: 0; list-style: none; }
      .search {
        display: flex; gap: 0.5rem; align-items: center; padding: 0.3rem 0 0.5rem;
        position: sticky; top: 0; z-index: 1; background: var(--cst-panel, #fff);
      }
      .search .found { font-size: 0.78rem; color: var(--cst-muted, #5b6475); white-space: nowrap; font-variant-numeric: tabular-nums; }
      .members li { display: flex; gap: 0.6rem; align-items: baseline; padding: 0.4rem 0.1rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); font-size: 0.85rem; }
      .members li:last-child { border-bottom: none; }
      .members li { cursor: pointer; }
      .members li.open { background: var(--cst-bg, #f6f7fb); cursor: default; }
      .members .about { flex-basis: 100%; font-size: 0.78rem; color: var(--cst-muted, #5b6475); padding-left: 3.2rem; }
      .members li.open { flex-wrap: wrap; }
      .members .num { color: var(--cst-faint, #8a92a3); font-size: 0.72rem; min-width: 2.6rem; text-align: right; font-variant-numeric: tabular-nums; }
      .members .text { flex: 1; min-width: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
      .members .chip { flex: none; max-width: 38%; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; overflow-wrap: normal; }
      .empty { color: var(--cst-muted, #5b6475); padding: 0.6rem 0; font-style: italic; }
      .pager { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; margin-top: 0.6rem; }
      .pager .page { font-size: 0.8rem; color: var(--cst-muted, #5b6475); font-variant-numeric: tabular-nums; }
    `,
  ];

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('members')) {
      this.page = 0;
      this.query = '';
      this.open = null;
    }
    if (changed.has('members') || changed.has('query') || changed.has('texts')) {
      this.filtered = filterMembers(this.members, this.texts, this.query);
      if (changed.has('query')) this.page = 0;
    }
    this.page = clampPage(this.page, this.filtered.length, PAGE_SIZE);
  }

  override updated(changed: PropertyValues<this>): void {
    // A new page starts at its first member: bring the list's top back into view if it scrolled away.
    if (changed.has('page') && changed.get('page') !== undefined && !changed.has('members')) {
      const pane = this.offsetParent as HTMLElement | null;
      if (pane && this.offsetTop < pane.scrollTop) pane.scrollTop = this.offsetTop;
    }
  }

  override render() {
    const pages = pageCount(this.filtered.length, PAGE_SIZE);
    const shown = pageSlice(this.filtered, this.page, PAGE_SIZE);
    const labels = this.labels;
    return html`
      <h3>Members</h3>
      <div class="search">
        <input
          type="search"
          class="member-search"
          placeholder=${`Search this ${this.what}'s texts`}
          aria-label="Search members"
          .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
        />
        ${this.query.trim()
          ? html`<span class="found">${this.filtered.length.toLocaleString()} of ${this.members.length.toLocaleString()}</span>`
          : ''}
      </div>
      ${shown.length === 0 ? html`<div class="empty">${this.members.length ? 'No member matches the search.' : `This ${this.what} has no members.`}</div>` : ''}
      <ul class="members">
        ${shown.map(
          (i) => {
            const open = this.open === i;
            const text = this.texts[i] ?? '';
            return html`<li data-index=${i} class=${open ? 'open' : ''} tabindex="0" aria-expanded=${open ? 'true' : 'false'}
              @click=${() => (this.open = open ? this.open : i)}
              @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter') this.open = open ? null : i; }}>
              <span class="num">${(i + 1).toLocaleString()}</span>
              <span class="text" dir="auto">${splitMatches(open ? text : snippet(text, this.query, ROW_CHARS), this.query).map((p) => (p.match ? html`<mark>${p.text}</mark>` : p.text))}</span>
              ${labels ? html`<span class="chip label" title=${`Ground-truth label: ${labels[i] ?? ''}`}>${labels[i] ?? ''}</span>` : ''}
              ${open ? html`${(this.describe?.(i) ?? []).map((line) => html`<div class="about">${line}</div>`)}
                  <div class="about"><button class="close-text" @click=${(e: Event) => { e.stopPropagation(); this.open = null; }}>Close</button></div>` : ''}
            </li>`;
          },
        )}
      </ul>
      <div class="pager">
        <button class="prev" ?disabled=${this.page === 0} @click=${() => (this.page = this.page - 1)}>‹ Prev</button>
        <span class="page" data-page=${this.page + 1} data-pages=${pages}>Page ${this.page + 1} of ${pages}</span>
        <button class="next" ?disabled=${this.page >= pages - 1} @click=${() => (this.page = this.page + 1)}>Next ›</button>
      </div>
    `;
  }
}

/** The most common ground-truth labels among `members`, as bars (shared by the cluster and node panes). */
export function labelMix(members: readonly number[], labels: readonly string[] | undefined) {
  if (!labels || members.length === 0) return '';
  const top = labelCounts(members, labels, 5);
  const n = members.length;
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

/** Styles of the pane parts both detail panes share: header, sections, chips, representatives, label bars. */
export const paneStyles = css`
  :host {
    display: flex; flex-direction: column; min-height: 0; height: 100%; overflow: auto; position: relative;
    background: var(--cst-panel, #fff);
    border: 1px solid var(--cst-border, #e2e5ec);
    border-radius: var(--cst-radius, 10px);
  }
  .placeholder { margin: auto; padding: 2rem 1.5rem; text-align: center; color: var(--cst-muted, #5b6475); }
  header { display: flex; gap: 0.6rem; align-items: flex-start; padding: 0.8rem 0.9rem 0.6rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
  header .swatch { width: 1rem; height: 1rem; margin-top: 0.2rem; flex: none; }
  header .titles { flex: 1; min-width: 0; }
  h2 { font-size: 1.05rem; margin: 0; overflow-wrap: anywhere; }
  .figures { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.8rem; color: var(--cst-muted, #5b6475); margin-top: 0.2rem; font-variant-numeric: tabular-nums; }
  .figures b { color: var(--cst-text, #1d2330); font-weight: 600; }
  button.close { border: none; background: none; font-size: 1.2rem; line-height: 1; padding: 0.15rem 0.4rem; color: var(--cst-muted, #5b6475); }
  section { padding: 0.65rem 0.9rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
  section:last-child { border-bottom: none; }
  section.description p { margin: 0; font-size: 0.9rem; line-height: 1.4; }
  h3 { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--cst-muted, #5b6475); margin: 0 0 0.45rem; font-weight: 600; }
  .chips { display: flex; flex-wrap: wrap; gap: 0.3rem; }
  ol, ul { margin: 0; padding: 0; list-style: none; }
  .reps li { padding: 0.35rem 0.55rem; border-left: 3px solid var(--swatch, #ccc); background: var(--cst-bg, #f6f7fb); border-radius: 0 6px 6px 0; margin-bottom: 0.3rem; overflow-wrap: anywhere; font-size: 0.85rem; }
  .labels li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.1rem 0.6rem; font-size: 0.8rem; margin-bottom: 0.3rem; }
  .labels .lname { overflow-wrap: anywhere; }
  .labels .lcount { color: var(--cst-muted, #5b6475); font-variant-numeric: tabular-nums; }
  .labels .lbar { grid-column: 1 / -1; height: 3px; background: var(--cst-chip, #eef0f5); border-radius: 2px; overflow: hidden; }
  .labels .lbar span { display: block; height: 100%; background: var(--cst-accent, #3b6cf6); opacity: 0.6; }
`;

customElements.define('cst-member-list', MemberList);

declare global {
  interface HTMLElementTagNameMap {
    'cst-member-list': MemberList;
  }
}
