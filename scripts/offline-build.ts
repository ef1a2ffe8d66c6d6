/**
 * Vite plugins for the hosted, offline-capable build (used by vite.config.ts):
 *
 * - offlineShell(): builds src/sw/sw.ts into dist/sw.js (next to index.html, so its scope is the
 *   page's folder under any sub-path) and writes into it the precache list, generated from this
 *   very build's output (every chunk, worker chunk and asset, without source maps) plus the public
 *   files (samples, the word-vector asset; not the optional models/ folder), and a version that is
 *   a hash of all their contents. The list cannot go stale: it is whatever the build wrote.
 * - extraConnectSources(): when the environment
 *   variable CONSTELLATE_CONNECT_SRC lists origins (space-separated), adds them to its connect-src,
 *   so a self-hosted copy can reach another LLM server without editing the file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

export const SW_FILE = 'sw.js';
const SW_ENTRY = 'src/sw/sw.ts';
const PLACEHOLDERS = { list: '__CONSTELLATE_PRECACHE__', version: '__CONSTELLATE_VERSION__' } as const;

/** Public files left out of the offline shell: self-hosted models (large, optional), notes, dotfiles. */
export function excludedPublicFile(path: string): boolean {
  return path.startsWith('models/') || /(^|\/)\./.test(path) || /\.md$/i.test(path);
}

/** Build outputs left out: source maps (for devtools only) and the service worker itself. */
export function excludedOutput(path: string): boolean {
  return path.endsWith('.map') || path === SW_FILE;
}

function walk(dir: string, root = dir): string[] {
  const out: string[] = [];
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
export function shellManifest(files: Map<string, string | Uint8Array>): { list: string[]; version: string } {
  const list = [...files.keys()].sort();
  const hash = createHash('sha256');
  for (const path of list) hash.update(`${path}\0`).update(createHash('sha256').update(files.get(path)!).digest('hex')).update('\n');
  return { list, version: hash.digest('hex').slice(0, 16) };
}

export function offlineShell(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'constellate:offline-shell',
    apply: 'build',
    enforce: 'post',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: resolve(config.root, SW_ENTRY), fileName: SW_FILE });
    },
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const files = new Map<string, string | Uint8Array>();
        for (const [path, item] of Object.entries(bundle)) {
          if (!excludedOutput(path)) files.set(path, item.type === 'chunk' ? item.code : item.source);
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
        sw.code = sw.code.replaceAll(PLACEHOLDERS.list, JSON.stringify(list)).replaceAll(PLACEHOLDERS.version, JSON.stringify(version));
        this.info(`offline shell: ${list.length} files, version ${version}`);
      },
    },
  };
}

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d+)?$/i;

/** Adds the origins in `extra` (space-separated) to the connect-src of the CSP <meta> in `html`. */
export function addConnectSources(html: string, extra: string): string {
  const origins = extra.split(/\s+/).filter(Boolean);
  const bad = origins.filter((o) => !ORIGIN.test(o));
  if (bad.length) throw new Error(`CONSTELLATE_CONNECT_SRC takes origins such as https://llm.example.org (got ${bad.join(', ')})`);
  let found = false;
  const out = html.replace(/(<meta\s+http-equiv="Content-Security-Policy"\s+content="[^"]*?connect-src)(\s)/i, (_m, head: string, space: string) => {
    found = true;
    return `${head} ${origins.join(' ')}${space}`;
  });
  if (!found) throw new Error('index.html has no Content-Security-Policy <meta> with a connect-src to add CONSTELLATE_CONNECT_SRC to');
  return out;
}

export function extraConnectSources(extra = process.env.CONSTELLATE_CONNECT_SRC ?? ''): Plugin {
  return {
    name: 'constellate:page-policy',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => (extra.trim() ? addConnectSources(html, extra) : html),
    },
  };
}
