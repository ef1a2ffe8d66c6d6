// The walking skeleton end to end, as a person would use it, against the production build:
// load Banking77, embed it with the built-in pretrained word vectors in a worker, cluster into 77,
// see the map and the list, reload, reopen the saved run, and run again with everything cached.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, outputDir, startServer } from './harness.mjs';

const BANKING = join(import.meta.dirname, '../../../shared/datasets/banking77/banking77.jsonl');

let server;
let browser;
before(async () => {
  server = await startServer({ mode: 'preview' });
  browser = await launchBrowser({});
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function loadBanking(page) {
  await page.locator('cst-data-source input.file').setInputFiles(BANKING);
  await page.locator('cst-data-source .stats .kept', { hasText: '3,080' }).waitFor({ timeout: 30_000 });
  await page.locator('cst-data-source select.label-field').selectOption('label');
  await page.locator('cst-run-settings input.k').fill('77');
}

async function clusterAndWait(page, shots) {
  await page.locator('cst-app button.start').click();
  if (shots) {
    await page.locator('cst-progress').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(outputDir(), `${shots}-running.png`) });
  }
  await page.locator('cst-explorer').waitFor({ timeout: 180_000 });
  await page.locator('cst-scatter[data-points="3080"]').waitFor({ timeout: 30_000 });
}

test('Banking77: load, embed with GloVe in a worker, cluster into 77, reload, reopen, re-run from cache', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const foreign = [];
  const origin = new URL(server.url).origin;
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(server.url);
  // Opens on a usable default: the bundled sample is loaded and one click would cluster it.
  await page.locator('cst-data-source .stats .kept').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('cst-app button.start').isEnabled(), true);

  await loadBanking(page);
  await page.screenshot({ path: join(outputDir(), 'banking77-loaded.png') });
  await clusterAndWait(page, 'banking77');

  const scatter = page.locator('cst-scatter');
  assert.equal(await scatter.getAttribute('data-clusters'), '77');
  assert.equal(await page.locator('cst-cluster-list [data-cluster-id]').count(), 77);
  const notice = page.locator('cst-app .notice');
  assert.equal(await notice.getAttribute('data-embedded'), '3080');
  assert.equal(await notice.getAttribute('data-cached'), '0');
  const acc = Number(await page.locator('cst-explorer [data-metric="acc"]').getAttribute('data-value'));
  assert.ok(acc > 0.2 && acc <= 1, `ACC ${acc} should be well above chance (1/77)`);
  await page.screenshot({ path: join(outputDir(), 'banking77-finished.png') });

  // Clusters against the label column: 77 × 77, and a click on a row goes back to that cluster.
  await page.locator('cst-explorer button.tab-labels').click();
  const confusion = page.locator('cst-confusion');
  await confusion.waitFor();
  assert.equal(await confusion.getAttribute('data-rows'), '77');
  assert.equal(await confusion.getAttribute('data-cols'), '77');
  await page.screenshot({ path: join(outputDir(), 'banking77-confusion.png') });
  await page.locator('cst-explorer button.tab-map').click();

  // Click a cluster: its members page.
  await page.locator('cst-cluster-list [data-cluster-id]').first().click();
  await page.locator('cst-cluster-detail').waitFor();
  await page.screenshot({ path: join(outputDir(), 'banking77-cluster.png') });

  // Reload: the run is listed and reopens with the same clusters.
  await page.reload();
  const saved = page.locator('cst-runs-list li.run');
  await saved.first().waitFor({ timeout: 15_000 });
  assert.equal(await saved.count(), 1);
  await saved.first().click();
  await page.locator('cst-scatter[data-points="3080"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('cst-scatter').getAttribute('data-clusters'), '77');
  await page.screenshot({ path: join(outputDir(), 'banking77-reopened.png') });

  // A second run of the same data embeds nothing: every vector comes from the IndexedDB cache.
  await page.locator('cst-app button.new-run').click();
  await loadBanking(page);
  await clusterAndWait(page);
  assert.equal(await notice.getAttribute('data-embedded'), '0');
  assert.equal(await notice.getAttribute('data-cached'), '3080');
  assert.equal(await page.locator('cst-runs-list li.run').count(), 2);

  // Compare with the first run: same texts, same vectors (from the cache), same seed → the same clustering.
  await page.locator('cst-explorer button.tab-compare').click();
  const pick = page.locator('cst-explorer select.compare-with');
  await pick.locator('option').nth(1).waitFor({ state: 'attached' });
  await pick.selectOption({ index: 1 });
  const agreement = page.locator('cst-run-compare .agreement');
  await agreement.waitFor({ timeout: 10_000 });
  assert.equal(Number(await agreement.getAttribute('data-ari')), 1);
  await page.screenshot({ path: join(outputDir(), 'banking77-compare.png') });

  assert.deepEqual(foreign, [], 'the page made requests to other origins');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the bundled sample with "choose k for me": the sweep curve is drawn and the chosen k is used', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('cst-data-source .stats .kept', { hasText: '300' }).waitFor({ timeout: 30_000 });
  await page.locator('cst-run-settings input.auto-k').check();
  assert.equal(await page.locator('cst-run-settings input.k').isDisabled(), true);
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer cst-sweep-chart').waitFor({ timeout: 120_000 });
  const tried = await page.locator('cst-sweep-chart circle').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-param'))));
  assert.ok(tried.length >= 4, `tried ${tried}`);
  const best = Number(await page.locator('cst-sweep-chart circle.best').getAttribute('data-param'));
  assert.ok(tried.includes(best));
  assert.equal(await page.locator('cst-cluster-list [data-cluster-id]').count(), best);
  assert.match(await page.locator('cst-explorer .run-name').innerText(), new RegExp(`k=${best} \\(auto\\)`));
  await page.screenshot({ path: join(outputDir(), 'sample-auto-k.png') });
  await context.close();
});

test('cancel stops the run, keeps the loaded data and saves nothing; a bad file keeps the data too', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('cst-data-source input.file').setInputFiles(join(import.meta.dirname, '../../../shared/datasets/stackoverflow/stackoverflow.jsonl'));
  await page.locator('cst-data-source .stats .kept', { hasText: '20,000' }).waitFor({ timeout: 60_000 });
  const runsBefore = await page.locator('cst-runs-list li.run').count();
  await page.locator('cst-run-settings [data-embedder="tfidf-lsa"] input').check();
  await page.locator('cst-app button.start').click();
  await page.locator('cst-progress button.cancel').click();
  await page.locator('cst-app .app-error', { hasText: 'Cancelled' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('cst-data-source .stats .kept').innerText(), '20,000');
  assert.equal(await page.locator('cst-app button.start').isEnabled(), true);
  assert.equal(await page.locator('cst-runs-list li.run').count(), runsBefore);

  // A binary file is refused with a message, and the texts already loaded stay.
  await page.locator('cst-data-source input.file').setInputFiles({ name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 0, 3]) });
  await page.locator('cst-data-source .error').waitFor({ timeout: 10_000 });
  assert.match(await page.locator('cst-data-source .error').innerText(), /binary|not a text/i);
  assert.equal(await page.locator('cst-data-source .stats .kept').innerText(), '20,000');
  await page.screenshot({ path: join(outputDir(), 'cancelled-and-bad-file.png') });
  await context.close();
});
