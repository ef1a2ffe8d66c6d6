// The LLM-in-the-loop methods in the page, end to end: a 500-text slice of Banking77, embedded with
// the built-in word vectors, clustered by ClusterFusion and by shared pseudo-labels through the LLM
// worker, with a local OpenAI-compatible server (deterministic: it answers the methods' prompts by
// word overlap, tests/support/method-answers.mjs) standing in for the model, since ../shared/models
// has none. The cost is shown before starting; the result opens in the explorer; a run interrupted
// by a reload is offered for resumption and finishes from its checkpoint.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startOpenAiTestServer } from '../support/openai-test-server.mjs';
import { launchBrowser, outputDir, ROOT, startServer } from './harness.mjs';

const SLICE = join(outputDir(), 'banking77-500.jsonl');
let server;
let llm;
let browser;
before(async () => {
  // Every 6th line of the test split: 500 texts over (nearly) all 77 intents.
  const lines = readFileSync(join(ROOT, '../shared/datasets/banking77/banking77.jsonl'), 'utf8').split('\n').filter(Boolean);
  writeFileSync(SLICE, lines.filter((_, i) => i % 6 === 0).slice(0, 500).join('\n') + '\n');
  server = await startServer({ mode: 'preview' });
  llm = await startOpenAiTestServer({});
  browser = await launchBrowser({});
});
after(async () => {
  await browser?.close();
  await llm?.close();
  await server?.close();
});

async function setUp(page, method, k) {
  await page.goto(server.url);
  await page.locator('cst-data-source .stats .kept').waitFor({ timeout: 30_000 });
  await page.locator('cst-data-source input.file').setInputFiles(SLICE);
  await page.locator('cst-data-source .stats .kept', { hasText: '500' }).waitFor({ timeout: 30_000 });
  await page.locator('cst-data-source select.label-field').selectOption('label');
  await page.locator(`cst-run-settings [data-method="${method}"] input`).check();
  await page.locator('cst-run-settings input.k').fill(String(k));
  await page.locator('cst-run-settings select.projection').selectOption('pca');
  // Without an LLM the method cannot start, and says why.
  assert.match(await page.locator('cst-app .why').innerText(), /choose an LLM/);
  await page.locator('cst-llm-settings [data-engine="openai"] input').check();
  await page.locator('cst-llm-settings input.base-url').fill(llm.url);
  await page.locator('cst-llm-settings input.base-url').dispatchEvent('change');
  await page.locator('cst-llm-settings input.server-model').fill('constellate-test-llm');
  const cost = page.locator('cst-app .cost');
  await cost.waitFor();
  return { calls: Number(await cost.getAttribute('data-calls')), tokens: Number(await cost.getAttribute('data-tokens')) };
}

function runFacts(page) {
  return page.evaluate(() => {
    const r = document.querySelector('cst-app').run;
    return { method: r.config.method, k: r.clusters.length, record: r.llmMethod, names: r.clusters.map((c) => c.name), acc: r.metrics?.acc, nmi: r.metrics?.nmi };
  });
}

test('ClusterFusion on 500 Banking77 texts: cost shown, topics from the LLM, every text placed, the run explored', { timeout: 300_000 }, async () => {
  llm.reset();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cost = await setUp(page, 'clusterfusion', 20);
  assert.ok(cost.calls > 1 && cost.tokens > 1000, JSON.stringify(cost));
  await page.screenshot({ path: join(outputDir(), 'clusterfusion-setup.png'), fullPage: true });
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer cst-cluster-list').waitFor({ timeout: 240_000 });
  const f = await runFacts(page);
  assert.equal(f.method, 'clusterfusion');
  assert.ok(f.k >= 2 && f.k <= 20, `k ${f.k}`);
  const chats = llm.requests.filter((r) => r.path === '/v1/chat/completions');
  // The calls made are the calls counted, and the estimate was exact for these well-formed answers.
  assert.equal(f.record.llmCalls, chats.length);
  assert.equal(cost.calls, chats.length, 'the cost shown before starting matched the calls made');
  assert.ok(chats.some((r) => r.kind === 'propose') && chats.some((r) => r.kind === 'assign'));
  // Cluster names are the LLM's topics.
  for (const n of f.names) assert.ok(f.record.topics.some((t) => t.name === n), n);
  assert.ok(f.nmi > 0.3, `NMI ${f.nmi}`);
  assert.match(await page.locator('cst-explorer .fig.formed').innerText(), /ClusterFusion/);
  await page.locator('cst-cluster-list li[data-cluster-id="0"]').click();
  await page.locator('cst-cluster-detail').waitFor();
  await page.screenshot({ path: join(outputDir(), 'clusterfusion-result.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('shared pseudo-labels on 500 Banking77 texts: labels kept per text and shown; a reload mid-run resumes from the checkpoint', { timeout: 420_000 }, async () => {
  llm.reset();
  llm.configure({ delayMs: 15 });
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await setUp(page, 'pseudolabels', 20);
  await page.locator('cst-run-settings input.max-rounds').fill('2');
  await page.locator('cst-app button.start').click();
  // Let it label a good part of the texts, then reload in the middle of the run.
  const t0 = Date.now();
  while (llm.requests.filter((r) => r.kind === 'label').length < 200 && Date.now() - t0 < 120_000) await page.waitForTimeout(250);
  await page.waitForTimeout(1800); // past the checkpoint throttle
  const before = llm.requests.length;
  await page.reload();
  const banner = page.locator('cst-app .notice.pending');
  await banner.waitFor({ timeout: 20_000 });
  assert.match(await banner.innerText(), /pseudo-label run of banking77-500 .* was interrupted/s);
  assert.equal(await banner.getAttribute('data-resumable'), 'true');
  await page.screenshot({ path: join(outputDir(), 'pseudolabels-resume-banner.png') });
  llm.configure({ delayMs: 0 });
  // The key is never stored; this server needs none. Resume from the checkpoint.
  await page.locator('cst-llm-settings [data-engine="openai"] input').check();
  await page.locator('cst-app .notice.pending button.resume').click();
  await page.locator('cst-explorer cst-cluster-list').waitFor({ timeout: 300_000 });
  const f = await runFacts(page);
  assert.equal(f.method, 'pseudolabels');
  assert.equal(f.k, 20);
  // Resumed, not restarted: the labels written before the reload were not asked for again.
  const labelCalls = llm.requests.filter((r) => r.kind === 'label').length;
  assert.ok(labelCalls < 500 + 100, `label prompts ${labelCalls}: a restart would ask for all 500 again`);
  assert.ok(llm.requests.length > before);
  assert.equal(f.record.labels.length, 500);
  assert.ok(f.record.labels.every((l) => l.length >= 1));
  assert.ok(f.record.rounds >= 1 && f.record.rounds <= 2);
  // The labels are a second view of each text: opened members show them.
  await page.locator('cst-cluster-list li[data-cluster-id="0"]').click();
  await page.locator('cst-cluster-detail ul.members li').first().click();
  await page.locator('cst-cluster-detail ul.members li.open .about', { hasText: 'Pseudo-labels:' }).waitFor();
  await page.screenshot({ path: join(outputDir(), 'pseudolabels-result.png') });
  // The pending run is gone once the run is saved.
  await page.reload();
  await page.locator('cst-runs-list li.run').first().waitFor();
  assert.equal(await page.locator('cst-app .notice.pending').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
