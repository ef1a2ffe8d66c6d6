// The analysis views on their demo page (two synthetic labelled runs, Vite dev server): the
// confusion heatmap's cells and diagonal order, its tables against a reference computed from the
// contingency table, hover and click, untrusted names as text, a 77 × 77 table, and the run
// comparison (metrics, agreement, cluster matching) against independent computations.
// Run: node --test tests/e2e/analysis.e2e.mjs
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, launchBrowser, outputDir, startServer } from './harness.mjs';

const XSS_NAME = '<img src=x onerror=alert(1)> Card payments';
const XSS_LABEL = '<svg onload=alert(2)>';

let server;
let browser;
before(async () => {
  server = await startServer({
    mode: 'dev',
    entries: ['tests/e2e/pages/analysis.html'],
    cacheDir: join(ROOT, 'node_modules/.vite-analysis-e2e'),
  });
  browser = await launchBrowser({});
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function openDemo(query = '') {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const problems = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    problems.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  await page.goto(`${server.url}tests/e2e/pages/analysis.html${query}`);
  await page.locator('cst-run-compare h2').waitFor({ timeout: 30_000 });
  return { page, problems };
}

/**
 * Reference for the confusion view, from the contingency table and the Hungarian method directly
 * (not through src/core/compare): per cluster its size, majority count, label counts and matched label.
 */
function confusionFacts(page, which) {
  return page.evaluate((which) => {
    const { contingency, hungarian } = window.analysisDemo;
    const run = which === 'b' ? window.analysisDemo.runB : window.analysisDemo.runA;
    const ct = contingency(run.labels, run.assignments);
    let nonZero = 0;
    let max = 0;
    for (const row of ct.table) for (const x of row) if (x > 0) nonZero++, (max = Math.max(max, x));
    // Clusters as rows of the cost matrix, labels as columns: maximise matched counts.
    const cost = ct.clusters.map((_, j) => ct.classes.map((_, i) => max - ct.table[i][j]));
    const match = hungarian(cost);
    const clusters = {};
    ct.clusters.forEach((id, j) => {
      const counts = {};
      let size = 0;
      let top = 0;
      ct.classes.forEach((label, i) => {
        counts[label] = ct.table[i][j];
        size += ct.table[i][j];
        top = Math.max(top, ct.table[i][j]);
      });
      clusters[id] = { size, top, counts, matched: match[j] >= 0 ? ct.classes[match[j]] : null };
    });
    const spread = {};
    ct.classes.forEach((label, i) => (spread[label] = ct.table[i].filter((x) => x > 0).length));
    const names = {};
    for (const c of run.clusters) names[c.id] = c.name;
    const hits = Object.values(clusters).reduce((s, c) => s + (c.matched === null ? 0 : c.counts[c.matched]), 0);
    return { nonZero, clusters, spread, names, hits, n: ct.n, labels: ct.classes.length, k: ct.clusters.length, acc: run.metrics.acc };
  }, which);
}

/** What the heatmap shows: row cluster ids, column labels, cells and matched outlines. */
function heatmap(page) {
  return page.locator('cst-confusion').evaluate((el) => {
    const root = el.shadowRoot;
    const rows = [...root.querySelectorAll('.rows .rlabel')].map((b) => Number(b.dataset.clusterId));
    const cols = [...root.querySelectorAll('.cols .clabel')].map((s) => s.textContent);
    const cells = [...root.querySelectorAll('rect.cell')].map((r) => ({ r: Number(r.dataset.row), c: Number(r.dataset.col), n: Number(r.dataset.count) }));
    const matches = [...root.querySelectorAll('rect.match')].map((r) => [Number(r.dataset.row), Number(r.dataset.col)]);
    const table = [...root.querySelectorAll('table.clusters tbody tr')].map((tr) => ({
      id: Number(tr.dataset.clusterId),
      size: Number(tr.querySelector('.size').textContent.replace(/[^\d]/g, '')),
      majority: tr.querySelector('.majority').textContent,
      purity: tr.querySelector('.purity').textContent.trim(),
      matched: tr.querySelector('.matched').textContent,
    }));
    const labels = [...root.querySelectorAll('table.labels tbody tr')].map((tr) => [tr.dataset.label, Number(tr.dataset.clusters)]);
    return { rows, cols, cells, matches, table, labels, attrs: { rows: el.dataset.rows, cols: el.dataset.cols, cells: el.dataset.cells } };
  });
}

function checkAgainstReference(view, facts) {
  // Every non-zero contingency cell is drawn once, at its row and column, with its count.
  assert.equal(view.cells.length, facts.nonZero);
  assert.equal(view.attrs.cells, String(facts.nonZero));
  for (const cell of view.cells) {
    const id = view.rows[cell.r];
    assert.equal(cell.n, facts.clusters[id].counts[view.cols[cell.c]], `cell ${cell.r},${cell.c}`);
  }
  // Diagonal order: row i's cluster is matched to column i's label, for every matched pair.
  const pairs = Object.values(facts.clusters).filter((c) => c.matched !== null).length;
  assert.equal(pairs, Math.min(facts.k, facts.labels));
  assert.equal(view.matches.length, pairs);
  assert.deepEqual(view.matches, Array.from({ length: pairs }, (_, i) => [i, i]));
  for (let i = 0; i < pairs; i++) assert.equal(facts.clusters[view.rows[i]].matched, view.cols[i], `row ${i}`);
  // Diagonal total = clustering accuracy (no noise in these runs).
  const diag = view.cells.filter((c) => c.r === c.c).reduce((s, c) => s + c.n, 0);
  assert.equal(diag, facts.hits);
  assert.ok(Math.abs(diag / facts.n - facts.acc) < 1e-12, `${diag / facts.n} vs ACC ${facts.acc}`);
  // Per-cluster table: size, a label holding the largest count, purity, matched label.
  assert.equal(view.table.length, facts.k);
  assert.deepEqual(view.table.map((r) => r.id), view.rows);
  for (const r of view.table) {
    const ref = facts.clusters[r.id];
    assert.equal(r.size, ref.size);
    assert.equal(ref.counts[r.majority], ref.top, `majority of ${r.id}`);
    assert.equal(r.purity, `${Math.round((100 * ref.top) / ref.size)}%`);
    assert.equal(r.matched, ref.matched ?? '—', `matched label of ${r.id}`);
  }
  // Per-label table: each label is spread over as many clusters as hold it.
  assert.equal(view.labels.length, facts.labels);
  for (const [label, n] of view.labels) assert.equal(n, facts.spread[label], label);
}

test('confusion: cells, diagonal order, tables, hover, click, untrusted names', async () => {
  const { page, problems } = await openDemo();
  const conf = page.locator('cst-confusion');
  const facts = await confusionFacts(page, 'a');
  const view = await heatmap(page);
  assert.equal(view.attrs.rows, '12');
  assert.equal(view.attrs.cols, '12');
  checkAgainstReference(view, facts);
  // The matching is not the identity on ids: the rows had to be reordered to make the diagonal.
  assert.notDeepEqual(view.rows, [...view.rows].sort((a, b) => a - b));
  assert.equal((await conf.locator('.acc').textContent()).trim(), `${Math.round((100 * facts.hits) / facts.n)}%`);

  // Hover over cell (3, 2): tooltip "cluster × label: count (share)".
  const svgBox = await conf.locator('svg.cells').boundingBox();
  const cell = svgBox.width / view.cols.length;
  await page.mouse.move(svgBox.x + 2.5 * cell, svgBox.y + 3.5 * cell);
  const tip = conf.locator('.tip');
  await tip.waitFor();
  const id3 = view.rows[3];
  const count = facts.clusters[id3].counts[view.cols[2]];
  const share = (100 * count) / facts.clusters[id3].size;
  const shareText = share < 10 ? `${share.toFixed(1)}%` : `${Math.round(share)}%`;
  assert.equal((await tip.locator('.line').textContent()).trim(), `${facts.names[id3]} × ${view.cols[2]}: ${count} (${shareText})`);
  const tipBox = await tip.boundingBox();
  assert.ok(tipBox.x + tipBox.width <= 1440 && tipBox.y + tipBox.height <= 1000, 'tooltip inside the window');
  await page.screenshot({ path: join(outputDir(), 'analysis-hover.png') });

  // Click anywhere on row 5 of the map: cluster-select with that row's cluster.
  await page.mouse.click(svgBox.x + 0.5 * cell, svgBox.y + 5.5 * cell);
  await page.waitForFunction((id) => window.analysisDemo.state.selected === id, view.rows[5]);
  assert.equal(await page.locator('#selected').textContent(), String(view.rows[5]));
  assert.equal(await conf.locator('table.clusters tr.selected').getAttribute('data-cluster-id'), String(view.rows[5]));
  assert.equal(await conf.locator('.rlabel.selected').getAttribute('data-cluster-id'), String(view.rows[5]));
  // …and from the row label and the per-cluster table.
  await conf.locator(`.rlabel[data-row="7"]`).click();
  await page.waitForFunction((id) => window.analysisDemo.state.selected === id, view.rows[7]);
  await conf.locator(`table.clusters tr[data-cluster-id="${view.rows[1]}"] td.name`).click();
  await page.waitForFunction((id) => window.analysisDemo.state.selected === id, view.rows[1]);
  assert.equal(await page.evaluate(() => window.analysisDemo.state.events), 3);

  // Untrusted names and labels are text: the payloads show verbatim, no element came of them.
  const xssId = Number(Object.entries(facts.names).find(([, n]) => n === XSS_NAME)[0]);
  assert.equal(await conf.locator(`.rlabel[data-cluster-id="${xssId}"] .nm`).textContent(), XSS_NAME);
  assert.equal(await conf.locator(`table.clusters tr[data-cluster-id="${xssId}"] td.name`).textContent(), XSS_NAME);
  assert.ok(view.cols.includes(XSS_LABEL));
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.locator('svg[onload]').count(), 0);
  await page.mouse.move(5, 5);
  await tip.waitFor({ state: 'detached' });
  await conf.screenshot({ path: join(outputDir(), 'analysis-confusion.png') });

  // Run B has 9 clusters for 12 labels: 9 matched pairs, the 3 left-over labels at the right.
  await page.locator('#show-b').click();
  await page.locator('cst-confusion[data-rows="9"]').waitFor();
  const factsB = await confusionFacts(page, 'b');
  const viewB = await heatmap(page);
  assert.equal(viewB.attrs.cols, '12');
  checkAgainstReference(viewB, factsB);
  const matchedLabels = new Set(Object.values(factsB.clusters).map((c) => c.matched));
  assert.deepEqual(viewB.cols.slice(9).filter((l) => matchedLabels.has(l)), []);
  // Each row's cells add up to its cluster's size.
  for (const r of viewB.table) {
    const sum = viewB.cells.filter((c) => viewB.rows[c.r] === r.id).reduce((s, c) => s + c.n, 0);
    assert.equal(sum, r.size);
  }
  await conf.screenshot({ path: join(outputDir(), 'analysis-confusion-b.png') });
  assert.deepEqual(problems.dialogs, []);
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test('confusion: extra clusters below the diagonal, and a run without labels', async () => {
  const { page, problems } = await openDemo('?ka=14');
  const facts = await confusionFacts(page, 'a');
  const view = await heatmap(page);
  assert.equal(view.attrs.rows, '14');
  checkAgainstReference(view, facts);
  assert.deepEqual(view.table.slice(12).map((r) => r.matched), ['—', '—']);
  await page.close();

  const bare = await openDemo('?labels=0');
  const conf = bare.page.locator('cst-confusion');
  assert.equal(await conf.getAttribute('data-empty'), '');
  assert.match(await conf.locator('.placeholder').textContent(), /no label column/);
  assert.equal(await conf.locator('svg.cells').count(), 0);
  assert.deepEqual([...problems.errors, ...bare.problems.errors], []);
  await bare.page.close();
});

test('confusion: 77 clusters × 77 labels stay readable and scroll with sticky headers', async () => {
  const { page, problems } = await openDemo('?n=3080&L=77&kb=60');
  const conf = page.locator('cst-confusion');
  const facts = await confusionFacts(page, 'a');
  const view = await heatmap(page);
  assert.equal(view.attrs.rows, '77');
  assert.equal(view.attrs.cols, '77');
  checkAgainstReference(view, facts);
  const ms = await conf.evaluate(async (el) => {
    const times = [];
    for (const run of [window.analysisDemo.runB, window.analysisDemo.runA, window.analysisDemo.runB, window.analysisDemo.runA]) {
      const t0 = performance.now();
      el.run = run;
      await el.updateComplete;
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[1];
  });
  console.log(`77 × 77 confusion view render: ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1000, `render took ${ms} ms`);
  // Cells are at least 12 px; the map scrolls inside its box and the column labels stay on top.
  const cellPx = (await conf.locator('svg.cells').boundingBox()).width / 77;
  assert.ok(cellPx >= 12, `cell ${cellPx}px`);
  const scroller = conf.locator('.scroller');
  const dims = await scroller.evaluate((s) => ({ sh: s.scrollHeight, ch: s.clientHeight }));
  assert.ok(dims.sh > dims.ch, 'the 77-row map scrolls');
  await scroller.evaluate((s) => (s.scrollTop = s.scrollHeight));
  const sTop = (await scroller.boundingBox()).y;
  const headTop = (await conf.locator('.head').boundingBox()).y;
  assert.ok(Math.abs(headTop - sTop) <= 2, `header stays at the top (${headTop} vs ${sTop})`);
  await conf.screenshot({ path: join(outputDir(), 'analysis-77x77.png') });
  assert.deepEqual(problems.errors, []);
  await page.close();
});

/** Adjusted Rand index from pair counts, written out here as a reference independent of src/. */
function adjustedRand(x, y) {
  const n = x.length;
  const cells = new Map();
  const rows = new Map();
  const cols = new Map();
  for (let i = 0; i < n; i++) {
    const key = `${x[i]}|${y[i]}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(x[i], (rows.get(x[i]) ?? 0) + 1);
    cols.set(y[i], (cols.get(y[i]) ?? 0) + 1);
  }
  const c2 = (m) => (m * (m - 1)) / 2;
  const sum = (m) => [...m.values()].reduce((s, v) => s + c2(v), 0);
  const index = sum(cells);
  const a = sum(rows);
  const b = sum(cols);
  const expected = (a * b) / c2(n);
  return (index - expected) / ((a + b) / 2 - expected);
}

test('run compare: setup, metrics with the better marked, agreement, cluster matching', async () => {
  const { page, problems } = await openDemo();
  const cmp = page.locator('cst-run-compare');
  const runs = await page.evaluate(() => {
    const { runA, runB } = window.analysisDemo;
    return { a: Array.from(runA.assignments), b: Array.from(runB.assignments), ma: runA.metrics, mb: runB.metrics, qa: runA.quality, qb: runB.quality };
  });

  // Every metric either run has is a row; the better side is marked by the metric's direction.
  const rows = await cmp.locator('tr[data-metric]').evaluateAll((trs) => trs.map((tr) => [tr.dataset.metric, tr.dataset.better]));
  const expected = [];
  for (const key of ['acc', 'nmi', 'ari', 'homogeneity', 'completeness', 'vMeasure']) {
    const va = runs.ma[key];
    const vb = runs.mb[key];
    if (va === undefined && vb === undefined) continue;
    expected.push([key, va === undefined || vb === undefined ? 'none' : va === vb ? 'tie' : va > vb ? 'a' : 'b']);
  }
  for (const [key, higher] of [['silhouette', true], ['daviesBouldin', false], ['calinskiHarabasz', true], ['noiseRatio', false]]) {
    const va = runs.qa[key];
    const vb = runs.qb[key];
    expected.push([key, va === vb ? 'tie' : va > vb === higher ? 'a' : 'b']);
  }
  assert.deepEqual(rows, expected);
  assert.equal(await cmp.locator('tr[data-metric="acc"] td.a').getAttribute('class'), 'a better');
  assert.equal(await cmp.locator('tr[data-metric="daviesBouldin"] td.b').getAttribute('class'), 'b better');
  assert.equal((await cmp.locator('tr[data-metric="vMeasure"] td.b').textContent()).trim(), '—');
  // Different embedders: the internal scores carry the caveat.
  assert.match(await cmp.locator('.internal-note').textContent(), /own embedding space/);
  assert.ok((await cmp.locator('tr[data-row="embedder"]').getAttribute('class')).includes('diff'));

  // Agreement: ARI against a pair-counting reference written in this file, NMI against the page's core.
  const agree = cmp.locator('.agreement');
  const ari = Number(await agree.getAttribute('data-ari'));
  assert.ok(Math.abs(ari - adjustedRand(runs.a, runs.b)) < 1e-12, `${ari}`);
  assert.equal((await agree.locator('.ari').textContent()).trim(), adjustedRand(runs.a, runs.b).toFixed(3));
  const ref = await page.evaluate(() => window.analysisDemo.compareRuns(window.analysisDemo.runA, window.analysisDemo.runB));
  assert.equal(Number(await agree.getAttribute('data-nmi')), ref.agreement.nmi);
  assert.ok(ref.agreement.nmi > 0 && ref.agreement.nmi < 1);

  // Matching: each pair's overlap is its contingency cell, Jaccard from the sizes, one-to-one,
  // and the total overlap is the Hungarian optimum on the A × B contingency table.
  const pairs = await cmp.locator('tr.pair').evaluateAll((trs) =>
    trs.map((tr) => ({ a: Number(tr.dataset.a), b: Number(tr.dataset.b), overlap: Number(tr.dataset.overlap), jaccard: Number(tr.dataset.jaccard), name: tr.querySelector('td.a .nm').textContent })),
  );
  const optimum = await page.evaluate(() => {
    const { runA, runB, contingency, hungarian } = window.analysisDemo;
    const ct = contingency(runA.assignments, runB.assignments);
    let max = 0;
    for (const row of ct.table) for (const x of row) max = Math.max(max, x);
    const match = hungarian(ct.table.map((row) => row.map((x) => max - x)));
    return match.reduce((s, j, i) => s + (j >= 0 ? ct.table[i][j] : 0), 0);
  });
  const count = (xs, v) => xs.reduce((s, x) => s + (x === v ? 1 : 0), 0);
  assert.equal(pairs.length, 9);
  assert.equal(new Set(pairs.map((p) => p.a)).size, 9);
  assert.equal(new Set(pairs.map((p) => p.b)).size, 9);
  for (const p of pairs) {
    let both = 0;
    for (let i = 0; i < runs.a.length; i++) if (runs.a[i] === p.a && runs.b[i] === p.b) both++;
    assert.equal(p.overlap, both);
    const sa = count(runs.a, p.a);
    const sb = count(runs.b, p.b);
    assert.ok(Math.abs(p.jaccard - both / (sa + sb - both)) < 1e-12);
  }
  assert.equal(pairs.reduce((s, p) => s + p.overlap, 0), optimum);
  assert.deepEqual(pairs.map((p) => p.jaccard), [...pairs.map((p) => p.jaccard)].sort((x, y) => y - x));
  assert.equal(await cmp.locator('tr.unmatched').count(), 3);
  // The run name with markup is text.
  assert.equal(await cmp.locator('.run.a .nm').textContent(), 'GloVe SIF, k = 12 <i>tuned</i>');
  assert.equal(await cmp.locator('i').count(), 0);
  await cmp.screenshot({ path: join(outputDir(), 'analysis-compare.png') });
  assert.deepEqual(problems.errors, []);
  await page.close();

  // Different texts: no agreement, no matching, and the reason.
  const other = await openDemo('?same=0');
  const c2 = other.page.locator('cst-run-compare');
  assert.equal(await c2.locator('.agreement').count(), 0);
  assert.equal(await c2.locator('tr.pair').count(), 0);
  assert.match(await c2.locator('.why').textContent(), /Run A has 1,500 texts and run B has 1,499 texts\./);
  assert.equal(await c2.getAttribute('data-same-texts'), null);
  assert.deepEqual(other.problems.errors, []);
  await other.page.close();
});
