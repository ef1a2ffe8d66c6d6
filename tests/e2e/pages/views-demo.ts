// Demo page for the explorer's views with a synthetic run: Gaussian blobs in 2-D with fake names,
// keywords, texts and labels, including a text that looks like an XSS payload. Query parameters:
// ?n=2000 points, ?k=12 blobs, ?noise=0 share of noise points (cluster −1), ?labels=1.
import '../../../src/app/views/index';
import type { ClusterSummary } from '../../../src/core/types';
import { makeRng } from '../../../src/core/random';
import { applyTheme } from '../../../src/app/theme';
import type { ClusterSelectEvent } from '../../../src/app/views/events';

export const XSS_TEXT = '<img src=x onerror=alert(1)> showed up on my statement instead of the merchant name';

const THEMES: [string, string[]][] = [
  ['Card payments declined', ['card', 'declined', 'payment', 'terminal', 'shop']],
  ['Refund requests', ['refund', 'return', 'money', 'back', 'order']],
  ['Lost or stolen card', ['lost', 'stolen', 'card', 'block', 'freeze']],
  ['Exchange rates', ['exchange', 'rate', 'currency', 'euro', 'fee']],
  ['Top-up failures', ['top-up', 'failed', 'transfer', 'balance', 'pending']],
  ['Account verification', ['verify', 'identity', 'passport', 'selfie', 'documents']],
  ['ATM withdrawals', ['atm', 'cash', 'withdrawal', 'machine', 'limit']],
  ['PIN problems', ['pin', 'blocked', 'reset', 'code', 'wrong']],
  ['Delivery of new card', ['delivery', 'arrive', 'post', 'new', 'card']],
  ['Transfer not received', ['transfer', 'received', 'recipient', 'bank', 'days']],
  ['Direct debits', ['direct', 'debit', 'subscription', 'cancel', 'charge']],
  ['Closing the account', ['close', 'account', 'delete', 'leave', 'data']],
];
const OPENERS = ['Why is my', 'I need help with my', 'Can you explain the', 'Something is wrong with the', 'How do I fix the', 'What happened to my'];
const CLOSERS = ['this morning?', 'again, please help.', 'since yesterday.', 'and nobody answers.', 'on the app.', 'while travelling abroad.'];

function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function theme(c: number): [string, string[]] {
  const [name, words] = THEMES[c % THEMES.length];
  return c < THEMES.length ? [name, words] : [`${name} (${Math.floor(c / THEMES.length) + 1})`, words];
}

export function syntheticRun(n: number, k: number, noise: number, seed = 7) {
  const rng = makeRng(seed);
  const centres = Array.from({ length: k }, () => [gaussian(rng) * 6, gaussian(rng) * 4]);
  const spreads = Array.from({ length: k }, () => 0.4 + rng() * 0.9);
  const texts: string[] = [];
  const labels: string[] = [];
  const assignments = new Int32Array(n);
  const coords = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    // Point 0 is in cluster 0 and closest to its centre, so the XSS-looking text is a representative.
    const isNoise = i > 0 && rng() < noise;
    const c = i === 0 ? 0 : Math.floor(rng() * k);
    const s = i === 0 ? 0 : isNoise ? 5 : spreads[c];
    coords[2 * i] = centres[c][0] + gaussian(rng) * s;
    coords[2 * i + 1] = centres[c][1] + gaussian(rng) * s;
    assignments[i] = isNoise ? -1 : c;
    const [, words] = theme(c);
    const w = () => words[Math.floor(rng() * words.length)];
    texts.push(
      i === 0 ? XSS_TEXT : `${OPENERS[Math.floor(rng() * OPENERS.length)]} ${w()} ${w()} ${CLOSERS[Math.floor(rng() * CLOSERS.length)]} (#${i + 1})`,
    );
    // 10% of ground-truth labels disagree with the blob, as real clusterings do.
    const truth = rng() < 0.1 ? Math.floor(rng() * k) : c;
    labels.push(theme(truth)[0].toLowerCase().replace(/\W+/g, '_'));
  }
  const clusters: ClusterSummary[] = [];
  for (let c = 0; c < k; c++) {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (assignments[i] === c) members.push(i);
    const d = (i: number) => Math.hypot(coords[2 * i] - centres[c][0], coords[2 * i + 1] - centres[c][1]);
    const reps = members.slice().sort((a, b) => d(a) - d(b)).slice(0, 5);
    const [name, words] = theme(c);
    clusters.push({ id: c, size: members.length, keywords: words, representatives: reps, cohesion: 1 / (1 + spreads[c]), name });
  }
  return { texts, labels, assignments, coords, clusters };
}

const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? 2000);
const k = Number(params.get('k') ?? 12);
const noise = Number(params.get('noise') ?? 0);
const withLabels = params.get('labels') !== '0';
const run = syntheticRun(n, k, noise);

applyTheme();
const scatter = document.querySelector('cst-scatter')!;
const list = document.querySelector('cst-cluster-list')!;
const detail = document.querySelector('cst-cluster-detail')!;
const names: string[] = [];
for (const c of run.clusters) names[c.id] = c.name;

scatter.coords = run.coords;
scatter.assignments = run.assignments;
scatter.clusterNames = names;
scatter.texts = run.texts;
list.clusters = run.clusters;
list.texts = run.texts;
detail.clusters = run.clusters;
detail.texts = run.texts;
detail.labels = withLabels ? run.labels : undefined;
detail.assignments = run.assignments;

function select(cluster: number | null): void {
  scatter.selectedCluster = cluster;
  list.selectedCluster = cluster;
  detail.selectedCluster = cluster;
}
document.addEventListener('cluster-select', (e: ClusterSelectEvent) => select(e.detail.cluster));

document.getElementById('info')!.textContent = `${n.toLocaleString()} synthetic texts in ${k} blobs`;

declare global {
  interface Window {
    viewsDemo: { run: typeof run; select: (c: number | null) => void };
  }
}
window.viewsDemo = { run, select };
