import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { Hierarchy } from '../../core/hierarchy/tree';
import { controlStyles } from '../theme';
import { fireNodeSelect } from './events';
import { nodeColors, nodeTitle, totalItems } from './hierarchy-display';
import { listPanelStyles, scrollIntoList } from './list-panel';
import { formatShare, splitMatches } from './members';
import { defaultExpanded, filterTree, revealNode, treeKeyAction, visibleRows, type TreeFilter, type TreeRow } from './tree-list-model';

/**
 * The hierarchy as a collapsible tree list (WAI-ARIA tree): per row a disclosure triangle, the
 * theme's swatch (as in the treemap), title, size and share of all texts. Roots start expanded,
 * deeper nodes collapsed. The search box filters by title or keyword and expands the paths to the
 * matches. Click, Enter or Space selects (`node-select`); the arrow keys move, expand and collapse
 * as in a tree view. Setting `selectedNodeId` highlights the row, expands its ancestors and scrolls
 * it into view. Rows carry `data-node-id`. Titles are untrusted: text bindings only.
 */
export class HierarchyList extends LitElement {
  static override properties = {
    hierarchy: { attribute: false },
    selectedNodeId: { attribute: false },
    query: { state: true },
    expanded: { state: true },
    active: { state: true },
  };

  hierarchy: Hierarchy | null = null;
  selectedNodeId: string | null = null;
  query = '';
  /** Ids of the expanded nodes (their children show). */
  expanded: ReadonlySet<string> = new Set();
  /** The row holding the keyboard tab stop. */
  active: string | null = null;

  private colours = new Map<string, string>();
  private filter: TreeFilter | null = null;
  private rows: TreeRow[] = [];
  /** Expansion before the search started, restored when it is cleared. */
  private beforeSearch: ReadonlySet<string> | null = null;
  private focusPending = false;
  private scrollPending = false;

  static override styles = [
    controlStyles,
    listPanelStyles,
    css`
      li[role='treeitem'] {
        display: flex; align-items: center; gap: 0.35rem; padding: 0.28rem 0.5rem 0.28rem 0; border-radius: 7px;
        cursor: pointer; border: 1px solid transparent; min-width: 0;
      }
      li[role='treeitem']:hover { background: var(--cst-hover, #f2f4f8); }
      li.selected { background: var(--cst-accent-soft, #eef3ff); border-color: var(--cst-accent, #3b6cf6); }
      .twisty {
        flex: none; width: 1.2rem; height: 1.2rem; display: grid; place-items: center; border-radius: 4px;
        color: var(--cst-muted, #5b6475); font-size: 0.7rem; transition: transform 120ms;
      }
      .twisty.open { transform: rotate(90deg); }
      .twisty:hover { background: var(--cst-chip, #eef0f5); color: var(--cst-text, #1d2330); }
      .twisty.leaf { visibility: hidden; }
      .body { flex: 1; min-width: 0; }
      .name { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      li[aria-level='1'] .name { font-weight: 600; }
      .noise .name { color: var(--cst-muted, #5b6475); font-style: italic; }
      .why { display: block; font-size: 0.74rem; color: var(--cst-muted, #5b6475); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .size { flex: none; font-size: 0.76rem; color: var(--cst-muted, #5b6475); white-space: nowrap; font-variant-numeric: tabular-nums; }
      .empty { padding: 1rem; color: var(--cst-muted, #5b6475); text-align: center; }
    `,
  ];

  override willUpdate(changed: PropertyValues<this>): void {
    const h = this.hierarchy;
    if (changed.has('hierarchy')) {
      this.colours = h ? nodeColors(h) : new Map();
      this.expanded = h ? defaultExpanded(h) : new Set();
      this.beforeSearch = null;
      if (this.active !== null && !h?.nodes[this.active]) this.active = null;
    }
    if (!h) {
      this.filter = null;
      this.rows = [];
      return;
    }
    if (changed.has('query') || changed.has('hierarchy')) {
      this.filter = filterTree(h, this.query);
      if (this.filter) {
        this.beforeSearch ??= this.expanded;
        this.expanded = new Set([...this.expanded, ...this.filter.expand]);
      } else if (this.beforeSearch) {
        this.expanded = this.beforeSearch;
        this.beforeSearch = null;
      }
    }
    const sel = this.selectedNodeId;
    if (sel !== null && h.nodes[sel] && (changed.has('selectedNodeId') || changed.has('hierarchy') || changed.has('query'))) {
      this.expanded = revealNode(h, this.expanded, sel);
      if (changed.has('selectedNodeId')) {
        this.active = sel;
        this.scrollPending = true;
      }
    }
    this.rows = visibleRows(h, this.expanded, this.filter?.visible ?? null);
    if (sel !== null && this.filter && !this.filter.visible.has(sel) && h.nodes[sel]) {
      // The selection stays in view while a search hides its branch.
      const keep = new Set([...this.filter.visible, sel, ...revealNode(h, new Set(), sel)]);
      this.rows = visibleRows(h, this.expanded, keep);
    }
  }

  override updated(): void {
    if (this.focusPending) {
      this.focusPending = false;
      this.rowElement(this.active)?.focus();
    }
    if (this.scrollPending) {
      this.scrollPending = false;
      this.scrollToRow(this.selectedNodeId);
    }
  }

  private rowElement(id: string | null): HTMLElement | null {
    if (id === null) return null;
    return this.renderRoot.querySelector<HTMLElement>(`li[data-node-id="${CSS.escape(id)}"]`);
  }

  private scrollToRow(id: string | null): void {
    const list = this.renderRoot.querySelector<HTMLElement>('ul');
    const row = this.rowElement(id);
    if (list && row) scrollIntoList(list, row);
  }

  /** Expands or collapses a node. */
  toggle(id: string, open?: boolean): void {
    const isOpen = this.expanded.has(id);
    const want = open ?? !isOpen;
    if (want === isOpen) return;
    const next = new Set(this.expanded);
    if (want) next.add(id);
    else next.delete(id);
    this.expanded = next;
  }

  override render() {
    const h = this.hierarchy;
    const all = h ? Object.keys(h.nodes).length : 0;
    const count = this.filter ? `${this.filter.matches.size.toLocaleString()} of ${all.toLocaleString()} match` : `${all.toLocaleString()} themes`;
    const tabStop = this.rows.some((r) => r.id === this.active) ? this.active : (this.rows[0]?.id ?? null);
    const total = h ? totalItems(h) : 0;
    return html`
      <div class="head">
        <div class="title"><h2>Themes</h2><span class="count">${count}</span></div>
        <input
          type="search"
          class="filter"
          placeholder="Search titles and keywords"
          aria-label="Search themes"
          .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
        />
      </div>
      <ul role="tree" aria-label="Themes" @keydown=${this.onKey}>
        ${repeat(this.rows, (r) => r.id, (r) => this.renderRow(r, r.id === tabStop, total))}
        ${this.rows.length === 0
          ? html`<li class="empty" role="presentation">${h && h.roots.length ? 'No theme matches the search.' : 'No hierarchy yet.'}</li>`
          : nothing}
      </ul>
    `;
  }

  private renderRow(r: TreeRow, tabStop: boolean, total: number) {
    const selected = r.id === this.selectedNodeId;
    const title = nodeTitle(r.node);
    const match = this.filter?.matches.get(r.id);
    const q = match ? this.query : '';
    return html`
      <li
        role="treeitem"
        class="${selected ? 'selected' : ''} ${r.node.isNoise ? 'noise' : ''}"
        data-node-id=${r.id}
        aria-level=${r.level}
        aria-posinset=${r.posInSet}
        aria-setsize=${r.setSize}
        aria-expanded=${r.hasChildren ? String(r.expanded) : nothing}
        aria-selected=${selected ? 'true' : 'false'}
        tabindex=${tabStop ? 0 : -1}
        title=${`${title} — ${r.node.size.toLocaleString()} texts`}
        style=${styleMap({ paddingLeft: `${(r.level - 1) * 1.05 + 0.15}rem` })}
        @click=${() => this.select(r.id)}
      >
        <span
          class="twisty ${r.hasChildren ? (r.expanded ? 'open' : '') : 'leaf'}"
          aria-hidden="true"
          @click=${(e: Event) => {
            e.stopPropagation();
            this.active = r.id;
            this.toggle(r.id);
          }}
          >▶</span
        >
        <span class="swatch" style=${styleMap({ background: this.colours.get(r.id) ?? '#ccc' })}></span>
        <span class="body">
          <span class="name">${splitMatches(title, q).map((p) => (p.match ? html`<mark>${p.text}</mark>` : p.text))}</span>
          ${match?.by === 'keyword'
            ? html`<span class="why">keyword: ${splitMatches(match.keyword, this.query).map((p) => (p.match ? html`<mark>${p.text}</mark>` : p.text))}</span>`
            : nothing}
        </span>
        <span class="size">${r.node.size.toLocaleString()} · ${formatShare(r.node.size, total)}</span>
      </li>
    `;
  }

  private select(id: string): void {
    this.active = id;
    fireNodeSelect(this, id);
  }

  private onKey = (e: KeyboardEvent): void => {
    if (e.target instanceof HTMLInputElement) return;
    const li = (e.target as HTMLElement | null)?.closest?.('li[data-node-id]');
    const from = li?.getAttribute('data-node-id') ?? this.active;
    const action = treeKeyAction(this.rows, from, e.key);
    if (!action) return;
    e.preventDefault();
    switch (action.type) {
      case 'move':
        this.active = action.id;
        this.focusPending = true;
        break;
      case 'expand':
      case 'collapse':
        this.active = action.id;
        this.focusPending = true;
        this.toggle(action.id, action.type === 'expand');
        break;
      case 'select':
        this.select(action.id);
        break;
    }
  };
}

customElements.define('cst-hierarchy-list', HierarchyList);

declare global {
  interface HTMLElementTagNameMap {
    'cst-hierarchy-list': HierarchyList;
  }
}
