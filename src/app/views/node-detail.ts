import { LitElement, css, html, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { ancestors, getNode, itemsOf, pathOf, type Hierarchy, type PromptLogEntry } from '../../core/hierarchy/tree';
import { controlStyles } from '../theme';
import { fireNodeSelect } from './events';
import { labelMix, paneStyles } from './member-list';
import './member-list';
import { formatShare } from './members';
import { promptsFor, promptsSection, promptStyles } from './prompt-log';
import { nodeColors, nodeTitle, orderedChildren } from './hierarchy-display';

/**
 * A hierarchy node: its path from the root, title and description (and who wrote them), size,
 * cohesion, keywords, representative texts, children, the ground-truth label mix, its members, and
 * the naming prompts and answers that concern it, so a user can see why it is called what it is.
 * Path and child links dispatch `node-select`; the close button dispatches it with `null`.
 */
export class NodeDetail extends LitElement {
  static override properties = {
    hierarchy: { attribute: false },
    texts: { attribute: false },
    labels: { attribute: false },
    nodeId: { attribute: false },
  };

  hierarchy: Hierarchy | null = null;
  texts: string[] = [];
  labels: string[] | undefined = undefined;
  nodeId: string | null = null;
  private members: number[] = [];
  private prompts: PromptLogEntry[] = [];
  private colours = new Map<string, string>();

  static override styles = [
    controlStyles,
    paneStyles,
    promptStyles,
    css`
      .path { display: flex; flex-wrap: wrap; gap: 0.2rem; align-items: center; font-size: 0.78rem; margin-bottom: 0.25rem; }
      .path button { border: none; background: none; padding: 0 0.15rem; color: var(--cst-accent, #3b6cf6); font: inherit; cursor: pointer; max-width: 14rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .path .sep { color: var(--cst-faint, #8a92a3); }
      .level { font-size: 0.72rem; color: var(--cst-muted, #5b6475); border: 1px solid var(--cst-border, #e2e5ec); border-radius: 999px; padding: 0 0.45rem; }
      .children li { display: flex; gap: 0.5rem; align-items: center; margin-bottom: 0.2rem; }
      .children button { flex: 1; min-width: 0; text-align: left; border: 1px solid var(--cst-border, #e2e5ec); background: var(--cst-panel, #fff); border-radius: 6px; padding: 0.25rem 0.5rem; font: inherit; font-size: 0.85rem; cursor: pointer; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .children button:hover { background: var(--cst-hover, #f2f4f8); }
      .children .n { font-size: 0.75rem; color: var(--cst-muted, #5b6475); font-variant-numeric: tabular-nums; }
      .dot { width: 0.6rem; height: 0.6rem; border-radius: 2px; flex: none; }
    `,
  ];

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('hierarchy')) this.colours = this.hierarchy ? nodeColors(this.hierarchy) : new Map();
    if (changed.has('nodeId') || changed.has('hierarchy')) {
      const h = this.hierarchy;
      const id = this.nodeId;
      const ok = h !== null && id !== null && id in h.nodes;
      this.members = ok ? itemsOf(h, id) : [];
      this.prompts = ok ? promptsFor(h.promptLog, id) : [];
    }
    if (this.nodeId === null) this.removeAttribute('data-node-id');
    else this.setAttribute('data-node-id', this.nodeId);
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('nodeId')) this.scrollTop = 0;
  }

  override render() {
    const h = this.hierarchy;
    const id = this.nodeId;
    if (!h || id === null || !(id in h.nodes)) {
      return html`<div class="placeholder">Select a theme in the treemap or the list to see what it holds.</div>`;
    }
    const node = getNode(h, id);
    const colour = this.colours.get(id) ?? '#ccc';
    const path = ancestors(h, id).reverse().map((a) => getNode(h, a));
    const total = h.itemLeaf.length;
    return html`
      <header>
        <span class="swatch" style=${styleMap({ background: colour })}></span>
        <div class="titles">
          ${path.length
            ? html`<nav class="path" aria-label="Path from the top">
                ${path.map((p, i) => html`${i ? html`<span class="sep">›</span>` : ''}<button class="ancestor" data-node-id=${p.id} title=${p.title} @click=${() => fireNodeSelect(this, p.id)}>${nodeTitle(p)}</button>`)}
              </nav>`
            : ''}
          <h2 class="name">${nodeTitle(node)}</h2>
          <div class="figures">
            <span class="level">level ${node.level}</span>
            <span class="size"><b>${node.size.toLocaleString()}</b> texts (${formatShare(node.size, total)})</span>
            <span class="cohesion" title="Mean cosine similarity of the texts to the theme's centre">cohesion <b>${node.cohesion.toFixed(2)}</b></span>
            <span class="source" title=${node.nameSource === 'llm' ? 'Title and description written by the language model' : 'Named by its keywords'}>${node.nameSource === 'llm' ? 'named by the LLM' : 'keyword name'}</span>
          </div>
        </div>
        <button class="close" title="Close" aria-label="Close theme details" @click=${() => fireNodeSelect(this, null)}>×</button>
      </header>
      ${node.description ? html`<section class="description"><p>${node.description}</p></section>` : ''}
      ${node.childIds.length
        ? html`<section><h3>${node.childIds.length} sub-themes</h3>
            <ul class="children">
              ${orderedChildren(h, id)
                .map((c) => getNode(h, c))
                .map(
                  (c) => html`<li>
                    <span class="dot" style=${styleMap({ background: this.colours.get(c.id) ?? '#ccc' })}></span>
                    <button class="child" data-node-id=${c.id} title=${c.description || c.title} @click=${() => fireNodeSelect(this, c.id)}>${nodeTitle(c)}</button>
                    <span class="n">${c.size.toLocaleString()}</span>
                  </li>`,
                )}
            </ul></section>`
        : ''}
      ${node.keywords.length
        ? html`<section class="keywords"><h3>Keywords</h3><div class="chips">${node.keywords.map((k) => html`<span class="chip">${k}</span>`)}</div></section>`
        : ''}
      ${node.representatives.length
        ? html`<section><h3>Representative texts</h3>
            <ol class="reps" style=${styleMap({ '--swatch': colour })}>
              ${node.representatives.slice(0, 5).map((i) => html`<li data-index=${i} dir="auto">${this.texts[i] ?? ''}</li>`)}
            </ol></section>`
        : ''}
      ${labelMix(this.members, this.labels)}
      ${promptsSection(this.prompts, node.id)}
      <section class="member-section"><cst-member-list what="theme" .members=${this.members} .texts=${this.texts} .labels=${this.labels}
        .describe=${(i: number) => [`Path: ${pathOf(h, i).map(nodeTitle).join(' › ') || 'unclustered'}`]}></cst-member-list></section>
    `;
  }
}

customElements.define('cst-node-detail', NodeDetail);

declare global {
  interface HTMLElementTagNameMap {
    'cst-node-detail': NodeDetail;
  }
}
