/**
 * Registers the service worker (src/sw/sw.ts, built to sw.js next to index.html) for the page's
 * folder, and keeps a small status the page shows: whether this copy of the app opens offline.
 * Production builds only (src/main.ts); in development there is no sw.js and nothing is cached.
 */

export interface OfflineStatus {
  /**
   * off: not attempted (development build); unsupported: no service workers here (an insecure
   * origin, a private window that forbids them); saving: the files are being cached; ready: the
   * app opens offline; error: caching failed (see detail).
   */
  state: 'off' | 'unsupported' | 'saving' | 'ready' | 'error';
  /** navigator.onLine: false when the browser knows it has no network. */
  online: boolean;
  /** The cached build's version (a hash of its files). */
  version?: string;
  detail?: string;
}

interface ShellStatus {
  version: string;
  cached: number;
  total: number;
}

let status: OfflineStatus = { state: 'off', online: typeof navigator === 'undefined' ? true : navigator.onLine };
const listeners = new Set<(s: OfflineStatus) => void>();

function update(patch: Partial<OfflineStatus>): void {
  status = { ...status, ...patch };
  for (const l of listeners) l(status);
}

/** The current status. */
export function offlineStatus(): OfflineStatus {
  return status;
}

/** Calls `listener` on every change; returns the unsubscribe function. */
export function onOfflineStatus(listener: (s: OfflineStatus) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Asks an active service worker how much of its shell is cached (null when it does not answer). */
function askShell(worker: ServiceWorker, timeoutMs = 5000): Promise<ShellStatus | null> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), timeoutMs);
    channel.port1.onmessage = (e: MessageEvent<ShellStatus>) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    worker.postMessage({ type: 'status' }, [channel.port2]);
  });
}

async function refresh(registration: ServiceWorkerRegistration): Promise<void> {
  const active = registration.active;
  if (!active) return;
  const shell = await askShell(active);
  if (!shell) update({ state: 'error', detail: 'the offline copy does not answer' });
  else if (shell.cached < shell.total) update({ state: 'error', version: shell.version, detail: `only ${shell.cached} of ${shell.total} files are cached` });
  else update({ state: 'ready', version: shell.version, detail: `${shell.total} files cached` });
}

/** Registers sw.js for the page's folder (works under any sub-path) and tracks the status. */
export async function registerServiceWorker(): Promise<void> {
  addEventListener('online', () => update({ online: true }));
  addEventListener('offline', () => update({ online: false }));
  if (!('serviceWorker' in navigator)) {
    update({ state: 'unsupported' });
    return;
  }
  update({ state: 'saving' });
  try {
    const registration = await navigator.serviceWorker.register(new URL('sw.js', document.baseURI), {
      scope: new URL('./', document.baseURI).href,
      // Always ask the server for sw.js itself, so a new deploy is noticed on the next visit.
      updateViaCache: 'none',
    });
    // An install that fails (a file could not be fetched) leaves the worker redundant.
    const watch = (worker: ServiceWorker | null): void =>
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'redundant' && !registration.active) update({ state: 'error', detail: 'the app files could not be saved' });
      });
    watch(registration.installing);
    registration.addEventListener('updatefound', () => watch(registration.installing));
    navigator.serviceWorker.addEventListener('controllerchange', () => void refresh(registration));
    await navigator.serviceWorker.ready;
    await refresh(registration);
  } catch (e) {
    update({ state: 'error', detail: e instanceof Error ? e.message : String(e) });
  }
}
