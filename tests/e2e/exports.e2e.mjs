// Exports, imports, placing new texts and analysing a column (issue 6), against the production
// build: the bundled sample with a yes/no and a numeric column added and one text that is an XSS
// payload, clustered flat (named by an LLM behind the local OpenAI-compatible test server, which
// names one cluster with a second payload) and as a HERCULES hierarchy. Each run is exported as
// JSON and imported into a fresh browser (equal, typed arrays included), into the same browser
// (a copy), and a wrong file is refused; the HTML report opens from file:// with the network
// blocked and shows the clusters and texts; the memberships CSV, SVG and PNG downloads are
// checked; new texts get paths; the yes/no column is analysed and colours the treemap.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import Papa from 'papaparse';
import { startOpenAiTestServer } from '../support/openai-test-server.mjs';
import { launchBrowser, outputDir, startServer } from './harness.mjs';

const SAMPLE = join(import.meta.dirname, '../../public/samples/support-tickets.jsonl');
const XSS_TEXT = '<img src=x onerror="window.__xss=1">I was charged twice for my order, please refund';
const XSS_TITLE = '<img src=y onerror="window.__xss=2"><b>Billing</b>';
const XSS_DESC = '<script>window.__xss=3</script>Charges & refunds.';
const tmp = mkdtempSync(join(tmpdir(), 'cst-exports-'));

let server;
let llm;
let proxy;
let browser;

/**
 * The test LLM server behind a pass-through proxy that renames the first cluster of every naming
 * answer with the payloads above (the server itself names clusters from their keywords).
 */
async function startRenamingProxy(upstream) {
  const srv = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)));
    const up = await fetch(upstream.origin + req.url, { method: req.method, headers, body: req.method === 'GET' || req.method === 'OPTIONS' ? undefined : body });
    let text = await up.text();
    if (req.method === 'POST' && req.url.includes('/chat/completions') && up.ok) {
      try {
        const answer = JSON.parse(text);
        const named = JSON.parse(answer.choices[0].message.content);
        const first = Object.keys(named)[0];
        if (first) named[first] = { title: XSS_TITLE, description: XSS_DESC };
        answer.choices[0].message.content = JSON.stringify(named);
        text = JSON.stringify(answer);
      } catch {
        // not a naming answer: pass it on
      }
    }
    const out = {};
    up.headers.forEach((v, k) => {
      if (k.startsWith('access-control-') || k === 'content-type' || k === 'vary') out[k] = v;
    });
    res.writeHead(up.status, out);
    res.end(text);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  return { url: `http://127.0.0.1:${port}/v1`, origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => srv.close(() => r())) };
}

/** The sample with `escalated` (yes/no, mostly yes for billing and cancellation) and `rating` (1–5) added, and one payload text. */
function writeFixture() {
  const rows = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const firstBilling = rows.findIndex((r) => r.label === 'billing');
  const out = rows.map((r, i) => {
    const hot = r.label === 'billing' || r.label === 'cancellation';
    return {
      ...r,
      text: i === firstBilling ? XSS_TEXT : r.text,
      escalated: rnd() < (hot ? 0.8 : 0.1) ? 'yes' : 'no',
      rating: String(r.label === 'praise' ? 5 : 1 + Math.floor(rnd() * 4)),
    };
  });
  const path = join(tmp, 'tickets-with-columns.jsonl');
  writeFileSync(path, out.map((r) => JSON.stringify(r)).join('\n'));
  return { path, rows: out };
}

before(async () => {
  server = await startServer({ mode: 'preview' });
  llm = await startOpenAiTestServer({});
  proxy = await startRenamingProxy(llm);
  browser = await launchBrowser({});
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await llm?.close();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * The current run as plain data that keeps what JSON would lose: typed arrays tagged with their
 * type, NaN and ±Infinity as strings, keys whose value is undefined left out (run in the page).
 */
function canonicalRun() {
  const tag = (v) => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : `#${v}`;
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return { $typed: v.constructor.name, values: Array.from(v, tag) };
    if (Array.isArray(v)) return v.map(tag);
    const out = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = tag(v[k]);
    return out;
  };
  return tag(document.querySelector('cst-app').run);
}

/** Every element under `root`, through open shadow roots. */
function deepQueryCount(selector) {
  let n = 0;
  const walk = (root) => {
    n += root.querySelectorAll(selector).length;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(document);
  return n;
}

/** Texts of every element under `root`, through open shadow roots. */
function deepText() {
  const parts = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
    }
    parts.push(root.textContent ?? '');
  };
  walk(document);
  return parts.join('\n');
}

async function exportFile(page, kind, name) {
  await page.locator('cst-export-menu button.toggle').click();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.locator(`cst-export-menu [data-export="${kind}"]`).click()]);
  const path = join(tmp, name ?? download.suggestedFilename());
  await download.saveAs(path);
  await page.locator('cst-export-menu:not([data-busy])').waitFor({ timeout: 120_000 });
  return { path, suggested: download.suggestedFilename() };
}

/** A fresh browser context on the page, with the fixture loaded in the data step (its extra columns kept) and PCA for the map. */
async function openWithFixture() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await loadFixture(page, writeFixture());
  return { context, page, errors };
}

async function loadFixture(page, fixture) {
  await page.goto(server.url);
  await page.locator('cst-data-source .stats .kept').waitFor({ timeout: 30_000 });
  await page.locator('cst-data-source input.file').setInputFiles(fixture.path);
  await page.locator('cst-data-source .extra-columns input[data-column="escalated"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('cst-data-source .extra-columns input[data-column="escalated"]').isChecked(), true, 'yes/no columns are kept by default');
  assert.equal(await page.locator('cst-data-source .extra-columns input[data-column="rating"]').isChecked(), true, 'numeric columns are kept by default');
  await page.locator('cst-data-source select.label-field').selectOption('label');
  await page.locator('cst-run-settings select.projection').selectOption('pca');
}

/** Round trip through a run file: a fresh browser imports it and reopens it from IndexedDB after a reload. */
async function roundTrip(page, file, expected, shot) {
  const fresh = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const p2 = await fresh.newPage();
  await p2.goto(server.url);
  await p2.locator('cst-runs-list input.import-run').setInputFiles(file);
  await p2.locator('cst-explorer').waitFor({ timeout: 30_000 });
  await p2.reload();
  await p2.locator('cst-runs-list li.run').first().click();
  await p2.locator('cst-explorer').waitFor({ timeout: 30_000 });
  const imported = await p2.evaluate(canonicalRun);
  assert.deepStrictEqual(imported, expected, 'the imported run equals the exported one');
  assert.equal(imported.assignments.$typed, 'Int32Array');
  assert.equal(imported.coords.$typed, 'Float32Array');
  await p2.screenshot({ path: join(outputDir(), `${shot}-imported.png`) });
  await fresh.close();
}

/** Opens the report from file:// with every non-file request aborted, and checks what it shows. */
async function checkReport(path, n, shot) {
  const ctx = await browser.newContext({ viewport: { width: 1300, height: 1000 }, javaScriptEnabled: true });
  const requests = [];
  ctx.on('request', (r) => requests.push(r.url()));
  await ctx.route('**', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pathToFileURL(path).href);
  const facts = await page.evaluate(() => ({
    tiles: document.querySelectorAll('#treemap svg g.tile').length,
    dots: document.querySelector('#map svg') !== null,
    themes: document.querySelectorAll('details.theme').length,
    texts: document.querySelectorAll('li.text').length,
    images: document.querySelectorAll('img, iframe, object, embed').length,
    scripts: document.querySelectorAll('script').length,
    xss: window.__xss ?? null,
    body: document.body.textContent,
  }));
  assert.ok(facts.tiles > 0, 'the treemap is drawn');
  assert.ok(facts.dots, 'the map is drawn');
  assert.ok(facts.themes > 0);
  assert.equal(facts.texts, n, 'every text is listed');
  assert.equal(facts.images, 0);
  assert.equal(facts.scripts, 1);
  assert.equal(facts.xss, null, 'no payload ran in the report');
  assert.ok(facts.body.includes(XSS_TEXT), 'the payload text is shown as text');
  await page.screenshot({ path: join(outputDir(), `${shot}-report.png`) });
  // The search box filters the texts (the report's own script runs under its CSP).
  await page.locator('#q').fill('refund');
  const shown = await page.evaluate(() => document.querySelectorAll('li.text:not(.hidden)').length);
  assert.ok(shown > 0 && shown < n, `search shows ${shown} of ${n}`);
  await page.locator('#q').fill('');
  await page.locator('#themes').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(outputDir(), `${shot}-report-themes.png`) });
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'the report made no network request');
  assert.deepEqual(errors, []);
  await ctx.close();
  return facts;
}

test('flat run named by an LLM: JSON round trip, import as a copy, bad file, report offline, CSV, SVG/PNG, placing and analysing', { timeout: 420_000 }, async () => {
  const { context, page, errors } = await openWithFixture();
  await page.locator('cst-run-settings input.k').fill('10');
  await page.locator('cst-llm-settings [data-engine="openai"] input').check();
  await page.locator('cst-llm-settings input.base-url').fill(proxy.url);
  await page.locator('cst-llm-settings input.base-url').dispatchEvent('change');
  await page.locator('cst-llm-settings input.server-model').fill('constellate-test-llm');
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer cst-cluster-list').waitFor({ timeout: 180_000 });
  await page.locator('cst-scatter[data-points="300"]').waitFor({ timeout: 30_000 });

  // The payloads are data: the LLM's title is a cluster name, shown as text; nothing ran.
  const names = await page.evaluate(() => document.querySelector('cst-app').run.clusters.map((c) => c.name));
  assert.ok(names.includes(XSS_TITLE), `an LLM answer carried the payload: ${names}`);
  const xssName = page.locator('cst-cluster-list .name', { hasText: 'onerror' }).first();
  assert.equal(await xssName.textContent(), XSS_TITLE);
  await xssName.click();
  await page.locator('cst-cluster-detail').waitFor();
  await page.screenshot({ path: join(outputDir(), 'exports-flat-xss-inert.png') });
  assert.equal(await page.evaluate(() => window.__xss ?? null), null);
  assert.equal(await page.evaluate(deepQueryCount, 'img[src="x"], img[src="y"]'), 0, 'no element was made from a payload');
  assert.ok((await page.evaluate(deepText)).includes(XSS_TITLE));

  const expected = await page.evaluate(canonicalRun);
  assert.deepEqual(Object.keys(expected.columns).sort(), ['escalated', 'rating']);

  // Run JSON → a fresh browser: equal.
  const json = await exportFile(page, 'json');
  assert.ok(json.suggested.endsWith('.run.json'), json.suggested);
  const file = JSON.parse(readFileSync(json.path, 'utf8'));
  assert.equal(file.format, 'constellate-run');
  assert.equal(file.schema, 2);
  await roundTrip(page, json.path, expected, 'exports-flat');

  // Into the same browser it becomes a copy; a wrong file is refused with a message.
  await page.locator('cst-runs-list input.import-run').setInputFiles(json.path);
  await page.locator('cst-app .notice', { hasText: 'as a copy' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('cst-runs-list li.run').count(), 2);
  const broken = join(tmp, 'broken.run.json');
  const damaged = JSON.parse(readFileSync(json.path, 'utf8'));
  damaged.run.coords = damaged.run.coords.slice(10);
  writeFileSync(broken, JSON.stringify(damaged));
  await page.locator('cst-runs-list input.import-run').setInputFiles(broken);
  const importError = page.locator('cst-runs-list .import-error');
  await importError.waitFor();
  assert.match(await importError.innerText(), /damaged or incomplete: "coords" has 590 numbers, expected 2 × 300/);
  const notJson = join(tmp, 'notes.json');
  writeFileSync(notJson, 'hello, I am not JSON');
  await page.locator('cst-runs-list input.import-run').setInputFiles(notJson);
  await page.locator('cst-runs-list .import-error', { hasText: 'not valid JSON' }).waitFor();
  assert.equal(await page.locator('cst-runs-list li.run').count(), 2, 'nothing was saved from the bad files');
  await page.screenshot({ path: join(outputDir(), 'exports-import-errors.png') });
  // Back to the original run.
  await page.locator(`cst-runs-list li.run[data-run-id="${expected.id}"]`).click();
  await page.locator('cst-explorer cst-cluster-list').waitFor();

  // The HTML report, from file:// with the network blocked.
  const report = await exportFile(page, 'html');
  const facts = await checkReport(report.path, 300, 'exports-flat');
  assert.ok(facts.body.includes(XSS_TITLE), 'the LLM payload is shown as text in the report');
  assert.ok(facts.body.includes(XSS_DESC));

  // Memberships CSV: a row per text, its cluster, similarity and runner-up.
  const csv = await exportFile(page, 'csv');
  const parsed = Papa.parse(readFileSync(csv.path, 'utf8'), { header: true, skipEmptyLines: true });
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.data.length, 300);
  assert.deepEqual(parsed.meta.fields.slice(0, 9), ['id', 'text', 'label', 'cluster_id', 'cluster_title', 'similarity', 'runner_up_id', 'runner_up_title', 'runner_up_similarity']);
  const runFacts = await page.evaluate(() => {
    const r = document.querySelector('cst-app').run;
    return { assignments: Array.from(r.assignments), texts: r.texts };
  });
  parsed.data.forEach((row, i) => {
    assert.equal(row.text, runFacts.texts[i]);
    assert.equal(Number(row.cluster_id), runFacts.assignments[i]);
    const s = Number(row.similarity);
    assert.ok(s > -1 && s <= 1, `similarity ${row.similarity}`);
    assert.notEqual(row.runner_up_id, row.cluster_id);
  });
  // On average a text is closer to its own cluster than to the runner-up.
  const mean = (k) => parsed.data.reduce((a, r) => a + Number(r[k]), 0) / parsed.data.length;
  assert.ok(mean('similarity') > mean('runner_up_similarity'));
  assert.ok(parsed.data.some((r) => r.text === XSS_TEXT));

  // SVG and PNG of the treemap and the map.
  for (const kind of ['treemap-svg', 'map-svg']) {
    const svg = readFileSync((await exportFile(page, kind)).path, 'utf8');
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(!svg.includes('<img'), 'titles are escaped in the SVG');
  }
  for (const kind of ['treemap-png', 'map-png']) {
    const { path } = await exportFile(page, kind);
    copyFileSync(path, join(outputDir(), `exports-download-${kind}.png`));
    const png = readFileSync(path);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${kind} is a PNG`);
    assert.ok(png.length > 10_000, `${kind} has content (${png.length} bytes)`);
  }

  // Place new texts: the nearest cluster each, with similarity; a text of unknown words is not placeable.
  await page.locator('cst-explorer button.tab-place').click();
  const place = page.locator('cst-place-texts');
  await place.locator('textarea.new-texts').fill(['I was billed twice this month and want my money back', 'The app crashes every time I open the recipe page', 'zzqx vlorp grnth'].join('\n'));
  await place.locator('button.use-pasted').click();
  await place.locator('button.place', { hasText: '3 texts' }).click();
  await place.locator('.result[data-placed="3"]').waitFor({ timeout: 60_000 });
  const placed = await place.locator('tr.placed').evaluateAll((rows) => rows.map((r) => ({ path: r.getAttribute('data-path'), sim: Number(r.getAttribute('data-similarity')), outlier: r.classList.contains('outlier') })));
  assert.ok(placed[0].path && placed[1].path, 'on-topic texts get a cluster');
  assert.notEqual(placed[0].path, placed[1].path, 'billing and crashes land apart');
  assert.ok(placed[0].sim > 0.3 && placed[1].sim > 0.3);
  assert.equal(placed[2].path, '', 'a text of unknown words has no vector to place');
  assert.equal(placed[2].outlier, true);
  // The billing text lands where most billing tickets are.
  const billingCluster = await page.evaluate(() => {
    const r = document.querySelector('cst-app').run;
    const counts = new Map();
    r.labels.forEach((l, i) => l === 'billing' && counts.set(r.assignments[i], (counts.get(r.assignments[i]) ?? 0) + 1));
    return String([...counts].sort((a, b) => b[1] - a[1])[0][0]);
  });
  assert.equal(placed[0].path, billingCluster);
  const [placedCsv] = await Promise.all([page.waitForEvent('download'), place.locator('button.download-placed').click()]);
  await placedCsv.saveAs(join(tmp, 'placed.csv'));
  const placedRows = Papa.parse(readFileSync(join(tmp, 'placed.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
  assert.equal(placedRows.length, 3);
  assert.equal(placedRows[0].cluster_id, billingCluster);
  await page.screenshot({ path: join(outputDir(), 'exports-flat-placed.png') });

  // Analyse the yes/no column: rate per cluster, χ² with Cramér's V, the treemap coloured with a legend.
  await page.locator('cst-explorer button.tab-analyse').click();
  const panel = page.locator('cst-analysis-panel[data-column="escalated"]');
  await panel.waitFor({ timeout: 10_000 });
  const summary = panel.locator('.summary');
  assert.ok(Number(await summary.getAttribute('data-p')) < 1e-6, 'escalation depends on the cluster');
  assert.ok(Number(await summary.getAttribute('data-cramers-v')) > 0.3);
  const tableRates = await panel.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-node-id'), Number(r.getAttribute('data-rate'))]));
  const truth = await page.evaluate(() => {
    const r = document.querySelector('cst-app').run;
    const n = new Map();
    const y = new Map();
    r.columns.escalated.forEach((v, i) => {
      const c = String(r.assignments[i]);
      n.set(c, (n.get(c) ?? 0) + 1);
      if (v === 'yes') y.set(c, (y.get(c) ?? 0) + 1);
    });
    return Object.fromEntries([...n].map(([c, m]) => [c, (y.get(c) ?? 0) / m]));
  });
  assert.equal(tableRates.length, 10);
  for (const [id, rate] of tableRates) assert.ok(Math.abs(rate - truth[id]) < 1e-12, `rate of ${id}`);
  const map = panel.locator('cst-treemap');
  await map.locator('.legend').waitFor();
  const fills = await map.evaluate((el) => Object.fromEntries([...el.shadowRoot.querySelectorAll('g.layer g.tile')].map((g) => [g.getAttribute('data-node-id'), g.querySelector('rect.fill').getAttribute('fill')])));
  // Darker blue for a higher rate: the highest-rate cluster's fill is darker than the lowest's.
  const lum = (hex) => {
    const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(hex);
    const [r, g, b] = m ? m.slice(1).map(Number) : [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const byRate = [...tableRates].sort((a, b) => b[1] - a[1]);
  assert.ok(lum(fills[byRate[0][0]]) < lum(fills[byRate[byRate.length - 1][0]]), `fills ${JSON.stringify(fills)}`);
  assert.match(await map.locator('.legend').innerText(), /escalated: rate/);
  await page.screenshot({ path: join(outputDir(), 'exports-flat-analysis.png') });
  // The numeric column: mean per cluster with ANOVA and Kruskal–Wallis.
  await panel.locator('select.analysis-column').selectOption('rating');
  await page.locator('cst-analysis-panel[data-kind="numeric"]').waitFor();
  assert.ok(Number(await page.locator('cst-analysis-panel .summary').getAttribute('data-h')) > 0);

  assert.equal(await page.evaluate(() => window.__xss ?? null), null);
  assert.deepEqual(errors, []);
  await context.close();
});

test('HERCULES hierarchy: JSON round trip, report with the tree offline, paths for new texts, analysis per theme', { timeout: 300_000 }, async () => {
  const { context, page, errors } = await openWithFixture();
  await page.locator('cst-run-settings [data-method="hercules"] input').check();
  await page.locator('cst-run-settings input.levels').fill('12, 4');
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer cst-treemap[data-tiles]').waitFor({ timeout: 180_000 });

  const expected = await page.evaluate(canonicalRun);
  assert.equal(expected.hierarchy.levels, 2);
  const json = await exportFile(page, 'json');
  await roundTrip(page, json.path, expected, 'exports-tree');

  const report = await exportFile(page, 'html');
  await checkReport(report.path, 300, 'exports-tree');
  // The report holds the whole tree: a theme per node, level-1 themes nested in level-2 ones.
  const html = readFileSync(report.path, 'utf8');
  assert.equal((html.match(/<details class="theme"/g) ?? []).length, Object.keys(expected.hierarchy.nodes).length);
  assert.match(html, /<details class="theme" data-node-id="L2-C\d+" data-level="2" open>.*?<details class="theme" data-node-id="L1-C\d+" data-level="1"/s);

  const csv = Papa.parse(readFileSync((await exportFile(page, 'csv')).path, 'utf8'), { header: true, skipEmptyLines: true });
  assert.deepEqual(csv.meta.fields.slice(0, 7), ['id', 'text', 'label', 'level2_id', 'level2_title', 'level1_id', 'level1_title']);
  const parentOf = Object.fromEntries(Object.entries(expected.hierarchy.nodes).map(([id, n]) => [id, n.parentId]));
  csv.data.forEach((r) => assert.equal(parentOf[r.level1_id], r.level2_id, 'the path runs from the top theme down to its child'));

  // New texts get a path of two themes, top first.
  await page.locator('cst-explorer button.tab-place').click();
  const place = page.locator('cst-place-texts');
  await place.locator('textarea.new-texts').fill('My order arrived two days late and the box was damaged\nPlease add a dark mode to the app');
  await place.locator('button.use-pasted').click();
  await place.locator('button.place').click();
  await place.locator('.result[data-placed="2"]').waitFor({ timeout: 60_000 });
  const paths = await place.locator('tr.placed').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path').split('/')));
  for (const p of paths) {
    assert.equal(p.length, 2);
    assert.equal(parentOf[p[1]], p[0]);
  }
  assert.match(await place.locator('tr.placed td.path').first().innerText(), / › /);
  await page.screenshot({ path: join(outputDir(), 'exports-tree-placed.png') });

  // The yes/no column per top theme, then per finest theme, colouring the treemap.
  await page.locator('cst-explorer button.tab-analyse').click();
  const panel = page.locator('cst-analysis-panel[data-column="escalated"]');
  await panel.waitFor();
  assert.equal(await panel.locator('tbody tr').count(), expected.hierarchy.roots.length);
  await panel.locator('select.analysis-level').selectOption('1');
  await page.waitForFunction(
    (n) => document.querySelector('cst-app').shadowRoot.querySelector('cst-explorer').shadowRoot.querySelector('cst-analysis-panel').shadowRoot.querySelectorAll('tbody tr').length === n,
    expected.hierarchy.leafIds.length,
  );
  const values = await panel.locator('cst-treemap').evaluate((el) => el.colorValues);
  assert.equal(Object.keys(values).length, Object.keys(expected.hierarchy.nodes).length, 'every node has a rate');
  await panel.locator('cst-treemap .legend').waitFor();
  await page.screenshot({ path: join(outputDir(), 'exports-tree-analysis.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('TF-IDF/LSA run: new texts from a CSV file are placed by refitting, and the page says so', { timeout: 180_000 }, async () => {
  const { context, page, errors } = await openWithFixture();
  await page.locator('cst-run-settings [data-embedder="tfidf-lsa"] input').check();
  await page.locator('cst-run-settings input.k').fill('10');
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer cst-cluster-list').waitFor({ timeout: 120_000 });
  await page.locator('cst-explorer button.tab-place').click();
  const place = page.locator('cst-place-texts');
  assert.match(await place.locator('.lsa-note').innerText(), /refits TF-IDF\/LSA on the run’s 300 texts plus the new ones/);
  // A file with several columns: the text column is picked (guessed), the id column too.
  const csv = join(tmp, 'new-tickets.csv');
  writeFileSync(csv, 'ticket_id,channel,message\nn1,email,"I want a refund, I was charged twice for one delivery"\nn2,app,"Password reset email never arrives"\n');
  await place.locator('input.new-file').setInputFiles(csv);
  assert.equal(await place.locator('select.new-text-field').inputValue(), 'message');
  await place.locator('button.place', { hasText: 'Refit and place 2 texts' }).click();
  await place.locator('.result[data-placed="2"]').waitFor({ timeout: 60_000 });
  const rows = await place.locator('tr.placed').evaluateAll((r) => r.map((x) => x.getAttribute('data-path')));
  assert.ok(rows.every((p) => p !== ''), `paths ${rows}`);
  assert.match(await place.locator('.result').innerText(), /refitted TF-IDF\/LSA space/);
  await page.screenshot({ path: join(outputDir(), 'exports-lsa-placed.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
