// A named hierarchy end to end, as a person would make one, against the production build: 20
// Newsgroups (bydate test, 7,532 posts) embedded with the built-in word vectors, a 3-level HERCULES
// hierarchy named by an LLM behind a local OpenAI-compatible server that this test starts (it
// misbehaves: markdown fences, trailing commas, a dropped id, one HTTP 500, a context limit), so
// naming, batching and repair run through real HTTP and the real LLM worker. Then the treemap with
// titles, zoom in and out, a leaf, one of its texts, the prompts behind a name, the map coloured by
// level, and the run reopened after a reload.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startOpenAiTestServer } from '../support/openai-test-server.mjs';
import { launchBrowser, outputDir, startServer } from './harness.mjs';

const NEWS = join(import.meta.dirname, '../../../shared/datasets/20newsgroups/20newsgroups_test.jsonl');

let server;
let llm;
let browser;
before(async () => {
  server = await startServer({ mode: 'preview' });
  llm = await startOpenAiTestServer({ fences: true, trailingCommas: true, missingIds: true, failOnce: true, contextChars: 9000 });
  browser = await launchBrowser({});
});
after(async () => {
  await browser?.close();
  await llm?.close();
  await server?.close();
});

test('20 Newsgroups: a 3-level HERCULES hierarchy named by an LLM, explored in the treemap', { timeout: 600_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const origin = new URL(server.url).origin;
  const llmOrigin = new URL(llm.url).origin;
  const foreign = [];
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith(llmOrigin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });

  await page.goto(server.url);
  await page.locator('cst-data-source .stats .kept').waitFor({ timeout: 30_000 });
  await page.locator('cst-data-source input.file').setInputFiles(NEWS);
  await page.locator('cst-data-source .stats .kept', { hasText: '7,532' }).waitFor({ timeout: 60_000 });
  await page.locator('cst-data-source select.label-field').selectOption('label');

  // Method: a hierarchy of 100 → 20 → 5 themes; PCA keeps the map quick here.
  await page.locator('cst-run-settings [data-method="hercules"] input').check();
  const levels = page.locator('cst-run-settings input.levels');
  assert.match(await levels.inputValue(), /^\d+, \d+, \d+$/, 'a default of three levels is offered');
  await levels.fill('100, 20, 5');
  await page.locator('cst-run-settings select.projection').selectOption('pca');

  // Names: the local server; its model list fills the model field.
  await page.locator('cst-llm-settings [data-engine="openai"] input').check();
  await page.locator('cst-llm-settings input.base-url').fill(llm.url);
  await page.locator('cst-llm-settings input.base-url').dispatchEvent('change');
  await page.locator('cst-llm-settings button.list-models').click();
  await page.locator('cst-llm-settings .server-note', { hasText: 'model' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('cst-llm-settings input.server-model').inputValue(), 'constellate-test-llm');
  await page.screenshot({ path: join(outputDir(), 'hierarchy-setup.png'), fullPage: true });

  await page.locator('cst-app button.start').click();
  await page.locator('cst-progress .stage[data-stage="hierarchy"]').waitFor({ timeout: 120_000 });
  await page.screenshot({ path: join(outputDir(), 'hierarchy-running.png') });
  await page.locator('cst-explorer cst-treemap[data-tiles]').waitFor({ timeout: 480_000 });

  // The run: three levels, named by the server's model; the flat view is level 1.
  const levelsFig = await page.locator('cst-explorer .fig.levels').innerText();
  assert.match(levelsFig, /5 › 20 › 100/);
  assert.match(await page.locator('cst-explorer .fig.names').innerText(), /constellate-test-llm/);
  const facts = await page.evaluate(async () => {
    const shell = document.querySelector('cst-app');
    const run = shell.run;
    const nodes = Object.values(run.hierarchy.nodes);
    return {
      nodes: nodes.length,
      byLlm: nodes.filter((n) => n.nameSource === 'llm').length,
      roots: run.hierarchy.roots.map((id) => ({ id, title: run.hierarchy.nodes[id].title, size: run.hierarchy.nodes[id].size, children: run.hierarchy.nodes[id].childIds })),
      outcomes: run.hierarchy.promptLog.map((e) => e.outcome),
      log: run.hierarchy.promptLog.map((e) => ({ level: e.level, outcome: e.outcome, ids: e.ids, named: e.named, error: e.error, notes: e.notes, answer: e.answer?.slice(0, 300), est: e.estimatedTokens })),
      repairs: run.hierarchy.promptLog.flatMap((e) => e.notes),
      levels: run.levels,
    };
  });
  writeFileSync(join(outputDir(), 'hierarchy-facts.json'), JSON.stringify(facts, null, 1));
  assert.equal(facts.nodes, 125);
  assert.ok(facts.byLlm >= 120, `${facts.byLlm} of ${facts.nodes} named by the LLM`);
  // The server misbehaved and the client coped: a 500 retried, partial answers re-asked, fences and commas repaired.
  assert.ok(facts.outcomes.includes('error'), `outcomes: ${[...new Set(facts.outcomes)]}`);
  assert.ok(facts.outcomes.includes('partial'), `outcomes: ${[...new Set(facts.outcomes)]}`);
  assert.ok(facts.repairs.length > 0, 'repair notes are kept');
  assert.ok(llm.requests.filter((r) => r.path === '/v1/chat/completions').length >= 125 / 8);
  // Per-level metrics against the newsgroup labels.
  assert.deepEqual(facts.levels.map((l) => l.clusters), [100, 20, 5]);
  assert.ok(facts.levels.every((l) => l.nmi > 0.1 && l.nmi <= 1), JSON.stringify(facts.levels));
  assert.equal(await page.locator('cst-explorer .levels-table tbody tr').count(), 3);

  // The treemap shows the five top themes with the LLM's titles.
  const treemap = page.locator('cst-treemap');
  const titled = await treemap.evaluate((el) => [...el.shadowRoot.querySelectorAll('g.layer g.tile')].map((g) => ({ id: g.getAttribute('data-node-id'), text: g.textContent })));
  for (const r of facts.roots) {
    const tile = titled.find((t) => t.id === r.id);
    assert.ok(tile, `a tile for ${r.id}`);
  }
  const withTitle = facts.roots.filter((r) => titled.some((t) => t.id === r.id && r.title && t.text.includes(r.title.slice(0, 8))));
  assert.ok(withTitle.length >= 3, `titles on the big tiles: ${JSON.stringify(titled)}`);
  await page.screenshot({ path: join(outputDir(), 'hierarchy-treemap.png') });

  // Zoom into the biggest theme: the breadcrumb grows and its children are the tiles.
  const biggest = [...facts.roots].sort((a, b) => b.size - a.size)[0];
  // A theme's header strip zooms into it (its body shows its own sub-themes, which zoom themselves).
  const header = { position: { x: 30, y: 8 } };
  await treemap.locator(`g.layer g.tile[data-node-id="${biggest.id}"]`).first().click(header);
  await page.locator(`cst-treemap[data-focus="${biggest.id}"]:not([data-animating])`).waitFor({ timeout: 10_000 });
  assert.equal(await treemap.locator('.crumb').count(), 2);
  await page.screenshot({ path: join(outputDir(), 'hierarchy-zoomed.png') });

  // Down to a leaf (a level-1 theme): zoom into a level-2 child, then select one of its leaves.
  const child = biggest.children[0];
  await treemap.locator(`g.layer g.tile[data-node-id="${child}"]`).first().click(header);
  await page.locator(`cst-treemap[data-focus="${child}"]:not([data-animating])`).waitFor({ timeout: 10_000 });
  const leafId = await page.evaluate((id) => document.querySelector('cst-app').run.hierarchy.nodes[id].childIds[0], child);
  await treemap.locator(`g.layer g.tile[data-node-id="${leafId}"]`).first().click();
  const pane = page.locator(`cst-node-detail[data-node-id="${leafId}"]`);
  await pane.waitFor({ timeout: 10_000 });
  assert.equal(await pane.locator('button.ancestor').count(), 2, 'the path shows both ancestors');
  const leaf = await page.evaluate((id) => document.querySelector('cst-app').run.hierarchy.nodes[id], leafId);
  assert.equal((await pane.locator('h2.name').innerText()).trim(), leaf.title);
  assert.match(await pane.locator('.source').innerText(), /LLM/);

  // Open one of its texts: the whole post and its path down the hierarchy.
  const row = pane.locator('ul.members li').first();
  await row.click();
  await pane.locator('ul.members li.open .about', { hasText: 'Path:' }).waitFor();
  const about = await pane.locator('ul.members li.open .about').first().innerText();
  assert.ok(about.includes(leaf.title), about);
  await page.screenshot({ path: join(outputDir(), 'hierarchy-leaf-text.png') });

  // Why it is called so: the prompt and the answer that named it.
  const prompt = pane.locator('details.prompt').last();
  await prompt.locator('summary').click();
  assert.match(await prompt.locator('pre.answer').innerText(), new RegExp(leafId));

  // Breadcrumb back to the top.
  await treemap.locator('button.crumb').first().click();
  await page.locator('cst-treemap[data-focus=""]:not([data-animating])').waitFor({ timeout: 10_000 });

  // The map, coloured by level 2: selecting a top theme lights its 4-ish children's points.
  await page.locator('cst-explorer button.tab-map').click();
  await page.locator('cst-explorer select.map-level').selectOption('2');
  const scatter = page.locator('cst-scatter[data-points="7532"]');
  await scatter.waitFor({ timeout: 30_000 });
  assert.equal(await scatter.getAttribute('data-clusters'), '20');
  await page.locator(`cst-hierarchy-list [data-node-id="${biggest.id}"]`).first().click();
  await page.locator(`cst-node-detail[data-node-id="${biggest.id}"]`).waitFor();
  const lit = await scatter.evaluate((el) => el.highlighted.length);
  assert.equal(lit, biggest.children.length);
  await page.screenshot({ path: join(outputDir(), 'hierarchy-map-level2.png') });

  // Reload: the run is kept and reopens on the treemap.
  await page.reload();
  await page.locator('cst-runs-list li.run').first().click();
  await page.locator('cst-explorer cst-treemap[data-tiles]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('cst-explorer .fig.levels').innerText(), /5 › 20 › 100/);

  assert.deepEqual(foreign, [], 'requests went only to the page and the chosen LLM server');
  assert.deepEqual(errors, []);
  await context.close();
});

test('flat clusters of the bundled sample named by the LLM: titles in the list, description and prompts in the pane', { timeout: 180_000 }, async () => {
  llm.reset();
  llm.configure({ fences: false, trailingCommas: false, missingIds: false, failOnce: false, prose: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('cst-data-source .stats .kept', { hasText: '300' }).waitFor({ timeout: 30_000 });
  await page.locator('cst-run-settings input.k').fill('10');
  await page.locator('cst-llm-settings [data-engine="openai"] input').check();
  await page.locator('cst-llm-settings input.base-url').fill(llm.url);
  await page.locator('cst-llm-settings input.base-url').dispatchEvent('change');
  await page.locator('cst-llm-settings input.server-model').fill('constellate-test-llm');
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer cst-cluster-list').waitFor({ timeout: 120_000 });
  const run = await page.evaluate(() => {
    const r = document.querySelector('cst-app').run;
    return { clusters: r.clusters.map((c) => ({ id: c.id, name: c.name, description: c.description, source: c.nameSource })), prompts: r.promptLog.length, llm: r.config.llm };
  });
  assert.deepEqual(run.llm, { kind: 'openai', model: 'constellate-test-llm' });
  assert.equal(run.clusters.filter((c) => c.source === 'llm').length, 10);
  // The names are the server's answers (prose around the JSON was stripped), not the keyword names.
  const answered = llm.requests.map((r) => r.answer ?? '').join('\n');
  for (const c of run.clusters) assert.ok(answered.includes(JSON.stringify(c.name).slice(1, -1)), `${c.name} comes from an answer`);
  assert.equal(await page.locator('cst-cluster-list li[data-cluster-id="0"] .name').innerText(), run.clusters[0].name);
  await page.locator('cst-cluster-list li[data-cluster-id="0"]').click();
  assert.equal(await page.locator('cst-cluster-detail section.description').innerText(), run.clusters[0].description);
  assert.ok(run.prompts >= 2);
  const prompt = page.locator('cst-cluster-detail details.prompt').first();
  await prompt.locator('summary').click();
  assert.match(await prompt.locator('pre.answer').innerText(), /"C0"/);
  await page.screenshot({ path: join(outputDir(), 'flat-llm-named.png') });
  await context.close();
});

test('the recursive method on the bundled sample: a top-down tree, noise kept as "Unclustered", children named with their parent', { timeout: 240_000 }, async () => {
  llm.reset();
  llm.configure({ fences: false, trailingCommas: false, missingIds: false, failOnce: false, prose: false });
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.locator('cst-data-source .stats .kept', { hasText: '300' }).waitFor({ timeout: 30_000 });
  await page.locator('cst-run-settings [data-method="recursive"] input').check();
  await page.locator('cst-run-settings input.max-depth').fill('2');
  await page.locator('cst-llm-settings [data-engine="openai"] input').check();
  await page.locator('cst-llm-settings input.base-url').fill(llm.url);
  await page.locator('cst-llm-settings input.base-url').dispatchEvent('change');
  await page.locator('cst-llm-settings input.server-model').fill('constellate-test-llm');
  await page.locator('cst-app button.start').click();
  await page.locator('cst-explorer cst-treemap[data-tiles]').waitFor({ timeout: 200_000 });
  const facts = await page.evaluate(() => {
    const r = document.querySelector('cst-app').run;
    const nodes = Object.values(r.hierarchy.nodes);
    return {
      method: r.config.method,
      levels: r.hierarchy.levels,
      noise: nodes.filter((n) => n.isNoise).map((n) => n.size),
      sizes: r.hierarchy.roots.map((id) => r.hierarchy.nodes[id].size),
      unnamed: nodes.filter((n) => !n.isNoise && n.nameSource !== 'llm').length,
      childPrompts: r.hierarchy.promptLog.filter((e) => e.messages.some((m) => m.content.includes('Parent Cluster:'))).length,
      deeper: nodes.some((n) => n.parentId !== null),
    };
  });
  assert.equal(facts.method, 'recursive');
  assert.ok(facts.levels >= 1 && facts.levels <= 2);
  // Every text is somewhere: roots (clusters and unclustered) add up to the sample.
  assert.equal(facts.sizes.reduce((a, b) => a + b, 0), 300);
  assert.equal(facts.unnamed, 0);
  if (facts.deeper) assert.ok(facts.childPrompts > 0, 'sub-themes are named with their parent in the prompt');
  assert.match(await page.locator('cst-explorer .fig.levels').innerText(), /recursive/);
  await page.screenshot({ path: join(outputDir(), 'recursive-sample.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
