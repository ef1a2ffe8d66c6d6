/**
 * Text generation with transformers.js (ONNX Runtime Web on WebGPU or WASM in the browser,
 * onnxruntime-node on the CPU in Node): the model's chat template, greedy decoding, stop on abort
 * between tokens, context length from the model config, exact prompt token counts.
 *
 * Model files come from the same sources as the embedder (hub, same-origin folder, picked files)
 * through the same setup (embed/transformers.ts: source configuration, same-origin ONNX Runtime
 * WASM, WebGPU → WASM fallback); nothing else is fetched.
 */
import { InterruptableStoppingCriteria, pipeline } from '@huggingface/transformers';
import { sourceKey, type ModelSource } from '../embed/model-source';
import { loadOnDevice, loadProgress, modelSlot, type RuntimeDevice } from '../embed/transformers';
import type { ProgressFn } from '../types';
import {
  ContextOverflowError,
  abortReason,
  throwIfAborted,
  type ChatMessage,
  type GenerateOptions,
  type GenerateResult,
  type LlmEngine,
} from './engine';
import type { LlmDevice, LlmDtype } from './spec';

export interface TransformersLlmOptions {
  /** Model id in transformers.js layout, e.g. 'onnx-community/Qwen2.5-0.5B-Instruct'. */
  model: string;
  /** Default q4 on WASM/CPU, q4f16 on WebGPU. */
  dtype?: LlmDtype;
  device: LlmDevice;
  source: ModelSource;
  onLoadProgress?: ProgressFn;
  /** Cap on the context (below the model's own), e.g. to bound memory. */
  contextTokens?: number;
  wasmPaths?: { mjs: string; wasm: string };
}

interface TensorLike {
  data: ArrayLike<number | bigint>;
  dims: number[];
}
interface ChatTokenizer {
  apply_chat_template(
    messages: { role: string; content: string }[],
    options: { add_generation_prompt: boolean; return_dict: true; tokenize: true },
  ): { input_ids: TensorLike; attention_mask: TensorLike };
  decode(ids: number[], options: { skip_special_tokens: boolean }): string;
  model_max_length?: number;
  chat_template?: unknown;
}
interface CausalModel {
  generate(inputs: Record<string, unknown>): Promise<TensorLike | { sequences: TensorLike }>;
  config?: { max_position_embeddings?: number; n_positions?: number; max_seq_len?: number };
}
interface TextPipe {
  tokenizer: ChatTokenizer;
  model: CausalModel;
  dispose(): Promise<void>;
}

interface Loaded {
  pipe: TextPipe;
  device: RuntimeDevice;
  dtype: LlmDtype;
  contextTokens: number;
  fallbackReason?: string;
}

/** When neither the config nor the tokenizer gives a limit. */
const FALLBACK_CONTEXT = 2048;
const DEFAULT_MAX_NEW_TOKENS = 512;

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 && n < 1e7 ? n : undefined;
}

function defaultDtype(device: RuntimeDevice): LlmDtype {
  return device === 'webgpu' ? 'q4f16' : 'q4';
}

async function load(opts: TransformersLlmOptions, device: RuntimeDevice): Promise<Loaded> {
  const dtype = opts.dtype ?? defaultDtype(device);
  const made = await pipeline('text-generation', opts.model, {
    device,
    dtype,
    progress_callback: loadProgress(opts.onLoadProgress, opts.model, 'llm'),
  });
  const pipe = made as unknown as TextPipe;
  if (!pipe.tokenizer.chat_template) {
    await pipe.dispose().catch(() => undefined);
    throw new Error(`${opts.model} has no chat template (tokenizer_config.json): pick an instruction-tuned model.`);
  }
  const cfg = pipe.model.config ?? {};
  const modelLimit = positive(cfg.max_position_embeddings) ?? positive(cfg.n_positions) ?? positive(cfg.max_seq_len) ?? positive(pipe.tokenizer.model_max_length);
  const ctx = Math.min(modelLimit ?? FALLBACK_CONTEXT, positive(opts.contextTokens) ?? Infinity);
  return { pipe, device, dtype, contextTokens: ctx };
}

// One loaded text-generation model per worker (or Node process).
const slot = modelSlot<Loaded>();

export class TransformersLlmEngine implements LlmEngine {
  readonly id = 'transformers';
  readonly model: string;
  readonly contextTokens: number;
  readonly device: RuntimeDevice;
  readonly dtype: LlmDtype;
  /** Set when 'auto' wanted WebGPU but had to fall back to WASM. */
  readonly fallbackReason?: string;
  private readonly loaded: Loaded;
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(model: string, loaded: Loaded) {
    this.model = model;
    this.loaded = loaded;
    this.contextTokens = loaded.contextTokens;
    this.device = loaded.device;
    this.dtype = loaded.dtype;
    this.fallbackReason = loaded.fallbackReason;
  }

  /** Loads (or reuses) the model from the source on the chosen device. */
  static async create(opts: TransformersLlmOptions): Promise<TransformersLlmEngine> {
    const key = [opts.model, opts.dtype ?? '', opts.device, opts.contextTokens ?? '', sourceKey(opts.source)].join('\n');
    const loaded = await slot.load(key, opts, () => loadOnDevice(opts, (device) => load(opts, device)));
    opts.onLoadProgress?.({ stage: 'llm', done: 1, total: 1, message: `${opts.model} ready (${loaded.device}, ${loaded.dtype})` });
    return new TransformersLlmEngine(opts.model, loaded);
  }

  /** Greedy decoding: temperature is ignored (names should be stable). */
  generate(messages: ChatMessage[], opts: GenerateOptions = {}): Promise<GenerateResult> {
    const run = this.busy.then(() => this.generateNow(messages, opts));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async generateNow(messages: ChatMessage[], opts: GenerateOptions): Promise<GenerateResult> {
    const { signal } = opts;
    throwIfAborted(signal);
    const { tokenizer, model } = this.loaded.pipe;
    const inputs = tokenizer.apply_chat_template(
      messages.map((m) => ({ role: m.role, content: m.content })),
      { add_generation_prompt: true, return_dict: true, tokenize: true },
    );
    const promptTokens = inputs.input_ids.dims[inputs.input_ids.dims.length - 1];
    const room = this.contextTokens - promptTokens;
    const wanted = Math.max(1, Math.floor(opts.maxTokens ?? DEFAULT_MAX_NEW_TOKENS));
    // A prompt that leaves no room for the answer it asks for would be cut off mid-answer.
    if (room < Math.min(wanted, 16) || room <= 0) {
      throw new ContextOverflowError(`prompt of ${promptTokens} tokens + ${wanted} answer tokens > context ${this.contextTokens}`, promptTokens, this.contextTokens);
    }
    const maxNew = Math.min(wanted, room);
    const stopper = new InterruptableStoppingCriteria();
    const onAbort = (): void => stopper.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    let puts = 0;
    let firstTokenAt = 0;
    // generate() calls put() with the prompt first, then once per new token.
    const streamer = {
      put: () => {
        if (++puts === 2) firstTokenAt = performance.now();
      },
      end: () => undefined,
    };
    const t0 = performance.now();
    let out: TensorLike | { sequences: TensorLike };
    try {
      out = await model.generate({ ...inputs, max_new_tokens: maxNew, do_sample: false, stopping_criteria: stopper, streamer });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw abortReason(signal);
    const seq = 'sequences' in out ? out.sequences : out;
    const total = seq.dims[seq.dims.length - 1];
    const ids: number[] = [];
    for (let i = promptTokens; i < total; i++) ids.push(Number(seq.data[i]));
    const text = tokenizer.decode(ids, { skip_special_tokens: true });
    const t1 = performance.now();
    // Decode speed: tokens after the first over the time since it (the first includes the prefill).
    const decodeMs = firstTokenAt > 0 ? t1 - firstTokenAt : 0;
    const tokensPerSecond = ids.length > 1 && decodeMs > 0 ? ((ids.length - 1) * 1000) / decodeMs : ids.length > 0 && t1 > t0 ? (ids.length * 1000) / (t1 - t0) : undefined;
    return { text, promptTokens, completionTokens: ids.length, tokensPerSecond };
  }
}

/** Releases the loaded model (ONNX sessions, GPU buffers). */
export function disposeTransformersLlm(): Promise<void> {
  return slot.dispose();
}
