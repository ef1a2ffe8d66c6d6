// Shared helpers for the browser tests: a Vite server (dev, or preview of dist/) on a free localhost
// port, Debian's Chromium driven by playwright-core, and the git-ignored output folder for screenshots.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer, preview } from 'vite';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Starts Vite on 127.0.0.1 (port 0 = a free one). mode 'dev' serves sources (root = repo root, so
 * test pages under tests/e2e/pages/ are reachable); 'preview' serves the built dist/ (run
 * `npm run build` first). Returns { url, close } with url ending in '/'.
 * Dev only: `entries` (files/globs relative to root, e.g. the test page and its worker) are crawled
 * for dependencies up front, so Vite does not re-optimise and reload the page mid-test; `cacheDir`
 * keeps that pre-bundle apart from a developer's own dev server. Preview only: `outDir` (absolute,
 * or relative to root) is the build to serve, default dist/.
 */
export async function startServer({ root = ROOT, mode = 'dev', port = 0, entries, cacheDir, outDir = 'dist' } = {}) {
  if (mode === 'dev') {
    const server = await createServer({
      root,
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'warn',
      clearScreen: false,
      server: { host: '127.0.0.1', port, strictPort: port !== 0, open: false, hmr: false, watch: null },
      ...(entries ? { optimizeDeps: { entries } } : {}),
      ...(cacheDir ? { cacheDir } : {}),
    });
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('Vite dev server did not report a port.');
    return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
  }
  if (mode === 'preview') {
    const dir = resolve(root, outDir);
    if (!existsSync(dir)) throw new Error(`No ${dir} to preview: run \`npm run build\` first.`);
    const server = await preview({
      root,
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: dir },
      preview: { host: '127.0.0.1', port, strictPort: port !== 0, open: false },
    });
    const address = server.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('Vite preview server did not report a port.');
    return {
      url: `http://127.0.0.1:${address.port}/`,
      close: () => new Promise((res) => server.httpServer.close(() => res())),
    };
  }
  throw new Error(`Unknown server mode: ${mode}`);
}

// Quiet, offline-friendly Chromium: no background calls home (the tests log every request).
const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
// Headless Chromium on a GPU-less Linux box: WebGPU through Vulkan on SwiftShader (CPU).
// Measured on Chromium 156 here: without flags requestAdapter() returns null; --enable-unsafe-webgpu
// alone already yields a SwiftShader adapter (vendor 'google', architecture 'swiftshader', no
// shader-f16); the other flags pin ANGLE and the adapter to SwiftShader explicitly.
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];

/**
 * Launches headless Chromium. Playwright gives every launch a fresh temporary profile (user-data
 * dir) and deletes it on close, so no state leaks between runs.
 */
export async function launchBrowser({ webgpu = false, headless = true } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless,
    args: webgpu ? [...BASE_ARGS, ...WEBGPU_ARGS] : BASE_ARGS,
  });
}

/** tests/e2e/output (git-ignored), created on first use. */
export function outputDir() {
  const dir = join(ROOT, 'tests/e2e/output');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Records every request made in a browser context (or page) — pages and their workers alike;
 * `foreign()` lists those not from `origin` (data: and blob: URLs are local and allowed).
 */
export function recordRequests(contextOrPage, origin) {
  const all = [];
  contextOrPage.on('request', (r) => all.push(r.url()));
  return {
    all,
    foreign: () => all.filter((u) => !u.startsWith(`${origin}/`) && u !== origin && !u.startsWith('data:') && !u.startsWith('blob:')),
  };
}
