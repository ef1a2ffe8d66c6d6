/**
 * A self-contained HTML report of a run (DESIGN §4): one file that opens anywhere, offline, with no
 * request to any server. Inline CSS, one small inline script (search and expand/collapse), the
 * treemap and the map as inline SVG, then every theme with its title, description, keywords and
 * texts, and the LLM prompts and answers behind the names.
 *
 * Safety: every text, title, description, keyword and LLM answer goes through `escapeXml`; nothing
 * from the run is ever written as markup or into the script. A Content-Security-Policy meta tag
 * allows no network at all (default-src 'none'), no images but data: URLs, and only the report's
 * own script (a random nonce), so even a payload that slipped through could neither run nor call out.
 *
 * Size: up to `allTextsUpTo` texts (default 3,000) every text is in the report; above that each
 * finest theme shows `textsPerTheme` (default 25) of its texts, the representatives first, and the
 * report says so. Texts longer than `maxTextChars` are cut (and marked). The map draws at most
 * `maxPoints` points (a seeded sample). The memberships CSV export has every text.
 */
import { runTree } from '../core/assign';
import { getNode, itemsOf, levelCounts, type HierarchyNode, type PromptLogEntry } from '../core/hierarchy/tree';
import type { RunRecord } from '../core/types';
import { nodeColors, nodeTitle, orderedChildren, totalItems } from '../app/views/hierarchy-display';
import { formatShare } from '../app/views/members';
import { escapeXml as esc, mapColouring, scatterSvg, treemapSvg } from '../app/views/view-svg';

export interface ReportOptions {
  allTextsUpTo?: number;
  textsPerTheme?: number;
  maxTextChars?: number;
  maxPoints?: number;
  /** Prompt and answer characters shown per LLM call. */
  maxPromptChars?: number;
  generatedAt?: Date;
  /** The script's CSP nonce (random by default). */
  nonce?: string;
}

const STYLE = `
:root { color-scheme: light; --accent: #3b6cf6; --muted: #5b6475; --border: #e2e5ec; --bg: #f6f7fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; background: var(--bg); }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 1rem 1.4rem; }
header h1 { font-size: 1.45rem; margin: 0.4rem 0 0.2rem; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.figs { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; font-size: 0.9rem; color: var(--muted); }
.figs b { color: #1d2330; font-variant-numeric: tabular-nums; }
section { background: #fff; border: 1px solid var(--border); border-radius: 12px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
section h2 { font-size: 1.1rem; margin: 0 0 0.6rem; }
.figure svg { max-width: 100%; height: auto; display: block; }
.note { font-size: 0.85rem; color: var(--muted); margin: 0.4rem 0; }
table.metrics { border-collapse: collapse; font-size: 0.85rem; font-variant-numeric: tabular-nums; margin-top: 0.5rem; }
table.metrics th, table.metrics td { padding: 0.15rem 0.7rem; border-bottom: 1px solid var(--border); text-align: right; }
table.metrics th:first-child, table.metrics td:first-child { text-align: left; }
.tools { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; margin-bottom: 0.6rem; }
.tools input { font: inherit; padding: 0.3rem 0.5rem; min-width: 16rem; border: 1px solid var(--border); border-radius: 8px; }
.tools button { font: inherit; font-size: 0.85rem; border: 1px solid var(--border); background: #fff; border-radius: 8px; padding: 0.3rem 0.7rem; cursor: pointer; }
details.theme { border-left: 3px solid var(--border); margin: 0.35rem 0 0.35rem 0.2rem; padding-left: 0.7rem; }
details.theme > summary { cursor: pointer; padding: 0.15rem 0; }
details.theme > summary .t { font-weight: 600; overflow-wrap: anywhere; }
details.theme > summary .n { color: var(--muted); font-size: 0.85rem; font-variant-numeric: tabular-nums; margin-left: 0.4rem; }
.swatch { display: inline-block; width: 0.7rem; height: 0.7rem; border-radius: 3px; margin-right: 0.35rem; vertical-align: -1px; }
.desc { margin: 0.2rem 0; overflow-wrap: anywhere; }
.kw { font-size: 0.85rem; color: var(--muted); overflow-wrap: anywhere; }
.kw span { display: inline-block; background: #eef3ff; color: #2c4fb8; border-radius: 6px; padding: 0 0.35rem; margin: 0.1rem 0.2rem 0.1rem 0; }
ol.texts { margin: 0.3rem 0 0.5rem; padding-left: 1.4rem; font-size: 0.9rem; }
ol.texts li { margin: 0.15rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.texts li.rep::marker { color: var(--accent); font-weight: 700; }
.hidden { display: none !important; }
details.call { border: 1px solid var(--border); border-radius: 8px; padding: 0.3rem 0.6rem; margin: 0.3rem 0; font-size: 0.85rem; }
details.call pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f7fb; padding: 0.5rem; border-radius: 6px; max-height: 24rem; overflow: auto; }
footer { font-size: 0.8rem; color: var(--muted); }
`;

// Reads nothing from the run: filters the text list by the search box, opens or closes every theme.
const SCRIPT = `
(function () {
  var q = document.getElementById('q');
  var items = Array.prototype.slice.call(document.querySelectorAll('li.text'));
  var themes = Array.prototype.slice.call(document.querySelectorAll('details.theme'));
  var count = document.getElementById('matches');
  function filter() {
    var s = q.value.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (li) {
      var hit = !s || li.textContent.toLowerCase().indexOf(s) >= 0;
      li.classList.toggle('hidden', !hit);
      if (hit) shown++;
    });
    if (s) themes.forEach(function (d) { d.open = d.querySelector('li.text:not(.hidden)') !== null; });
    count.textContent = s ? shown + ' matching texts' : '';
  }
  q.addEventListener('input', filter);
  document.getElementById('open-all').addEventListener('click', function () { themes.forEach(function (d) { d.open = true; }); });
  document.getElementById('close-all').addEventListener('click', function () { themes.forEach(function (d) { d.open = false; }); });
})();
`;

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fmt(x: number | null | undefined, digits = 3): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—';
}

function cut(text: string, max: number): { text: string; cut: boolean } {
  return text.length > max ? { text: `${text.slice(0, max)}…`, cut: true } : { text, cut: false };
}

/** Which texts of a leaf the report lists: all of them, or the representatives first then an even spread. */
function leafTexts(node: HierarchyNode, members: number[], limit: number): number[] {
  if (members.length <= limit) return [...node.representatives.filter((r) => members.includes(r)), ...members.filter((m) => !node.representatives.includes(m))];
  const out = node.representatives.filter((r) => members.includes(r)).slice(0, limit);
  const chosen = new Set(out);
  const rest = members.filter((m) => !chosen.has(m));
  const need = limit - out.length;
  for (let j = 0; j < need && rest.length > 0; j++) out.push(rest[Math.floor((j * rest.length) / need)]);
  return out;
}

/** The report as one HTML document (a string). */
export function htmlReport(run: RunRecord, opts: ReportOptions = {}): string {
  const nonce = opts.nonce ?? randomNonce();
  const allUpTo = opts.allTextsUpTo ?? 3000;
  const perTheme = opts.textsPerTheme ?? 25;
  const maxChars = opts.maxTextChars ?? 1500;
  const tree = runTree(run);
  const flat = !run.hierarchy;
  const n = run.texts.length;
  const everyText = n <= allUpTo;
  const limit = everyText ? Infinity : perTheme;
  const colour = mapColouring(run);
  const treemapTitle = flat ? 'Clusters by size' : 'Themes (top two levels)';
  const treemap = treemapSvg(tree, { width: 1100, height: 560 });
  const scatter = scatterSvg(run.coords, colour.assignments, { width: 1100, height: 640, names: colour.names, colors: colour.colors, maxPoints: opts.maxPoints ?? 8000 });
  const scatterNote = n > (opts.maxPoints ?? 8000) ? `A seeded sample of ${(opts.maxPoints ?? 8000).toLocaleString('en-US')} of the ${n.toLocaleString('en-US')} texts is drawn.` : '';
  let listed = 0;
  let cutTexts = 0;
  const colours = nodeColors(tree);
  const leafIndex = new Map(tree.leafIds.map((id, i) => [id, i]));

  // A leaf lists its texts (class "text", counted and searched); an inner theme shows a few of its
  // representatives again (class "sample").
  const renderTexts = (ids: number[], reps: Set<number>, leaf: boolean): string =>
    `<ol class="texts">${ids
      .map((i) => {
        const t = cut(run.texts[i], maxChars);
        if (leaf) {
          if (t.cut) cutTexts++;
          listed++;
        }
        const id = run.ids?.[i];
        return `<li class="${leaf ? 'text' : 'sample'}${reps.has(i) ? ' rep' : ''}" data-item="${i}"${id !== undefined ? ` title="id ${esc(id)}"` : ''}>${esc(t.text)}</li>`;
      })
      .join('')}</ol>`;

  const renderNode = (id: string, depth: number): string => {
    const node = getNode(tree, id);
    const kids = orderedChildren(tree, id);
    const share = formatShare(node.size, totalItems(tree));
    const kw = node.isNoise ? '' : `<div class="kw">${node.keywords.slice(0, 10).map((k) => `<span>${esc(k)}</span>`).join('')}</div>`;
    const desc = node.description ? `<p class="desc">${esc(node.description)}</p>` : '';
    const cohesion = node.isNoise ? '' : ` · cohesion ${fmt(node.cohesion, 2)}`;
    let body: string;
    if (kids.length === 0 && leafIndex.has(id)) {
      const members = itemsOf(tree, id);
      const shown = leafTexts(node, members, limit);
      const more = shown.length < members.length ? `<p class="note">${shown.length.toLocaleString('en-US')} of its ${members.length.toLocaleString('en-US')} texts, representatives first.</p>` : '';
      body = `${more}${renderTexts(shown, new Set(node.representatives), true)}`;
    } else {
      const reps = node.representatives.slice(0, 5);
      body = `${reps.length ? `<p class="note">Representative texts</p>${renderTexts(reps, new Set(reps), false)}` : ''}${kids.map((c) => renderNode(c, depth + 1)).join('')}`;
    }
    const sw = depth === 0 ? `<span class="swatch" style="background:${colours.get(id) ?? '#ccc'}"></span>` : '';
    return `<details class="theme" data-node-id="${esc(id)}" data-level="${node.level}"${depth === 0 ? ' open' : ''}><summary>${sw}<span class="t">${esc(nodeTitle(node))}</span><span class="n">${node.size.toLocaleString('en-US')} texts · ${share}${cohesion}</span></summary>${desc}${kw}${body}</details>`;
  };
  const themes = orderedChildren(tree, null).map((id) => renderNode(id, 0)).join('');

  const log: PromptLogEntry[] = run.hierarchy?.promptLog ?? run.promptLog ?? [];
  const maxPrompt = opts.maxPromptChars ?? 4000;
  const calls = log
    .filter((e) => e.messages.length > 0 || e.answer !== undefined)
    .map((e) => {
      const prompt = cut(e.messages.map((m) => `[${m.role}]\n${m.content}`).join('\n\n'), maxPrompt).text;
      const answer = e.answer !== undefined ? cut(e.answer, maxPrompt).text : '';
      return `<details class="call" data-seq="${e.seq}"><summary>Call ${e.seq + 1}${e.level !== undefined ? ` · level ${e.level}` : ''} · ${esc(e.ids.join(', '))} · ${esc(e.outcome)}</summary><p class="note">Prompt</p><pre>${esc(prompt)}</pre><p class="note">Answer</p><pre class="answer">${esc(answer || e.error || '(no answer)')}</pre></details>`;
    })
    .join('');

  const c = run.config;
  const method = run.hierarchy ? `${run.hierarchy.method === 'hercules' ? 'HERCULES' : 'recursive'} hierarchy, ${[...levelCounts(tree)].reverse().join(' › ')} themes` : `k-means, k = ${c.k}`;
  const q = run.quality;
  const m = run.metrics;
  const levelsRows = [...(run.levels ?? [])]
    .reverse()
    .map((l) => `<tr><td>level ${l.level}</td><td>${l.clusters}</td><td>${fmt(l.silhouette)}</td>${m ? `<td>${fmt(l.acc)}</td><td>${fmt(l.nmi)}</td><td>${fmt(l.ari)}</td>` : ''}</tr>`)
    .join('');
  const metrics = `<div class="figs">
    ${q ? `<span>silhouette <b>${fmt(q.silhouette)}</b></span><span>Davies–Bouldin <b>${fmt(q.daviesBouldin)}</b></span><span>Calinski–Harabasz <b>${fmt(q.calinskiHarabasz, 1)}</b></span>` : ''}
    ${m ? `<span>ACC <b>${fmt(m.acc)}</b></span><span>NMI <b>${fmt(m.nmi)}</b></span><span>ARI <b>${fmt(m.ari)}</b></span>${m.vMeasure !== undefined ? `<span>V-measure <b>${fmt(m.vMeasure)}</b></span>` : ''}` : ''}
  </div>${levelsRows ? `<table class="metrics"><thead><tr><th>level</th><th>themes</th><th>silhouette</th>${m ? '<th>ACC</th><th>NMI</th><th>ARI</th>' : ''}</tr></thead><tbody>${levelsRows}</tbody></table>` : ''}`;

  const when = (opts.generatedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 16);
  const orphans = tree.itemLeaf.reduce((k, l) => k + (l < 0 ? 1 : 0), 0);
  const sampling = everyText
    ? orphans > 0
      ? `Every text in a theme is listed under it; ${orphans.toLocaleString('en-US')} of the ${n.toLocaleString('en-US')} texts belong to no theme and are not listed.`
      : `Every one of the ${n.toLocaleString('en-US')} texts is listed under its theme.`
    : `To keep this file small, each finest theme lists up to ${perTheme} of its texts (representatives first): ${listed.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} texts are shown. The memberships CSV export has every text.`;
  const cutNote = cutTexts > 0 ? ` ${cutTexts.toLocaleString('en-US')} long texts are cut at ${maxChars.toLocaleString('en-US')} characters (marked …).` : '';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Constellate">
<title>${esc(run.name)} · Constellate report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<div class="muted">Constellate report</div>
<h1 id="run-name">${esc(run.name)}</h1>
<div class="figs">
<span>data <b>${esc(run.datasetName)}</b></span>
<span>texts <b id="n-texts">${n.toLocaleString('en-US')}</b></span>
<span>method <b>${esc(method)}</b></span>
<span>embedder <b>${esc(c.embedder.id)}</b> · ${esc(c.embedder.model)}</span>
<span>names <b>${esc(c.llm ? c.llm.model : 'keywords')}</b></span>
<span>made <b>${esc(new Date(run.createdAt).toISOString().slice(0, 10))}</b></span>
</div>
</header>
<main>
<section id="quality"><h2>Quality</h2>${metrics}</section>
<section id="treemap" class="figure"><h2>${treemapTitle}</h2><p class="note">Area is the number of texts.${flat ? '' : ' Each top-level theme has a colour; its sub-themes are nested inside it. The full tree is listed below.'}</p>${treemap}</section>
<section id="map" class="figure"><h2>Map of the texts</h2><p class="note">Each dot is a text placed by ${esc((c.projection ?? 'pca').toUpperCase())}, coloured by its ${flat ? 'cluster' : 'finest theme'}. ${scatterNote}</p>${scatter}</section>
<section id="themes"><h2>${flat ? 'Clusters' : 'Themes'} and their texts</h2>
<p class="note" id="sampling">${sampling}${cutNote}</p>
<div class="tools"><input id="q" type="search" placeholder="Search the texts" aria-label="Search the texts"><button id="open-all" type="button">Open all</button><button id="close-all" type="button">Close all</button><span id="matches" class="muted"></span></div>
${themes}
</section>
${calls ? `<section id="prompts"><h2>How the names were written</h2><p class="note">Every prompt sent to ${esc(c.llm?.model ?? 'the LLM')} and its answer, as kept in the run (each cut at ${maxPrompt.toLocaleString('en-US')} characters).</p>${calls}</section>` : ''}
</main>
<footer>Made with Constellate on ${esc(when)} UTC. This file is self-contained and makes no network requests.</footer>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
