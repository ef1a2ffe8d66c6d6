import { LitElement, css, html } from 'lit';
import type { Progress } from '../core/types';

const STAGE_LABEL: Record<string, string> = {
  load: 'Reading file',
  model: 'Loading model',
  embed: 'Embedding texts',
  cluster: 'Clustering (k-means)',
  sweep: 'Trying values of k',
  reduce: 'Projecting to 2-D',
  explain: 'Finding keywords and representatives',
  evaluate: 'Scoring the clustering',
  save: 'Saving the run',
  llm: 'Loading the language model',
  hierarchy: 'Building the hierarchy',
  name: 'Naming clusters',
};

/** Stage, count, rate and ETA of the running job, with a cancel button. */
export class ProgressView extends LitElement {
  static override properties = { progress: { attribute: false } };
  progress: Progress | null = null;
  private stageStart = new Map<string, { t: number; done: number }>();

  static override styles = css`
    :host { display: block; padding: 1rem 1.25rem; border: 1px solid var(--cst-border, #ddd); border-radius: 10px; background: var(--cst-panel, #fff); }
    .stage { font-weight: 600; margin-bottom: 0.5rem; }
    progress { width: 100%; height: 14px; }
    .figures { display: flex; gap: 1.25rem; font-size: 0.9rem; color: var(--cst-muted, #555); margin-top: 0.4rem; font-variant-numeric: tabular-nums; }
    button { margin-top: 0.75rem; }
    ol { list-style: none; padding: 0; margin: 0 0 0.6rem; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.85rem; color: var(--cst-muted, #555); }
    li.done::before { content: '✓ '; color: #2a8a3e; }
    li.now { color: #1d2330; font-weight: 600; }
  `;

  override render() {
    const p = this.progress;
    if (!p) return html``;
    const now = performance.now();
    let start = this.stageStart.get(p.stage);
    if (!start) {
      start = { t: now, done: p.done };
      this.stageStart.set(p.stage, start);
    }
    const secs = (now - start.t) / 1000;
    const rate = secs > 0.2 ? (p.done - start.done) / secs : 0;
    const left = rate > 0 && p.total > p.done ? (p.total - p.done) / rate : NaN;
    const label = STAGE_LABEL[p.stage] ?? p.stage;
    // With a message the counts are steps of that stage, not texts: no rate, only the ETA.
    const stages = [...this.stageStart.entries()];
    return html`
      <ol class="stages">
        ${stages.map(([name, st], i) => {
          const next = stages[i + 1]?.[1];
          const secs = next ? (next.t - st.t) / 1000 : null;
          return html`<li class=${next ? 'done' : 'now'}>${STAGE_LABEL[name] ?? name}${secs !== null ? ` (${formatSeconds(secs)})` : ''}</li>`;
        })}
      </ol>
      <div class="stage" data-stage=${p.stage}>${label}${p.message ? html` — ${p.message}` : ''}</div>
      <progress max=${Math.max(1, p.total)} value=${Math.min(p.done, p.total)}></progress>
      <div class="figures">
        <span class="count">${p.done.toLocaleString()} / ${p.total.toLocaleString()}</span>
        ${rate > 0 && !p.message ? html`<span class="rate">${formatRate(rate, p.stage)}</span>` : ''}
        ${Number.isFinite(left) ? html`<span class="eta">about ${formatSeconds(left)} left</span>` : ''}
      </div>
      <button class="cancel" @click=${() => this.dispatchEvent(new CustomEvent('cancel', { bubbles: true, composed: true }))}>Cancel</button>
    `;
  }

  /** Forget stage timings (a new run starts). */
  reset(): void {
    this.stageStart.clear();
  }
}

function formatRate(rate: number, stage: string): string {
  const unit = stage === 'embed' ? 'texts/s' : stage === 'load' ? 'B/s' : stage === 'cluster' ? 'iterations/s' : '/s';
  return `${rate >= 100 ? Math.round(rate).toLocaleString() : rate.toFixed(1)} ${unit}`;
}

export function formatSeconds(s: number): string {
  if (s < 1) return '<1 s';
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

customElements.define('cst-progress', ProgressView);
