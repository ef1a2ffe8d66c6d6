// Demo page for the analysis views: two synthetic runs over the same labelled texts. Run A follows
// the labels closely (one cluster per label, ids shuffled so the diagonal needs the matching);
// run B has fewer clusters, so some labels share one. With ?ka above ?L, run A splits labels. One cluster name and one label look like
// XSS payloads. Query parameters: ?n=1500 texts, ?L=12 labels, ?ka=12 and ?kb=9 clusters,
// ?labels=0 (no label column), ?same=0 (B drops the last text, so agreement cannot be computed).
import '../../../src/app/views/confusion-view';
import '../../../src/app/views/run-compare';
import { applyTheme } from '../../../src/app/theme';
import type { ClusterSelectEvent } from '../../../src/app/views/events';
import { compareRuns } from '../../../src/core/compare';
import { contingency, externalMetrics, hungarian } from '../../../src/core/metrics/external';
import { homogeneityCompletenessV } from '../../../src/core/metrics/vmeasure';
import { makeRng } from '../../../src/core/random';
import type { ClusterSummary, EmbedderInfo, RunRecord } from '../../../src/core/types';

export const XSS_NAME = '<img src=x onerror=alert(1)> Card payments';
export const XSS_LABEL = '<svg onload=alert(2)>';

const THEMES = [
  'card_payment_declined', 'refund_request', 'lost_or_stolen_card', 'exchange_rate', 'top_up_failed', 'verify_identity',
  'atm_withdrawal', 'pin_blocked', 'card_delivery', 'transfer_not_received', 'direct_debit', 'close_account',
];
const WORDS = ['card', 'refund', 'stolen', 'rate', 'top-up', 'identity', 'atm', 'pin', 'delivery', 'transfer', 'debit', 'close'];

function labelName(l: number): string {
  if (l === 1) return XSS_LABEL;
  const base = THEMES[l % THEMES.length];
  return l < THEMES.length ? base : `${base}_${Math.floor(l / THEMES.length) + 1}`;
}

function shuffled(k: number, rng: () => number): number[] {
  const p = Array.from({ length: k }, (_, i) => i);
  for (let i = k - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function summaries(assignments: Int32Array, k: number, labels: string[], name: (c: number, top: string) => string): ClusterSummary[] {
  const out: ClusterSummary[] = [];
  for (let c = 0; c < k; c++) {
    const counts = new Map<string, number>();
    const reps: number[] = [];
    for (let i = 0; i < assignments.length; i++) {
      if (assignments[i] !== c) continue;
      counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
      if (reps.length < 5) reps.push(i);
    }
    const top = [...counts].sort((x, y) => y[1] - x[1])[0]?.[0] ?? '';
    const size = [...counts.values()].reduce((s, x) => s + x, 0);
    out.push({ id: c, size, keywords: top.split('_'), representatives: reps, cohesion: 0.5, name: name(c, top) });
  }
  return out;
}

function pretty(label: string): string {
  const s = label.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function syntheticRuns(n: number, L: number, ka: number, kb: number, seed = 5) {
  const rng = makeRng(seed);
  const permA = shuffled(Math.max(L, ka), rng);
  const permB = shuffled(kb, rng);
  const texts: string[] = [];
  const labelIds: number[] = [];
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // Uneven label sizes, as in real data.
    const l = Math.min(L - 1, Math.floor(L * Math.pow(rng(), 1.3)));
    labelIds.push(l);
    // With more clusters than labels, the first labels are split in two (the extra clusters).
    const split = ka > L && l < ka - L && rng() < 0.4;
    a[i] = rng() < 0.82 ? permA[split ? L + l : l] % ka : Math.floor(rng() * ka);
    b[i] = rng() < 0.75 ? permB[l % kb] : Math.floor(rng() * kb);
    const w = WORDS[l % WORDS.length];
    texts.push(i === 0 ? '<script>alert(3)</script> where is my card' : `Question ${i + 1} about my ${w} ${rng() < 0.5 ? 'today' : 'again'}`);
  }
  const labels = labelIds.map(labelName);
  const embA: EmbedderInfo = { id: 'glove-sif', model: 'glove-6B-100d-sif', dtype: 'fp32', device: 'cpu', dims: 100 };
  const embB: EmbedderInfo = { id: 'transformers', model: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8', device: 'wasm', dims: 384 };
  let xssGiven = false;
  const clustersA = summaries(a, ka, labels, (c, top) => {
    if (!xssGiven && top === THEMES[0]) {
      xssGiven = true;
      return XSS_NAME;
    }
    return `${pretty(top)} (${c})`;
  });
  const clustersB = summaries(b, kb, labels, (c, top) => `Topic ${c}: ${pretty(top).toLowerCase()}`);
  const base = (id: string, name: string, assignments: Int32Array, clusters: ClusterSummary[], emb: EmbedderInfo, k: number): RunRecord => ({
    schema: 1,
    id,
    name,
    createdAt: Date.UTC(2025, 0, id === 'a' ? 14 : 15, 10, 30),
    datasetName: 'synthetic-banking',
    stats: { rows: n, empty: 0, duplicates: 0, kept: n },
    config: { method: 'kmeans', k, seed: id === 'a' ? 42 : 7, embedder: emb, labelField: 'label', textField: 'text' },
    texts,
    labels,
    assignments,
    coords: new Float32Array(2 * n),
    clusters,
    embedStats: { cached: id === 'a' ? n : 0, embedded: id === 'a' ? 0 : n, device: emb.device },
    timings: id === 'a' ? { load: 0.12, embed: 1.8, cluster: 0.64, explain: 0.21 } : { load: 0.1, embed: 24.5, reduce: 0.9, cluster: 0.41, explain: 0.2 },
  });
  const runA = base('a', 'GloVe SIF, k = 12 <i>tuned</i>', a, clustersA, embA, ka);
  const runB = base('b', `MiniLM, k = ${kb}`, b, clustersB, embB, kb);
  runA.metrics = { ...externalMetrics(labels, a), ...homogeneityCompletenessV(labels, a) };
  runB.metrics = externalMetrics(labels, b); // no V-measure: shows as missing
  runA.quality = { silhouette: 0.061, silhouetteRows: n, daviesBouldin: 3.1, calinskiHarabasz: 41.5, noiseRatio: 0 };
  runB.quality = { silhouette: 0.083, silhouetteRows: n, daviesBouldin: 2.7, calinskiHarabasz: 38.2, noiseRatio: 0 };
  return { runA, runB };
}

const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? 1500);
const L = Number(params.get('L') ?? 12);
const ka = Number(params.get('ka') ?? L);
const kb = Number(params.get('kb') ?? 9);
const { runA, runB } = syntheticRuns(n, L, ka, kb);
if (params.get('labels') === '0') {
  delete runA.labels;
  delete runA.metrics;
}
if (params.get('same') === '0') {
  runB.texts = runB.texts.slice(0, -1);
  runB.assignments = runB.assignments.slice(0, -1);
  if (runB.labels) runB.labels = runB.labels.slice(0, -1);
}

applyTheme();
const conf = document.querySelector('cst-confusion')!;
const cmp = document.querySelector('cst-run-compare')!;
conf.run = runA;
cmp.a = runA;
cmp.b = runB;

const state = { selected: null as number | null, events: 0 };
document.addEventListener('cluster-select', (e: ClusterSelectEvent) => {
  state.selected = e.detail.cluster;
  state.events++;
  conf.selectedCluster = e.detail.cluster;
  document.getElementById('selected')!.textContent = e.detail.cluster === null ? 'none' : String(e.detail.cluster);
});
for (const side of ['a', 'b'] as const) {
  document.getElementById(`show-${side}`)!.addEventListener('click', () => {
    conf.run = side === 'a' ? runA : runB;
    conf.selectedCluster = null;
    document.getElementById('show-a')!.setAttribute('aria-pressed', String(side === 'a'));
    document.getElementById('show-b')!.setAttribute('aria-pressed', String(side === 'b'));
  });
}
document.getElementById('info')!.textContent = `${n.toLocaleString()} synthetic texts, ${L} labels; A has ${ka} clusters, B has ${kb}`;

declare global {
  interface Window {
    analysisDemo: {
      runA: RunRecord;
      runB: RunRecord;
      state: typeof state;
      contingency: typeof contingency;
      hungarian: typeof hungarian;
      compareRuns: typeof compareRuns;
    };
  }
}
window.analysisDemo = { runA, runB, state, contingency, hungarian, compareRuns };
