import { LitElement, css, html } from 'lit';
import { wizardStyles } from './wizard-styles';
import { DEFAULT_TRANSFORMERS_LLM, LLM_DTYPES, type EngineSpec, type LlmDevice, type LlmDtype } from '../core/llm/spec';
import { webLlmChoiceLabel } from '../core/llm/webllm-models';
import { connectAllowed } from './csp';
import { webLlmModels } from './llm-client';

type EngineKind = EngineSpec['kind'];

const ENGINE_CHOICES: { kind: EngineKind; label: string; note: string }[] = [
  { kind: 'none', label: 'Keywords', note: 'Names from each cluster’s most distinctive words. Instant, no download.' },
  { kind: 'webllm', label: 'In-browser LLM (WebLLM, WebGPU)', note: 'A small chat model runs on your GPU and writes a title and description for every cluster. Downloaded once (hundreds of MB to a few GB), then cached.' },
  { kind: 'transformers', label: 'In-browser LLM (transformers.js)', note: 'An ONNX chat model on WebGPU or the CPU (slower). Same model sources as the embedders.' },
  { kind: 'openai', label: 'Your own LLM server', note: 'An OpenAI-compatible endpoint (llama.cpp, Ollama, LM Studio, or a cloud API). Cluster samples are sent to it.' },
];

/**
 * Step 3 of the wizard: who names the clusters. Keywords by default; an in-browser LLM or a server
 * the user points at otherwise. An API key lives only in this component's memory.
 */
export class LlmSettings extends LitElement {
  static override properties = {
    kind: { state: true },
    webllmModel: { state: true },
    webllmModels: { state: true },
    transformersModel: { state: true },
    transformersSource: { state: true },
    transformersDevice: { state: true },
    transformersDtype: { state: true },
    baseUrl: { state: true },
    serverModel: { state: true },
    serverModels: { state: true },
    apiKey: { state: true },
    serverNote: { state: true },
    webllmNote: { state: true },
  };

  kind: EngineKind = 'none';
  webllmModel = '';
  webllmModels: { id: string; label: string }[] = [];
  transformersModel = DEFAULT_TRANSFORMERS_LLM;
  transformersSource: 'hub' | 'same-origin' = 'hub';
  transformersDevice: LlmDevice = 'auto';
  transformersDtype: LlmDtype = 'q4';
  baseUrl = 'http://127.0.0.1:8080/v1';
  serverModel = '';
  serverModels: string[] = [];
  /** Never stored: kept in memory for this page only. */
  apiKey = '';
  serverNote = '';
  webllmNote = '';
  private webllmContexts = new Map<string, number>();

  static override styles = [
    wizardStyles,
    css`
      .warn { font-size: 0.85rem; color: #7a4b00; background: #fff6e5; border: 1px solid #f0d9a8; border-radius: 8px; padding: 0.4rem 0.6rem; margin-top: 0.6rem; }
    `,
  ];

  /** What the LLM worker should load. */
  spec(): EngineSpec {
    switch (this.kind) {
      case 'webllm':
        return { kind: 'webllm', model: this.webllmModel };
      case 'transformers':
        return {
          kind: 'transformers',
          model: this.transformersModel,
          dtype: this.transformersDtype,
          device: this.transformersDevice,
          source: this.transformersSource === 'same-origin' ? { kind: 'same-origin', baseUrl: new URL('models/', document.baseURI).href } : { kind: 'hub' },
        };
      case 'openai':
        return { kind: 'openai', baseUrl: this.baseUrl.trim(), model: this.serverModel.trim(), ...(this.apiKey ? { apiKey: this.apiKey } : {}) };
      default:
        return { kind: 'none' };
    }
  }

  /** The context window to plan LLM costs with before the engine is loaded (and can say). */
  contextHint(): number {
    if (this.kind === 'webllm') return this.webllmContexts.get(this.webllmModel) ?? 4096;
    return this.kind === 'transformers' ? 4096 : 8192;
  }

  /** A reason the run cannot start with this choice, or ''. */
  problem(): string {
    if (this.kind === 'openai') {
      try {
        const u = new URL(this.baseUrl.trim());
        if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'The server address must start with http:// or https://.';
      } catch {
        return 'Enter the server address, such as http://127.0.0.1:8080/v1.';
      }
      if (!connectAllowed(this.baseUrl.trim())) return this.policyNote();
      if (!this.serverModel.trim()) return 'Enter the model name the server should use (or press “List models”).';
    }
    if (this.kind === 'webllm' && !this.webllmModel) return 'Pick a WebLLM model.';
    if (this.kind === 'transformers' && !/^[\w.-]+(\/[\w.-]+)?$/.test(this.transformersModel)) return 'Enter a model id such as onnx-community/Qwen2.5-0.5B-Instruct.';
    return '';
  }

  private async listServerModels(): Promise<void> {
    if (!connectAllowed(this.baseUrl.trim())) {
      this.serverNote = 'Not asked: blocked by the security policy (see below).';
      return;
    }
    this.serverNote = 'Asking the server…';
    try {
      const { listModels } = await import('../core/llm/openai');
      this.serverModels = await listModels({ baseUrl: this.baseUrl.trim(), apiKey: this.apiKey || undefined });
      if (!this.serverModel && this.serverModels.length > 0) this.serverModel = this.serverModels[0];
      this.serverNote = this.serverModels.length ? `${this.serverModels.length} model(s) offered.` : 'The server lists no models; type the name.';
      this.changed();
    } catch (e) {
      this.serverNote = e instanceof Error ? e.message : String(e);
    }
  }

  private async loadWebllmModels(): Promise<void> {
    this.webllmNote = 'Checking what this GPU can run…';
    try {
      // Asked of the LLM worker: WebLLM's code loads there, not in the page.
      const catalog = await webLlmModels();
      this.webllmModels = catalog.offered.map((m) => ({ id: m.id, label: webLlmChoiceLabel(m) }));
      this.webllmContexts = new Map(catalog.offered.flatMap((m) => (m.contextTokens ? [[m.id, m.contextTokens] as const] : [])));
      if (!this.webllmModel || !this.webllmModels.some((m) => m.id === this.webllmModel)) this.webllmModel = catalog.defaultId ?? this.webllmModels[0]?.id ?? '';
      this.webllmNote = catalog.adapter
        ? `${this.webllmModels.length} models fit this GPU${catalog.adapter.features.includes('shader-f16') ? '' : ' (no 16-bit shaders: 32-bit variants only)'}.`
        : 'This browser offers no WebGPU adapter: choose transformers.js or a server.';
      this.changed();
    } catch (e) {
      this.webllmModels = [];
      this.webllmNote = `WebLLM could not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private pick(kind: EngineKind): void {
    this.kind = kind;
    if (kind === 'webllm' && this.webllmModels.length === 0) void this.loadWebllmModels();
    this.changed();
  }

  private changed(): void {
    this.dispatchEvent(new CustomEvent('settings-change', { bubbles: true, composed: true }));
  }

  /** Why the page's content-security policy keeps it from this server (see index.html). */
  private policyNote(): string {
    let origin = this.baseUrl.trim();
    try {
      origin = new URL(origin).origin;
    } catch {
      /* shown as typed */
    }
    return `This page's security policy lets it reach only its own site, Hugging Face and LLM servers at localhost or 127.0.0.1, so it cannot call ${origin}. Run the server on this computer (at localhost or 127.0.0.1), or host Constellate yourself with ${origin} added to connect-src in index.html (or CONSTELLATE_CONNECT_SRC when building).`;
  }

  private remote(): boolean {
    try {
      const h = new URL(this.baseUrl.trim()).hostname;
      return !(h === 'localhost' || h === '127.0.0.1' || h === '[::1]' || h.endsWith('.localhost'));
    } catch {
      return false;
    }
  }

  override render() {
    return html`
      <div class="choices" role="radiogroup" aria-label="Who names the clusters">
        ${ENGINE_CHOICES.map(
          (c) => html`<label class="choice ${this.kind === c.kind ? 'on' : ''}" data-engine=${c.kind}>
            <input type="radio" name="engine" .checked=${this.kind === c.kind} @change=${() => this.pick(c.kind)} />
            <span><b>${c.label}</b><small>${c.note}</small></span>
          </label>`,
        )}
      </div>
      ${this.kind === 'webllm'
        ? html`<div class="row">
            <label class="f">Model
              <select class="webllm-model" @change=${(e: Event) => { this.webllmModel = (e.target as HTMLSelectElement).value; this.changed(); }}>
                ${this.webllmModels.map((m) => html`<option value=${m.id} .selected=${m.id === this.webllmModel}>${m.label}</option>`)}
              </select>
            </label>
            <span class="hint webllm-note">${this.webllmNote}</span>
          </div>`
        : ''}
      ${this.kind === 'transformers'
        ? html`<div class="row">
            <label class="f">Model (a transformers.js text-generation model id)
              <input class="llm-model" size="38" .value=${this.transformersModel}
                @change=${(e: Event) => { this.transformersModel = (e.target as HTMLInputElement).value.trim(); this.changed(); }} />
            </label>
            <label class="f">Model files from
              <select class="llm-source" @change=${(e: Event) => { this.transformersSource = (e.target as HTMLSelectElement).value as 'hub' | 'same-origin'; this.changed(); }}>
                <option value="hub" .selected=${this.transformersSource === 'hub'}>Hugging Face (download once, then cached)</option>
                <option value="same-origin" .selected=${this.transformersSource === 'same-origin'}>This site's models/ folder (self-hosted, offline)</option>
              </select>
            </label>
            <label class="f">Device
              <select class="llm-device" @change=${(e: Event) => { this.transformersDevice = (e.target as HTMLSelectElement).value as LlmDevice; this.changed(); }}>
                <option value="auto" .selected=${this.transformersDevice === 'auto'}>Auto (WebGPU when available)</option>
                <option value="webgpu" .selected=${this.transformersDevice === 'webgpu'}>WebGPU (GPU)</option>
                <option value="wasm" .selected=${this.transformersDevice === 'wasm'}>WASM (CPU, slow)</option>
              </select>
            </label>
            <label class="f">Precision
              <select class="llm-dtype" @change=${(e: Event) => { this.transformersDtype = (e.target as HTMLSelectElement).value as LlmDtype; this.changed(); }}>
                ${LLM_DTYPES.map((d) => html`<option value=${d} .selected=${d === this.transformersDtype}>${d}</option>`)}
              </select>
            </label>
          </div>`
        : ''}
      ${this.kind === 'openai'
        ? html`<div class="row">
              <label class="f">Server address
                <input class="base-url" size="30" .value=${this.baseUrl}
                  @change=${(e: Event) => { this.baseUrl = (e.target as HTMLInputElement).value; this.changed(); }} />
              </label>
              <label class="f">Model
                <input class="server-model" size="22" list="cst-server-models" .value=${this.serverModel}
                  @input=${(e: Event) => { this.serverModel = (e.target as HTMLInputElement).value; this.changed(); }} />
                <datalist id="cst-server-models">${this.serverModels.map((m) => html`<option value=${m}></option>`)}</datalist>
              </label>
              <label class="f">API key (optional; kept in memory only)
                <input class="api-key" type="password" autocomplete="off" size="22" .value=${this.apiKey}
                  @input=${(e: Event) => { this.apiKey = (e.target as HTMLInputElement).value; }} />
              </label>
              <button class="list-models" @click=${() => this.listServerModels()}>List models</button>
              <span class="hint server-note">${this.serverNote}</span>
            </div>
            ${!connectAllowed(this.baseUrl.trim()) ? html`<div class="warn csp-blocked">${this.policyNote()}</div>` : this.remote() ? html`<div class="warn">This server is not on this computer: the sample texts of every cluster will be sent to it.</div>` : ''}`
        : ''}
    `;
  }
}

customElements.define('cst-llm-settings', LlmSettings);
