import * as Comlink from 'comlink';

/** Raised when the user cancels: the worker is terminated, so the work really stops. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'CancelledError';
  }
}

/** Raised when a worker dies (crash, out of memory) instead of answering. */
export class WorkerCrashedError extends Error {
  constructor(what: string, detail: string) {
    super(`The ${what} worker stopped unexpectedly${detail ? ` (${detail})` : ''}. Your data and saved runs are safe; try again, or with fewer texts or a smaller model.`);
    this.name = 'WorkerCrashedError';
  }
}

/**
 * One call into a fresh worker: resolves with the call's result, rejects when the worker crashes,
 * and terminates the worker when done or when `signal` aborts (a worker busy in a loop would not
 * see an abort message otherwise).
 */
export async function callWorker<S, R>(
  what: string,
  create: () => Worker,
  call: (remote: Comlink.Remote<S>) => Promise<R>,
  signal?: AbortSignal,
): Promise<R> {
  signal?.throwIfAborted();
  const worker = create();
  const remote = Comlink.wrap<S>(worker);
  let onAbort: (() => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      reject(new WorkerCrashedError(what, e.message || ''));
    });
    worker.addEventListener('messageerror', () => reject(new WorkerCrashedError(what, 'a message could not be read')));
    onAbort = () => reject(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(remote), failure]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
}

export const createEmbedWorker = (): Worker =>
  new Worker(new URL('../../workers/embed.worker.ts', import.meta.url), { type: 'module', name: 'embed' });

export const createClusterWorker = (): Worker =>
  new Worker(new URL('../../workers/cluster.worker.ts', import.meta.url), { type: 'module', name: 'cluster' });

export const createLlmWorker = (): Worker =>
  new Worker(new URL('../../workers/llm.worker.ts', import.meta.url), { type: 'module', name: 'llm' });
