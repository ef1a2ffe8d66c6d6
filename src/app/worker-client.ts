import * as Comlink from 'comlink';
import clusterWorkerUrl from '../../workers/cluster.worker.ts?worker&url';
import embedWorkerUrl from '../../workers/embed.worker.ts?worker&url';
import llmWorkerUrl from '../../workers/llm.worker.ts?worker&url';

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

/**
 * A module worker that runs `scriptUrl` under this page's content-security policy. A worker loaded
 * straight from its own URL gets only the policy of its own HTTP response (none on a static host
 * such as GitHub Pages), so the page's <meta> policy would not reach the requests it makes (model
 * files, LLM servers). A worker made from a blob: URL inherits the page's policy (and its service
 * worker); the blob only imports the real script, whose import.meta.url stays the script's own.
 */
export function createPolicedWorker(scriptUrl: string, name: string): Worker {
  const url = new URL(scriptUrl, document.baseURI).href;
  const blob = new Blob([`import ${JSON.stringify(url)};\n`], { type: 'text/javascript' });
  const blobUrl = URL.createObjectURL(blob);
  const worker = new Worker(blobUrl, { type: 'module', name });
  // The worker has fetched its blob once it reports anything (its first message, or an error).
  const revoke = (): void => URL.revokeObjectURL(blobUrl);
  worker.addEventListener('message', revoke, { once: true });
  worker.addEventListener('error', revoke, { once: true });
  return worker;
}

export const createEmbedWorker = (): Worker => createPolicedWorker(embedWorkerUrl, 'embed');

export const createClusterWorker = (): Worker => createPolicedWorker(clusterWorkerUrl, 'cluster');

export const createLlmWorker = (): Worker => createPolicedWorker(llmWorkerUrl, 'llm');
