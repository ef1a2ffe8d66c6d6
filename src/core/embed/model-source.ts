/**
 * Where transformers.js model files come from. Pure data and helpers (no transformers.js import),
 * so the UI can build a source and send it to the embed worker (a Map of Blobs clones fine).
 *
 * - hub: the Hugging Face hub, cached by the browser after the first download.
 * - same-origin: `<baseUrl>/<org>/<name>/config.json` …, the transformers.js layout (e.g. `./models/`
 *   next to the page) for self-hosted, fully offline deployments. In Node, baseUrl may be a folder.
 * - files: files the user picked; keys are paths relative to the model folder (`config.json`,
 *   `tokenizer.json`, `onnx/model_quantized.onnx`).
 */
export type ModelSource =
  | { kind: 'hub' }
  | { kind: 'same-origin'; baseUrl: string }
  | { kind: 'files'; files: Map<string, Blob> };

/**
 * Picked files are served to transformers.js under this path prefix by a fetch hook. It is a path,
 * not a URL, because transformers.js only probes "local" files (e.g. whether tokenizer files exist)
 * when the local model path is not an http(s) URL; the hook answers every request under it, so
 * nothing under it ever reaches the network.
 */
export const PICKED_FILES_PREFIX = '/__constellate_picked_model__/';

/** A short human description, for progress messages and errors. */
export function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case 'hub':
      return 'the Hugging Face hub';
    case 'same-origin':
      return `this site's models folder (${source.baseUrl})`;
    case 'files':
      return `${source.files.size} picked files`;
  }
}

/** With a trailing slash, so model ids append cleanly. */
function withSlash(s: string): string {
  return s.endsWith('/') ? s : `${s}/`;
}

/** Whether a same-origin base is a URL (browser) rather than a folder (Node). */
export function isHttpBase(baseUrl: string): boolean {
  return /^https?:\/\//i.test(baseUrl);
}

/** The base as a folder/URL prefix with a trailing slash, so model ids append cleanly. */
export function modelsBase(baseUrl: string): string {
  return withSlash(baseUrl);
}

/**
 * The key of a picked file for a URL or path transformers.js asks for, or null when the request is
 * not for picked files. `model` is the model id transformers.js was given (the files' folder).
 */
export function pickedFileKey(url: string, model: string): string | null {
  let path = url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) path = new URL(url).pathname;
  path = decodeURIComponent(path);
  if (!path.startsWith(PICKED_FILES_PREFIX)) return null;
  const rest = path.slice(PICKED_FILES_PREFIX.length);
  const folder = withSlash(model);
  return rest.startsWith(folder) ? rest.slice(folder.length) : rest;
}

type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that answers requests under PICKED_FILES_PREFIX from the picked files (404 when missing,
 * like a server would, so optional files are skipped) and passes every other request to `next`.
 */
export function pickedFilesFetch(files: ReadonlyMap<string, Blob>, model: string, next: FetchLike): FetchLike {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input.href;
    const key = pickedFileKey(url, model);
    if (key === null) return next(input, init);
    const blob = files.get(key);
    if (!blob) return new Response(null, { status: 404, statusText: `Not among the picked files: ${key}` });
    const headers = new Headers({ 'content-length': String(blob.size) });
    if (blob.type) headers.set('content-type', blob.type);
    // Honour the one-byte Range probe transformers.js uses for sizes, so progress totals are right.
    const range = new Headers(init?.headers).get('range');
    if (range === 'bytes=0-0' && blob.size > 0) {
      headers.set('content-range', `bytes 0-0/${blob.size}`);
      headers.set('content-length', '1');
      return new Response(blob.slice(0, 1), { status: 206, headers });
    }
    return new Response(blob, { status: 200, headers });
  };
}

/** A string that identifies the model files a source yields, to reuse a loaded pipeline. */
export function sourceKey(source: ModelSource): string {
  switch (source.kind) {
    case 'hub':
      return 'hub';
    case 'same-origin':
      return `same-origin:${source.baseUrl}`;
    case 'files': {
      const parts = [...source.files].map(([k, b]) => {
        const modified = (b as Blob & { lastModified?: number }).lastModified ?? 0;
        return `${k}:${b.size}:${modified}`;
      });
      return `files:${parts.sort().join('|')}`;
    }
  }
}
