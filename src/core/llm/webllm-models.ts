/**
 * Which WebLLM models this browser's WebGPU adapter can run, and which one to offer first. Pure:
 * works on records shaped like WebLLM's `prebuiltAppConfig.model_list` and on plain adapter facts,
 * so it is unit-tested without WebLLM or a GPU (webllm.ts feeds it the real list and adapter).
 *
 * Rules:
 * - only chat LLMs (model_type absent or 0): embedding (1) and vision (2) models are dropped;
 * - a model needs 'shader-f16' when its record says so or when its weights or activations are
 *   f16 (q4f16_1, q0f16, q3f16_1 …): WebLLM's own list leaves the feature off many f16 records
 *   (e.g. Qwen2.5 q4f16_1) although their shaders need it; without the feature, only the f32
 *   variants (q4f32_1, q0f32) remain;
 * - a model whose `buffer_size_required_bytes` exceeds the adapter's maxStorageBufferBindingSize
 *   is dropped;
 * - a model whose vram_required_MB exceeds the adapter's reported VRAM is dropped, when a VRAM
 *   figure is known (WebGPU itself reports none; callers may pass an estimate).
 */

/** The fields of a WebLLM ModelRecord this module reads. */
export interface WebLlmModelRecord {
  model_id: string;
  model?: string;
  vram_required_MB?: number;
  low_resource_required?: boolean;
  buffer_size_required_bytes?: number;
  required_features?: readonly string[];
  /** 0 / absent: LLM; 1: embedding; 2: vision-language. */
  model_type?: number;
  overrides?: { context_window_size?: number; sliding_window_size?: number };
}

/** What the page knows about the WebGPU adapter. */
export interface AdapterFacts {
  features: readonly string[];
  maxStorageBufferBindingSize?: number;
  maxBufferSize?: number;
  /** Usable GPU memory in MB, when known. */
  vramMB?: number;
  vendor?: string;
  architecture?: string;
}

export interface WebLlmModelChoice {
  id: string;
  /** Name without quantisation and suffixes, e.g. 'Qwen2.5-1.5B-Instruct'. */
  family: string;
  /** e.g. 'q4f32_1'; '' when the id names none. */
  quant: string;
  /** Whether it needs 'shader-f16'. */
  f16: boolean;
  vramMB?: number;
  /** Context window in tokens, when the record says. */
  contextTokens?: number;
  lowResource: boolean;
}

export interface WebLlmFilterResult {
  offered: WebLlmModelChoice[];
  dropped: { id: string; reason: string }[];
}

const QUANT = /-(q\d+f(?:16|32)(?:_\d+)?)(?=-|$)/i;

/** The quantisation code in a WebLLM model id ('q4f16_1'), or '' when there is none. */
export function quantOf(id: string): string {
  return QUANT.exec(id)?.[1] ?? '';
}

/** Model id without the quantisation and the -MLC / -1k suffixes. */
export function familyOf(id: string): string {
  const q = QUANT.exec(id);
  return (q ? id.slice(0, q.index) : id).replace(/-MLC(?:-.*)?$/, '');
}

/** Whether the model needs the 'shader-f16' WebGPU feature. */
export function needsShaderF16(r: WebLlmModelRecord): boolean {
  if (r.required_features?.includes('shader-f16')) return true;
  return /f16/i.test(quantOf(r.model_id));
}

function toChoice(r: WebLlmModelRecord): WebLlmModelChoice {
  const ctx = r.overrides?.context_window_size;
  return {
    id: r.model_id,
    family: familyOf(r.model_id),
    quant: quantOf(r.model_id),
    f16: needsShaderF16(r),
    vramMB: r.vram_required_MB,
    contextTokens: typeof ctx === 'number' && ctx > 0 ? ctx : undefined,
    lowResource: r.low_resource_required === true,
  };
}

/** The models of `list` the adapter can run, and why each other one was left out. */
export function filterWebLlmModels(list: readonly WebLlmModelRecord[], adapter: AdapterFacts): WebLlmFilterResult {
  const features = new Set(adapter.features);
  const offered: WebLlmModelChoice[] = [];
  const dropped: { id: string; reason: string }[] = [];
  for (const r of list) {
    const type = r.model_type ?? 0;
    if (type !== 0) {
      dropped.push({ id: r.model_id, reason: type === 1 ? 'embedding model' : 'vision model' });
      continue;
    }
    if (needsShaderF16(r) && !features.has('shader-f16')) {
      dropped.push({ id: r.model_id, reason: "needs the 'shader-f16' WebGPU feature, which this adapter lacks" });
      continue;
    }
    const other = (r.required_features ?? []).find((f) => f !== 'shader-f16' && !features.has(f));
    if (other) {
      dropped.push({ id: r.model_id, reason: `needs the '${other}' WebGPU feature` });
      continue;
    }
    const maxBinding = adapter.maxStorageBufferBindingSize;
    if (r.buffer_size_required_bytes !== undefined && maxBinding !== undefined && r.buffer_size_required_bytes > maxBinding) {
      dropped.push({ id: r.model_id, reason: `needs storage buffers of ${r.buffer_size_required_bytes} bytes; the adapter allows ${maxBinding}` });
      continue;
    }
    if (adapter.vramMB !== undefined && r.vram_required_MB !== undefined && r.vram_required_MB > adapter.vramMB) {
      dropped.push({ id: r.model_id, reason: `needs ${Math.round(r.vram_required_MB)} MB of GPU memory; about ${Math.round(adapter.vramMB)} MB available` });
      continue;
    }
    offered.push(toChoice(r));
  }
  return { offered, dropped };
}

/**
 * Families tried in order for the default: small instruction-tuned models that write clean JSON
 * names, best quality per download first. Reasoning, base, coder and maths models come last.
 */
export const DEFAULT_FAMILIES: readonly string[] = [
  'Qwen2.5-1.5B-Instruct',
  'Llama-3.2-1B-Instruct',
  'Qwen2.5-3B-Instruct',
  'gemma-2-2b-it',
  'SmolLM2-1.7B-Instruct',
  'Qwen2.5-0.5B-Instruct',
  'Phi-3.5-mini-instruct',
];

/** Within a family: f16 when offered (smaller, faster), full context over -1k, then less VRAM. */
function variantRank(a: WebLlmModelChoice, b: WebLlmModelChoice): number {
  const short = (c: WebLlmModelChoice): number => (/-1k$/i.test(c.id) ? 1 : 0);
  const q4 = (c: WebLlmModelChoice): number => (/^q4/i.test(c.quant) ? 0 : 1);
  return q4(a) - q4(b) || Number(b.f16) - Number(a.f16) || short(a) - short(b) || (a.vramMB ?? Infinity) - (b.vramMB ?? Infinity);
}

const UNSUITED = /reasoning|base|coder|math|r1-distill|vision/i;

/**
 * The model to preselect: the first of `families` that is offered (its best variant), else the
 * offered instruction model with the least VRAM, else the first offered one.
 */
export function pickDefaultWebLlmModel(offered: readonly WebLlmModelChoice[], families: readonly string[] = DEFAULT_FAMILIES): WebLlmModelChoice | undefined {
  for (const fam of families) {
    const variants = offered.filter((c) => c.family === fam);
    if (variants.length > 0) return [...variants].sort(variantRank)[0];
  }
  const suited = offered.filter((c) => !UNSUITED.test(c.id) && /instruct|chat|-it\b/i.test(c.id));
  const pool = suited.length > 0 ? suited : [...offered];
  return pool.sort((a, b) => (a.vramMB ?? Infinity) - (b.vramMB ?? Infinity) || variantRank(a, b))[0];
}

interface AdapterLike {
  features: Iterable<string> | { has(f: string): boolean; forEach?(cb: (f: string) => void): void };
  limits?: { maxStorageBufferBindingSize?: number; maxBufferSize?: number };
  info?: { vendor?: string; architecture?: string };
}

/** Plain facts from a GPUAdapter (structured-cloneable, for sending from a worker). */
export function adapterFacts(adapter: AdapterLike, vramMB?: number): AdapterFacts {
  const features: string[] = [];
  const f = adapter.features as { forEach?(cb: (x: string) => void): void } & Partial<Iterable<string>>;
  if (typeof f.forEach === 'function') f.forEach((x) => features.push(x));
  else if (f[Symbol.iterator]) for (const x of f as Iterable<string>) features.push(x);
  return {
    features: features.sort(),
    maxStorageBufferBindingSize: adapter.limits?.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits?.maxBufferSize,
    vramMB,
    vendor: adapter.info?.vendor,
    architecture: adapter.info?.architecture,
  };
}

/** The facts of this context's WebGPU adapter (page or worker), or null without WebGPU. */
export async function probeWebGpu(): Promise<AdapterFacts | null> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(o?: unknown): Promise<AdapterLike | null> } } }).navigator?.gpu;
  if (!gpu) return null;
  try {
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return a ? adapterFacts(a) : null;
  } catch {
    return null;
  }
}

/** A one-line label for a model picker: "Qwen2.5-1.5B-Instruct · q4f32_1 · 1.9 GB · 4k context". */
export function webLlmChoiceLabel(c: WebLlmModelChoice): string {
  const parts = [c.family];
  if (c.quant) parts.push(c.quant);
  if (c.vramMB !== undefined) parts.push(c.vramMB >= 1000 ? `${(c.vramMB / 1024).toFixed(1)} GB` : `${Math.round(c.vramMB)} MB`);
  if (c.contextTokens) parts.push(`${Math.round(c.contextTokens / 1024)}k context`);
  return parts.join(' · ');
}
