/**
 * The main thread's handle on the LLM worker: openLlm(spec) loads the engine there and returns a
 * session whose `engine` implements LlmEngine (with AbortSignal support) and whose `generate` can
 * be handed, wrapped in Comlink.proxy, to another worker (the cluster worker's hierarchy builders
 * wrap it with bridgedEngine). Cancelling: an aborted signal rejects the caller at once and asks the
 * worker to stop that generation (see workers/llm.worker.ts); close() terminates the worker, which
 * stops everything for sure, and rejects the calls still waiting.
 */
import * as Comlink from 'comlink';
import type { LlmService } from '../../workers/llm.worker';
import { bridgedEngine, type EngineInfo, type RemoteGenerate } from '../core/llm/bridge';
import { ContextOverflowError, type ChatMessage, type GenerateOptions, type GenerateResult, type LlmEngine } from '../core/llm/engine';
import { reviveLlmError, type EngineSpec } from '../core/llm/spec';
import type { WebLlmCatalog } from '../core/llm/webllm';
import type { ProgressFn } from '../core/types';
import { CancelledError, WorkerCrashedError, callWorker, createLlmWorker } from './worker-client';

export interface LlmSession {
  info: EngineInfo;
  /** The engine, for code on this thread. */
  engine: LlmEngine;
  /** generate() without a signal, for Comlink.proxy to another worker. */
  generate: RemoteGenerate;
  /** Asks the worker to stop every generation in flight. */
  abort(): void;
  /** Terminates the worker; calls still waiting reject with CancelledError. Idempotent. */
  close(): void;
}

/**
 * Starts an LLM worker and loads `spec` in it ('none' is refused: pass no session instead).
 * Rejects with CancelledError when `signal` aborts during the load, WorkerCrashedError when the
 * worker dies, or the engine's own error (unreachable server, unknown model, no WebGPU …).
 */
export async function openLlm(spec: EngineSpec, onProgress?: ProgressFn, signal?: AbortSignal, create: () => Worker = createLlmWorker): Promise<LlmSession> {
  signal?.throwIfAborted();
  const worker = create();
  const remote = Comlink.wrap<LlmService>(worker);
  let closed = false;
  let rejectAll: (e: Error) => void = () => undefined;
  // Settles (rejects) when the worker dies or is closed: every pending call races it.
  const dead = new Promise<never>((_, reject) => {
    rejectAll = reject;
  });
  dead.catch(() => undefined);
  const close = (): void => {
    if (closed) return;
    closed = true;
    rejectAll(new CancelledError());
    remote[Comlink.releaseProxy]();
    worker.terminate();
  };
  worker.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    if (!closed) rejectAll(new WorkerCrashedError('LLM', e.message || ''));
    close();
  });
  worker.addEventListener('messageerror', () => {
    if (!closed) rejectAll(new WorkerCrashedError('LLM', 'a message could not be read'));
    close();
  });
  const guard = <T>(p: Promise<T>): Promise<T> =>
    Promise.race([p, dead]).catch((e: unknown) => {
      throw reviveLlmError(e);
    });

  const onAbort = (): void => close();
  signal?.addEventListener('abort', onAbort, { once: true });
  let info: EngineInfo;
  try {
    info = await guard(remote.load(spec, onProgress ? Comlink.proxy(onProgress) : undefined));
  } catch (e) {
    close();
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }

  let seq = 0;
  const engine: LlmEngine = {
    id: info.id,
    model: info.model,
    // The worker's engine may learn its context size later (an OpenAI server's overflow error).
    get contextTokens(): number {
      return info.contextTokens;
    },
    async generate(messages: ChatMessage[], opts: GenerateOptions = {}): Promise<GenerateResult> {
      const id = ++seq;
      const stop = (): void => void remote.abort(id).catch(() => undefined);
      opts.signal?.addEventListener('abort', stop, { once: true });
      try {
        // bridgedEngine rejects at once on abort; the worker is told to stop as well.
        return await bridgedEngine(info, (m, o) => guard(remote.generate(m, o, id))).generate(messages, opts);
      } catch (e) {
        if (e instanceof ContextOverflowError && !closed) {
          const now = await guard(remote.info()).catch(() => null);
          if (now) info = { ...info, contextTokens: now.contextTokens };
        }
        throw e;
      } finally {
        opts.signal?.removeEventListener('abort', stop);
      }
    },
  };
  return {
    get info(): EngineInfo {
      return info;
    },
    engine,
    generate: (messages, opts) => engine.generate(messages, opts),
    abort: () => void remote.abort().catch(() => undefined),
    close,
  };
}

/** WebLLM's models for this browser's adapter, asked of a short-lived LLM worker (no download). */
export function webLlmModels(signal?: AbortSignal, create: () => Worker = createLlmWorker): Promise<WebLlmCatalog> {
  return callWorker<LlmService, WebLlmCatalog>('LLM', create, (remote) => remote.webllmModels(), signal);
}
