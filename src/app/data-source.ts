import { LitElement, css, html } from 'lit';
import { LARGE_DATASET, sampleDataset } from '../core/sample-dataset';
import type { Dataset } from '../core/types';
import { analysableColumns, guessColumns, toDataset } from '../io/columns';
import { parseInput, type ParsedTable } from '../io/parse';

export interface DatasetChange {
  dataset: Dataset;
  textField: string;
  idField?: string;
  labelField?: string;
}

interface SampleInfo {
  id: string;
  name: string;
  file: string;
  description: string;
  textField?: string;
  labelField?: string;
}

/**
 * Step 1 of the wizard: get texts in (sample, file picker, drag and drop, paste), choose the columns,
 * and show what was read: rows, empty rows dropped, duplicates kept. Emits `dataset-change`.
 */
export class DataSource extends LitElement {
  static override properties = {
    table: { state: true },
    name: { state: true },
    textField: { state: true },
    idField: { state: true },
    labelField: { state: true },
    error: { state: true },
    busy: { state: true },
    dragging: { state: true },
    pasteOpen: { state: true },
    samples: { state: true },
    extraFields: { state: true },
    sampleOn: { state: true },
    sampleSize: { state: true },
  };

  table: ParsedTable | null = null;
  name = '';
  textField = '';
  idField = '';
  labelField = '';
  error = '';
  busy = '';
  dragging = false;
  pasteOpen = false;
  samples: SampleInfo[] = [];
  /** Issue 6: extra columns kept with the run for "Analyse a column" (yes/no and numeric ones ticked by default). */
  extraFields: string[] = [];
  /** Files above LARGE_DATASET texts: cluster a seeded random sample of `sampleSize` (on by default). */
  sampleOn = true;
  sampleSize = LARGE_DATASET;
  private current: Dataset | null = null;

  static override styles = css`
    :host { display: block; }
    .sources { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; }
    .drop { margin-top: 0.75rem; border: 2px dashed var(--cst-border, #ccc); border-radius: 10px; padding: 1.1rem; text-align: center; color: var(--cst-muted, #555); }
    .drop.dragging { border-color: var(--cst-accent, #3b6cf6); background: #eef3ff; }
    .sample-row { margin: 0.5rem 0; padding: 0.5rem 0.7rem; background: #fff6e5; border: 1px solid #f0d9a8; border-radius: 8px; font-size: 0.9rem; }
    .sample-row input.sample-size { width: 7rem; font: inherit; }
    textarea { width: 100%; min-height: 8rem; box-sizing: border-box; font: inherit; }
    .error { color: #a11; background: #fdecec; border: 1px solid #f3c2c2; padding: 0.6rem 0.8rem; border-radius: 8px; margin-top: 0.75rem; white-space: pre-wrap; }
    .warn { color: #7a5300; font-size: 0.85rem; }
    .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.6rem; margin-top: 0.75rem; }
    label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--cst-muted, #555); gap: 0.2rem; }
    select { font: inherit; padding: 0.25rem; }
    .stats { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 0.75rem; font-variant-numeric: tabular-nums; }
    .stats b { font-size: 1.1rem; }
    .extra-columns { display: flex; flex-wrap: wrap; gap: 0.3rem 0.9rem; align-items: center; margin-top: 0.6rem; font-size: 0.85rem; color: var(--cst-muted, #555); }
    .extra-columns label.extra { flex-direction: row; align-items: center; gap: 0.25rem; color: #333; }
    .preview { margin-top: 0.6rem; font-size: 0.85rem; color: #333; max-height: 8rem; overflow: auto; border-top: 1px solid #eee; }
    .preview div { padding: 0.2rem 0; border-bottom: 1px solid #f3f3f3; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    button { font: inherit; }
    .primary { background: var(--cst-accent, #3b6cf6); color: #fff; border: none; border-radius: 8px; padding: 0.5rem 0.9rem; cursor: pointer; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    // Open on a usable default: the first bundled sample, one click away from a result.
    void this.loadSampleIndex().then(() => {
      if (!this.table && !this.busy && this.samples[0]) void this.loadSample(this.samples[0].id);
    });
  }

  private async loadSampleIndex(): Promise<void> {
    try {
      const res = await fetch(new URL('samples/index.json', document.baseURI));
      if (res.ok) this.samples = (await res.json()) as SampleInfo[];
    } catch {
      // No samples bundled: the other sources still work.
    }
  }

  /** Loads the first bundled sample (used by the one-click start). */
  async loadSample(id?: string): Promise<void> {
    const s = this.samples.find((x) => x.id === id) ?? this.samples[0];
    if (!s) {
      await this.loadSampleIndex();
      if (!this.samples[0]) return;
      return this.loadSample(id);
    }
    await this.guard(`Loading sample “${s.name}”…`, async () => {
      const res = await fetch(new URL(`samples/${s.file}`, document.baseURI));
      if (!res.ok) throw new Error(`Could not load the sample (${res.status}).`);
      await this.useBlob(await res.blob(), s.name, s.file, s.textField, s.labelField);
    });
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    this.error = '';
    this.busy = what;
    try {
      await fn();
    } catch (e) {
      // A failed load keeps whatever was loaded before.
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = '';
    }
  }

  private async useBlob(blob: Blob | string, name: string, fileName: string, textField?: string, labelField?: string): Promise<void> {
    const table = await parseInput(blob, { name: fileName });
    const guess = guessColumns(table);
    this.table = table;
    this.name = name;
    this.textField = textField && table.columns.includes(textField) ? textField : guess.text;
    this.labelField = labelField && table.columns.includes(labelField) ? labelField : guess.label ?? '';
    this.idField = guess.id ?? '';
    this.extraFields = analysableColumns(table, [this.textField, this.idField, this.labelField]);
    this.emit();
  }

  private onFiles(files: FileList | null): void {
    const file = files?.[0];
    if (!file) return;
    void this.guard(`Reading ${file.name}…`, () => this.useBlob(file, file.name.replace(/\.[^.]+$/, ''), file.name));
  }

  private onPaste(): void {
    const ta = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea');
    const text = ta?.value ?? '';
    void this.guard('Reading pasted text…', () => this.useBlob(text, 'Pasted texts', 'pasted.txt'));
  }

  private emit(): void {
    if (!this.table) return;
    try {
      const dataset = toDataset(this.table, {
        name: this.name,
        textFields: [this.textField],
        idField: this.idField || undefined,
        labelField: this.labelField || undefined,
        extraFields: this.extraFields.filter((f) => f !== this.textField && f !== this.idField && f !== this.labelField),
      });
      this.current = dataset;
      this.error = dataset.texts.length === 0 ? `The column “${this.textField}” has no non-empty texts. Pick another text column.` : '';
      const large = dataset.texts.length > LARGE_DATASET;
      const detail: DatasetChange = {
        dataset: large && this.sampleOn ? sampleDataset(dataset, this.sampleSize) : dataset,
        textField: this.textField,
        idField: this.idField || undefined,
        labelField: this.labelField || undefined,
      };
      this.dispatchEvent(new CustomEvent<DatasetChange>('dataset-change', { detail, bubbles: true, composed: true }));
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private pick(field: 'textField' | 'idField' | 'labelField', e: Event): void {
    this[field] = (e.target as HTMLSelectElement).value;
    this.emit();
  }

  /** The offer to cluster a sample of a very large file. */
  private renderSample(n: number) {
    return html`<div class="sample-row" data-large=${n}>
      <label><input type="checkbox" class="sample-on" .checked=${this.sampleOn}
        @change=${(e: Event) => { this.sampleOn = (e.target as HTMLInputElement).checked; this.emit(); }} />
        ${n.toLocaleString()} texts is more than this page clusters well in a browser. Cluster a random sample of</label>
      <input type="number" class="sample-size" min="100" max=${n} step="1000" .value=${String(this.sampleSize)} ?disabled=${!this.sampleOn}
        @change=${(e: Event) => {
          const v = Math.floor(Number((e.target as HTMLInputElement).value));
          this.sampleSize = Number.isFinite(v) && v >= 100 ? Math.min(v, n) : LARGE_DATASET;
          this.emit();
        }} /> texts (the same sample every time; the rest can be placed into the result later with “Place new texts”).
      ${this.sampleOn ? '' : html`<div class="warn">All ${n.toLocaleString()} texts will be clustered: this may take very long or run out of memory.</div>`}
    </div>`;
  }

  override render() {
    const t = this.table;
    const d = this.current;
    return html`
      <div class="sources">
        ${this.samples.map(
          (s) => html`<button class="primary sample" data-sample=${s.id} title=${s.description} @click=${() => this.loadSample(s.id)}>Try the sample: ${s.name}</button>`,
        )}
        <label style="flex-direction:row;align-items:center">
          <input type="file" class="file" accept=".csv,.tsv,.jsonl,.ndjson,.json,.txt,text/*" @change=${(e: Event) => this.onFiles((e.target as HTMLInputElement).files)} />
        </label>
        <button class="paste-toggle" @click=${() => (this.pasteOpen = !this.pasteOpen)}>${this.pasteOpen ? 'Hide paste box' : 'Paste texts'}</button>
      </div>
      <div
        class="drop ${this.dragging ? 'dragging' : ''}"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = true;
        }}
        @dragleave=${() => (this.dragging = false)}
        @drop=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = false;
          this.onFiles(e.dataTransfer?.files ?? null);
        }}
      >
        Drop a CSV, TSV, JSONL, JSON or TXT file here. It is read in this browser and never uploaded.
      </div>
      ${this.pasteOpen
        ? html`<div style="margin-top:0.6rem">
            <textarea placeholder="One text per line (or paste CSV / JSONL)"></textarea>
            <button class="use-paste" @click=${() => this.onPaste()}>Use these texts</button>
          </div>`
        : ''}
      ${this.busy ? html`<p class="busy">${this.busy}</p>` : ''}
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${t
        ? html`
            <div class="columns">
              <label>Text column
                <select class="text-field" @change=${(e: Event) => this.pick('textField', e)}>
                  ${t.columns.map((c) => html`<option .selected=${c === this.textField} value=${c}>${c}</option>`)}
                </select>
              </label>
              <label>ID column (optional)
                <select class="id-field" @change=${(e: Event) => this.pick('idField', e)}>
                  <option value="" .selected=${!this.idField}>— none —</option>
                  ${t.columns.map((c) => html`<option .selected=${c === this.idField} value=${c}>${c}</option>`)}
                </select>
              </label>
              <label>Ground-truth label (optional)
                <select class="label-field" @change=${(e: Event) => this.pick('labelField', e)}>
                  <option value="" .selected=${!this.labelField}>— none —</option>
                  ${t.columns.map((c) => html`<option .selected=${c === this.labelField} value=${c}>${c}</option>`)}
                </select>
              </label>
            </div>
            ${t.columns.some((c) => c !== this.textField && c !== this.idField && c !== this.labelField)
              ? html`<div class="extra-columns">Columns to analyse (optional, kept with the run):
                  ${t.columns
                    .filter((c) => c !== this.textField && c !== this.idField && c !== this.labelField)
                    .map(
                      (c) => html`<label class="extra"><input type="checkbox" data-column=${c} .checked=${this.extraFields.includes(c)}
                        @change=${(e: Event) => {
                          const on = (e.target as HTMLInputElement).checked;
                          this.extraFields = on ? [...this.extraFields, c] : this.extraFields.filter((x) => x !== c);
                          this.emit();
                        }} />${c}</label>`,
                    )}
                </div>`
              : ''}
            ${d
              ? html`<div class="stats" data-kept=${d.stats.kept}>
                  <span><b>${this.name}</b> (${t.format.toUpperCase()})</span>
                  <span>rows read <b class="rows">${d.stats.rows.toLocaleString()}</b></span>
                  <span>empty, dropped <b class="empty">${d.stats.empty.toLocaleString()}</b></span>
                  <span>duplicates, kept <b class="dups">${d.stats.duplicates.toLocaleString()}</b></span>
                  <span>texts to cluster <b class="kept">${d.stats.kept.toLocaleString()}</b></span>
                  ${d.labels ? html`<span>labels <b class="labels">${new Set(d.labels).size}</b></span>` : ''}
                </div>
                ${d.texts.length > LARGE_DATASET ? this.renderSample(d.texts.length) : ''}
                ${t.warnings.length ? html`<div class="warn">${t.warnings.slice(0, 5).map((w) => html`<div>${w}</div>`)}</div>` : ''}
                <div class="preview">${d.texts.slice(0, 6).map((x) => html`<div dir="auto">${x}</div>`)}</div>`
              : ''}
          `
        : ''}
    `;
  }
}

customElements.define('cst-data-source', DataSource);
