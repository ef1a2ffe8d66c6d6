// Offline and hosting, against the production build (run `npm run build` first) served by a plain
// static server of this test's own from a sub-path, the way GitHub Pages serves a project site:
// (a) one online visit caches the app shell; with the network cut and the server stopped, a reload
//     still opens the app, lists and opens the saved run, and clusters new texts;
// (b) every request of a full run (load → cluster → explore; then again with a local OpenAI-
//     compatible LLM server) goes to the page's origin or to the LLM server chosen;
// (c) the content-security policy is in the built index.html, and the page and its workers are held
//     to it: a fetch to an origin it does not list is blocked and reported.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
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
 * outside the prefix). `hits` counts the requests that reached it.
 */
function serveStatic(dir, prefix, host = '127.0.0.1') {
  const hits = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    hits.push(path);
    if (!path.startsWith(prefix)) return void res.writeHead(404).end('outside the site');
    const rel = normalize(path.slice(prefix.length) || 'index.html');
    const file = join(dir, rel);
    if (rel.startsWith('..') || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=600' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, host, () => {
      const origin = `http://${host}:${server.address().port}`;
      resolve({
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

/** Fails the test on uncaught page errors; call the returned function at the end. */
function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return () => assert.deepEqual(errors, [], 'uncaught errors in the page');
}

async function waitOffline(page) {
  await page.locator('cst-offline-status[data-state="ready"]').waitFor({ timeout: 120_000 });
}

async function waitSample(page) {
  await page.locator('cst-data-source .stats .kept', { hasText: '300' }).waitFor({ timeout: 60_000 });
}

test('(a) served from a sub-path, one online visit is enough: offline, the app opens, reopens the saved run and clusters new texts', { timeout: 400_000 }, async () => {
  const site = await serveStatic(DIST, PREFIX);
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const checkErrors = watchErrors(page);
  try {
    await page.goto(site.url);
    await waitSample(page);
    await waitOffline(page);
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
    checkErrors();
  } finally {
    await context.close();
    await site.close();
  }
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
  const site = await serveStatic(DIST, PREFIX);
  const llm = await startOpenAiTestServer({});
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const checkErrors = watchErrors(page);
  // Requests of the page, its workers and the service worker, each with the sources allowed when made.
  const sources = [site.url];
  const seen = [];
  context.on('request', (r) => seen.push({ url: r.url(), allowed: [...sources] }));
  const outside = () => seen.filter(({ url, allowed }) => !url.startsWith('data:') && !url.startsWith('blob:') && !allowed.some((s) => url.startsWith(s)));
  try {
    await page.goto(site.url);
    await waitSample(page);
    await waitOffline(page); // the service worker's own downloads are recorded too
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
    checkErrors();
  } finally {
    await context.close();
    await llm.close();
    await site.close();
  }
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

  const site = await serveStatic(DIST, PREFIX);
  // An origin the policy does not list (127.0.0.2 is loopback too, but not 127.0.0.1 or localhost).
  const decoy = await serveStatic(DIST, '/', '127.0.0.2');
  const llm = await startOpenAiTestServer({ delayMs: 4000 });
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const checkErrors = watchErrors(page);
  try {
    await page.goto(site.url);
    await waitSample(page);
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
    checkErrors();
  } finally {
    await context.close();
    await llm.close();
    await decoy.close();
    await site.close();
  }
});
