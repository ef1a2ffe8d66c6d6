/**
 * WebLLM (MLC) on WebGPU: the default engine where the adapter allows. WebLLM itself is imported
 * lazily (dynamic import), so its ~7 MB stay out of every bundle until this engine is chosen.
 * Model weights come from WebLLM's hub and are cached by the browser (Cache Storage) after the
 * first download; nothing is fetched until `WebLlmEngine.create` runs.
 */
import type { ProgressFn } from '../types';
import {
  ContextOverflowError,
  abortReason,
  estimateMessagesTokens,
  throwIfAborted,
  type ChatMessage,
  type GenerateOptions,
  type GenerateResult,
  type LlmEngine,
} from './engine';
import { filterWebLlmModels, pickDefaultWebLlmModel, probeWebGpu, type AdapterFacts, type WebLlmModelChoice, type WebLlmModelRecord } from './webllm-models';

type WebLlmModule = typeof import('@mlc-ai/web-llm');
type MlcEngine = import('@mlc-ai/web-llm').MLCEngineInterface;
type AppConfig = import('@mlc-ai/web-llm').AppConfig;

let modulePromise: Promise<WebLlmModule> | null = null;
function loadWebLlm(): Promise<WebLlmModule> {
  modulePromise ??= import('@mlc-ai/web-llm');
  return modulePromise;
}

export interface WebLlmCatalog {
  /** null when this context has no WebGPU adapter (then nothing is offered). */
  adapter: AdapterFacts | null;
  offered: WebLlmModelChoice[];
  dropped: { id: string; reason: string }[];
  /** The preselected model; undefined when nothing is offered. */
  defaultId?: string;
}

/** WebLLM's prebuilt models filtered for this context's adapter, with a default pick. */
export async function webLlmCatalog(adapter?: AdapterFacts | null): Promise<WebLlmCatalog> {
  const facts = adapter === undefined ? await probeWebGpu() : adapter;
  const { prebuiltAppConfig } = await loadWebLlm();
  const list = prebuiltAppConfig.model_list as readonly WebLlmModelRecord[];
  if (!facts) return { adapter: null, offered: [], dropped: list.map((r) => ({ id: r.model_id, reason: 'no WebGPU adapter' })) };
  const { offered, dropped } = filterWebLlmModels(list, facts);
  return { adapter: facts, offered, dropped, defaultId: pickDefaultWebLlmModel(offered)?.id };
}

export interface WebLlmEngineOptions {
  /** A WebLLM model id; '' or 'auto' picks the default for this adapter. */
  model: string;
  onLoadProgress?: ProgressFn;
  /** A custom app config (self-hosted weights); default WebLLM's prebuilt list. */
  appConfig?: AppConfig;
  signal?: AbortSignal;
}

export class WebLlmEngine implements LlmEngine {
  readonly id = 'webllm';
  readonly model: string;
  readonly contextTokens: number;
  private readonly engine: MlcEngine;
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(model: string, contextTokens: number, engine: MlcEngine) {
    this.model = model;
    this.contextTokens = contextTokens;
    this.engine = engine;
  }

  /** Checks the adapter can run the model, then downloads (or reads from cache) and compiles it. */
  static async create(opts: WebLlmEngineOptions): Promise<WebLlmEngine> {
    throwIfAborted(opts.signal);
    const facts = await probeWebGpu();
    if (!facts) throw new Error('WebLLM needs WebGPU, and this browser offers no WebGPU adapter. Pick another LLM engine.');
    const webllm = await loadWebLlm();
    const appConfig = opts.appConfig ?? webllm.prebuiltAppConfig;
    const list = appConfig.model_list as readonly WebLlmModelRecord[];
    const { offered, dropped } = filterWebLlmModels(list, facts);
    let model = opts.model.trim();
    if (model === '' || model === 'auto') {
      const pick = pickDefaultWebLlmModel(offered);
      if (!pick) throw new Error('No WebLLM model can run on this GPU.');
      model = pick.id;
    }
    const choice = offered.find((c) => c.id === model);
    if (!choice) {
      const why = dropped.find((d) => d.id === model)?.reason;
      throw new Error(why ? `WebLLM model ${model} cannot run here: ${why}.` : `WebLLM knows no model "${model}".`);
    }
    const onLoad = opts.onLoadProgress;
    onLoad?.({ stage: 'llm', done: 0, total: 1, message: `loading ${model}` });
    const engine = await webllm.CreateMLCEngine(model, {
      appConfig,
      initProgressCallback: (r) => onLoad?.({ stage: 'llm', done: Math.max(0, Math.min(1, r.progress)), total: 1, message: r.text }),
    });
    if (opts.signal?.aborted) {
      await engine.unload().catch(() => undefined);
      throw abortReason(opts.signal);
    }
    onLoad?.({ stage: 'llm', done: 1, total: 1, message: `${model} ready` });
    return new WebLlmEngine(model, choice.contextTokens ?? 4096, engine);
  }

  async generate(messages: ChatMessage[], opts: GenerateOptions = {}): Promise<GenerateResult> {
    // One generation at a time: WebLLM's engine keeps a single KV cache.
    const run = this.busy.then(() => this.generateNow(messages, opts));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async generateNow(messages: ChatMessage[], opts: GenerateOptions): Promise<GenerateResult> {
    const signal = opts.signal;
    throwIfAborted(signal);
    const onAbort = (): void => void this.engine.interruptGenerate();
    signal?.addEventListener('abort', onAbort, { once: true });
    const t0 = performance.now();
    try {
      const reply = await this.engine.chat.completions.create({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        stream: false,
        max_tokens: opts.maxTokens,
        temperature: opts.temperature,
        ...(opts.json ? { response_format: { type: 'json_object' as const } } : {}),
      });
      throwIfAborted(signal);
      const text = reply.choices[0]?.message?.content ?? '';
      const usage = reply.usage;
      const seconds = (performance.now() - t0) / 1000;
      const decodeRate = usage?.extra?.decode_tokens_per_s;
      return {
        text,
        promptTokens: usage?.prompt_tokens,
        completionTokens: usage?.completion_tokens,
        tokensPerSecond: decodeRate && decodeRate > 0 ? decodeRate : usage && seconds > 0 ? usage.completion_tokens / seconds : undefined,
      };
    } catch (e) {
      throwIfAborted(signal);
      if (e instanceof Error && e.name === 'ContextWindowSizeExceededError') {
        throw new ContextOverflowError(e.message, estimateMessagesTokens(messages), this.contextTokens);
      }
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stops the generation in progress (its generate() then rejects if its signal aborted). */
  interrupt(): void {
    void this.engine.interruptGenerate();
  }

  /** Frees the GPU memory. */
  async dispose(): Promise<void> {
    await this.engine.unload();
  }
}
