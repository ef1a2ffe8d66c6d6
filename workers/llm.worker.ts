/// <reference lib="webworker" />
/**
 * The LLM in its own Web Worker: load(spec, onProgress) once, then any number of generate() calls
 * (queued by the engines that can only run one at a time), info(), and webllmModels() for the
 * page's model picker (WebLLM's list filtered for this worker's WebGPU adapter; nothing is
 * downloaded). Thin adapter over src/core/llm (typed RPC with comlink).
 *
 * Aborting: an AbortSignal cannot cross postMessage, so generate() takes a call id and abort(id)
 * (or abort() for every call in flight) aborts it here. That stops an OpenAI-compatible request at
 * once and WebLLM or transformers.js between two tokens, as soon as this worker's event loop reads
 * the message (transformers.js on WASM may only read it after the answer is done). For a hard
 * stop, terminate the worker (src/app/llm-client.ts does both: it rejects the caller at once).
 */
import * as Comlink from 'comlink';
import type { EngineInfo } from '../src/core/llm/bridge';
import type { ChatMessage, GenerateOptions, GenerateResult, LlmEngine } from '../src/core/llm/engine';
import { createEngine, formatEngineSpec, type EngineSpec } from '../src/core/llm/spec';
import type { WebLlmCatalog } from '../src/core/llm/webllm';
import type { Progress } from '../src/core/types';

let engine: LlmEngine | null = null;
let loadedKey = '';
const inFlight = new Map<number, AbortController>();
let nextId = 1;

function infoOf(e: LlmEngine): EngineInfo {
  return { id: e.id, model: e.model, contextTokens: Number.isFinite(e.contextTokens) ? e.contextTokens : 0 };
}

const service = {
  /** Builds the engine (a second load of the same spec reuses it). 'none' is refused. */
  async load(spec: EngineSpec, onProgress?: (p: Progress) => void): Promise<EngineInfo> {
    const key = `${formatEngineSpec(spec)}\n${spec.kind === 'openai' ? (spec.apiKey ?? '') : ''}`;
    if (engine && key === loadedKey) return infoOf(engine);
    engine = null;
    const made = await createEngine(spec, { onLoadProgress: onProgress ? (p) => onProgress(p) : undefined });
    if (!made) throw new Error('No LLM to load for engine "none".');
    engine = made;
    loadedKey = key;
    return infoOf(made);
  },

  /** What is loaded; null before load(). */
  info(): EngineInfo | null {
    return engine ? infoOf(engine) : null;
  },

  /** One generation; `callId` lets abort(callId) stop it. */
  async generate(messages: ChatMessage[], opts: Omit<GenerateOptions, 'signal'> = {}, callId?: number): Promise<GenerateResult> {
    if (!engine) throw new Error('The LLM worker has no model loaded: call load() first.');
    const id = callId ?? -nextId++;
    const ctl = new AbortController();
    inFlight.set(id, ctl);
    try {
      return await engine.generate(messages, { ...opts, signal: ctl.signal });
    } finally {
      inFlight.delete(id);
    }
  },

  /** Aborts the call with this id, or every call in flight. */
  abort(callId?: number): void {
    for (const [id, ctl] of inFlight) if (callId === undefined || id === callId) ctl.abort();
  },

  /** WebLLM's prebuilt models that this worker's WebGPU adapter can run, and the default pick. */
  async webllmModels(): Promise<WebLlmCatalog> {
    const { webLlmCatalog } = await import('../src/core/llm/webllm');
    return webLlmCatalog();
  },
};

export type LlmService = typeof service;
Comlink.expose(service);
