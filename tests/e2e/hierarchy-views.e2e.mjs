// The hierarchy views on their demo page (a HERCULES tree of 7,500 synthetic texts built in the
// page, Vite dev server): treemap tiles and titles, areas against the sizes, zoom in and back out
// by click, breadcrumb and keyboard, leaf selection, the tree list's expand/collapse, search and
// keyboard, untrusted titles as text, a noise leaf, resizing. Run: node tests/e2e/run.mjs hierarchy-views
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, launchBrowser, outputDir, startServer } from './harness.mjs';

const XSS = '<img src=x onerror=window.__xss=1>';
const NOISE_COLOR = '#b8bcc6';
/** A smaller tree (3,000 texts, 40/10/4 clusters) for the tests that need no 20 Newsgroups size. */
const SMALL = '?n=3000&levels=40,10,4';

let server;
let browser;
before(async () => {
  server = await startServer({
    mode: 'dev',
    entries: ['tests/e2e/pages/hierarchy.html'],
    cacheDir: join(ROOT, 'node_modules/.vite-hierarchy-e2e'),
  });
  browser = await launchBrowser({});
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function openDemo(query = '', viewport = { width: 1440, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const problems = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    problems.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  await page.goto(`${server.url}tests/e2e/pages/hierarchy.html${query}`);
  await page.locator('body[data-ready]').waitFor({ timeout: 120_000 });
  await page.locator('cst-treemap g.layer g.tile').first().waitFor();
  return { page, problems };
}

const shot = (page, name) => page.screenshot({ path: join(outputDir(), `hierarchy-views-${name}.png`) });

/** The tree as plain data from the page (independent of the views). */
function tree(page) {
  return page.evaluate(() => {
    const h = window.hierarchyDemo.hierarchy();
    return { roots: h.roots, nodes: h.nodes, items: h.itemLeaf.length };
  });
}

/** What the treemap shows now: every tile's id, depth, size, rectangle, fill, label and tooltip. */
function tiles(page) {
  return page.locator('cst-treemap').evaluate((el) => {
    const svg = el.shadowRoot.querySelector('svg');
    const box = svg.getBoundingClientRect();
    return {
      width: box.width,
      height: box.height,
      gap: Number(svg.dataset.gap),
      focus: el.dataset.focus,
      tiles: [...svg.querySelectorAll('g.layer g.tile')].map((g) => {
        const r = g.querySelector('rect').getBoundingClientRect();
        return {
          id: g.dataset.nodeId,
          depth: Number(g.dataset.depth),
          size: Number(g.dataset.size),
          x0: r.left - box.left,
          y0: r.top - box.top,
          w: r.width,
          h: r.height,
          fill: g.querySelector('rect').getAttribute('fill'),
          // Shown title: the header line, or the wrapped lines joined by spaces.
          label: [...g.querySelectorAll('.labels text.title')]
            .map((t) => (t.querySelector('tspan') ? [...t.querySelectorAll('tspan')].map((l) => l.textContent).join(' ') : t.textContent))
            .join(' '),
          tooltip: g.querySelector('title').textContent,
          noise: g.classList.contains('noise'),
          selected: g.classList.contains('selected'),
        };
      }),
    };
  });
}

/** The node of the last node-select event the page saw. */
const lastEvent = (page) => page.evaluate(() => window.hierarchyDemo.events.at(-1));

const crumbs = (page) => page.locator('cst-treemap nav li').allTextContents().then((t) => t.map((s) => s.trim()));

async function settled(page) {
  await page.locator('cst-treemap:not([data-animating])').waitFor();
}

/** Display order of children: largest first, noise last (the views' order). */
function ordered(nodes, ids) {
  return ids
    .map((id, i) => ({ id, i, n: nodes[id] }))
    .sort((a, b) => Number(!!a.n.isNoise) - Number(!!b.n.isNoise) || b.n.size - a.n.size || a.i - b.i)
    .map((x) => x.id);
}

/** Area of each depth-1 tile against its share of the items (grown by half a gap a side; rounding: ±½ px an edge). */
function checkAreas(view, nodes, focusChildren) {
  const top = view.tiles.filter((t) => t.depth === 1);
  const total = focusChildren.reduce((s, id) => s + nodes[id].size, 0);
  assert.equal(top.reduce((s, t) => s + t.size, 0), total);
  const g = view.gap;
  for (const t of top) {
    assert.equal(t.size, nodes[t.id].size, `tile ${t.id} shows the node's size`);
    const want = (t.size / total) * (view.width + g) * (view.height + g);
    const got = (t.w + g) * (t.h + g);
    assert.ok(Math.abs(got - want) <= t.w + t.h + 2 * g + 2, `tile ${t.id}: area ${got.toFixed(0)} for ${want.toFixed(0)}`);
  }
}

test('treemap: tiles and titles, areas ∝ sizes, zoom in and out by click and breadcrumb, leaf selection', async () => {
  const { page, problems } = await openDemo();
  const { roots, nodes } = await tree(page);
  assert.ok(Object.keys(nodes).length >= 100, 'a 20 Newsgroups-sized tree');
  const map = page.locator('cst-treemap');
  let view = await tiles(page);
  assert.equal(view.focus, '');
  const top = view.tiles.filter((t) => t.depth === 1);
  assert.deepEqual(top.map((t) => t.id), ordered(nodes, roots));
  for (const t of top) {
    const title = nodes[t.id].isNoise ? 'Unclustered' : nodes[t.id].title;
    assert.ok(t.label.length > 0, `root tile ${t.id} has a visible title`);
    // The label is the title or a truncation of it; the tooltip has it in full with the size.
    assert.ok(title.startsWith(t.label.replace(/…$/, '')), `label "${t.label}" of "${title}"`);
    assert.ok(t.tooltip.startsWith(title), `tooltip of ${t.id}`);
    assert.ok(t.tooltip.includes(`${nodes[t.id].size.toLocaleString('en-US')} texts`));
    // Its children sit inside it.
    const kids = view.tiles.filter((k) => k.depth === 2 && nodes[k.id].parentId === t.id);
    assert.deepEqual(kids.map((k) => k.id), ordered(nodes, nodes[t.id].childIds).filter((id) => kids.some((k) => k.id === id)));
    assert.ok(kids.length >= 1);
    for (const k of kids) assert.ok(k.x0 >= t.x0 - 0.5 && k.y0 >= t.y0 + 10 && k.x0 + k.w <= t.x0 + t.w + 0.5 && k.y0 + k.h <= t.y0 + t.h + 0.5, `${k.id} inside ${t.id}`);
  }
  checkAreas(view, nodes, roots);
  // Colour = top-level theme: root tiles differ, and the render is quick for ~125 nodes.
  assert.equal(new Set(top.map((t) => t.fill)).size, top.length);
  const renderMs = await map.evaluate((el) => el.lastRenderMs);
  assert.ok(renderMs < 250, `render took ${renderMs} ms`);
  assert.deepEqual(await crumbs(page), ['All themes']);
  await shot(page, 'top');

  // Click the largest root on its header strip: zoom in, animated; the breadcrumb grows.
  const first = top[0];
  const box = await page.locator('cst-treemap svg').boundingBox();
  await page.mouse.click(box.x + first.x0 + 30, box.y + first.y0 + 8);
  await page.locator('cst-treemap[data-animating]').waitFor({ timeout: 2000 });
  await settled(page);
  view = await tiles(page);
  assert.equal(view.focus, first.id);
  assert.deepEqual(await crumbs(page), ['All themes', nodes[first.id].title]);
  assert.equal(await lastEvent(page), first.id);
  assert.deepEqual(view.tiles.filter((t) => t.depth === 1).map((t) => t.id), ordered(nodes, nodes[first.id].childIds));
  checkAreas(view, nodes, nodes[first.id].childIds);
  assert.equal(await page.locator('cst-treemap g.leaving').count(), 0, 'the old layer is gone');
  await shot(page, 'zoomed');

  // Back to the top by the breadcrumb.
  await page.locator('cst-treemap nav button.crumb', { hasText: 'All themes' }).click();
  await settled(page);
  assert.equal(await map.getAttribute('data-focus'), '');
  assert.deepEqual(await crumbs(page), ['All themes']);
  assert.equal(await lastEvent(page), null);
  view = await tiles(page);
  assert.deepEqual(view.tiles.filter((t) => t.depth === 1).map((t) => t.id), ordered(nodes, roots));

  // Click a nested tile that has children: zoom straight into it (two steps below the top).
  const inner = view.tiles.filter((t) => t.depth === 2 && nodes[t.id].childIds.length > 0).sort((a, b) => b.w * b.h - a.w * a.h)[0];
  await page.mouse.click(box.x + inner.x0 + inner.w / 2, box.y + inner.y0 + inner.h / 2);
  await settled(page);
  view = await tiles(page);
  assert.equal(view.focus, inner.id);
  assert.deepEqual(await crumbs(page), ['All themes', nodes[nodes[inner.id].parentId].title, nodes[inner.id].title]);
  checkAreas(view, nodes, nodes[inner.id].childIds);

  // Click a leaf: it is selected (event, highlight, list row), the zoom stays.
  const leaf = view.tiles.find((t) => t.depth === 1 && nodes[t.id].childIds.length === 0);
  assert.ok(leaf, 'level-1 leaves under a level-2 node');
  await page.mouse.click(box.x + leaf.x0 + leaf.w / 2, box.y + leaf.y0 + leaf.h / 2);
  await page.locator(`cst-treemap g.tile.selected[data-node-id="${leaf.id}"]`).waitFor();
  assert.equal(await lastEvent(page), leaf.id);
  assert.equal(await map.getAttribute('data-focus'), inner.id);
  const row = page.locator(`cst-hierarchy-list li[data-node-id="${leaf.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('aria-selected'), 'true');
  // Its ancestors were expanded in the list and the row scrolled into the list's view.
  for (let id = nodes[leaf.id].parentId; id; id = nodes[id].parentId) {
    assert.equal(await page.locator(`cst-hierarchy-list li[data-node-id="${id}"]`).getAttribute('aria-expanded'), 'true');
  }
  const [rowBox, listBox] = await Promise.all([row.boundingBox(), page.locator('cst-hierarchy-list ul').boundingBox()]);
  assert.ok(rowBox.y >= listBox.y - 1 && rowBox.y + rowBox.height <= listBox.y + listBox.height + 1, 'selected row is in view');
  await shot(page, 'leaf-selected');

  // The breadcrumb goes back up one step.
  await page.locator('cst-treemap nav button.crumb').nth(1).click();
  await settled(page);
  assert.equal(await map.getAttribute('data-focus'), nodes[inner.id].parentId);
  assert.equal((await crumbs(page)).length, 2);
  assert.equal(await lastEvent(page), nodes[inner.id].parentId);

  // Selecting a node from outside (the list) zooms the map to show it.
  const deep = Object.values(nodes).find((n) => n.level === 1 && !n.isNoise);
  await map.evaluate((el, id) => (el.selectedNodeId = id), deep.id);
  await settled(page);
  assert.equal(await map.getAttribute('data-focus'), deep.parentId);
  await page.locator(`cst-treemap g.tile.selected[data-node-id="${deep.id}"]`).waitFor();

  assert.deepEqual(problems.errors, []);
  await page.close();
});

test('treemap keyboard: Enter zooms, arrows move, Backspace and Escape go up', async () => {
  const { page, problems } = await openDemo(SMALL);
  const { roots, nodes } = await tree(page);
  const map = page.locator('cst-treemap');
  const activeTile = () => map.evaluate((el) => el.shadowRoot.activeElement?.dataset?.nodeId ?? null);
  const order = (await tiles(page)).tiles.map((t) => t.id);
  // One tab stop: Tab from the search box of the list… simpler, focus the first tile directly.
  await map.evaluate((el) => el.shadowRoot.querySelector('g.layer g.tile[tabindex="0"]').focus());
  assert.equal(await activeTile(), order[0]);
  assert.equal(await map.evaluate((el) => el.shadowRoot.querySelectorAll('g.layer g.tile[tabindex="0"]').length), 1);
  await page.keyboard.press('ArrowRight');
  assert.equal(await activeTile(), order[1]);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('End');
  assert.equal(await activeTile(), order.at(-1));
  await page.keyboard.press('Home');
  const target = ordered(nodes, roots)[0];
  assert.equal(await activeTile(), target);
  await page.keyboard.press('Enter');
  await settled(page);
  assert.equal(await map.getAttribute('data-focus'), target);
  // Keyboard focus moved into the new view.
  const kids = ordered(nodes, nodes[target].childIds);
  assert.equal(await activeTile(), kids[0]);
  await shot(page, 'keyboard');
  await page.keyboard.press('Backspace');
  await settled(page);
  assert.equal(await map.getAttribute('data-focus'), '');
  assert.equal(await activeTile(), target, 'focus returns to the tile we came from');
  // Escape works the same; at the top it does nothing.
  await page.keyboard.press('Enter');
  await settled(page);
  await page.keyboard.press('Escape');
  await settled(page);
  assert.equal(await map.getAttribute('data-focus'), '');
  const before = await page.evaluate(() => window.hierarchyDemo.events.length);
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => window.hierarchyDemo.events.length), before);

  // Zooms started while one is still animating end in one clean view of the last focus.
  const [r1, r2] = ordered(nodes, roots);
  await map.evaluate(async (el, [a, b]) => {
    el.zoomTo(a);
    await el.updateComplete;
    el.zoomTo(null);
    await el.updateComplete;
    el.zoomTo(b);
    await el.updateComplete;
  }, [r1, r2]);
  await settled(page);
  assert.equal(await map.getAttribute('data-focus'), r2);
  assert.equal(await map.evaluate((el) => el.shadowRoot.querySelectorAll('svg > g').length), 1);
  assert.deepEqual((await tiles(page)).tiles.filter((t) => t.depth === 1).map((t) => t.id), ordered(nodes, nodes[r2].childIds));
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test('hierarchy list: roots expanded, disclosure, search expands the paths, keyboard, selection', async () => {
  const { page, problems } = await openDemo(SMALL);
  const { roots, nodes } = await tree(page);
  const list = page.locator('cst-hierarchy-list');
  const rowIds = () => list.locator('li[role="treeitem"]').evaluateAll((els) => els.map((e) => e.dataset.nodeId));
  const expected = [];
  for (const r of ordered(nodes, roots)) {
    expected.push(r);
    expected.push(...ordered(nodes, nodes[r].childIds));
  }
  assert.deepEqual(await rowIds(), expected, 'roots expanded, deeper collapsed');
  assert.equal(await list.locator('ul[role="tree"]').count(), 1);
  const r0 = ordered(nodes, roots)[0];
  const rootRow = list.locator(`li[data-node-id="${r0}"]`);
  assert.equal(await rootRow.getAttribute('aria-expanded'), 'true');
  assert.equal(await rootRow.getAttribute('aria-level'), '1');
  // Size and share of all texts.
  assert.match(await rootRow.locator('.size').textContent(), new RegExp(`^${nodes[r0].size.toLocaleString('en-US')} · \\d+(\\.\\d)?%$`));

  // Expand a level-2 node with the triangle; collapse its root with the triangle.
  const mid = ordered(nodes, nodes[r0].childIds).find((id) => nodes[id].childIds.length > 0);
  await list.locator(`li[data-node-id="${mid}"] .twisty`).click();
  assert.equal(await list.locator(`li[data-node-id="${mid}"]`).getAttribute('aria-expanded'), 'true');
  const afterExpand = await rowIds();
  assert.equal(afterExpand.length, expected.length + nodes[mid].childIds.length);
  assert.deepEqual(afterExpand.slice(afterExpand.indexOf(mid) + 1, afterExpand.indexOf(mid) + 1 + nodes[mid].childIds.length), ordered(nodes, nodes[mid].childIds));
  assert.equal(await page.evaluate(() => window.hierarchyDemo.events.length), 0, 'the triangle does not select');
  await rootRow.locator('.twisty').click();
  assert.equal(await rootRow.getAttribute('aria-expanded'), 'false');
  const collapsed = await rowIds();
  assert.ok(!collapsed.includes(mid) && collapsed.includes(r0));
  await rootRow.locator('.twisty').click();

  // Search by keyword: every match shows with its path expanded; non-matching branches are hidden.
  // A keyword of a level-1 node that few nodes match (so the search narrows the tree).
  const matching = (word) => Object.values(nodes).filter((n) => n.title.toLowerCase().includes(word) || n.keywords.some((k) => k.toLowerCase().includes(word)));
  const candidates = [...new Set(Object.values(nodes).filter((n) => n.level === 1).flatMap((n) => n.keywords))].filter((k) => k.length >= 4).sort();
  const word = candidates.map((k) => [k, matching(k).length]).filter(([, c]) => c >= 2).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  const matches = matching(word);
  assert.ok(matches.length >= 1 && matches.length < Object.keys(nodes).length / 2, `${matches.length} matches`);
  await list.locator('input.filter').fill(word);
  const shown = await rowIds();
  const mustShow = new Set();
  for (const m of matches) for (let id = m.id; id; id = nodes[id].parentId) mustShow.add(id);
  for (const id of mustShow) assert.ok(shown.includes(id), `${id} shown`);
  for (const id of shown) {
    const onPath = mustShow.has(id);
    let under = false;
    for (let p = nodes[id].parentId; p && !under; p = nodes[p].parentId) under = matches.some((m) => m.id === p);
    assert.ok(onPath || under, `${id} is a match, on a path to one or below one`);
  }
  for (const m of matches) {
    for (let p = nodes[m.id].parentId; p; p = nodes[p].parentId) assert.equal(await list.locator(`li[data-node-id="${p}"]`).getAttribute('aria-expanded'), 'true');
  }
  assert.equal((await list.locator('.count').textContent()).trim(), `${matches.length} of ${Object.keys(nodes).length} match`);
  assert.ok((await list.locator('li mark').count()) >= matches.length);
  await shot(page, 'list-search');
  await list.locator('input.filter').fill('no such theme anywhere');
  assert.equal(await list.locator('li[role="treeitem"]').count(), 0);
  assert.match(await list.locator('li.empty').textContent(), /No theme matches/);
  await list.locator('input.filter').fill('');
  assert.deepEqual(await rowIds(), afterExpand, 'clearing the search restores the expansion');

  // Keyboard: the tree is one tab stop; arrows move, right/left expand and collapse, Enter selects.
  assert.equal(await list.locator('li[tabindex="0"]').count(), 1);
  await list.locator('li[tabindex="0"]').focus();
  const focused = () => list.evaluate((el) => el.shadowRoot.activeElement?.dataset?.nodeId ?? null);
  assert.equal(await focused(), afterExpand[0]);
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), afterExpand[1]);
  assert.equal(afterExpand[1], mid, 'the node expanded above');
  await page.keyboard.press('ArrowLeft'); // an open child: collapses
  assert.equal(await list.locator(`li[data-node-id="${mid}"]`).getAttribute('aria-expanded'), 'false');
  assert.equal(await focused(), mid);
  await page.keyboard.press('ArrowLeft'); // a closed child: to its parent
  assert.equal(await focused(), afterExpand[0]);
  await page.keyboard.press('ArrowLeft'); // an open root: collapses
  assert.equal(await list.locator(`li[data-node-id="${afterExpand[0]}"]`).getAttribute('aria-expanded'), 'false');
  await page.keyboard.press('ArrowRight'); // expands again
  assert.equal(await list.locator(`li[data-node-id="${afterExpand[0]}"]`).getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('ArrowRight'); // into the first child
  assert.equal(await focused(), afterExpand[1]);
  await page.keyboard.press('Enter');
  assert.equal(await lastEvent(page), afterExpand[1]);
  await list.locator(`li.selected[data-node-id="${afterExpand[1]}"]`).waitFor();
  // The map follows the selection.
  await settled(page);
  const sel = nodes[afterExpand[1]];
  assert.equal(await page.locator('cst-treemap').getAttribute('data-focus'), sel.childIds.length ? sel.id : (sel.parentId ?? ''));

  // Clicking a row selects it.
  await list.locator(`li[data-node-id="${r0}"] .name`).click();
  assert.equal(await lastEvent(page), r0);
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test('untrusted titles stay text; a noise leaf is drawn grey as Unclustered; resize re-lays out', async () => {
  const { page, problems } = await openDemo(SMALL);
  const { nodes } = await tree(page);
  const map = page.locator('cst-treemap');
  const shadowImgs = () => page.evaluate(() => [...document.querySelectorAll('*')].reduce((s, el) => s + (el.shadowRoot?.querySelectorAll('img, script').length ?? 0), 0) + document.querySelectorAll('img').length);
  // In the built tree a node is titled like an XSS payload: zoom to its parent so it is a big tile.
  const xss = Object.values(nodes).find((n) => n.title === XSS);
  await map.evaluate((el, id) => el.zoomTo(id), xss.parentId);
  await settled(page);
  const xssTile = (await tiles(page)).tiles.find((t) => t.id === xss.id);
  assert.ok(xssTile.tooltip.startsWith(XSS));
  const squash = (t) => t.replace(/…$/, '').replace(/\s/g, '');
  assert.ok(squash(xssTile.label).length > 3 && squash(XSS).startsWith(squash(xssTile.label)), `label "${xssTile.label}"`);
  const xssRow = page.locator(`cst-hierarchy-list li[data-node-id="${xss.id}"]`);
  assert.equal((await xssRow.locator('.name').textContent()).trim(), XSS);
  await page.locator('cst-hierarchy-list input.filter').fill('onerror');
  assert.equal(await page.locator('cst-hierarchy-list li mark').first().textContent(), 'onerror');
  await page.locator('cst-hierarchy-list input.filter').fill('');
  // Zoom into the XSS node: its title is in the breadcrumb as text.
  await map.evaluate((el, id) => el.zoomTo(id), xss.id);
  await settled(page);
  assert.equal((await page.locator('cst-treemap nav .crumb.current').textContent()).trim(), XSS);
  assert.equal(await shadowImgs(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  // The demo's noise leaf (under the first root): grey, titled Unclustered in map and list.
  const noise = Object.values(nodes).find((n) => n.isNoise);
  await map.evaluate((el, id) => el.zoomTo(id), noise.parentId);
  await settled(page);
  const noiseTile = (await tiles(page)).tiles.find((t) => t.id === noise.id);
  assert.ok(noiseTile && noiseTile.noise);
  assert.equal(noiseTile.fill, NOISE_COLOR);
  assert.ok(noiseTile.tooltip.startsWith('Unclustered'));
  assert.equal((await page.locator(`cst-hierarchy-list li[data-node-id="${noise.id}"] .name`).textContent()).trim(), 'Unclustered');

  // A small hand-made uneven tree: a big noise leaf as a top-level child, a root that was never
  // split, an untrusted root title. Exact areas, labels and the leaf root's selection.
  const node = (id, level, parentId, childIds, size, extra = {}) => ({ id, level, parentId, childIds, size, title: `Theme ${id}`, description: '', nameSource: 'keywords', keywords: [`kw${id}`], representatives: [], cohesion: 0, ...extra });
  const small = {
    method: 'recursive',
    levels: 3,
    nodes: {
      R: node('R', 3, null, ['A', 'B', 'N'], 600, { title: `${XSS} root` }),
      A: node('A', 2, 'R', ['A1', 'A2'], 300),
      A1: node('A1', 1, 'A', [], 200),
      A2: node('A2', 1, 'A', [], 100),
      B: node('B', 2, 'R', [], 120),
      N: node('N', 2, 'R', [], 180, { isNoise: true, title: 'noise' }),
      S: node('S', 3, null, [], 400),
    },
    roots: ['R', 'S'],
    itemLeaf: [...Array(200).fill(0), ...Array(100).fill(1), ...Array(120).fill(2), ...Array(180).fill(3), ...Array(400).fill(4)],
    leafIds: ['A1', 'A2', 'B', 'N', 'S'],
    promptLog: [],
  };
  await page.evaluate((json) => window.hierarchyDemo.show(json), small);
  await page.locator('cst-treemap[data-tiles="5"]').waitFor();
  let view = await tiles(page);
  assert.deepEqual(view.tiles.map((t) => `${t.depth}:${t.id}`), ['1:R', '2:A', '2:B', '2:N', '1:S']);
  checkAreas(view, small.nodes, ['R', 'S']);
  assert.equal(view.tiles.find((t) => t.id === 'N').fill, NOISE_COLOR);
  assert.equal(view.tiles.find((t) => t.id === 'N').label, 'Unclustered');
  assert.ok(view.tiles.find((t) => t.id === 'R').label.startsWith('<img'));
  await page.locator('cst-treemap').evaluate((el, id) => el.zoomTo(id), 'R');
  await settled(page);
  view = await tiles(page);
  // Noise last whatever its size; its tile is labelled in full.
  assert.deepEqual(view.tiles.filter((t) => t.depth === 1).map((t) => t.id), ['A', 'B', 'N']);
  checkAreas(view, small.nodes, ['A', 'B', 'N']);
  assert.equal(view.tiles.find((t) => t.id === 'N').label, 'Unclustered');
  await shot(page, 'noise');
  // A root that was never split is a leaf: clicking it selects without zooming.
  await page.locator('cst-treemap nav button.crumb', { hasText: 'All themes' }).click();
  await settled(page);
  await page.locator('cst-treemap g.layer g.tile[data-node-id="S"]').click();
  assert.equal(await lastEvent(page), 'S');
  assert.equal(await page.locator('cst-treemap').getAttribute('data-focus'), '');
  assert.equal(await page.locator('cst-hierarchy-list li.selected').getAttribute('data-node-id'), 'S');
  assert.equal(await page.locator('cst-hierarchy-list li[data-node-id="N"] .name').textContent(), 'Unclustered');

  // Resize: the map is laid out again for its new size.
  const w0 = view.width;
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.waitForFunction((w0) => {
    const svg = document.querySelector('cst-treemap').shadowRoot.querySelector('svg');
    const drawn = Number(svg.getAttribute('viewBox').split(' ')[2]);
    return Math.abs(drawn - w0) > 2 && Math.abs(drawn - svg.getBoundingClientRect().width) <= 1;
  }, w0);
  view = await tiles(page);
  assert.ok(view.width < w0);
  checkAreas(view, small.nodes, ['R', 'S']);
  await shot(page, 'resized');

  assert.equal(await shadowImgs(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(problems.dialogs, []);
  assert.deepEqual(problems.errors, []);
  await page.close();
});
