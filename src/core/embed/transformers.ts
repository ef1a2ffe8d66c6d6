/**
 * Sentence embeddings with transformers.js (ONNX Runtime Web: WebGPU or WASM; onnxruntime-node in
 * Node): tokenise with truncation, run the encoder, masked mean pooling, L2 normalisation.
 *
 * Privacy: the only requests made are for model files from the chosen ModelSource and for ONNX
 * Runtime's own WASM files, which are bundled by Vite and served same-origin (never from a CDN).
 */
import { env, pipeline, type ProgressInfo } from '@huggingface/transformers';
import type { Embedder, EmbedderInfo, EmbedOptions, Matrix, ProgressFn } from '../types';
import { PICKED_FILES_PREFIX, describeSource, isHttpBase, modelsBase, pickedFilesFetch, sourceKey, type ModelSource } from './model-source';

export type DeviceChoice = 'auto' | 'webgpu' | 'wasm';

export interface TransformersEmbedderOptions {
  /** Model id in transformers.js layout, e.g. 'Xenova/all-MiniLM-L6-v2'. */
  model: string;
  /** 'q8' | 'fp32' | 'fp16' | …; default q8 on WASM/CPU, fp32 on WebGPU. */
  dtype?: string;
  /** 'auto' uses WebGPU when an adapter exists and falls back to WASM if that fails. */
  device: DeviceChoice;
  source: ModelSource;
  /** Model download / load progress: stage 'model', bytes done of total. */
  onLoadProgress?: ProgressFn;
  /** Cap on tokens per text (below the model's own limit), e.g. 256 for speed. */
  maxTokens?: number;
  /** ONNX Runtime WASM files; default: the ones Vite bundles from onnxruntime-web. */
  wasmPaths?: { mjs: string; wasm: string };
}

/** The runtime device names transformers.js understands (what we pass to `pipeline`). */
export type RuntimeDevice = 'webgpu' | 'wasm' | 'cpu';

interface TensorLike {
  data: ArrayLike<number> | ArrayLike<bigint>;
  dims: number[];
}
type TokenizerLike = ((texts: string[], options: { padding: boolean; truncation: boolean; max_length: number }) => { input_ids: TensorLike; attention_mask: TensorLike }) & {
  model_max_length?: number;
};
type ModelLike = ((inputs: Record<string, unknown>) => Promise<Record<string, TensorLike | undefined>>) & {
  config?: { max_position_embeddings?: number };
};
interface PipelineLike {
  tokenizer: TokenizerLike;
  model: ModelLike;
  dispose(): Promise<void>;
}

interface Loaded {
  pipe: PipelineLike;
  device: RuntimeDevice;
  dtype: string;
  dims: number;
  maxLength: number;
  fallbackReason?: string;
}

export const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

// transformers.js defaults, captured before we change them per source.
const DEFAULT_FETCH = env.fetch;
const DEFAULT_USE_FS = env.useFS;
const DEFAULT_USE_FS_CACHE = env.useFSCache;
const DEFAULT_USE_BROWSER_CACHE = env.useBrowserCache;
const HUB_HOST = 'https://huggingface.co/';
const HUB_PATH_TEMPLATE = env.remotePathTemplate;
/** When neither tokenizer nor config says (BERT-style models' position limit). */
const FALLBACK_MAX_LENGTH = 512;

/** Points transformers.js at the source's files and nowhere else. */
function configureSource(source: ModelSource, model: string): void {
  env.useCustomCache = false;
  env.fetch = DEFAULT_FETCH;
  env.useFS = DEFAULT_USE_FS;
  env.useFSCache = DEFAULT_USE_FS_CACHE;
  switch (source.kind) {
    case 'hub':
      env.allowRemoteModels = true;
      env.allowLocalModels = false;
      env.remoteHost = HUB_HOST;
      env.remotePathTemplate = HUB_PATH_TEMPLATE;
      env.useBrowserCache = DEFAULT_USE_BROWSER_CACHE;
      break;
    case 'same-origin':
      // The HTTP cache already keeps same-origin files; a second copy in Cache Storage would go stale
      // silently when the site updates its models.
      env.useBrowserCache = false;
      if (isHttpBase(source.baseUrl)) {
        // Served like a hub at <base>/<org>/<name>/<file>: transformers.js then probes sizes with a
        // one-byte Range request, where its "local path" mode would GET every file twice.
        env.allowRemoteModels = true;
        env.allowLocalModels = false;
        env.remoteHost = modelsBase(source.baseUrl);
        env.remotePathTemplate = '{model}/';
      } else {
        env.allowRemoteModels = false;
        env.allowLocalModels = true;
        env.localModelPath = modelsBase(source.baseUrl);
      }
      break;
    case 'files':
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = PICKED_FILES_PREFIX;
      // Every request under the prefix goes through the hook (in Node too, hence no FS reads).
      env.useFS = false;
      env.useBrowserCache = false;
      env.useFSCache = false;
      env.fetch = pickedFilesFetch(source.files, model, DEFAULT_FETCH);
      break;
  }
}

let wasmConfigured = false;
/** Same-origin ONNX Runtime WASM files: transformers.js would otherwise fetch them from jsDelivr. */
async function configureWasm(paths?: { mjs: string; wasm: string }): Promise<void> {
  if (isNode) return; // onnxruntime-node, no WASM files
  // ONNX Runtime loads its own files (import() of the .mjs, streaming compile of the .wasm). With
  // transformers.js' WASM cache it would re-serve the .mjs from a blob: URL, which the page's
  // content-security policy (script-src 'self') refuses; the service worker caches both files.
  env.useWasmCache = false;
  const wasmEnv = env.backends.onnx.wasm;
  if (!wasmEnv) throw new Error('ONNX Runtime WASM backend is not available.');
  if (paths) {
    wasmEnv.wasmPaths = paths;
    wasmConfigured = true;
    return;
  }
  if (wasmConfigured) return;
  // transformers.js v4 imports 'onnxruntime-web/webgpu', whose WASM build is the asyncify one.
  const [mjs, wasm] = await Promise.all([
    import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url'),
    import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url'),
  ]);
  wasmEnv.wasmPaths = { mjs: absolute(mjs.default), wasm: absolute(wasm.default) };
  wasmConfigured = true;
}

/**
 * Vite's ?url gives a path relative to the page in development ('/node_modules/…') and an absolute
 * URL in a build. This module's own URL is the base: the worker's location may be a blob: URL
 * (see src/app/worker-client.ts), which cannot be a base.
 */
function absolute(url: string): string {
  return new URL(url, import.meta.url).href;
}

async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

function defaultDtype(device: RuntimeDevice): string {
  return device === 'webgpu' ? 'fp32' : 'q8';
}

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** transformers.js's progress_callback turned into our Progress (bytes done of total, then ready). */
export function loadProgress(onLoad: ProgressFn | undefined, model: string, stage: string): (p: ProgressInfo) => void {
  return (p) => {
    if (!onLoad) return;
    if (p.status === 'progress_total') onLoad({ stage, done: p.loaded, total: p.total, message: `loading ${model}` });
    else if (p.status === 'ready') onLoad({ stage, done: 1, total: 1, message: `${model} ready` });
  };
}

async function load(opts: TransformersEmbedderOptions, device: RuntimeDevice): Promise<Loaded> {
  const dtype = opts.dtype ?? defaultDtype(device);
  const onLoad = opts.onLoadProgress;
  const made = await pipeline('feature-extraction', opts.model, {
    device,
    dtype: dtype as never,
    progress_callback: loadProgress(onLoad, opts.model, 'model'),
  });
  const pipe = made as unknown as PipelineLike;
  try {
    // The tokenizer's limit can be a 1e30 "unset" sentinel; the position table is the hard limit.
    const maxLength = Math.min(
      positive(pipe.tokenizer.model_max_length) ?? Infinity,
      positive(pipe.model.config?.max_position_embeddings) ?? Infinity,
      positive(opts.maxTokens) ?? Infinity,
    );
    const loaded: Loaded = { pipe, device, dtype, dims: 0, maxLength: Number.isFinite(maxLength) ? maxLength : FALLBACK_MAX_LENGTH };
    // One real run: learns the output width and proves the session works on this device.
    const probe = await runBatch(loaded, ['hello world']);
    loaded.dims = probe.cols;
    return loaded;
  } catch (e) {
    await pipe.dispose().catch(() => undefined);
    throw e;
  }
}

/** Tokenise (truncating to the model's limit), run, masked mean, L2-normalise. */
async function runBatch(loaded: Loaded, texts: string[]): Promise<Matrix> {
  const inputs = loaded.pipe.tokenizer(texts, { padding: true, truncation: true, max_length: loaded.maxLength });
  const outputs = await loaded.pipe.model(inputs as unknown as Record<string, unknown>);
  const hidden = outputs.last_hidden_state ?? outputs.token_embeddings ?? outputs.logits;
  if (!hidden || hidden.dims.length !== 3) throw new Error('The model has no [batch, tokens, dims] output (last_hidden_state).');
  const [rows, seq, cols] = hidden.dims as [number, number, number];
  // fp16 outputs may come as Float16Array; reading element-wise gives numbers either way.
  const h = hidden.data as ArrayLike<number>;
  const mask = inputs.attention_mask.data;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * cols, (r + 1) * cols);
    let count = 0;
    for (let t = 0; t < seq; t++) {
      if (Number(mask[r * seq + t]) === 0) continue;
      count++;
      const off = (r * seq + t) * cols;
      for (let d = 0; d < cols; d++) row[d] += h[off + d];
    }
    let norm = 0;
    for (let d = 0; d < cols; d++) norm += row[d] * row[d];
    norm = Math.sqrt(norm);
    // A text with no tokens, or only all-zero ones, has no direction: keep a zero row, not NaN.
    if (count === 0 || !(norm > 0) || !Number.isFinite(norm)) row.fill(0);
    else for (let d = 0; d < cols; d++) row[d] /= norm;
  }
  return { data, rows, cols };
}

/**
 * One loaded model at a time, reused while its key stays the same (a re-run with the same settings
 * does not reload): a new key disposes the old model first; a failed load is forgotten, so the
 * next call tries again. Errors say which model and source failed. Shared by the embedder and the
 * text-generation engine.
 */
export interface ModelSlot<T> {
  load(key: string, what: { model: string; source: ModelSource }, load: () => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export function modelSlot<T extends { pipe: { dispose(): Promise<void> } }>(): ModelSlot<T> {
  let current: { key: string; loading: Promise<T> } | null = null;
  return {
    async load(key, what, load) {
      if (current?.key !== key) {
        const previous = current;
        const loading = (async () => {
          const old = await previous?.loading.catch(() => null);
          await old?.pipe.dispose().catch(() => undefined);
          return load();
        })();
        current = { key, loading };
        loading.catch(() => {
          if (current?.loading === loading) current = null;
        });
      }
      try {
        return await current.loading;
      } catch (e) {
        throw new Error(`Could not load ${what.model} from ${describeSource(what.source)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    },
    async dispose() {
      const c = current;
      current = null;
      const loaded = await c?.loading.catch(() => null);
      await loaded?.pipe.dispose();
    },
  };
}

// One loaded embedding model per worker.
const slot = modelSlot<Loaded>();

/** What a model load needs to know about where it runs and where its files come from. */
export interface DeviceLoadOptions {
  model: string;
  device: DeviceChoice;
  source: ModelSource;
  wasmPaths?: { mjs: string; wasm: string };
}

/**
 * Points transformers.js at the source and runtime files, then runs `loadOn` on the device the
 * choice resolves to: CPU (or WebGPU when asked) in Node; 'auto' tries WebGPU when an adapter
 * exists and falls back to WASM if that fails, noting why in `fallbackReason`. Shared by the
 * embedder and the text-generation engine.
 */
export async function loadOnDevice<T extends { fallbackReason?: string }>(opts: DeviceLoadOptions, loadOn: (device: RuntimeDevice) => Promise<T>): Promise<T> {
  // onnxruntime-node opens model files by path, which picked Blobs do not have.
  if (isNode && opts.source.kind === 'files') throw new Error("Picked files work in the browser only; in Node use { kind: 'same-origin', baseUrl: <models folder> }.");
  await configureWasm(opts.wasmPaths);
  configureSource(opts.source, opts.model);
  if (isNode) return loadOn(opts.device === 'webgpu' ? 'webgpu' : 'cpu');
  if (opts.device === 'wasm') return loadOn('wasm');
  const adapter = await hasWebGpuAdapter();
  if (opts.device === 'webgpu') {
    if (!adapter) throw new Error('WebGPU was requested but this browser offers no WebGPU adapter.');
    return loadOn('webgpu');
  }
  if (!adapter) return loadOn('wasm');
  try {
    return await loadOn('webgpu');
  } catch (e) {
    const reason = `WebGPU failed (${e instanceof Error ? e.message : String(e)}); using WASM.`;
    const loaded = await loadOn('wasm');
    loaded.fallbackReason = reason;
    return loaded;
  }
}

function loadWithDevice(opts: TransformersEmbedderOptions): Promise<Loaded> {
  return loadOnDevice(opts, (device) => load(opts, device));
}

export class TransformersEmbedder implements Embedder {
  readonly info: EmbedderInfo;
  readonly corpusDependent = false;
  /** Set when 'auto' wanted WebGPU but had to fall back to WASM. */
  readonly fallbackReason?: string;
  private readonly loaded: Loaded;

  private constructor(model: string, loaded: Loaded) {
    this.loaded = loaded;
    this.fallbackReason = loaded.fallbackReason;
    this.info = { id: 'transformers', model, dtype: loaded.dtype, device: loaded.device, dims: loaded.dims };
  }

  /** Loads (or reuses) the model from the source and checks it runs on the chosen device. */
  static async create(opts: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const key = [opts.model, opts.dtype ?? '', opts.device, opts.maxTokens ?? '', sourceKey(opts.source)].join('\n');
    return new TransformersEmbedder(opts.model, await slot.load(key, opts, () => loadWithDevice(opts)));
  }

  /** The token limit texts are truncated to. */
  get maxLength(): number {
    return this.loaded.maxLength;
  }

  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Matrix> {
    const { signal, onProgress } = opts;
    const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 32));
    const cols = this.info.dims;
    const out = new Float32Array(texts.length * cols);
    onProgress?.({ stage: 'embed', done: 0, total: texts.length });
    for (let start = 0; start < texts.length; start += batchSize) {
      if (signal?.aborted) throw signal.reason ?? new DOMException('Embedding was cancelled.', 'AbortError');
      const batch = texts.slice(start, start + batchSize);
      const m = await runBatch(this.loaded, batch);
      out.set(m.data, start * cols);
      const done = start + batch.length;
      onProgress?.({ stage: 'embed', done, total: texts.length, message: `batch ${Math.ceil(done / batchSize)}/${Math.ceil(texts.length / batchSize)}` });
    }
    return { data: out, rows: texts.length, cols };
  }
}

/** Releases the loaded model (ONNX sessions, GPU buffers). */
export function disposeTransformers(): Promise<void> {
  return slot.dispose();
}
