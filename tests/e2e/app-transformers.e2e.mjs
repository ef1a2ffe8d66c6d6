// The page's own transformers.js path, end to end: choose "Sentence transformer", a model id, the
// same-origin models/ source and a device, cluster, and see the run on that device. Uses the
// generated tiny GloVe ONNX model on WASM (q8) and WebGPU (fp32, SwiftShader); when
// ../shared/models holds real models, each of them also clusters a Banking77 slice on WASM.
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { linkModels } from '../../scripts/link-models.mjs';
import { TINY_MODEL_ID, makeTinyModel } from '../../scripts/make-tiny-model.mjs';
import { launchBrowser, outputDir, recordRequests, ROOT, startServer } from './harness.mjs';

const BANKING = join(ROOT, '../shared/datasets/banking77/banking77.jsonl');
let server;
let browser;
let realModels = [];

before(async () => {
  await makeTinyModel({});
  realModels = linkModels({ log: () => {} });
  server = await startServer({
    mode: 'dev',
    entries: ['index.html', 'workers/embed.worker.ts', 'workers/cluster.worker.ts'],
    cacheDir: join(ROOT, 'node_modules/.vite-app-e2e'),
  });
  browser = await launchBrowser({ webgpu: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function clusterWith(page, { model, device, dtype, k }) {
  await page.locator('cst-run-settings [data-embedder="transformers"] input').check();
  await page.locator('cst-run-settings input.model').fill(model);
  await page.locator('cst-run-settings input.model').dispatchEvent('change');
  await page.locator('cst-run-settings select.source').selectOption('same-origin');
  await page.locator('cst-run-settings select.device').selectOption(device);
  await page.locator('cst-run-settings select.dtype').selectOption(dtype);
  await page.locator('cst-run-settings input.k').fill(String(k));
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer').waitFor({ timeout: 300_000 });
}

test('the page clusters with a transformers.js model from the same-origin folder, on WASM and on WebGPU', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const requests = recordRequests(context, new URL(server.url).origin);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.locator('cst-data-source .stats .kept').waitFor({ timeout: 60_000 });

  await clusterWith(page, { model: TINY_MODEL_ID, device: 'wasm', dtype: 'q8', k: 10 });
  const summary = page.locator('cst-explorer .summary');
  assert.match(await summary.innerText(), /transformers/);
  assert.match(await summary.innerText(), new RegExp(`${TINY_MODEL_ID}.*q8.*100-d on\\s+wasm`, 's'));
  assert.equal(await page.locator('cst-scatter').getAttribute('data-clusters'), '10');
  await page.screenshot({ path: join(outputDir(), 'app-transformers-wasm.png') });

  await page.locator('cst-app button.new-run').click();
  await clusterWith(page, { model: TINY_MODEL_ID, device: 'webgpu', dtype: 'fp32', k: 10 });
  assert.match(await summary.innerText(), /fp32.*100-d on\s+webgpu/s);
  assert.equal(await page.locator('cst-app .notice').getAttribute('data-embedded'), '300');
  await page.screenshot({ path: join(outputDir(), 'app-transformers-webgpu.png') });

  assert.deepEqual(requests.foreign(), [], 'requests left the page origin');
  assert.ok(requests.all.some((u) => u.includes(`/models/${TINY_MODEL_ID}/`)), 'the model came from the same-origin folder');
  assert.deepEqual(errors, []);
  await context.close();
});

test('real models from ../shared/models cluster a Banking77 slice (skipped when there are none)', async (t) => {
  if (realModels.length === 0) {
    t.skip('../shared/models holds no transformers.js model today');
    return;
  }
  const slice = readFileSync(BANKING, 'utf8').split('\n').filter(Boolean).slice(0, 500).join('\n');
  const file = join(outputDir(), 'banking77-500.jsonl');
  writeFileSync(file, slice);
  for (const model of realModels) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('cst-data-source input.file').setInputFiles(file);
    await page.locator('cst-data-source .stats .kept', { hasText: '500' }).waitFor({ timeout: 30_000 });
    await clusterWith(page, { model, device: 'wasm', dtype: 'q8', k: 20 });
    assert.match(await page.locator('cst-explorer .summary').innerText(), new RegExp(`${model}.*on\\s+wasm`, 's'));
    await page.screenshot({ path: join(outputDir(), `app-real-${model.replace('/', '_')}.png`) });
    await context.close();
  }
});
