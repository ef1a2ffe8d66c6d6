/**
 * A serialisable description of an LLM engine (what the page sends to the LLM worker, and what the
 * command line's `--llm ENGINE:MODEL` means), its parser, and createEngine, which builds the engine
 * with dynamic imports so that only the chosen engine's code is ever loaded.
 */
import type { ModelSource } from '../embed/model-source';
import type { ProgressFn } from '../types';
import { ContextOverflowError, type LlmEngine } from './engine';

export type LlmDtype = 'q4' | 'q4f16' | 'q8' | 'fp16' | 'fp32';
export const LLM_DTYPES: readonly LlmDtype[] = ['q4', 'q4f16', 'q8', 'fp16', 'fp32'];
export type LlmDevice = 'auto' | 'webgpu' | 'wasm';

export type EngineSpec =
  | { kind: 'none' }
  /** model: a WebLLM model id; '' or 'auto' = the default for this adapter. */
  | { kind: 'webllm'; model: string }
  | { kind: 'transformers'; model: string; dtype: LlmDtype; device: LlmDevice; source: ModelSource }
  /** apiKey stays in memory (never written to a run, settings or a log). model '' = the server's first. */
  | { kind: 'openai'; baseUrl: string; model: string; apiKey?: string };

export const DEFAULT_TRANSFORMERS_LLM = 'onnx-community/Qwen2.5-0.5B-Instruct';

export interface ParseSpecDefaults {
  /** Where transformers.js model files come from; default the hub. */
  source?: ModelSource;
  device?: LlmDevice;
  dtype?: LlmDtype;
  /** API key for 'openai' (e.g. from an environment variable: never from the spec string). */
  apiKey?: string;
}

export const ENGINE_SPEC_USAGE = [
  'none',
  'webllm[:MODEL_ID]',
  `transformers[:MODEL_ID[@DTYPE]]   (DTYPE: ${LLM_DTYPES.join(', ')}; default ${DEFAULT_TRANSFORMERS_LLM}@q4)`,
  'openai:BASE_URL#MODEL             (e.g. openai:http://127.0.0.1:8080/v1#qwen2.5)',
].join('\n  ');

function usage(why: string): Error {
  return new Error(`${why}. --llm takes one of:\n  ${ENGINE_SPEC_USAGE}`);
}

/**
 * Parses `none`, `webllm[:MODEL]`, `transformers[:MODEL[@DTYPE]]` and `openai:BASE_URL#MODEL`
 * (the model after the last '#'; without one, the server's first model is used).
 */
export function parseEngineSpec(text: string, defaults: ParseSpecDefaults = {}): EngineSpec {
  const s = text.trim();
  const colon = s.indexOf(':');
  const kind = (colon < 0 ? s : s.slice(0, colon)).toLowerCase();
  const rest = colon < 0 ? '' : s.slice(colon + 1).trim();
  switch (kind) {
    case 'none':
    case 'keywords':
      if (rest) throw usage(`"none" takes no model ("${s}")`);
      return { kind: 'none' };
    case 'webllm':
      return { kind: 'webllm', model: rest };
    case 'transformers': {
      let model = rest || DEFAULT_TRANSFORMERS_LLM;
      let dtype: LlmDtype = defaults.dtype ?? 'q4';
      const at = model.lastIndexOf('@');
      if (at >= 0) {
        const d = model.slice(at + 1).toLowerCase();
        if (!(LLM_DTYPES as readonly string[]).includes(d)) throw usage(`unknown dtype "${d}"`);
        dtype = d as LlmDtype;
        model = model.slice(0, at);
      }
      if (!/^[\w.-]+(?:\/[\w.-]+)?$/.test(model)) throw usage(`"${model}" is not a model id like org/name`);
      return { kind: 'transformers', model, dtype, device: defaults.device ?? 'auto', source: defaults.source ?? { kind: 'hub' } };
    }
    case 'openai': {
      if (!rest) throw usage('"openai" needs the server address');
      const hash = rest.lastIndexOf('#');
      const baseUrl = (hash < 0 ? rest : rest.slice(0, hash)).trim();
      const model = hash < 0 ? '' : rest.slice(hash + 1).trim();
      if (!/^https?:\/\/[^\s/]+/i.test(baseUrl)) throw usage(`"${baseUrl}" is not an http(s) address`);
      return { kind: 'openai', baseUrl, model, ...(defaults.apiKey ? { apiKey: defaults.apiKey } : {}) };
    }
    default:
      throw usage(`unknown LLM engine "${kind || s}"`);
  }
}

/** The spec as `--llm` text (never with the API key), for logs and the run record. */
export function formatEngineSpec(spec: EngineSpec): string {
  switch (spec.kind) {
    case 'none':
      return 'none';
    case 'webllm':
      return spec.model ? `webllm:${spec.model}` : 'webllm';
    case 'transformers':
      return `transformers:${spec.model}@${spec.dtype}`;
    case 'openai':
      return `openai:${spec.baseUrl}${spec.model ? `#${spec.model}` : ''}`;
  }
}

/** A copy without secrets, safe to store or show. */
export function publicEngineSpec(spec: EngineSpec): EngineSpec {
  if (spec.kind !== 'openai' || spec.apiKey === undefined) return spec;
  const { apiKey: _omitted, ...rest } = spec;
  void _omitted;
  return rest;
}

export interface CreateEngineOptions {
  onLoadProgress?: ProgressFn;
  signal?: AbortSignal;
}

/** Builds the engine a spec describes (null for 'none'), importing only that engine's code. */
export async function createEngine(spec: EngineSpec, opts: CreateEngineOptions = {}): Promise<LlmEngine | null> {
  switch (spec.kind) {
    case 'none':
      return null;
    case 'openai': {
      const { OpenAiEngine, listModels } = await import('./openai');
      let model = spec.model;
      if (!model) {
        const ids = await listModels({ baseUrl: spec.baseUrl, apiKey: spec.apiKey }, opts.signal);
        if (ids.length === 0) throw new Error(`The LLM server at ${spec.baseUrl} lists no models; name one (openai:URL#MODEL).`);
        model = ids[0];
      }
      return OpenAiEngine.connect({ baseUrl: spec.baseUrl, model, apiKey: spec.apiKey, onLoadProgress: opts.onLoadProgress }, opts.signal);
    }
    case 'webllm': {
      const { WebLlmEngine } = await import('./webllm');
      return WebLlmEngine.create({ model: spec.model, onLoadProgress: opts.onLoadProgress, signal: opts.signal });
    }
    case 'transformers': {
      const { TransformersLlmEngine } = await import('./transformers-engine');
      return TransformersLlmEngine.create({ model: spec.model, dtype: spec.dtype, device: spec.device, source: spec.source, onLoadProgress: opts.onLoadProgress });
    }
  }
}

/**
 * An error that crossed postMessage (comlink keeps only name, message and stack) made into the
 * class callers test for again: naming reacts to `instanceof ContextOverflowError` by sending
 * less. AbortErrors keep their name, which is all isAbortError() reads. Anything else is returned
 * as it is.
 */
export function reviveLlmError(e: unknown): unknown {
  if (e instanceof ContextOverflowError || typeof e !== 'object' || e === null) return e;
  const x = e as { name?: unknown; message?: unknown; promptTokens?: unknown; contextTokens?: unknown };
  if (x.name !== 'ContextOverflowError') return e;
  const n = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return new ContextOverflowError(typeof x.message === 'string' ? x.message : undefined, n(x.promptTokens), n(x.contextTokens));
}
