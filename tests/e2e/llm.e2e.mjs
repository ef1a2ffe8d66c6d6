// The LLM worker in headless Chromium (tests/e2e/pages/llm.html, the app's own llm-client and
// workers/llm.worker.ts): an 'openai' spec pointed at the local OpenAI-compatible test server on
// another port (CORS), naming clusters through nameClusters while the server misbehaves, so that
// the 500 retry, the context-length shrink (a ContextOverflowError crossing the worker), missing-id
// re-asks and the JSON repairs all happen over real HTTP; an abort that reaches the worker's fetch;
// an unreachable server; and the 'webllm' path listing the models the SwiftShader adapter can run
// (no shader-f16: only f32 variants) without downloading anything; and the 'transformers' engine
// generating for real in the worker (WASM and WebGPU) with the tiny generated chat model.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ANSWER, TINY_LLM_ID, makeTinyLlm } from '../support/make-tiny-llm.mjs';
import { DEFAULT_MODEL, startOpenAiTestServer } from '../support/openai-test-server.mjs';
import { ROOT, launchBrowser, outputDir, recordRequests, startServer } from './harness.mjs';

const PAGE = 'tests/e2e/pages/llm.html';

const THEMES = [
  [['refund', 'card', 'payment'], ['I want a refund for my card payment', 'The card payment was charged twice, please refund it', 'Refund the payment to my card']],
  [['password', 'login', 'reset'], ['I cannot login, reset my password', 'The password reset email never arrived', 'Login fails after the password change']],
  [['delivery', 'parcel', 'late'], ['My parcel delivery is late', 'Where is my parcel? The delivery is a week late', 'Late delivery again']],
  [['weather', 'rain', 'sunny'], ['Will it rain tomorrow?', 'Sunny weather all week', 'The weather turned to rain']],
];
const FILLER = ' More details about this case follow here.'.repeat(4);
const clusters = (n) =>
  Array.from({ length: n }, (_, i) => {
    const [keywords, samples] = THEMES[i % THEMES.length];
    return { id: `c${i}`, size: 30 + i, keywords, samples: samples.map((s) => `${s}.${FILLER}`) };
  });

let srv;
let server;
before(async () => {
  await makeTinyLlm(); // public/models/constellate/tiny-chat-llm (git-ignored)
  srv = await startOpenAiTestServer();
  server = await startServer({
    mode: 'dev',
    entries: [PAGE, 'tests/e2e/pages/llm-page.ts', 'workers/llm.worker.ts'],
    cacheDir: join(ROOT, 'node_modules/.vite-llm-e2e'),
  });
});
after(async () => {
  await server?.close();
  await srv?.close();
});

async function openPage(browser, name) {
  const origin = new URL(server.url).origin;
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const requests = recordRequests(context, origin);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (process.env.E2E_VERBOSE) page.on('console', (m) => console.log(`${m.type()}: ${m.text()}`));
  await page.goto(`${server.url}${PAGE}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const shot = () => page.screenshot({ path: join(outputDir(), `llm-${name}.png`), fullPage: true });
  return { page, requests, errors, origin, shot };
}

async function closedPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise((r) => s.close(() => r()));
  return port;
}

describe("'openai' engine in the LLM worker, against the local test server", () => {
  let browser;
  before(async () => {
    browser = await launchBrowser({});
  });
  after(async () => {
    await browser?.close();
  });

  test('names clusters through nameClusters while the server misbehaves (500, context 400, missing ids, fences, prose, trailing commas)', async () => {
    srv.reset();
    // A prompt for all 8 clusters is over 5,000 characters, one for 4 is under: the batch must
    // shrink. The server does not list its context size, so the overflow is how the engine learns it.
    srv.configure({ fences: true, prose: true, trailingCommas: true, missingIds: 'last', failOnce: true, contextChars: 5000, contextTokens: 1400, listContext: false });
    const { page, requests, errors, shot } = await openPage(browser, 'openai');
    const opened = await page.evaluate((spec) => window.llmTest.open(spec), { kind: 'openai', baseUrl: srv.url, model: DEFAULT_MODEL });
    assert.ok(opened.ok, opened.error);
    assert.deepEqual(opened.info, { id: 'openai', model: DEFAULT_MODEL, contextTokens: 0 });
    assert.deepEqual(opened.progress.map((p) => `${p.stage}:${p.done}/${p.total}`), ['llm:0/1', 'llm:1/1']);

    const cs = clusters(8);
    const run = await page.evaluate(([c, b]) => window.llmTest.name(c, b), [cs, 8]);
    await shot();
    assert.ok(run.ok, run.error);
    assert.deepEqual(errors, []);

    // Every cluster got an LLM name built from its own keywords.
    assert.deepEqual(Object.keys(run.names).sort(), cs.map((c) => c.id).sort());
    for (const c of cs) {
      const n = run.names[c.id];
      assert.equal(n.source, 'llm', `${c.id}: ${JSON.stringify(n)}`);
      for (const kw of c.keywords) assert.ok(n.title.toLowerCase().includes(kw), `${c.id} title "${n.title}" has "${kw}"`);
    }
    // The worker's engine learnt the context size from the overflow, and the page's engine with it.
    assert.equal(run.contextTokens, 1400);
    const outcomes = run.log.map((e) => e.outcome);
    assert.equal(outcomes[0], 'error', 'the first request met the 500');
    assert.match(run.log[0].error, /500/);
    assert.ok(outcomes.includes('overflow'), `a context-length 400 came back as ContextOverflowError: ${outcomes}`);
    assert.ok(outcomes.includes('partial'), `missing ids were asked again: ${outcomes}`);
    const notes = run.log.flatMap((e) => e.notes);
    assert.ok(notes.includes('removed markdown code fence'));
    assert.ok(notes.includes('ignored text around the JSON'));
    assert.ok(run.log.some((e) => e.tokensPerSecond > 0), 'tokens/s reported');

    // What the server saw: JSON mode on every request, the shrink, and the page's origin (CORS).
    const chats = srv.chats();
    assert.equal(chats.length, run.log.length);
    assert.ok(chats.every((c) => c.body.response_format?.type === 'json_object'));
    assert.ok(chats.every((c) => c.headers.origin === new URL(server.url).origin));
    const statuses = chats.map((c) => c.status);
    assert.equal(statuses[0], 500);
    assert.ok(statuses.includes(400));
    const ok = chats.filter((c) => c.status === 200).map((c) => c.ids.length);
    const over = chats.filter((c) => c.status === 400).map((c) => c.ids.length);
    assert.ok(Math.max(...ok) < Math.min(...over), `answered batches ${ok} smaller than refused ${over}`);
    // Each cluster was in at least one answered batch.
    for (const c of cs) assert.ok(chats.some((r) => r.status === 200 && r.ids.includes(c.id)), c.id);

    // Nothing but the page's origin and the LLM server was contacted.
    assert.deepEqual(requests.foreign().filter((u) => !u.startsWith(`${srv.origin}/`)), []);
    assert.ok(requests.all.some((u) => u.startsWith(`${srv.origin}/v1/chat/completions`)), "the worker's requests were seen");

    // An abort reaches the worker's fetch: the caller rejects at once, and the server sees the
    // connection go away before it answers.
    srv.reset();
    srv.configure({ delayMs: 1500 });
    const ab = await page.evaluate(() => window.llmTest.abortOne(200));
    assert.ok(ab.aborted, `aborted with an AbortError: ${ab.error}`);
    assert.ok(ab.ms < 1000, `rejected after ${ab.ms} ms`);
    const deadline = Date.now() + 5000;
    while (srv.chats()[0]?.status === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(srv.chats()[0]?.status, -1, 'the request was cancelled before the server answered');
    await page.evaluate(() => window.llmTest.close());
    srv.configure({});
  });

  test('an unreachable server and an unknown model fail the load with a clear message', async () => {
    const { page } = await openPage(browser, 'openai-errors');
    const port = await closedPort();
    const down = await page.evaluate((spec) => window.llmTest.open(spec), { kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'x' });
    assert.equal(down.ok, false);
    assert.match(down.error, /Could not reach the LLM server .*CORS/s);
    const unknown = await page.evaluate((spec) => window.llmTest.open(spec), { kind: 'openai', baseUrl: srv.url, model: 'no-such-model' });
    assert.equal(unknown.ok, false);
    assert.match(unknown.error, /no model "no-such-model".*constellate-test-llm/);
  });
});

describe("'webllm' in the LLM worker on SwiftShader WebGPU", () => {
  test('lists only the q4f32/q0f32 models (no shader-f16) and downloads nothing', async () => {
    const browser = await launchBrowser({ webgpu: true });
    try {
      const { page, requests, errors, shot } = await openPage(browser, 'webllm');
      const r = await page.evaluate(() => window.llmTest.webllmCatalog());
      await shot();
      assert.ok(r.ok, r.error);
      assert.deepEqual(errors, []);
      const { adapter, offered, dropped, defaultId } = r.catalog;
      assert.ok(adapter, 'the worker sees a WebGPU adapter');
      assert.ok(!adapter.features.includes('shader-f16'), `SwiftShader has no shader-f16: ${adapter.features}`);
      assert.ok(offered.length > 5, `${offered.length} offered`);
      for (const c of offered) {
        assert.match(c.quant, /^q\d+f32/, c.id);
        assert.equal(c.f16, false, c.id);
      }
      assert.match(defaultId, /-q4f32_1-MLC$/);
      assert.ok(offered.some((c) => c.id === defaultId));
      const f16Dropped = dropped.filter((d) => /f16/.test(d.id) && !/vision|embedding/.test(d.reason));
      assert.ok(f16Dropped.length > 10, `${f16Dropped.length} f16 chat models dropped`);
      for (const d of f16Dropped) assert.match(d.reason, /shader-f16/, d.id);
      // Only the page's own files (the page, its worker and the WebLLM library chunk) were fetched.
      assert.deepEqual(requests.foreign(), []);
      assert.ok(!requests.all.some((u) => /huggingface|githubusercontent|\.wasm$/.test(u)), 'no model or model library fetched');
      console.log(`  SwiftShader (${adapter.vendor}/${adapter.architecture}): ${offered.length} WebLLM models offered, ${dropped.length} dropped; default ${defaultId}`);
    } finally {
      await browser.close();
    }
  });
});

describe("'transformers' engine in the LLM worker, on the tiny generated chat model", () => {
  const answer = JSON.parse(ANSWER);
  const tiny = [
    { id: '0', size: 12, keywords: ['card', 'payment'], samples: ['My card payment failed', 'Refund my card'] },
    { id: '1', size: 9, keywords: ['parcel', 'late'], samples: ['The parcel is late', 'Delivery took ten days'] },
  ];
  for (const device of ['wasm', 'webgpu']) {
    test(`${device}: loads same-origin model files and names clusters through nameClusters`, async () => {
      const browser = await launchBrowser({ webgpu: device === 'webgpu' });
      try {
        const { page, requests, errors, origin, shot } = await openPage(browser, `transformers-${device}`);
        const spec = { kind: 'transformers', model: TINY_LLM_ID, dtype: 'fp32', device, source: { kind: 'same-origin', baseUrl: `${server.url}models/` } };
        const opened = await page.evaluate((sp) => window.llmTest.open(sp), spec);
        assert.ok(opened.ok, opened.error);
        assert.deepEqual(opened.info, { id: 'transformers', model: TINY_LLM_ID, contextTokens: 2048 });
        assert.ok(opened.progress.some((p) => p.stage === 'llm' && p.total > 1000 && p.done === p.total), 'byte progress of the model files');
        const run = await page.evaluate(([c, b]) => window.llmTest.name(c, b), [tiny, 2]);
        await shot();
        assert.ok(run.ok, run.error);
        assert.deepEqual(errors, []);
        assert.deepEqual(run.log.map((e) => e.outcome), ['ok']);
        for (const id of ['0', '1']) assert.deepEqual(run.names[id], { ...answer[id], source: 'llm' });
        assert.ok(run.log[0].tokensPerSecond > 0);
        await page.evaluate(() => window.llmTest.close());
        assert.deepEqual(requests.foreign(), []);
        assert.ok(requests.all.includes(`${origin}/models/${TINY_LLM_ID}/onnx/model.onnx`), 'model file from the site');
        assert.ok(requests.all.some((u) => /\/ort-wasm-simd-threaded\.asyncify(-[\w-]+)?\.wasm$/.test(u)), 'ONNX Runtime WASM from the site');
      } finally {
        await browser.close();
      }
    });
  }
});
