// TransformersEmbedder in a real module Web Worker in Chromium, against the generated tiny GloVe
// ONNX model served same-origin by the Vite dev server: WASM and WebGPU (SwiftShader), fp32 vectors
// equal to a Node reference from the same GloVe rows, q8 close to it, picked files, and not a single
// request that leaves the page's origin (the ONNX Runtime WASM files included).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TINY_MODEL_ID, gloveRows, makeTinyModel } from '../../scripts/make-tiny-model.mjs';
import { build } from 'vite';
import { launchBrowser, outputDir, recordRequests, ROOT, startServer } from './harness.mjs';

const TEXTS = [
  'refund my card payment',
  'give my money back for the card charge',
  'the weather is sunny',
  'Transfer money to my bank account',
];
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];

const PAGE = 'tests/e2e/pages/transformers.html';
let server;
let vocab;
let glove;

before(async () => {
  const made = await makeTinyModel({}); // public/models/constellate/glove-static-tiny (git-ignored)
  vocab = new Set(made.vocab.slice(2));
  glove = await gloveRows([...new Set(TEXTS.flatMap(words))]);
  server = await startServer({
    mode: 'dev',
    entries: [PAGE, 'tests/e2e/pages/transformers-worker.ts'],
    cacheDir: join(ROOT, 'node_modules/.vite-transformers-e2e'),
  });
});
after(async () => {
  await server?.close();
});

function words(text) {
  return text.toLowerCase().split(/\s+/);
}

/** Node reference: masked mean of the words' GloVe rows (out-of-vocabulary words are zero), normalised. */
function reference(text) {
  const toks = words(text);
  const v = new Array(100).fill(0);
  for (const t of toks) {
    const row = vocab.has(t) ? glove.get(t) : undefined;
    if (row) for (let d = 0; d < 100; d++) v[d] += row[d] / toks.length;
  }
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);

/** Opens the test page in a fresh browser, runs the embedder once, checks the request log. */
async function run(name, { webgpu, srv = server, ...options }) {
  const origin = new URL(srv.url).origin;
  const browser = await launchBrowser({ webgpu });
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const requests = recordRequests(context, origin);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    await page.goto(`${srv.url}${PAGE}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const result = await page.evaluate((o) => window.runEmbed(o), { model: TINY_MODEL_ID, texts: TEXTS, batchSize: 2, files: MODEL_FILES, ...options });
    await page.screenshot({ path: join(outputDir(), `transformers-${name}.png`), fullPage: true });
    // Every request stayed on the page's origin (checked first: a foreign request is the worse failure).
    assert.deepEqual(requests.foreign(), []);
    assert.ok(result.ok, `embedding failed: ${result.error}`);
    assert.deepEqual(errors, []);
    // The log really covers the worker's requests.
    assert.ok(requests.all.some((u) => /\/ort-wasm-simd-threaded\.asyncify(-[\w-]+)?\.wasm$/.test(u)), 'ONNX Runtime WASM was fetched (same-origin)');
    if (options.source === 'same-origin') {
      const file = options.dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
      assert.ok(requests.all.includes(`${origin}/models/${TINY_MODEL_ID}/${file}`), `the worker's model request was logged`);
    }
    const embedProgress = result.progress.filter((p) => p.stage === 'embed').map((p) => p.done);
    assert.deepEqual(embedProgress, [0, 2, 4]);
    if (process.env.E2E_VERBOSE) console.log(consoleLines.join('\n'), '\n', requests.all.join('\n'));
    return { ...result, requests: requests.all };
  } finally {
    await browser.close();
  }
}

function checkVectors(result, { fp32 }) {
  assert.equal(result.info.dims, 100);
  assert.equal(result.vectors.length, TEXTS.length);
  for (const v of result.vectors) {
    assert.equal(v.length, 100);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4, 'unit length');
  }
  const [refund, giveBack, weather] = result.vectors;
  assert.ok(dot(refund, giveBack) > dot(refund, weather), `refund·giveBack ${dot(refund, giveBack)} > refund·weather ${dot(refund, weather)}`);
  let maxDiff = 0;
  let minCos = 1;
  TEXTS.forEach((t, i) => {
    const want = reference(t);
    minCos = Math.min(minCos, dot(result.vectors[i], want));
    for (let d = 0; d < 100; d++) maxDiff = Math.max(maxDiff, Math.abs(result.vectors[i][d] - want[d]));
  });
  if (fp32) assert.ok(maxDiff < 1e-3, `fp32 max |Δ| vs Node reference ${maxDiff}`);
  else assert.ok(minCos > 0.999, `q8 min cosine vs reference ${minCos}`);
  return { maxDiff, minCos };
}

describe('transformers.js embedder in a worker (tiny GloVe ONNX model)', () => {
  test('WASM, fp32, same-origin model files', async () => {
    const r = await run('wasm-fp32', { webgpu: false, device: 'wasm', dtype: 'fp32', source: 'same-origin' });
    assert.equal(r.info.device, 'wasm');
    assert.equal(r.ortGpuDevice, false);
    assert.equal(r.info.dtype, 'fp32');
    assert.equal(r.maxLength, 128);
    const m = checkVectors(r, { fp32: true });
    console.log(`  wasm fp32: load ${r.loadMs.toFixed(0)} ms, embed ${r.embedMs.toFixed(0)} ms, max |Δ| ${m.maxDiff.toExponential(2)}`);
  });

  test('WebGPU (SwiftShader), fp32, same-origin model files', async () => {
    const r = await run('webgpu-fp32', { webgpu: true, device: 'webgpu', dtype: 'fp32', source: 'same-origin' });
    assert.ok(r.adapter, 'the worker sees a WebGPU adapter');
    assert.equal(r.info.device, 'webgpu');
    assert.equal(r.ortGpuDevice, true, 'ONNX Runtime created a WebGPU device');
    assert.equal(r.fallbackReason, undefined);
    const m = checkVectors(r, { fp32: true });
    console.log(`  webgpu fp32 (${r.adapter.vendor}/${r.adapter.architecture}): load ${r.loadMs.toFixed(0)} ms, embed ${r.embedMs.toFixed(0)} ms, max |Δ| ${m.maxDiff.toExponential(2)}`);
  });

  test("'auto' picks WebGPU when the browser has an adapter", async () => {
    const r = await run('auto-webgpu', { webgpu: true, device: 'auto', dtype: 'fp32', source: 'same-origin' });
    assert.equal(r.info.device, 'webgpu');
    checkVectors(r, { fp32: true });
  });

  test("'auto' uses WASM without an adapter; default dtype is q8; picked files", async () => {
    const r = await run('auto-wasm-q8-files', { webgpu: false, device: 'auto', source: 'files' });
    assert.equal(r.adapter, null);
    assert.equal(r.info.device, 'wasm');
    assert.equal(r.info.dtype, 'q8');
    // Picked files never touch the network: the only model requests are the page's own reads.
    assert.ok(!r.requests.some((u) => u.includes('__constellate_picked_model__')));
    const m = checkVectors(r, { fp32: false });
    console.log(`  wasm q8 from picked files: min cosine to fp32 reference ${m.minCos.toFixed(6)}`);
  });
});

describe('the same in a production build (vite build + vite preview)', () => {
  let outDir;
  let preview;
  before(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'constellate-transformers-build-'));
    await build({
      root: ROOT,
      configFile: join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false, rollupOptions: { input: join(ROOT, PAGE) } },
    });
    preview = await startServer({ mode: 'preview', outDir });
  });
  after(async () => {
    await preview?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  test('WASM, fp32: the bundled ONNX Runtime WASM is served same-origin', async () => {
    const r = await run('build-wasm-fp32', { srv: preview, webgpu: false, device: 'wasm', dtype: 'fp32', source: 'same-origin' });
    assert.equal(r.info.device, 'wasm');
    assert.ok(r.requests.some((u) => /\/assets\/ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(u)), 'hashed WASM asset from the build');
    checkVectors(r, { fp32: true });
  });
});
