// Demo page for the hierarchy views: a HERCULES tree built in the page over synthetic vectors of a
// 5 × 4 × 5 topic tree (keyword names), with a noise leaf and a node titled like an XSS payload.
// Query parameters: ?n=7500 texts, ?levels=100,20,5, ?seed=7, ?noise=0 (no noise leaf), ?xss=0,
// ?src=URL (show a run JSON or hierarchy JSON instead). window.hierarchyDemo.show(json) swaps in
// any tree (a HierarchyJson) and records each node-select in .events.
import '../../../src/app/views/index';
import { applyTheme } from '../../../src/app/theme';
import type { NodeSelectEvent } from '../../../src/app/views/events';
import { buildHercules } from '../../../src/core/hierarchy/hercules';
import { hierarchyFromJson, validateHierarchy, type Hierarchy, type HierarchyJson } from '../../../src/core/hierarchy/tree';
import { makeRng } from '../../../src/core/random';
import { fromRows } from '../../../src/core/vectors';
import { runFromJson } from '../../../src/io/run-json';

export const XSS_TITLE = '<img src=x onerror=window.__xss=1>';

type Topic = [string, [string, string[]][]];
const TOPICS: Topic[] = [
  ['sports', [['hockey', ['puck', 'goalie', 'playoffs', 'rink', 'skates']], ['baseball', ['pitcher', 'inning', 'batting', 'homerun', 'umpire']], ['motorsport', ['engine', 'racing', 'lap', 'pitstop', 'grid']], ['cycling', ['bike', 'tour', 'climb', 'sprint', 'peloton']]]],
  ['computing', [['graphics', ['render', 'shader', 'pixel', 'polygon', 'texture']], ['hardware', ['motherboard', 'cpu', 'memory', 'drive', 'bios']], ['windows', ['driver', 'registry', 'dos', 'install', 'desktop']], ['crypto', ['encryption', 'clipper', 'key', 'cipher', 'privacy']]]],
  ['science', [['space', ['shuttle', 'orbit', 'nasa', 'launch', 'satellite']], ['medicine', ['doctor', 'disease', 'patient', 'treatment', 'vaccine']], ['electronics', ['circuit', 'voltage', 'resistor', 'amplifier', 'solder']], ['physics', ['quantum', 'particle', 'energy', 'relativity', 'photon']]]],
  ['politics', [['guns', ['firearm', 'rifle', 'amendment', 'militia', 'handgun']], ['mideast', ['israel', 'arab', 'peace', 'border', 'treaty']], ['elections', ['vote', 'ballot', 'campaign', 'senate', 'candidate']], ['economy', ['tax', 'budget', 'deficit', 'jobs', 'inflation']]]],
  ['religion', [['christianity', ['church', 'bible', 'jesus', 'prayer', 'faith']], ['atheism', ['atheist', 'god', 'belief', 'evidence', 'argument']], ['buddhism', ['meditation', 'karma', 'monk', 'temple', 'dharma']], ['philosophy', ['ethics', 'morality', 'reason', 'truth', 'mind']]]],
];
const FILLER = ['today', 'people', 'thing', 'week', 'really', 'time', 'think', 'know', 'question', 'anyone', 'help', 'thanks'];

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** n texts and vectors from the topic tree: topic, sub-topic and leaf directions plus noise; uneven leaf sizes. */
export function syntheticCorpus(n: number, seed: number): { texts: string[]; rows: number[][] } {
  const rng = makeRng(seed);
  const leaves: { s: number; t: number; word: string; dir: number[]; weight: number }[] = [];
  TOPICS.forEach(([, subs], s) =>
    subs.forEach(([, words], t) =>
      words.forEach((word) => leaves.push({ s, t, word, dir: Array.from({ length: 16 }, () => gaussian(rng)), weight: Math.exp(0.8 * gaussian(rng)) * (s === 3 ? 0.6 : 1) })),
    ),
  );
  const totalWeight = leaves.reduce((a, l) => a + l.weight, 0);
  const texts: string[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    let u = rng() * totalWeight;
    let leaf = leaves[leaves.length - 1];
    for (const l of leaves) if ((u -= l.weight) <= 0) ((leaf = l), (u = Infinity));
    const v = new Array<number>(5 + 20 + 16).fill(0).map(() => 0.5 * gaussian(rng));
    v[leaf.s] += 14;
    v[5 + 4 * leaf.s + leaf.t] += 6;
    const norm = Math.hypot(...leaf.dir);
    leaf.dir.forEach((d, j) => (v[25 + j] += (2.6 * d) / norm));
    rows.push(v);
    const [topic, subs] = TOPICS[leaf.s];
    const f = () => FILLER[Math.floor(rng() * FILLER.length)];
    texts.push(`${f()} ${leaf.word} ${subs[leaf.t][0]} ${leaf.word} ${f()} ${rng() < 0.5 ? topic : f()} ${f()} (#${i + 1})`);
  }
  return { texts, rows };
}

/**
 * Moves a share of one leaf's items under `parentId` into a new noise leaf child of it (as a
 * density method keeps its noise), fixing the sizes and representatives on the way.
 */
export function addNoiseLeaf(h: Hierarchy, parentId: string, share: number): Hierarchy {
  const nodes = structuredClone(h.nodes);
  const parent = nodes[parentId];
  let from = parent;
  while (from.childIds.length > 0) from = nodes[from.childIds[from.childIds.length - 1]];
  const fromLeaf = h.leafIds.indexOf(from.id);
  const id = `${parentId}-noise`;
  const leafIds = [...h.leafIds, id];
  const itemLeaf = h.itemLeaf.slice();
  const moved = new Set<number>();
  const want = Math.max(1, Math.floor(from.size * share));
  for (let i = 0; i < itemLeaf.length && moved.size < want; i++) if (itemLeaf[i] === fromLeaf) (itemLeaf[i] = leafIds.length - 1), moved.add(i);
  for (let n = from; n !== parent; n = nodes[n.parentId as string]) {
    n.size -= moved.size;
    n.representatives = n.representatives.filter((r) => !moved.has(r));
  }
  nodes[id] = {
    id, level: 1, parentId, childIds: [], size: moved.size, title: 'Noise', description: '', nameSource: 'keywords',
    keywords: [], representatives: [...moved].slice(0, 5), cohesion: 0, isNoise: true,
  };
  parent.childIds = [...parent.childIds, id];
  return { ...h, nodes, leafIds, itemLeaf };
}

const params = new URLSearchParams(location.search);
const treemap = document.querySelector('cst-treemap')!;
const list = document.querySelector('cst-hierarchy-list')!;
const info = document.getElementById('info')!;
const selectedEl = document.getElementById('selected')!;
const events: (string | null)[] = [];
let current: Hierarchy | null = null;

function show(h: Hierarchy): void {
  const problems = validateHierarchy(h);
  if (problems.length) console.error('invalid hierarchy', problems);
  current = h;
  treemap.selectedNodeId = null;
  list.selectedNodeId = null;
  treemap.hierarchy = h;
  list.hierarchy = h;
  selectedEl.textContent = 'none';
}

document.addEventListener('node-select', (e: NodeSelectEvent) => {
  const id = e.detail.nodeId;
  events.push(id);
  treemap.selectedNodeId = id;
  list.selectedNodeId = id;
  selectedEl.textContent = id === null || !current ? 'none' : `${current.nodes[id]?.title ?? id} (${id})`;
});

async function load(): Promise<Hierarchy> {
  const src = params.get('src');
  if (src) {
    const text = await (await fetch(src)).text();
    const raw = JSON.parse(text) as { schema?: number; hierarchy?: HierarchyJson } & Partial<HierarchyJson>;
    if (raw.schema !== undefined) {
      const run = runFromJson(text);
      if (!run.hierarchy) throw new Error(`${src} has no hierarchy`);
      return run.hierarchy;
    }
    return hierarchyFromJson(raw.hierarchy ?? (raw as HierarchyJson));
  }
  const n = Number(params.get('n') ?? 7500);
  const levels = (params.get('levels') ?? '100,20,5').split(',').map(Number);
  const { texts, rows } = syntheticCorpus(n, Number(params.get('seed') ?? 7));
  let h = await buildHercules(fromRows(rows), texts, { levelClusterCounts: levels, mode: 'direct', engine: null, seed: 11, keepCentroids: false });
  if (params.get('noise') !== '0') h = addNoiseLeaf(h, h.roots[0], 0.4);
  if (params.get('xss') !== '0') {
    const root = h.nodes[h.roots[1] ?? h.roots[0]];
    const target = root.childIds.length ? h.nodes[root.childIds[0]] : root;
    target.title = XSS_TITLE;
  }
  return h;
}

applyTheme();
const t0 = performance.now();
const built = await load();
const ms = performance.now() - t0;
show(built);
info.textContent = `${built.itemLeaf.length.toLocaleString()} texts · ${Object.keys(built.nodes).length} nodes · ${built.levels} levels · built in ${(ms / 1000).toFixed(1)} s`;
document.body.dataset.ready = '';

declare global {
  interface Window {
    hierarchyDemo: { hierarchy: () => Hierarchy | null; show: (json: HierarchyJson) => void; events: (string | null)[]; buildMs: number };
    __xss?: unknown;
  }
}
window.hierarchyDemo = { hierarchy: () => current, show: (json) => show(hierarchyFromJson(json)), events, buildMs: ms };
