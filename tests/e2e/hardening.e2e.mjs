// Bad input and bad luck, one test each, against the production build: each gets a clear message
// in the page and loses nothing the user already had (the loaded texts, the saved runs).
import assert from 'node:assert/strict';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startOpenAiTestServer } from '../support/openai-test-server.mjs';
import { launchBrowser, outputDir, startServer } from './harness.mjs';

let server;
let browser;
let llm;
before(async () => {
  server = await startServer({ mode: 'preview' });
  browser = await launchBrowser({});
  llm = await startOpenAiTestServer({});
});
after(async () => {
  await browser?.close();
  await llm?.close();
  await server?.close();
});

/** A fresh page on the app with the bundled sample loaded (300 texts). */
async function openApp() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.locator('cst-data-source .stats .kept', { hasText: '300' }).waitFor({ timeout: 30_000 });
  return { context, page, errors };
}

const kept = (page) => page.locator('cst-data-source .stats .kept').innerText();
const file = (name, text) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(text, 'utf8') });
const shot = (page, name) => page.screenshot({ path: join(outputDir(), `hardening-${name}.png`) });

async function paste(page, text) {
  await page.locator('cst-data-source button.paste-toggle').click();
  await page.locator('cst-data-source textarea').fill(text);
  await page.locator('cst-data-source button.use-paste').click();
}

async function clusterAndWait(page, timeout = 120_000) {
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer').waitFor({ timeout });
}

test('a malformed CSV is refused with the rows at fault, and the loaded texts stay', async () => {
  const { context, page, errors } = await openApp();
  const bad = 'text,label\n"an unclosed quote,billing\nfine row,billing\n' + Array.from({ length: 30 }, (_, i) => `a,b,c,d,e row ${i}`).join('\n') + '\n';
  await page.locator('cst-data-source input.file').setInputFiles(file('broken.csv', bad));
  const msg = page.locator('cst-data-source .error');
  await msg.waitFor({ timeout: 10_000 });
  assert.match(await msg.innerText(), /cannot be read as CSV|quote|row/i);
  assert.equal(await kept(page), '300');
  await shot(page, 'malformed-csv');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an empty file says it is empty, and the loaded texts stay', async () => {
  const { context, page, errors } = await openApp();
  await page.locator('cst-data-source input.file').setInputFiles(file('empty.csv', ''));
  const msg = page.locator('cst-data-source .error');
  await msg.waitFor({ timeout: 10_000 });
  assert.match(await msg.innerText(), /empty/i);
  assert.equal(await kept(page), '300');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a 200 MB file loads, and the page offers a seeded sample to cluster instead of all of it', { timeout: 300_000 }, async () => {
  const dir = join(outputDir(), 'big');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'big-200mb.jsonl');
  const words = 'account card payment refund transfer balance limit fee app login password delivery order driver late missing crash update screen notification'.split(' ');
  let rows = 0;
  await new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('error', reject);
    let size = 0;
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const write = () => {
      let ok = true;
      while (size < 200 * 1024 * 1024 && ok) {
        let chunk = '';
        for (let j = 0; j < 1000; j++, rows++) {
          const t = Array.from({ length: 12 }, () => words[Math.floor(rnd() * words.length)]).join(' ');
          chunk += `{"text":"${t} #${rows}","label":"${words[Math.floor(rnd() * words.length)]}"}\n`;
        }
        size += chunk.length;
        ok = out.write(chunk);
      }
      if (size >= 200 * 1024 * 1024) out.end(resolve);
      else out.once('drain', write);
    };
    write();
  });
  const { context, page, errors } = await openApp();
  await page.locator('cst-data-source input.file').setInputFiles(path);
  await page.locator('cst-data-source .stats .kept', { hasText: rows.toLocaleString('en-US') }).waitFor({ timeout: 180_000 });
  const offer = page.locator('cst-data-source .sample-row');
  await offer.waitFor();
  assert.match(await offer.innerText(), /more than this page clusters well/);
  assert.equal(await page.locator('cst-data-source input.sample-on').isChecked(), true);
  await shot(page, 'large-file');
  // A smaller sample, clustered: the run holds exactly that many texts, and says it is a sample.
  await page.locator('cst-data-source input.sample-size').fill('3000');
  await page.locator('cst-data-source input.sample-size').dispatchEvent('change');
  await page.locator('cst-run-settings input.k').fill('20');
  await page.locator('cst-run-settings select.projection').selectOption('pca');
  await clusterAndWait(page, 180_000);
  await page.locator('cst-scatter[data-points="3000"]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('cst-explorer .run-name').innerText(), /sample of 3,000/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('one text clusters into one cluster; k larger than n is refused before starting', async () => {
  const { context, page, errors } = await openApp();
  await paste(page, 'just one lonely support ticket about a refund');
  await page.locator('cst-data-source .stats .kept', { hasText: /^1$/ }).waitFor();
  await page.locator('cst-run-settings input.k').fill('10');
  assert.match(await page.locator('cst-app .why').innerText(), /k \(10\) is larger than the number of texts \(1\)/);
  assert.equal(await page.locator('cst-app button.start').isEnabled(), false);
  await page.locator('cst-run-settings input.k').fill('1');
  await clusterAndWait(page);
  assert.equal(await page.locator('cst-cluster-list li[data-cluster-id]').count(), 1);
  await shot(page, 'one-text');
  assert.deepEqual(errors, []);
  await context.close();
});

test('all-identical texts: counted as duplicates, and clustering them gives a clear result, not a crash', async () => {
  const { context, page, errors } = await openApp();
  await paste(page, Array.from({ length: 40 }, () => 'my card does not work').join('\n'));
  await page.locator('cst-data-source .stats .dups', { hasText: '39' }).waitFor();
  await page.locator('cst-run-settings input.k').fill('5');
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer').waitFor({ timeout: 60_000 });
  // One distinct text: one cluster, and the page says the other four stayed empty.
  const sizes = await page.evaluate(() => document.querySelector('cst-app').run.clusters.map((c) => c.size));
  assert.deepEqual(sizes, [40]);
  assert.match(await page.locator('cst-app .run-warnings').innerText(), /4 of the 5 clusters asked for stayed empty/);
  await shot(page, 'identical');
  assert.deepEqual(errors, []);
  await context.close();
});

test('RTL, CJK and emoji texts: shown as written; the English word vectors say which texts they cannot read; TF-IDF clusters them', async () => {
  const { context, page, errors } = await openApp();
  const lines = [];
  for (let i = 0; i < 15; i++) {
    lines.push(`بطاقتي لا تعمل في المتجر رقم ${i}`);
    lines.push(`הכרטיס שלי נחסם אתמול מספר ${i}`);
    lines.push(`我的银行卡被冻结了 第${i}次`);
    lines.push(`🎉🎉 great app love it ${i} 😀`);
  }
  await paste(page, lines.join('\n'));
  await page.locator('cst-data-source .stats .kept', { hasText: '60' }).waitFor();
  await page.locator('cst-run-settings input.k').fill('4');
  await clusterAndWait(page);
  const warn = page.locator('cst-app .run-warnings');
  await warn.waitFor();
  assert.match(await warn.innerText(), /45 of 60 texts have no word the built-in English word vectors know/);
  // The texts are shown as written, right-to-left where they are.
  await page.locator('cst-cluster-list li[data-cluster-id="0"]').click();
  const dirs = await page.locator('cst-cluster-detail ul.members .text').evaluateAll((els) => els.map((e) => e.getAttribute('dir')));
  assert.ok(dirs.length > 0 && dirs.every((d) => d === 'auto'));
  await shot(page, 'scripts-glove');
  // TF-IDF needs no vocabulary: every script gets vectors, and the four kinds come apart.
  await page.locator('cst-app button.new-run').click();
  await page.locator('cst-run-settings [data-embedder="tfidf-lsa"] input').check();
  await clusterAndWait(page);
  assert.equal(await page.locator('cst-app .run-warnings').count(), 0);
  const texts = await page.evaluate(() => {
    const r = document.querySelector('cst-app').run;
    return r.texts.slice(0, 4).map((t, i) => ({ t, c: r.assignments[i] }));
  });
  assert.equal(texts[2].t, '我的银行卡被冻结了 第0次');
  assert.equal(new Set(texts.map((x) => x.c)).size, 4, JSON.stringify(texts));
  await shot(page, 'scripts-tfidf');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a 100,000-character text: kept whole, shown shortened in lists and whole when opened', async () => {
  const { context, page, errors } = await openApp();
  const long = `START ${'refund please '.repeat(7692)} END`;
  assert.ok(long.length >= 100_000);
  const rows = [JSON.stringify({ text: long }), ...Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `short ticket number ${i} about a late delivery` }))];
  await page.locator('cst-data-source input.file').setInputFiles(file('long.jsonl', rows.join('\n')));
  await page.locator('cst-data-source .stats .kept', { hasText: '31' }).waitFor();
  await page.locator('cst-run-settings input.k').fill('2');
  await clusterAndWait(page);
  const length = await page.evaluate(() => document.querySelector('cst-app').run.texts[0].length);
  assert.equal(length, long.length);
  const c = await page.evaluate(() => document.querySelector('cst-app').run.assignments[0]);
  await page.locator(`cst-cluster-list li[data-cluster-id="${c}"]`).click();
  const row = page.locator('cst-cluster-detail ul.members li[data-index="0"]');
  assert.ok((await row.locator('.text').innerText()).length < 400);
  await row.click();
  assert.equal((await row.locator('.text').innerText()).length, long.length);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an LLM that answers nonsense: every cluster keeps its keyword name, and the page says so', async () => {
  llm.reset();
  llm.configure({ nonsense: true });
  const { context, page, errors } = await openApp();
  await page.locator('cst-run-settings input.k').fill('6');
  await page.locator('cst-llm-settings [data-engine="openai"] input').check();
  await page.locator('cst-llm-settings input.base-url').fill(llm.url);
  await page.locator('cst-llm-settings input.base-url').dispatchEvent('change');
  await page.locator('cst-llm-settings input.server-model').fill('constellate-test-llm');
  await clusterAndWait(page);
  const notice = await page.locator('cst-app .notice').innerText();
  assert.match(notice, /named 0 of 6 clusters \(6 kept keyword names\)/);
  const sources = await page.evaluate(() => document.querySelector('cst-app').run.clusters.map((c) => c.nameSource));
  assert.deepEqual(sources, Array(6).fill('keywords'));
  assert.ok(llm.requests.length >= 6, 'the page retried before giving up');
  await shot(page, 'llm-nonsense');
  llm.configure({ nonsense: false });
  assert.deepEqual(errors, []);
  await context.close();
});

test('storage full: the finished run is still shown, the page says it was not kept and how to keep it', async () => {
  const { context, page, errors } = await openApp();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: 60_000 });
  await page.locator('cst-run-settings input.k').fill('8');
  await clusterAndWait(page);
  const warn = page.locator('cst-app .run-warnings[data-unsaved="true"]');
  await warn.waitFor();
  assert.match(await warn.innerText(), /storage for this page is full[\s\S]*export it as JSON/);
  assert.equal(await page.locator('cst-cluster-list li[data-cluster-id]').count(), 8);
  assert.equal(await page.locator('cst-runs-list li.run').count(), 0);
  await shot(page, 'quota');
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a reload in the middle of a run says what was kept', { timeout: 180_000 }, async () => {
  const { context, page, errors } = await openApp();
  await page.locator('cst-data-source input.file').setInputFiles(join(import.meta.dirname, '../../../shared/datasets/stackoverflow/stackoverflow.jsonl'));
  await page.locator('cst-data-source .stats .kept', { hasText: '20,000' }).waitFor({ timeout: 60_000 });
  await page.locator('cst-run-settings input.k').fill('20');
  await page.locator('cst-run-settings select.projection').selectOption('umap');
  await page.locator('cst-app button.start').click();
  await page.locator('cst-progress .stage[data-stage="reduce"]').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(1700);
  await page.reload();
  const banner = page.locator('cst-app .notice.pending[data-resumable="false"]');
  await banner.waitFor({ timeout: 20_000 });
  assert.match(await banner.innerText(), /clustering run of stackoverflow \(20,000 texts[\s\S]*interrupted[\s\S]*vectors it computed are cached/);
  await shot(page, 'reload-mid-run');
  await banner.locator('button.discard').click();
  await banner.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a worker that crashes: a clear message, the data still loaded, a new run works', { timeout: 180_000 }, async () => {
  const { context, page, errors } = await openApp();
  await page.locator('cst-data-source input.file').setInputFiles(join(import.meta.dirname, '../../../shared/datasets/stackoverflow/stackoverflow.jsonl'));
  await page.locator('cst-data-source .stats .kept', { hasText: '20,000' }).waitFor({ timeout: 60_000 });
  await page.locator('cst-run-settings input.k').fill('20');
  await page.locator('cst-app button.start').click();
  // Workers start from blob: URLs; once k-means runs, the live worker is the cluster worker (the
  // embed worker is gone).
  await page.locator('cst-progress .stage[data-stage="cluster"]').waitFor({ timeout: 120_000 });
  const w = page.workers().at(-1);
  assert.ok(w, 'a live worker');
  // An uncaught error in the worker, as an out-of-memory or a bug would end it.
  await w.evaluate(() => setTimeout(() => { throw new Error('simulated crash'); }, 0));
  const msg = page.locator('cst-app .app-error');
  await msg.waitFor({ timeout: 60_000 });
  assert.match(await msg.innerText(), /stopped unexpectedly[\s\S]*data and saved runs are safe/);
  assert.equal(await kept(page), '20,000');
  assert.equal(await page.locator('cst-app button.start').isEnabled(), true);
  await shot(page, 'worker-crash');
  // A fresh worker serves the next run.
  await page.locator('cst-data-source button.sample').first().click();
  await page.locator('cst-data-source .stats .kept', { hasText: '300' }).waitFor({ timeout: 30_000 });
  await page.locator('cst-run-settings input.k').fill('10');
  await clusterAndWait(page);
  assert.equal(await page.locator('cst-cluster-list li[data-cluster-id]').count(), 10);
  assert.deepEqual(errors, []);
  await context.close();
});
