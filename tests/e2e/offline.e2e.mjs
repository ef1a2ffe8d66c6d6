// Offline and hosting, against the production build (run `npm run build` first) served by a plain
// static server of this test's own from a sub-path, the way GitHub Pages serves a project site:
// (a) one online visit caches the app shell; with the network cut and the server stopped, a reload
//     still opens the app, lists and opens the saved run, and clusters new texts;
// (b) every request of a full run (load → cluster → explore; then again with a local OpenAI-
//     compatible LLM server) goes to the page's origin or to the LLM server chosen;
// (c) the content-security policy is in the built index.html, and the page and its workers are held
//     to it: a fetch to an origin it does not list is blocked and reported;
// (d) a sentence-transformer model from the Hugging Face hub (played by a route that serves the
//     generated tiny model) is downloaded once, kept by transformers.js in Cache Storage, and
//     used again offline without a request;
// (e) a new deploy is picked up online at once, gets its own cache, and the old cache goes.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { tmpdir } from 'node:os';
import { TINY_MODEL_ID, makeTinyModel } from '../../scripts/make-tiny-model.mjs';
import { startOpenAiTestServer } from '../support/openai-test-server.mjs';
import { ROOT, launchBrowser, outputDir } from './harness.mjs';

const DIST = join(ROOT, 'dist');
const PREFIX = '/constellate/sub/';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/**
 * Serves `dir` under `prefix` on 127.0.0.1 (GET and HEAD; `prefix` alone is index.html; nothing
 * outside the prefix). `hits` lists the paths of the requests that reached it; `deploy(dir)`
 * switches to another folder.
 */
function serveStatic(dir, prefix, host = '127.0.0.1') {
  const hits = [];
  const site = { dir };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    hits.push(path);
    if (!path.startsWith(prefix)) return void res.writeHead(404).end('outside the site');
    const rel = normalize(path.slice(prefix.length) || 'index.html');
    const file = join(site.dir, rel);
    if (rel.startsWith('..') || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=600' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, host, () => {
      const origin = `http://${host}:${server.address().port}`;
      resolve({
        /** Serve another folder from now on (a new deploy). */
        deploy: (d) => (site.dir = d),
        origin,
        url: `${origin}${prefix}`,
        hits,
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
      });
    }),
  );
}

let browser;
before(async () => {
  if (!existsSync(join(DIST, 'index.html')) || !existsSync(join(DIST, 'sw.js'))) throw new Error('No production build with a service worker in dist/: run `npm run build` first.');
  browser = await launchBrowser({});
});
after(async () => {
  await browser?.close();
});

/**
 * Serves the build under PREFIX and runs `body` with it, a fresh browser context (its own profile:
 * no service worker, caches or IndexedDB from another test) and a page; fails on uncaught page
 * errors; closes everything, also when the body fails, with what the body passed to `defer`.
 */
async function onSite(body) {
  const site = await serveStatic(DIST, PREFIX);
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cleanups = [];
  try {
    await body({ site, context, page, defer: (fn) => cleanups.push(fn) });
    assert.deepEqual(errors, [], 'uncaught errors in the page');
  } finally {
    await context.close();
    for (const fn of cleanups.reverse()) await fn();
    await site.close();
  }
}

/** Opens the site and waits for the sample to load and the offline copy to be complete. */
async function visit(page, site) {
  await page.goto(site.url);
  await waitSample(page);
  await waitOffline(page);
}

async function waitOffline(page) {
  await page.locator('cst-offline-status[data-state="ready"]').waitFor({ timeout: 120_000 });
}

async function waitSample(page) {
  await page.locator('cst-data-source .stats .kept', { hasText: '300' }).waitFor({ timeout: 60_000 });
}

test('(a) served from a sub-path, one online visit is enough: offline, the app opens, reopens the saved run and clusters new texts', { timeout: 400_000 }, async () => {
  await onSite(async ({ site, context, page }) => {
    await visit(page, site);
    const sw = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { scope: reg?.scope, script: reg?.active?.scriptURL, controlled: navigator.serviceWorker.controller !== null };
    });
    assert.equal(sw.scope, site.url, 'the service worker is scoped to the page folder, not the site root');
    assert.equal(sw.script, `${site.url}sw.js`);
    assert.equal(sw.controlled, true, 'the first page is taken over at once (clients.claim)');
    // Every file of the shell is in the build's cache, and the precache list is the build's output.
    const caches = await page.evaluate(async () => {
      const names = await self.caches.keys();
      const shell = names.filter((n) => n.startsWith('constellate-shell-'));
      const keys = shell.length === 1 ? (await (await self.caches.open(shell[0])).keys()).map((r) => r.url) : [];
      return { shell, keys };
    });
    assert.equal(caches.shell.length, 1, `one shell cache: ${caches.shell}`);
    const cachedPaths = caches.keys.map((u) => u.slice(site.url.length)).sort();
    for (const must of ['index.html', 'assets/generated/glove-sif-100d.bin', 'samples/index.json', 'samples/support-tickets.jsonl']) assert.ok(cachedPaths.includes(must), `${must} is cached`);
    const assets = readdirSync(join(DIST, 'assets'), { withFileTypes: true }).filter((d) => d.isFile() && !d.name.endsWith('.map')).map((d) => d.name);
    for (const f of assets) assert.ok(cachedPaths.includes(`assets/${f}`), `assets/${f} is cached`);
    assert.ok(assets.some((f) => f.endsWith('.wasm')) && assets.some((f) => /embed\.worker/.test(f)), 'the wasm and the worker chunks are among them');
    assert.ok(!cachedPaths.some((p) => p.endsWith('.map') || p.startsWith('models/')), 'no source maps or models in the shell');

    // A hierarchy run online, so the reopened run has a treemap as well as the map.
    await page.locator('cst-run-settings [data-method="hercules"] input').check();
    await page.locator('cst-app button.start').click();
    await page.locator('cst-explorer cst-treemap[data-tiles]').waitFor({ timeout: 180_000 });
    assert.equal(await page.locator('cst-runs-list li.run').count(), 1);
    await page.screenshot({ path: join(outputDir(), 'offline-1-online-run.png') });

    // Cut the network and stop the server: nothing can come from anywhere but this browser.
    await context.setOffline(true);
    await site.close();
    const served = site.hits.length;
    const failed = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    await page.reload();
    await page.locator('cst-offline-status[data-state="ready"][data-online="false"]').waitFor({ timeout: 30_000 });
    assert.match(await page.locator('cst-offline-status .line').innerText(), /works offline.*you are offline/i);
    const saved = page.locator('cst-runs-list li.run');
    await saved.first().waitFor({ timeout: 30_000 });
    assert.equal(await saved.count(), 1, 'the saved run is listed offline');
    await waitSample(page); // the bundled sample comes from the cache too
    await page.screenshot({ path: join(outputDir(), 'offline-2-reloaded.png') });

    await saved.first().click();
    await page.locator('cst-explorer cst-treemap[data-tiles]').waitFor({ timeout: 30_000 });
    assert.ok(Number(await page.locator('cst-treemap').getAttribute('data-tiles')) > 1);
    await page.screenshot({ path: join(outputDir(), 'offline-3-reopened-treemap.png') });
    await page.locator('cst-explorer button.tab-map').click();
    await page.locator('cst-scatter[data-points="300"]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(outputDir(), 'offline-4-reopened-map.png') });

    // New texts (not in the vector cache), clustered offline with the built-in word vectors.
    await page.locator('cst-app button.new-run').click();
    const lines = readFileSync(join(DIST, 'samples/support-tickets.jsonl'), 'utf8').trim().split('\n').slice(0, 120);
    const fresh = lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), text: `${JSON.parse(l).text} #${i}` })).join('\n');
    await page.locator('cst-data-source input.file').setInputFiles({ name: 'offline.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(fresh) });
    await page.locator('cst-data-source .stats .kept', { hasText: '120' }).waitFor({ timeout: 30_000 });
    await page.locator('cst-run-settings [data-method="kmeans"] input').check();
    await page.locator('cst-run-settings input.k').fill('6');
    await page.locator('cst-app button.start').click();
    await page.locator('cst-scatter[data-points="120"]').waitFor({ timeout: 180_000 });
    assert.equal(await page.locator('cst-scatter').getAttribute('data-clusters'), '6');
    const notice = page.locator('cst-app .notice');
    assert.ok(Number(await notice.getAttribute('data-embedded')) > 0, 'texts were embedded offline, not only read from the vector cache');
    assert.equal(await page.locator('cst-runs-list li.run').count(), 2);
    await page.screenshot({ path: join(outputDir(), 'offline-5-new-run.png') });

    assert.equal(site.hits.length, served, 'nothing reached the stopped server');
    assert.deepEqual(failed, [], 'every request of the page and its workers was answered offline');
  });
});

/** Explores a finished flat run: a cluster and its members, the label view, the map under the pointer. */
async function explore(page) {
  await page.locator('cst-cluster-list [data-cluster-id]').first().click();
  await page.locator('cst-cluster-detail').waitFor({ timeout: 10_000 });
  await page.locator('cst-explorer button.tab-labels').click();
  await page.locator('cst-confusion').waitFor({ timeout: 10_000 });
  await page.locator('cst-explorer button.tab-map').click();
  const box = await page.locator('cst-scatter canvas').first().boundingBox();
  if (box) for (const f of [0.3, 0.5, 0.7]) await page.mouse.move(box.x + box.width * f, box.y + box.height * f);
}

async function chooseServer(page, url) {
  await page.locator('cst-llm-settings [data-engine="openai"] input').check();
  await page.locator('cst-llm-settings input.base-url').fill(url);
  await page.locator('cst-llm-settings input.base-url').dispatchEvent('change');
}

test('(b) a full run, then one named by a local LLM server: every request goes to the page origin under its sub-path, or to that server', { timeout: 400_000 }, async () => {
  await onSite(async ({ site, context, page, defer }) => {
    const llm = await startOpenAiTestServer({});
    defer(() => llm.close());
    // Requests of the page, its workers and the service worker, each with the sources allowed when made.
    const sources = [site.url];
    const seen = [];
    context.on('request', (r) => seen.push({ url: r.url(), allowed: [...sources] }));
    const outside = () => seen.filter(({ url, allowed }) => !url.startsWith('data:') && !url.startsWith('blob:') && !allowed.some((s) => url.startsWith(s)));
    // The app itself never trips its own policy (an inline script or style it needs, a blocked fetch).
    const violations = [];
    page.on('console', (m) => /content security policy/i.test(m.text()) && violations.push(m.text()));
    page.on('worker', (w) => w.on('console', (m) => /content security policy/i.test(m.text()) && violations.push(m.text())));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.effectiveDirective} ${e.blockedURI}`)));
    await visit(page, site); // the service worker's own downloads are recorded too
    await page.locator('cst-app button.start').click();
    await page.locator('cst-scatter[data-points="300"]').waitFor({ timeout: 180_000 });
    await explore(page);
    await page.screenshot({ path: join(outputDir(), 'offline-requests-run.png') });
    assert.deepEqual(outside(), [], 'requests outside the page folder during load, run and exploring');
    const urls = seen.map((s) => s.url);
    assert.ok(urls.includes(`${site.url}assets/generated/glove-sif-100d.bin`), 'the embed worker\'s request for the word vectors was recorded');
    assert.ok(urls.some((u) => /\/assets\/cluster\.worker-[\w-]+\.js$/.test(u)), 'the workers\' own scripts were recorded');

    // The same, named by the LLM server the user chose: it is the one other origin contacted.
    sources.push(`${llm.origin}/`);
    await page.locator('cst-app button.new-run').click();
    await chooseServer(page, llm.url);
    await page.locator('cst-llm-settings button.list-models').click();
    await page.locator('cst-llm-settings .server-note', { hasText: 'model' }).waitFor({ timeout: 10_000 });
    await page.locator('cst-app button.start').click();
    await page.locator('cst-scatter[data-points="300"]').waitFor({ timeout: 180_000 });
    await page.locator('cst-app .notice', { hasText: 'constellate-test-llm named' }).waitFor({ timeout: 10_000 });
    await explore(page);
    await page.screenshot({ path: join(outputDir(), 'offline-requests-llm-run.png') });
    assert.deepEqual(outside(), [], 'requests to anything but the page folder and the chosen LLM server');
    assert.ok(
      seen.some((s) => s.url === `${llm.url}/chat/completions`),
      'the LLM worker\'s requests were recorded (so the check above saw the workers)',
    );
    assert.ok(llm.requests.some((r) => r.path === '/v1/chat/completions'), 'the server named the clusters');
    assert.deepEqual(violations, [], 'the app keeps to its own content-security policy');
  });
});

/** Fetches `url` from a page or worker, and returns how it ended and the violations reported there. */
function fetchAndListen(url) {
  return new Promise((resolve) => {
    const violations = [];
    self.addEventListener('securitypolicyviolation', (e) => violations.push({ blocked: e.blockedURI, directive: e.effectiveDirective, disposition: e.disposition }));
    fetch(url, { mode: 'cors' }).then(
      (r) => `answered ${r.status}`,
      (e) => `failed: ${e.message}`,
    ).then((outcome) => setTimeout(() => resolve({ outcome, violations }), 300));
  });
}

test('(c) the built page carries its content-security policy, and the page and its workers are held to it', { timeout: 300_000 }, async () => {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
  assert.ok(meta, 'dist/index.html has a CSP <meta>');
  assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<script'), 'the policy comes before any script');
  const policy = meta[1];
  const directives = new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives.get('default-src'), ["'self'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'", "'wasm-unsafe-eval'"], 'no inline or eval\'d script');
  assert.deepEqual(directives.get('worker-src'), ["'self'", 'blob:']);
  assert.deepEqual(directives.get('object-src'), ["'none'"]);
  assert.deepEqual(directives.get('base-uri'), ["'self'"]);
  const connect = directives.get('connect-src');
  for (const s of ["'self'", 'https://huggingface.co', 'http://127.0.0.1:*', 'http://localhost:*']) assert.ok(connect.includes(s), `connect-src allows ${s}`);
  assert.ok(!connect.some((s) => s === '*' || s === 'https:' || s === 'http:'), 'connect-src lists hosts, not whole schemes');

  await onSite(async ({ site, page, defer }) => {
    // An origin the policy does not list (127.0.0.2 is loopback too, but not 127.0.0.1 or localhost).
    const decoy = await serveStatic(DIST, '/', '127.0.0.2');
    defer(() => decoy.close());
    const llm = await startOpenAiTestServer({ delayMs: 4000 });
    defer(() => llm.close());
    await visit(page, site);
    assert.equal(await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content), policy);

    // The page: an unlisted origin is refused before any request leaves, and reported.
    const blocked = await page.evaluate(fetchAndListen, `${decoy.url}from-page`);
    assert.match(blocked.outcome, /^failed/);
    assert.deepEqual(blocked.violations, [{ blocked: `${decoy.url}from-page`, directive: 'connect-src', disposition: 'enforce' }]);
    // A listed one (the local LLM server) answers.
    assert.equal((await page.evaluate(fetchAndListen, `${llm.url}/models`)).outcome, 'answered 200');

    // The settings say so before a run is tried, and the run cannot start.
    await chooseServer(page, `${decoy.origin}/v1`);
    await page.locator('cst-llm-settings input.server-model').fill('any');
    const note = page.locator('cst-llm-settings .csp-blocked');
    await note.waitFor({ timeout: 5000 });
    assert.match(await note.innerText(), new RegExp(`security policy.*${decoy.origin.replace(/\./g, '\\.')}`, 's'));
    assert.equal(await page.locator('cst-app button.start').isDisabled(), true);
    assert.match(await page.locator('cst-app .why').innerText(), /security policy/);
    await page.locator('cst-llm-settings').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(outputDir(), 'offline-csp-blocked-server.png') });

    // The workers inherit the policy: in the app's own LLM worker (alive while the slow server
    // answers), the unlisted origin is refused and reported, the chosen server is not.
    const llmWorker = new Promise((resolve) => {
      page.on('worker', async (w) => {
        try {
          if ((await w.evaluate(() => self.name)) === 'llm') resolve(w);
        } catch {
          /* a worker that ended at once */
        }
      });
    });
    await chooseServer(page, llm.url);
    await page.locator('cst-llm-settings input.server-model').fill('constellate-test-llm');
    await page.locator('cst-app button.start').click();
    const worker = await llmWorker;
    const fromWorker = await worker.evaluate(fetchAndListen, `${decoy.url}from-worker`);
    assert.match(fromWorker.outcome, /^failed/);
    assert.deepEqual(fromWorker.violations, [{ blocked: `${decoy.url}from-worker`, directive: 'connect-src', disposition: 'enforce' }]);
    assert.equal((await worker.evaluate(fetchAndListen, `${llm.url}/models`)).outcome, 'answered 200');
    assert.ok(worker.url().startsWith('blob:'), `the LLM worker starts from a blob: URL (${worker.url()})`);
    await page.locator('cst-scatter[data-points="300"]').waitFor({ timeout: 180_000 });

    assert.deepEqual(decoy.hits, [], 'nothing reached the unlisted origin');
  });
});

/** Plays the Hugging Face hub for `context`: <model>/resolve/main/<file> from `dir`, Range probes too. */
async function fakeHub(context, dir, model) {
  const hits = [];
  await context.route('https://huggingface.co/**', async (route) => {
    const url = new URL(route.request().url());
    hits.push(url.pathname);
    const prefix = `/${model}/resolve/main/`;
    const file = url.pathname.startsWith(prefix) ? join(dir, decodeURIComponent(url.pathname.slice(prefix.length))) : '';
    if (!file || !existsSync(file)) return route.fulfill({ status: 404, body: 'Entry not found', headers: { 'access-control-allow-origin': '*' } });
    const body = readFileSync(file);
    const headers = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'content-range, content-length', 'content-type': 'application/octet-stream' };
    if (route.request().headers().range === 'bytes=0-0') {
      return route.fulfill({ status: 206, body: body.subarray(0, 1), headers: { ...headers, 'content-range': `bytes 0-0/${body.length}` } });
    }
    return route.fulfill({ status: 200, body, headers });
  });
  return hits;
}

async function clusterWithHubModel(page, texts) {
  await page.locator('cst-data-source input.file').setInputFiles({ name: 'hub.txt', mimeType: 'text/plain', buffer: Buffer.from(texts.join('\n')) });
  await page.locator('cst-data-source .stats .kept', { hasText: String(texts.length) }).waitFor({ timeout: 30_000 });
  await page.locator('cst-run-settings [data-embedder="transformers"] input').check();
  await page.locator('cst-run-settings input.model').fill(TINY_MODEL_ID);
  await page.locator('cst-run-settings input.model').dispatchEvent('change');
  await page.locator('cst-run-settings select.source').selectOption('hub');
  await page.locator('cst-run-settings select.device').selectOption('wasm');
  await page.locator('cst-run-settings select.dtype').selectOption('q8');
  await page.locator('cst-run-settings input.k').fill('5');
  await page.locator('cst-app button.start').click();
  await Promise.race([
    page.locator(`cst-scatter[data-points="${texts.length}"]`).waitFor({ timeout: 180_000 }),
    page.locator('cst-app .app-error').waitFor({ timeout: 180_000 }).then(async () => assert.fail(await page.locator('cst-app .app-error').innerText())),
  ]);
}

test('(d) a hub model is downloaded once, kept in Cache Storage by transformers.js, and used again offline', { timeout: 400_000 }, async () => {
  await onSite(async ({ site, context, page, defer }) => {
    const modelDir = mkdtempSync(join(tmpdir(), 'cst-hub-'));
    defer(() => rmSync(modelDir, { recursive: true, force: true }));
    await makeTinyModel({ outDir: modelDir, words: 3000 });
    const lines = readFileSync(join(DIST, 'samples/support-tickets.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
    const hub = await fakeHub(context, modelDir, TINY_MODEL_ID);
    await visit(page, site);
    await clusterWithHubModel(page, lines.slice(0, 100));
    assert.ok(hub.some((p) => p.endsWith('/onnx/model_quantized.onnx')), `the model came from the hub: ${hub.join(', ')}`);
    const cached = await page.evaluate(async () => {
      if (!(await caches.has('transformers-cache'))) return [];
      return (await (await caches.open('transformers-cache')).keys()).map((r) => r.url);
    });
    for (const f of ['config.json', 'tokenizer.json', 'onnx/model_quantized.onnx']) {
      assert.ok(cached.includes(`https://huggingface.co/${TINY_MODEL_ID}/resolve/main/${f}`), `transformers.js cached ${f}: ${cached.join(', ')}`);
    }
    assert.ok(!cached.some((u) => u.startsWith(site.origin)), 'the app shell is not duplicated in transformers.js\' cache');

    // Offline, the hub unreachable: new texts are embedded with the cached model.
    hub.length = 0;
    await context.unroute('https://huggingface.co/**');
    await context.route('https://huggingface.co/**', (route) => {
      hub.push(new URL(route.request().url()).pathname);
      return route.abort('internetdisconnected');
    });
    await context.setOffline(true);
    await site.close();
    await page.reload();
    await waitSample(page);
    await clusterWithHubModel(page, lines.slice(100, 180));
    assert.ok(Number(await page.locator('cst-app .notice').getAttribute('data-embedded')) > 0, 'texts were embedded offline by the cached model');
    assert.match(await page.locator('cst-explorer .summary').innerText(), new RegExp(`${TINY_MODEL_ID}.*q8.*on\\s+wasm`, 's'));
    assert.deepEqual(hub, [], 'no request for the model went out offline');
    await page.screenshot({ path: join(outputDir(), 'offline-6-hub-model-offline.png') });
  });
});

/** The shell caches and the version the page's offline line reports. */
function shellState(page) {
  return page.evaluate(async () => ({
    caches: (await caches.keys()).filter((n) => n.startsWith('constellate-shell-')),
    version: document.querySelector('cst-app')?.shadowRoot?.querySelector('cst-offline-status')?.status?.version ?? null,
    title: document.title,
  }));
}

test('(e) a new deploy: the page is fresh at the next online load, the new build is cached, the old cache is deleted', { timeout: 300_000 }, async () => {
  await onSite(async ({ site, context, page, defer }) => {
    // Build "v2": the same files with a changed index.html and sw.js (as any rebuild with changes gives).
    const v2 = mkdtempSync(join(tmpdir(), 'cst-deploy-'));
    defer(() => rmSync(v2, { recursive: true, force: true }));
    cpSync(DIST, v2, { recursive: true, filter: (src) => !src.endsWith('.map') && !src.startsWith(join(DIST, 'models')) });
    const oldVersion = /"([0-9a-f]{16})"/.exec(readFileSync(join(DIST, 'sw.js'), 'utf8'))[1];
    const newVersion = 'feedc0de00000002';
    writeFileSync(join(v2, 'sw.js'), readFileSync(join(DIST, 'sw.js'), 'utf8').replace(`"${oldVersion}"`, `"${newVersion}"`));
    writeFileSync(join(v2, 'index.html'), readFileSync(join(DIST, 'index.html'), 'utf8').replace('<title>Constellate', '<title>Constellate v2'));
    await visit(page, site);
    assert.deepEqual(await shellState(page), { caches: [`constellate-shell-${oldVersion}`], version: oldVersion, title: 'Constellate — private theme maps of your texts' });

    site.deploy(v2);
    const before = site.hits.length;
    await page.reload();
    assert.match(await page.title(), /^Constellate v2/, 'online, the page itself comes from the network (network first)');
    // The new service worker installs, takes over, and deletes the old shell cache.
    await page.waitForFunction((v) => document.querySelector('cst-app')?.shadowRoot?.querySelector('cst-offline-status')?.status?.version === v, newVersion, { timeout: 120_000 });
    await page.waitForFunction(async (v) => (await caches.keys()).filter((n) => n.startsWith('constellate-shell-')).join() === `constellate-shell-${v}`, newVersion, { timeout: 30_000 });
    // Only what may have changed was downloaded again: not the chunks and WASM with hashed names.
    const fetched = site.hits.slice(before).map((p) => p.slice(PREFIX.length));
    assert.ok(fetched.includes('sw.js') && fetched.includes('index.html') && fetched.includes('assets/generated/glove-sif-100d.bin'), fetched.join(', '));
    assert.deepEqual(fetched.filter((p) => /-[\w-]{8}\.(js|mjs|wasm)$/.test(p)), [], 'hashed files came from the old cache');

    await context.setOffline(true);
    await site.close();
    await page.reload();
    await page.locator('cst-offline-status[data-state="ready"][data-online="false"]').waitFor({ timeout: 30_000 });
    assert.deepEqual(await shellState(page), { caches: [`constellate-shell-${newVersion}`], version: newVersion, title: 'Constellate v2 — private theme maps of your texts' });
    await waitSample(page);
  });
});
