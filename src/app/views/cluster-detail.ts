import { LitElement, html, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { ClusterSummary } from '../../core/types';
import { controlStyles } from '../theme';
import { fireClusterSelect } from './events';
import { clusterMembers, formatShare } from './members';
import { labelMix, paneStyles } from './member-list';
import './member-list';
import { clusterColor } from './palette';
import { promptsFor, promptsSection, promptStyles } from './prompt-log';
import type { PromptLogEntry } from '../../core/llm/naming';

/**
 * The selected cluster: name, size, cohesion, keywords, representatives, ground-truth label mix
 * (when labels exist), then its members (cst-member-list). The close button
 * dispatches `cluster-select` with `cluster: null`.
 */
export class ClusterDetail extends LitElement {
  static override properties = {
    clusters: { attribute: false },
    texts: { attribute: false },
    labels: { attribute: false },
    assignments: { attribute: false },
    selectedCluster: { attribute: false },
    promptLog: { attribute: false },
    describe: { attribute: false },
  };

  clusters: ClusterSummary[] = [];
  texts: string[] = [];
  /** Ground-truth label per text, when the dataset has them. */
  labels: string[] | undefined = undefined;
  assignments: Int32Array = new Int32Array(0);
  selectedCluster: number | null = null;
  /** Flat runs named by an LLM: the naming prompts (cluster c is asked for as "C<c>"). */
  promptLog: PromptLogEntry[] | undefined = undefined;
  /** Lines shown under an opened member (e.g. its pseudo-labels). */
  describe: ((index: number) => string[]) | null = null;

  private members: number[] = [];

  static override styles = [controlStyles, paneStyles, promptStyles];

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('selectedCluster') || changed.has('assignments')) {
      this.members = this.selectedCluster === null ? [] : clusterMembers(this.assignments, this.selectedCluster);
    }
    this.toggleAttribute('data-empty', this.selectedCluster === null);
    if (this.selectedCluster === null) this.removeAttribute('data-cluster-id');
    else this.setAttribute('data-cluster-id', String(this.selectedCluster));
  }

  override updated(changed: PropertyValues<this>): void {
    // The pane scrolls as a whole: a new cluster starts at its top.
    if (changed.has('selectedCluster')) this.scrollTop = 0;
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
      ${c?.description ? html`<section class="description"><p>${c.description}</p></section>` : ''}
      ${c && c.keywords.length
        ? html`<section class="keywords"><h3>Keywords</h3><div class="chips">${c.keywords.map((k) => html`<span class="chip">${k}</span>`)}</div></section>`
        : ''}
      ${c && c.representatives.length
        ? html`<section><h3>Representative texts</h3>
            <ol class="reps" style=${styleMap({ '--swatch': colour })}>
              ${c.representatives.slice(0, 5).map((i) => html`<li data-index=${i} dir="auto">${this.texts[i] ?? ''}</li>`)}
            </ol></section>`
        : ''}
      ${labelMix(this.members, this.labels)}
      ${promptsSection(promptsFor(this.promptLog, `C${id}`), `C${id}`)}
      <section class="member-section"><cst-member-list .members=${this.members} .texts=${this.texts} .labels=${this.labels} .describe=${this.describe}></cst-member-list></section>
    `;
  }
}

customElements.define('cst-cluster-detail', ClusterDetail);

declare global {
  interface HTMLElementTagNameMap {
    'cst-cluster-detail': ClusterDetail;
  }
}
