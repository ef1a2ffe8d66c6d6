/**
 * Vite plugins for the hosted, offline-capable build (used by vite.config.ts; types in
 * offline-build.d.mts):
 *
 * - offlineShell(): for a build of the app's index.html, builds src/sw/sw.ts into dist/sw.js (next to index.html, so its scope is the
 *   page's folder under any sub-path) and writes into it the precache list, generated from this
 *   very build's output (every chunk, worker chunk and asset, without source maps) plus the public
 *   files (samples, the word-vector asset; not the optional models/ folder), each marked whether
 *   its name carries a content hash, and a version that is a hash of all their contents. The list cannot go stale: it is whatever the build wrote. It also
 *   fails the build when index.html has lost its content-security policy.
 * - extraConnectSources(): when the environment variable CONSTELLATE_CONNECT_SRC lists origins
 *   (space-separated), adds them to the connect-src of the policy in index.html, so a self-hosted
 *   copy can reach another LLM server without editing the file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export const SW_FILE = 'sw.js';
const SW_ENTRY = 'src/sw/sw.ts';
const PLACEHOLDERS = { list: '__CONSTELLATE_PRECACHE__', version: '__CONSTELLATE_VERSION__' };

const HASHED_NAME = /-[\w-]{8}\.[a-z0-9]+$/i;

/** Public files left out of the offline shell: self-hosted models (large, optional), notes, dotfiles. */
export function excludedPublicFile(path) {
  return path.startsWith('models/') || /(^|\/)\./.test(path) || /\.md$/i.test(path);
}

/** Build outputs left out: source maps (for devtools only) and the service worker itself. */
export function excludedOutput(path) {
  return path.endsWith('.map') || path === SW_FILE;
}

/** Files under `dir` (following links), as '/'-separated paths relative to `root`, minus excluded ones. */
function walk(dir, root = dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    const rel = relative(root, full).split(sep).join('/');
    if (statSync(full).isDirectory()) {
      if (!excludedPublicFile(`${rel}/`)) out.push(...walk(full, root));
    } else if (!excludedPublicFile(rel)) out.push(rel);
  }
  return out;
}

/** The precache list (paths relative to index.html, sorted) and a version hash of their contents. */
export function shellManifest(files) {
  const list = [...files.keys()].sort();
  const hash = createHash('sha256');
  for (const path of list) hash.update(`${path}\0`).update(createHash('sha256').update(files.get(path)).digest('hex')).update('\n');
  return { list, version: hash.digest('hex').slice(0, 16) };
}

/** @returns {import('vite').Plugin} */
export function offlineShell() {
  let config;
  // Only a build of the app's own page gets a service worker (tests build other pages too).
  let active = false;
  return {
    name: 'constellate:offline-shell',
    apply: 'build',
    enforce: 'post',
    configResolved(resolved) {
      config = resolved;
      const input = resolved.build.rollupOptions?.input;
      const inputs = input === undefined ? ['index.html'] : typeof input === 'string' ? [input] : Object.values(input);
      const page = resolve(resolved.root, 'index.html');
      active = inputs.some((i) => resolve(resolved.root, i) === page);
    },
    buildStart() {
      if (!active) return;
      this.emitFile({ type: 'chunk', id: resolve(config.root, SW_ENTRY), fileName: SW_FILE });
    },
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        if (!active) return;
        const files = new Map();
        // Vite names the chunks and assets it emits by content hash (…-[hash].js), but not the page.
        const hashed = new Set();
        for (const [path, item] of Object.entries(bundle)) {
          if (excludedOutput(path)) continue;
          files.set(path, item.type === 'chunk' ? item.code : item.source);
          if (HASHED_NAME.test(path)) hashed.add(path);
        }
        if (!files.has('index.html')) this.error('offline shell: the build wrote no index.html');
        if (!/http-equiv="Content-Security-Policy"/i.test(String(files.get('index.html')))) this.error('offline shell: index.html lost its Content-Security-Policy <meta>');
        const publicDir = config.publicDir;
        if (config.build.copyPublicDir && publicDir && existsSync(publicDir)) {
          for (const path of walk(publicDir)) if (!files.has(path)) files.set(path, readFileSync(join(publicDir, path)));
        }
        const { list, version } = shellManifest(files);
        const sw = bundle[SW_FILE];
        if (!sw || sw.type !== 'chunk') return this.error(`offline shell: ${SW_FILE} was not built`);
        if (sw.imports.length > 0 || sw.dynamicImports.length > 0) this.error(`offline shell: ${SW_ENTRY} must not import other modules (a service worker is one classic script)`);
        for (const p of Object.values(PLACEHOLDERS)) if (!sw.code.includes(p)) this.error(`offline shell: ${SW_FILE} has no ${p} to fill in`);
        const entries = list.map((path) => ({ path, hashed: hashed.has(path) }));
        sw.code = sw.code.replaceAll(PLACEHOLDERS.list, JSON.stringify(entries)).replaceAll(PLACEHOLDERS.version, JSON.stringify(version));
        this.info(`offline shell: ${list.length} files, version ${version}`);
      },
    },
  };
}

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d+)?$/i;

/** Adds the origins in `extra` (space-separated) to the connect-src of the CSP <meta> in `html`. */
export function addConnectSources(html, extra) {
  const origins = extra.split(/\s+/).filter(Boolean);
  const bad = origins.filter((o) => !ORIGIN.test(o));
  if (bad.length) throw new Error(`CONSTELLATE_CONNECT_SRC takes origins such as https://llm.example.org (got ${bad.join(', ')})`);
  let found = false;
  const out = html.replace(/(<meta\s+http-equiv="Content-Security-Policy"\s+content="[^"]*?connect-src)(\s)/i, (_m, head, space) => {
    found = true;
    return `${head} ${origins.join(' ')}${space}`;
  });
  if (!found) throw new Error('index.html has no Content-Security-Policy <meta> with a connect-src to add CONSTELLATE_CONNECT_SRC to');
  return out;
}

/** @returns {import('vite').Plugin} */
export function extraConnectSources(extra = process.env.CONSTELLATE_CONNECT_SRC ?? '') {
  return {
    name: 'constellate:extra-connect-sources',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => (extra.trim() ? addConnectSources(html, extra) : html),
    },
  };
}
