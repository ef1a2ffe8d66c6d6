import { LitElement, css, html } from 'lit';
import { wizardStyles } from './wizard-styles';
import { DEFAULT_TRANSFORMERS_MODEL, EMBEDDER_CHOICES, TRANSFORMERS_MODELS } from '../core/embed/catalog';
import type { EmbedderSpec } from '../core/embed/spec';
import type { HierarchySettings } from '../core/hierarchy/stage';
import type { LlmMethodSettings } from '../core/methods/run-method';
import type { EmbedderId } from '../core/types';

export type SourceKind = 'hub' | 'same-origin' | 'files';

export type MethodId = 'kmeans' | 'hercules' | 'recursive' | 'clusterfusion' | 'pseudolabels';

/** Methods where the LLM forms the clusters, not only names them. */
export const LLM_METHODS: readonly MethodId[] = ['clusterfusion', 'pseudolabels'];

const METHOD_CHOICES: readonly { id: MethodId; label: string; note: string }[] = [
  { id: 'kmeans', label: 'Flat clusters', note: 'k-means into k groups: quick, one level.' },
  { id: 'hercules', label: 'Hierarchy of themes', note: 'HERCULES: clusters, then clusters of clusters, named level by level.' },
  { id: 'clusterfusion', label: 'LLM topics (ClusterFusion)', note: 'The LLM reads a balanced sample, proposes k topics, then puts every text in one of them. Needs an LLM; costs a call per ~20 texts.' },
  { id: 'pseudolabels', label: 'LLM labels (shared pseudo-labels)', note: 'The LLM labels every text in view of its neighbours, refines the labels, then k-means groups texts by them. Needs an LLM; about one call per text per round.' },
  { id: 'recursive', label: 'Zoom into themes', note: 'Top-down: find broad themes (UMAP + HDBSCAN), then split each loose one again. Finds its own number of themes; texts that fit none stay “unclustered”. Slower.' },
];

/** Clusters per level for n texts: about √n at the bottom, each level about 4.5× fewer, down to 2. */
export function defaultLevels(n: number): number[] {
  const out = [Math.max(2, Math.min(100, Math.round(Math.sqrt(n))))];
  while (out.length < 3) {
    const next = Math.round(out[out.length - 1] / 4.5);
    if (next < 2) break;
    out.push(next);
  }
  return out;
}

/**
 * Step 2 of the wizard: which embedder (with what it costs), where its model comes from, and k.
 * `spec()` turns the choice into what the embed worker needs.
 */
export class RunSettings extends LitElement {
  static override properties = {
    embedder: { state: true },
    model: { state: true },
    source: { state: true },
    device: { state: true },
    dtype: { state: true },
    k: { type: Number },
    autoK: { state: true },
    projection: { state: true },
    n: { type: Number },
    pickedCount: { state: true },
    webgpu: { state: true },
    method: { state: true },
    levels: { state: true },
    mode: { state: true },
    topicSeed: { state: true },
    maxDepth: { state: true },
    splitBelow: { state: true },
    groups: { state: true },
    sampleSize: { state: true },
    domainContext: { state: true },
    guidance: { state: true },
    neighbours: { state: true },
    maxRounds: { state: true },
  };

  embedder: EmbedderId = 'glove-sif';
  model = DEFAULT_TRANSFORMERS_MODEL;
  source: SourceKind = 'hub';
  device: 'auto' | 'webgpu' | 'wasm' = 'auto';
  dtype = 'q8';
  k = 10;
  /** Choose k by the silhouette sweep instead. */
  autoK = false;
  /** The 2-D map; UMAP unless the data is large (it costs about a second per few hundred texts here). */
  projection: 'pca' | 'umap' = 'umap';
  /** Number of texts loaded, to bound k. */
  n = 0;
  pickedCount = 0;
  webgpu: boolean | null = null;
  /** Flat k-means, a HERCULES hierarchy built bottom-up, or a recursive one built top-down. */
  method: MethodId = 'kmeans';
  /** ClusterFusion: k-means groups for the sample (blank = 2k), sample size (blank = as many as fit). */
  groups = '';
  sampleSize = '';
  /** ClusterFusion and pseudo-labels: what the texts are, and (ClusterFusion) how to shape the topics. */
  domainContext = '';
  guidance = '';
  /** Pseudo-labels: neighbours per text, and rounds of refinement at most. */
  neighbours = 10;
  maxRounds = 5;
  /** Recursive: most levels, and the silhouette below which a theme is split again. */
  maxDepth = 3;
  splitBelow = 0.3;
  /** HERCULES clusters per level, finest first, as typed ("60, 12, 3"). */
  levels = '';
  mode: 'direct' | 'description' = 'direct';
  /** Steers the LLM's names towards an interest (HERCULES topic seed). */
  topicSeed = '';
  private picked = new Map<string, Blob>();

  static override styles = [
    wizardStyles,
    css`
      input.k { width: 6rem; }
      .sub { margin-top: 1rem; font-size: 0.85rem; font-weight: 600; color: var(--cst-muted, #555); }
      .methods { margin-top: 0.35rem; align-items: stretch; }
      .methods .choice { flex: 1 1 16rem; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.probeWebGpu();
  }

  private async probeWebGpu(): Promise<void> {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    try {
      this.webgpu = gpu ? (await gpu.requestAdapter()) !== null : false;
    } catch {
      this.webgpu = false;
    }
  }

  /** What the embed worker should build. */
  spec(): EmbedderSpec {
    switch (this.embedder) {
      case 'tfidf-lsa':
        return { id: 'tfidf-lsa' };
      case 'transformers':
        return {
          id: 'transformers',
          model: this.model,
          dtype: this.dtype,
          device: this.device,
          source:
            this.source === 'hub'
              ? { kind: 'hub' }
              : this.source === 'same-origin'
                ? { kind: 'same-origin', baseUrl: new URL('models/', document.baseURI).href }
                : { kind: 'files', files: this.picked },
        };
      default:
        return { id: 'glove-sif', assetUrl: new URL('assets/generated/glove-sif-100d.bin', document.baseURI).href };
    }
  }

  /** A reason the run cannot start yet, or ''. */
  /** The k to run: a number, or 'auto' for the sweep. */
  kChoice(): number | 'auto' {
    return this.autoK ? 'auto' : this.k;
  }

  /** The hierarchy to build, or undefined for a flat run. */
  hierarchySettings(): HierarchySettings | undefined {
    const topicSeed = this.topicSeed.trim() || undefined;
    if (this.method === 'recursive') return { method: 'recursive', maxDepth: this.maxDepth, silhouetteThreshold: this.splitBelow, topicSeed };
    if (this.method !== 'hercules') return undefined;
    return { method: 'hercules', levels: this.levelCounts() ?? [], mode: this.mode, topicSeed };
  }

  /** The LLM-in-the-loop method to run, or undefined. */
  llmMethodSettings(): LlmMethodSettings | undefined {
    const domainContext = this.domainContext.trim() || undefined;
    if (this.method === 'clusterfusion') {
      const groups = Number(this.groups);
      const sample = Number(this.sampleSize);
      return {
        kind: 'clusterfusion',
        k: this.k,
        ...(this.groups.trim() && Number.isInteger(groups) ? { groups } : {}),
        sampleSize: this.sampleSize.trim() && Number.isInteger(sample) ? sample : 'auto',
        ...(domainContext ? { domainContext } : {}),
        ...(this.guidance.trim() ? { guidance: this.guidance.trim() } : {}),
      };
    }
    if (this.method === 'pseudolabels') {
      return { kind: 'pseudolabels', k: this.kChoice(), neighbours: this.neighbours, maxRounds: this.maxRounds, ...(domainContext ? { domainContext } : {}) };
    }
    return undefined;
  }

  /** HERCULES levels as numbers, or null when the text is not a list of whole numbers ≥ 2. */
  levelCounts(): number[] | null {
    const parts = this.levels.split(/[\s,;]+/).filter((x) => x !== '');
    const nums = parts.map(Number);
    return nums.length > 0 && nums.every((x) => Number.isInteger(x) && x >= 2) ? nums : null;
  }

  problem(): string {
    if (this.method === 'clusterfusion') {
      if (!Number.isInteger(this.k) || this.k < 2) return 'ClusterFusion needs k of at least 2 topics.';
      if (this.n > 0 && this.k > this.n) return `k (${this.k}) is larger than the number of texts (${this.n}).`;
      if (this.groups.trim() && !(Number.isInteger(Number(this.groups)) && Number(this.groups) >= this.k)) return 'Sample groups must be a whole number of at least k (or blank for 2k).';
      if (this.sampleSize.trim() && !(Number.isInteger(Number(this.sampleSize)) && Number(this.sampleSize) >= this.k)) return 'The sample must hold at least k texts (or leave it blank).';
    }
    if (this.method === 'pseudolabels') {
      if (!Number.isInteger(this.neighbours) || this.neighbours < 1 || this.neighbours > 50) return 'Neighbours per text: a whole number from 1 to 50.';
      if (!Number.isInteger(this.maxRounds) || this.maxRounds < 0 || this.maxRounds > 20) return 'Rounds: a whole number from 0 to 20.';
    }
    if (this.method === 'recursive') {
      if (!Number.isInteger(this.maxDepth) || this.maxDepth < 1 || this.maxDepth > 6) return 'Choose between 1 and 6 levels.';
      if (!(this.splitBelow > 0 && this.splitBelow <= 1)) return 'The split threshold is a silhouette between 0 and 1.';
      if (this.n > 0 && this.n < 20) return 'Zooming into themes needs at least 20 texts.';
      return this.embedderProblem();
    }
    if (this.method === 'hercules') {
      const counts = this.levelCounts();
      if (!counts) return 'Give the clusters per level as whole numbers of at least 2, finest first, such as 60, 12, 3.';
      if (counts.some((c, i) => i > 0 && c >= counts[i - 1])) return 'Each level needs fewer clusters than the one below it (finest first, such as 60, 12, 3).';
      if (this.n > 0 && counts[0] > this.n) return `The first level asks for ${counts[0]} clusters, more than the ${this.n} texts loaded.`;
      return this.embedderProblem();
    }
    if (this.autoK && this.n > 0 && this.n < 3) return 'Choosing k automatically needs at least 3 texts.';
    if (!this.autoK && (!Number.isInteger(this.k) || this.k < 1)) return 'Choose a number of clusters of at least 1.';
    if (!this.autoK && this.n > 0 && this.k > this.n) return `k (${this.k}) is larger than the number of texts (${this.n}).`;
    return this.embedderProblem();
  }

  private embedderProblem(): string {
    if (this.embedder === 'transformers' && !/^[\w.-]+(\/[\w.-]+)?$/.test(this.model)) return 'Enter a model id such as Xenova/all-MiniLM-L6-v2.';
    if (this.embedder === 'transformers' && this.source === 'files' && !this.picked.has('config.json'))
      return 'Pick the model folder (it must contain config.json, tokenizer.json and onnx/).';
    return '';
  }

  private onFolder(e: Event): void {
    const files = (e.target as HTMLInputElement).files;
    this.picked = new Map();
    for (const f of Array.from(files ?? [])) {
      const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
      // Drop the picked folder's own name: keys are relative to the model folder.
      const key = rel.includes('/') ? rel.slice(rel.indexOf('/') + 1) : rel;
      this.picked.set(key, f);
    }
    this.pickedCount = this.picked.size;
    this.changed();
  }

  private kField() {
    return html`<label class="f">Number of clusters (k)
      <input class="k" type="number" min="1" max=${this.n || 100000} .value=${String(this.k)} ?disabled=${this.autoK && this.method !== 'clusterfusion'}
        @input=${(e: Event) => { this.k = Number((e.target as HTMLInputElement).value); this.changed(); }} />
    </label>`;
  }

  private autoKField() {
    return html`<label class="auto-k-label"><input class="auto-k" type="checkbox" .checked=${this.autoK}
      @change=${(e: Event) => { this.autoK = (e.target as HTMLInputElement).checked; this.changed(); }} /> choose k for me</label>`;
  }

  private domainField() {
    return html`<label class="f">What the texts are (optional)
      <input class="domain" size="24" .value=${this.domainContext} placeholder="e.g. banking app support requests"
        @input=${(e: Event) => { this.domainContext = (e.target as HTMLInputElement).value; this.changed(); }} />
    </label>`;
  }

  private topicSeedField() {
    return html`<label class="f">Topic seed (optional)
      <input class="topic-seed" size="24" .value=${this.topicSeed} placeholder="e.g. reasons customers contact us"
        @input=${(e: Event) => { this.topicSeed = (e.target as HTMLInputElement).value; this.changed(); }} />
    </label>`;
  }

  private changed(): void {
    this.dispatchEvent(new CustomEvent('settings-change', { bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <div class="choices">
        ${EMBEDDER_CHOICES.map(
          (c) => html`<label class="choice ${this.embedder === c.id ? 'on' : ''}" data-embedder=${c.id}>
            <input type="radio" name="embedder" .checked=${this.embedder === c.id} @change=${() => { this.embedder = c.id; this.changed(); }} />
            <span><b>${c.label}</b> <span class="hint">(${c.download})</span><small>${c.note}</small></span>
          </label>`,
        )}
      </div>
      ${this.embedder === 'transformers'
        ? html`<div class="row">
            <label class="f">Model (any transformers.js feature-extraction model id)
              <input class="model" list="cst-models" size="38" .value=${this.model}
                @change=${(e: Event) => { this.model = (e.target as HTMLInputElement).value.trim(); this.changed(); }} />
              <datalist id="cst-models">
                ${TRANSFORMERS_MODELS.map((m) => html`<option value=${m.model}>${m.label} — ${m.size}</option>`)}
              </datalist>
            </label>
            <label class="f">Model files from
              <select class="source" @change=${(e: Event) => { this.source = (e.target as HTMLSelectElement).value as SourceKind; this.changed(); }}>
                <option value="hub" .selected=${this.source === 'hub'}>Hugging Face (download once, then cached)</option>
                <option value="same-origin" .selected=${this.source === 'same-origin'}>This site's models/ folder (self-hosted, offline)</option>
                <option value="files" .selected=${this.source === 'files'}>A folder on this computer</option>
              </select>
            </label>
            ${this.source === 'files'
              ? html`<label class="f">Model folder <input type="file" webkitdirectory multiple @change=${(e: Event) => this.onFolder(e)} />
                  <span class="hint">${this.pickedCount} files picked</span></label>`
              : ''}
            <label class="f">Device
              <select class="device" @change=${(e: Event) => { this.device = (e.target as HTMLSelectElement).value as 'auto' | 'webgpu' | 'wasm'; this.changed(); }}>
                <option value="auto" .selected=${this.device === 'auto'}>Auto (${this.webgpu ? 'WebGPU available' : this.webgpu === false ? 'no WebGPU: WASM' : 'checking…'})</option>
                <option value="webgpu" .selected=${this.device === 'webgpu'} ?disabled=${this.webgpu === false}>WebGPU (GPU)</option>
                <option value="wasm" .selected=${this.device === 'wasm'}>WASM (CPU)</option>
              </select>
            </label>
            <label class="f">Precision
              <select class="dtype" @change=${(e: Event) => { this.dtype = (e.target as HTMLSelectElement).value; this.changed(); }}>
                <option value="q8" .selected=${this.dtype === 'q8'}>q8 (small, fast on CPU)</option>
                <option value="fp16" .selected=${this.dtype === 'fp16'}>fp16 (GPU with shader-f16)</option>
                <option value="fp32" .selected=${this.dtype === 'fp32'}>fp32 (exact, largest)</option>
              </select>
            </label>
          </div>`
        : ''}
      <div class="sub">How to group them</div>
      <div class="row methods" role="radiogroup" aria-label="Method">
        ${METHOD_CHOICES.map(
          (m) => html`<label class="choice method ${this.method === m.id ? 'on' : ''}" data-method=${m.id}>
            <input type="radio" name="method" .checked=${this.method === m.id} @change=${() => { this.method = m.id; this.changed(); }} />
            <span><b>${m.label}</b><small>${m.note}</small></span>
          </label>`,
        )}
      </div>
      <div class="row">
        ${this.method === 'recursive'
          ? html`<label class="f">Levels at most
                <input class="max-depth" type="number" min="1" max="6" .value=${String(this.maxDepth)}
                  @input=${(e: Event) => { this.maxDepth = Number((e.target as HTMLInputElement).value); this.changed(); }} />
              </label>
              <label class="f">Split a theme again while its silhouette is below
                <input class="split-below" type="number" min="0.05" max="1" step="0.05" .value=${String(this.splitBelow)}
                  @input=${(e: Event) => { this.splitBelow = Number((e.target as HTMLInputElement).value); this.changed(); }} />
              </label>
              ${this.topicSeedField()}`
          : this.method === 'hercules'
          ? html`<label class="f">Clusters per level, finest first
                <input class="levels" size="14" .value=${this.levels} placeholder="60, 12, 3"
                  @input=${(e: Event) => { this.levels = (e.target as HTMLInputElement).value; this.changed(); }} />
              </label>
              <label class="f">Upper levels group
                <select class="mode" @change=${(e: Event) => { this.mode = (e.target as HTMLSelectElement).value as 'direct' | 'description'; this.changed(); }}>
                  <option value="direct" .selected=${this.mode === 'direct'}>cluster centres (fast)</option>
                  <option value="description" .selected=${this.mode === 'description'}>embedded cluster descriptions (needs an LLM to help)</option>
                </select>
              </label>
              ${this.topicSeedField()}`
          : this.method === 'clusterfusion'
          ? html`${this.kField()}
              <label class="f">Sample groups (M)
                <input class="groups" size="6" .value=${this.groups} placeholder=${String(2 * this.k)}
                  @input=${(e: Event) => { this.groups = (e.target as HTMLInputElement).value; this.changed(); }} />
              </label>
              <label class="f">Sample size (S)
                <input class="sample-size" size="6" .value=${this.sampleSize} placeholder="fits"
                  @input=${(e: Event) => { this.sampleSize = (e.target as HTMLInputElement).value; this.changed(); }} />
              </label>
              ${this.domainField()}
              <label class="f">Guidance (optional)
                <input class="guidance" size="28" .value=${this.guidance} placeholder="e.g. merge billing topics; keep refunds separate"
                  @input=${(e: Event) => { this.guidance = (e.target as HTMLInputElement).value; this.changed(); }} />
              </label>`
          : this.method === 'pseudolabels'
          ? html`${this.kField()}${this.autoKField()}
              <label class="f">Neighbours per text
                <input class="neighbours" type="number" min="1" max="50" .value=${String(this.neighbours)}
                  @input=${(e: Event) => { this.neighbours = Number((e.target as HTMLInputElement).value); this.changed(); }} />
              </label>
              <label class="f">Rounds at most
                <input class="max-rounds" type="number" min="0" max="20" .value=${String(this.maxRounds)}
                  @input=${(e: Event) => { this.maxRounds = Number((e.target as HTMLInputElement).value); this.changed(); }} />
              </label>
              ${this.domainField()}`
          : html`${this.kField()}${this.autoKField()}`}
        <label class="f">2-D map
          <select class="projection" @change=${(e: Event) => { this.projection = (e.target as HTMLSelectElement).value as 'pca' | 'umap'; this.changed(); }}>
            <option value="umap" .selected=${this.projection === 'umap'}>UMAP (clear neighbourhoods; seconds per thousand texts)</option>
            <option value="pca" .selected=${this.projection === 'pca'}>PCA (instant, overlapping)</option>
          </select>
        </label>
        <span class="hint">${this.method === 'clusterfusion'
          ? 'The topics come from the LLM; a text it cannot place goes to the nearest topic by embedding (counted in the result).'
          : this.method === 'pseudolabels'
          ? 'Every text keeps its labels: a readable second view of it, shown with its members.'
          : this.method === 'recursive'
          ? 'Each theme is re-mapped and re-clustered on its own, so sub-themes the overall map blurs can show. Takes about a minute per 5,000 texts here.'
          : this.method === 'hercules'
          ? 'Level 1 groups the texts; each next level groups the clusters of the level below. Every cluster gets a title and description.'
          : this.autoK
          ? 'Tries about eight values of k between 2 and 2√n and keeps the one with the best silhouette; the curve is shown with the result. Silhouette favours few, broad clusters.'
          : this.n ? `${this.n.toLocaleString()} texts loaded; k between 1 and ${this.n.toLocaleString()}.` : ''}</span>
      </div>
    `;
  }
}

customElements.define('cst-run-settings', RunSettings);
