/// <reference lib="webworker" />
/**
 * The service worker: keeps the app shell (index.html, every JS/CSS chunk and worker chunk, the ONNX
 * Runtime WASM, the built-in word vectors, the bundled samples) in Cache Storage, so the page opens
 * and clusters offline after one online visit; saved runs live in IndexedDB and need no network.
 *
 * Built by scripts/offline-build.mjs into dist/sw.js next to index.html (so its scope is the page's
 * folder, whatever sub-path the site is served from); the build replaces the two placeholders
 * below with the list of files it wrote and a hash of their contents.
 *
 * - Precached files: cache first (their names carry content hashes, or the cache version changes
 *   when their contents do); a file missing from the cache falls back to the network.
 * - The page itself (navigations, index.html): network first, so a new deploy is picked up at once
 *   when online, with the cached copy when the network fails or is too slow.
 * - Everything else passes through untouched: other origins (the Hugging Face hub, whose model
 *   files transformers.js and WebLLM keep in Cache Storage themselves; the user's LLM server), and
 *   same-origin files outside the shell (the optional models/ folder, served by the HTTP cache).
 * - One cache per build ('constellate-shell-<hash>'); activating a new build deletes older shell
 *   caches and nothing else (transformers.js' and WebLLM's caches stay). Installing a new build
 *   takes the files whose names carry a content hash from the older cache instead of downloading
 *   them again (the ONNX Runtime WASM alone is 27 MB); the others are fetched afresh.
 */
/** Paths relative to this file; `hashed`: the name changes whenever the contents do. */
declare const __CONSTELLATE_PRECACHE__: { path: string; hashed: boolean }[];
declare const __CONSTELLATE_VERSION__: string;

const sw = self as unknown as ServiceWorkerGlobalScope;

const SHELL_PREFIX = 'constellate-shell-';
const VERSION = __CONSTELLATE_VERSION__;
const CACHE = `${SHELL_PREFIX}${VERSION}`;
/** The folder sw.js is served from: the page's folder and the registration scope. */
const BASE = new URL('./', sw.location.href).href;
const INDEX = new URL('index.html', BASE).href;
const FILES = __CONSTELLATE_PRECACHE__.map((f) => ({ url: new URL(f.path, BASE).href, hashed: f.hashed }));
const PRECACHE = new Set(FILES.map((f) => f.url));
/** How long a navigation waits for the network before the cached page is shown. */
const NETWORK_TIMEOUT_MS = 4000;

/** URL without query or fragment: how precached files are keyed. */
function key(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** The response for `url` in an older build's shell cache, if any. */
async function fromOlderShell(url: string): Promise<Response | undefined> {
  for (const name of await caches.keys()) {
    if (!name.startsWith(SHELL_PREFIX) || name === CACHE) continue;
    const hit = await (await caches.open(name)).match(url);
    if (hit) return hit;
  }
  return undefined;
}

async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  await Promise.all(
    FILES.map(async ({ url, hashed }) => {
      // Already there: an earlier try of this same build (same version, same contents) got it.
      if (await cache.match(url)) return;
      const old = hashed ? await fromOlderShell(url) : undefined;
      // 'no-cache' revalidates with the server, so a stale HTTP-cached copy never enters the shell.
      const res = old ?? (await fetch(new Request(url, { cache: 'no-cache' })));
      if (!res.ok) throw new Error(`Could not cache ${url} (${res.status}).`);
      await cache.put(url, res);
    }),
  );
}

sw.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(SHELL_PREFIX) && name !== CACHE) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

async function fromCache(url: string): Promise<Response | undefined> {
  const cache = await caches.open(CACHE);
  return cache.match(url);
}

/** The page: the network's answer when it comes in time, else the cached index.html. */
async function page(request: Request, cacheFallback: boolean): Promise<Response> {
  const network = fetch(request);
  if (!cacheFallback) return network;
  network.catch(() => undefined); // when the cache answers first, a later failure is expected
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), NETWORK_TIMEOUT_MS));
  try {
    const res = await Promise.race([network, timeout]);
    if (res) return res;
  } catch {
    /* offline, or the server is down */
  }
  const cached = await fromCache(INDEX);
  return cached ?? network;
}

async function shellFile(request: Request, url: string): Promise<Response> {
  return (await fromCache(url)) ?? fetch(request);
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || !url.href.startsWith(BASE)) return;
  const k = key(url);
  const isPage = k === BASE || k === INDEX;
  if (request.mode === 'navigate' || isPage) {
    // Other pages in the folder (a sample file opened in a tab) come from the network, or the cache.
    event.respondWith(isPage ? page(request, true) : page(request, false).catch(async (e) => (await fromCache(k)) ?? Promise.reject(e)));
    return;
  }
  if (PRECACHE.has(k)) event.respondWith(shellFile(request, k));
});

/** The page's offline indicator asks: which build, and how much of its shell is cached. */
sw.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type !== 'status') return;
  const port = event.ports[0];
  if (!port) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const cached = (await cache.keys()).filter((r) => PRECACHE.has(r.url)).length;
      port.postMessage({ version: VERSION, cached, total: PRECACHE.size });
    })(),
  );
});
