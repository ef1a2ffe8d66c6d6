import { LitElement, css, html, nothing } from 'lit';
import { attributeLeaves, runTree, type Attribution } from '../../core/assign';
import type { RunRecord } from '../../core/types';
import { membershipsCsv } from '../../io/memberships-csv';
import { htmlReport } from '../../io/report-html';
import { runToJson } from '../../io/run-json';
import { controlStyles } from '../theme';
import { CancelledError } from '../worker-client';
import { embedWithRun, hasSameOriginModel } from './run-embed';
import { mapColouring, scatterSvg, treemapSvg } from './view-svg';

/** A file name stem from a run name: letters and digits kept (any script), the rest dashes. */
export function fileStem(name: string): string {
  const s = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return s || 'constellate-run';
}

/** Offers a Blob as a download (an object URL on a temporary link, revoked soon after). */
export function downloadBlob(blob: Blob, fileName: string, host: Node = document.body): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  host.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Renders an SVG document to a PNG at `scale` × its size (via an <img> and a canvas). */
export async function svgToPng(svg: string, width: number, height: number, scale = 2): Promise<Blob> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a canvas, so no PNG can be made; export the SVG instead.');
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, width, height);
  return new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be encoded.'))), 'image/png'));
}

type Kind = 'json' | 'csv' | 'html' | 'treemap-svg' | 'treemap-png' | 'map-svg' | 'map-png';

const TREEMAP = { width: 1400, height: 900 };
const MAP = { width: 1400, height: 1000 };

/**
 * The explorer's Export menu: the run as JSON (to import again), the memberships CSV (with each
 * text's similarity to its theme and the runner-up, computed from the run's vectors, mostly read
 * from the embedding cache), a self-contained HTML report, and SVG/PNG of the treemap and the map.
 * Reflects `data-busy` while working and `data-last` (the last file offered) for tests.
 */
export class ExportMenu extends LitElement {
  static override properties = { run: { attribute: false }, open: { state: true }, busy: { state: true }, message: { state: true }, error: { state: true } };
  run: RunRecord | null = null;
  open = false;
  busy = '';
  message = '';
  error = '';
  private abort: AbortController | null = null;
  /** Attribution of the run last exported as CSV, so a second export does not embed again. */
  private attribution: { run: RunRecord; value: Attribution } | null = null;

  static override styles = [
    controlStyles,
    css`
      :host { display: inline-flex; align-items: center; gap: 0.6rem; position: relative; font-size: 0.9rem; }
      .toggle { font-weight: 600; }
      [role='menu'] {
        position: absolute; top: calc(100% + 4px); right: 0; z-index: 20; min-width: 19rem; display: flex; flex-direction: column;
        background: var(--cst-panel, #fff); border: 1px solid var(--cst-border, #e2e5ec); border-radius: 10px; padding: 0.3rem;
        box-shadow: 0 8px 24px rgba(20, 30, 50, 0.14);
      }
      [role='menu'][hidden] { display: none; }
      [role='menuitem'] { text-align: left; border: none; background: none; border-radius: 7px; padding: 0.4rem 0.6rem; cursor: pointer; font: inherit; }
      [role='menuitem']:hover, [role='menuitem']:focus-visible { background: var(--cst-accent-soft, #eef3ff); }
      [role='menuitem'] small { display: block; color: var(--cst-muted, #5b6475); font-size: 0.78rem; }
      .sep { border-top: 1px solid var(--cst-border, #e2e5ec); margin: 0.25rem 0; }
      /* Under the button, over the content: the tabs beside the menu keep their room. */
      .status {
        position: absolute; top: calc(100% + 4px); right: 0; z-index: 19; width: max-content; max-width: 28rem;
        color: var(--cst-muted, #5b6475); font-size: 0.82rem; background: var(--cst-panel, #fff);
        border: 1px solid var(--cst-border, #e2e5ec); border-radius: 8px; padding: 0.35rem 0.6rem; box-shadow: 0 4px 14px rgba(20, 30, 50, 0.1);
      }
      .status.error { color: #a11; border-color: #f3c2c2; }
      .status .close { border: none; background: none; padding: 0 0 0 0.4rem; cursor: pointer; color: inherit; }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('click', this.onOutside);
    this.abort?.abort();
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('run')) {
      this.message = '';
      this.error = '';
    }
  }

  private onOutside = (e: MouseEvent): void => {
    if (!e.composedPath().includes(this)) this.setOpen(false);
  };

  private setOpen(open: boolean): void {
    this.open = open;
    if (open) this.message = '';
    if (open) document.addEventListener('click', this.onOutside);
    else document.removeEventListener('click', this.onOutside);
  }

  private dismiss = 0;

  override updated(changed: Map<string, unknown>): void {
    // A note about a finished export goes away by itself after a while.
    if (changed.has('message') && this.message) {
      clearTimeout(this.dismiss);
      this.dismiss = window.setTimeout(() => (this.message = ''), 10_000);
    }
  }

  private offer(blob: Blob, name: string): void {
    downloadBlob(blob, name, this.renderRoot);
    this.setAttribute('data-last', name);
  }

  /** Builds and offers one export; public so tests and other views can ask for one. */
  async export(kind: Kind): Promise<void> {
    const run = this.run;
    if (!run || this.busy) return;
    this.setOpen(false);
    this.error = '';
    this.message = '';
    const stem = fileStem(run.name);
    this.abort = new AbortController();
    this.setAttribute('data-busy', '');
    try {
      switch (kind) {
        case 'json':
          this.offer(new Blob([runToJson(run)], { type: 'application/json' }), `${stem}.run.json`);
          this.message = 'Run saved as JSON: import it here or in another browser to open it again.';
          break;
        case 'csv': {
          const { attribution, note } = await this.attributionOf(run, this.abort.signal);
          this.offer(new Blob([membershipsCsv(run, attribution)], { type: 'text/csv;charset=utf-8' }), `${stem}.memberships.csv`);
          this.message = note;
          break;
        }
        case 'html':
          this.busy = 'Writing the report…';
          await this.updateComplete;
          this.offer(new Blob([htmlReport(run)], { type: 'text/html;charset=utf-8' }), `${stem}.report.html`);
          this.message = 'Report saved: one HTML file that opens offline, in any browser.';
          break;
        case 'treemap-svg':
        case 'treemap-png': {
          const svg = treemapSvg(runTree(run), { ...TREEMAP, title: run.name });
          if (kind === 'treemap-svg') this.offer(new Blob([svg], { type: 'image/svg+xml' }), `${stem}.treemap.svg`);
          else this.offer(await svgToPng(svg, TREEMAP.width, TREEMAP.height), `${stem}.treemap.png`);
          break;
        }
        case 'map-svg':
        case 'map-png': {
          const c = mapColouring(run);
          const svg = scatterSvg(run.coords, c.assignments, { ...MAP, names: c.names, colors: c.colors, title: run.name });
          if (kind === 'map-svg') this.offer(new Blob([svg], { type: 'image/svg+xml' }), `${stem}.map.svg`);
          else this.offer(await svgToPng(svg, MAP.width, MAP.height), `${stem}.map.png`);
          break;
        }
      }
    } catch (e) {
      this.error = e instanceof CancelledError || this.abort?.signal.aborted ? 'Cancelled.' : `The export failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.busy = '';
      this.abort = null;
      this.removeAttribute('data-busy');
    }
  }

  /**
   * Each text's similarity to its finest theme and the runner-up, from the run's vectors (the
   * embedding cache has them; they are embedded again if it was cleared). Without vectors the CSV
   * is still written, without those columns, and the note says why.
   */
  private async attributionOf(run: RunRecord, signal: AbortSignal): Promise<{ attribution?: Attribution; note: string }> {
    if (this.attribution?.run === run) return { attribution: this.attribution.value, note: 'Memberships saved, with each text’s similarity to its theme and the runner-up.' };
    try {
      this.busy = 'Reading the run’s vectors…';
      const files = (await hasSameOriginModel(run)) ? 'same-origin' : 'hub';
      const { corpus } = await embedWithRun(run, [], (p) => (this.busy = `Reading the run’s vectors… ${p.total ? Math.round((100 * p.done) / p.total) : 0} %`), signal, files);
      this.busy = 'Comparing every text with every theme…';
      const value = await attributeLeaves(runTree(run), corpus, undefined, { signal });
      this.attribution = { run, value };
      return { attribution: value, note: 'Memberships saved, with each text’s similarity to its theme and the runner-up.' };
    } catch (e) {
      if (e instanceof CancelledError || signal.aborted) throw e;
      return { note: `Memberships saved without similarities: the run’s vectors could not be had (${e instanceof Error ? e.message : String(e)}).` };
    }
  }

  override render() {
    const hier = !!this.run?.hierarchy;
    const item = (kind: Kind, label: string, note: string) =>
      html`<button role="menuitem" data-export=${kind} @click=${() => this.export(kind)}>${label}<small>${note}</small></button>`;
    return html`
      <button class="toggle" aria-haspopup="menu" aria-expanded=${String(this.open)} ?disabled=${!this.run || !!this.busy} @click=${() => this.setOpen(!this.open)}>Export ▾</button>
      <div role="menu" ?hidden=${!this.open}>
        ${item('json', 'Run (JSON)', 'Everything in the run, to import again')}
        ${item('csv', 'Memberships (CSV)', `One row per text: its ${hier ? 'path of themes' : 'cluster'}, similarity and runner-up`)}
        ${item('html', 'Report (HTML)', 'One self-contained file that opens offline')}
        <div class="sep"></div>
        ${item('treemap-svg', 'Treemap (SVG)', hier ? 'The top two levels of themes' : 'Clusters by size')}
        ${item('treemap-png', 'Treemap (PNG)', 'The same, as an image')}
        ${item('map-svg', 'Map (SVG)', 'The 2-D map of the texts')}
        ${item('map-png', 'Map (PNG)', 'The same, as an image')}
      </div>
      ${this.busy ? html`<span class="status busy" role="status">${this.busy} <button class="cancel" @click=${() => this.abort?.abort()}>Cancel</button></span>` : nothing}
      ${!this.busy && this.message
        ? html`<span class="status message" role="status">${this.message}<button class="close" aria-label="Dismiss" @click=${() => (this.message = '')}>×</button></span>`
        : nothing}
      ${this.error ? html`<span class="status error" role="alert">${this.error}<button class="close" aria-label="Dismiss" @click=${() => (this.error = '')}>×</button></span>` : nothing}
    `;
  }
}

customElements.define('cst-export-menu', ExportMenu);

declare global {
  interface HTMLElementTagNameMap {
    'cst-export-menu': ExportMenu;
  }
}
