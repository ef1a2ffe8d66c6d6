/**
 * npm run bench — runs the CLI over the shared datasets with each embedder and prints one table
 * (dataset, method, embedder, LLM, LLM calls, K, ACC, NMI, ARI, seconds, peak memory, stages) plus
 * bench-results/bench.json. BENCH_LLM=0 leaves out the runs with the (test-server) LLM.
 * Figures are printed, not asserted. Each configuration runs in its own process so peak memory is
 * its own. Filter with BENCH_DATASETS=banking77,… and BENCH_EMBEDDERS=glove-sif,….
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startOpenAiTestServer } from '../support/openai-test-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs a command to the end, collecting its output (like spawnSync, without blocking this process). */
function run(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const shared = join(root, '../shared/datasets');

const DATASETS: { name: string; file: string; k: number }[] = [
  { name: 'banking77', file: 'banking77/banking77.jsonl', k: 77 },
  { name: 'massive_intent', file: 'massive_intent/massive_intent.jsonl', k: 59 },
  { name: 'stackoverflow', file: 'stackoverflow/stackoverflow.jsonl', k: 20 },
  { name: 'searchsnippets', file: 'searchsnippets/searchsnippets.jsonl', k: 8 },
  { name: '20newsgroups', file: '20newsgroups/20newsgroups.jsonl', k: 20 },
];
const EMBEDDERS = ['glove-sif', 'tfidf-lsa', 'use'];
/**
 * Hierarchies benchmarked besides flat k-means (no LLM): HERCULES levels 100,20,5 and the recursive
 * UMAP + HDBSCAN tree (seed 003 defaults), each scored at the level whose cluster count is nearest
 * the true K.
 */
const HIERARCHIES: { dataset: string; embedder: string; method: 'hercules' | 'recursive'; levels?: string }[] = [
  { dataset: '20newsgroups', embedder: 'glove-sif', method: 'hercules', levels: '100,20,5' },
  { dataset: '20newsgroups', embedder: 'glove-sif', method: 'recursive' },
];
/**
 * Runs with an LLM. No model weights exist on these machines, so the LLM is the local
 * OpenAI-compatible test server (tests/support/openai-test-server.mjs): deterministic, it names
 * clusters from their keywords and answers the methods' prompts by word overlap. The rows measure
 * the pipeline and its cost in calls, not what a real LLM would reach; the LLM column says so.
 */
const WITH_LLM: { dataset: string; embedder: string; method: 'hercules' | 'clusterfusion' | 'pseudolabels'; extra: string[] }[] = [
  { dataset: '20newsgroups', embedder: 'glove-sif', method: 'hercules', extra: ['--levels', '100,20,5', '--mode', 'description'] },
  { dataset: 'banking77', embedder: 'glove-sif', method: 'clusterfusion', extra: [] },
  { dataset: 'banking77', embedder: 'glove-sif', method: 'pseudolabels', extra: [] },
];
const withLlm = process.env.BENCH_LLM !== '0';

const pick = <T extends string>(env: string | undefined, all: T[]): T[] => (env ? (env.split(',') as T[]).filter((x) => all.includes(x)) : all);
const datasets = DATASETS.filter((d) => pick(process.env.BENCH_DATASETS, DATASETS.map((x) => x.name)).includes(d.name));
const embedders = pick(process.env.BENCH_EMBEDDERS, EMBEDDERS);

interface Row {
  dataset: string;
  method: string;
  embedder: string;
  llm: string;
  k: number;
  n?: number;
  acc?: number;
  nmi?: number;
  ari?: number;
  seconds?: number;
  stages?: Record<string, number>;
  peakRssMB?: number;
  llmCalls?: number;
  error?: string;
}

const rows: Row[] = [];
interface Config {
  d: (typeof DATASETS)[number];
  embedder: string;
  method: 'kmeans' | 'hercules' | 'recursive' | 'clusterfusion' | 'pseudolabels';
  levels?: string;
  /** Extra CLI arguments; with `llm`, the run names (or forms) clusters with the test server. */
  extra?: string[];
  llm?: boolean;
}
const configs: Config[] = [];
for (const d of datasets) {
  for (const e of embedders) configs.push({ d, embedder: e, method: 'kmeans' });
  for (const h of HIERARCHIES) if (h.dataset === d.name && embedders.includes(h.embedder)) configs.push({ d, embedder: h.embedder, method: h.method, levels: h.levels });
  if (withLlm) for (const l of WITH_LLM) if (l.dataset === d.name && embedders.includes(l.embedder)) configs.push({ d, embedder: l.embedder, method: l.method, extra: l.extra, llm: true, levels: l.method === 'hercules' ? '100,20,5' : undefined });
}
const llmServer = configs.some((c) => c.llm) ? await startOpenAiTestServer({}) : null;
const LLM_NAME = 'test server (deterministic)';
for (const { d, embedder: e, method, levels, extra, llm } of configs) {
  const input = join(shared, d.file);
  if (!existsSync(input)) {
    console.error(`skip ${d.name}: ${input} not found`);
    continue;
  }
  const args = ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'cluster', '--input', input, '--text-field', 'text', '--label-field', 'label', '--embedder', e, '--quiet'];
  if (method === 'hercules') args.push('--method', 'hercules', '--levels', levels ?? '100,20,5');
  else if (method === 'recursive') args.push('--method', 'recursive');
  else if (method === 'kmeans') args.push('--k', String(d.k));
  else args.push('--method', method, '--k', String(d.k));
  if (extra) args.push(...extra);
  if (llm && llmServer) args.push('--llm', `openai:${llmServer.url}#constellate-test-llm`);
  const t0 = performance.now();
  // Asynchronous, so the in-process LLM test server keeps answering while the CLI runs.
  const r = await run(process.execPath, args);
  const seconds = (performance.now() - t0) / 1000;
  const label = method === 'hercules' ? `hercules ${levels}${extra?.includes('description') ? ' description' : ''}` : method;
  const row: Row = { dataset: d.name, method: label, embedder: e, llm: llm ? LLM_NAME : '-', k: d.k, seconds: Math.round(seconds * 10) / 10 };
  if (r.status === 0) {
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    Object.assign(row, { n: out.n, acc: out.acc, nmi: out.nmi, ari: out.ari, stages: out.seconds, peakRssMB: out.peakRssMB, llmCalls: out.llmCalls });
    // A hierarchy is scored at the level whose size is nearest the true K (the finer one on ties).
    const perLevel = (out.levels as { level: number; k: number; acc: number; nmi: number; ari: number }[] | undefined) ?? [];
    const level = perLevel.reduce<(typeof perLevel)[number] | undefined>((best, l) => (!best || Math.abs(l.k - d.k) < Math.abs(best.k - d.k) ? l : best), undefined);
    if (level) {
      Object.assign(row, { acc: level.acc, nmi: level.nmi, ari: level.ari });
      if (level.k !== d.k) row.method += ` (level ${level.level}: ${level.k} clusters)`;
    }
  } else {
    row.error = (r.stderr || r.stdout).trim().split('\n').pop();
  }
  rows.push(row);
  console.error(JSON.stringify(row));
}

const f = (x: number | undefined, d = 3) => (x === undefined ? '—' : x.toFixed(d));
await llmServer?.close();
const header = '| dataset | method | embedder | LLM | LLM calls | K | n | ACC | NMI | ARI | seconds | peak MB | stages (s) |';
console.log(header);
console.log(header.replace(/[^|]+/g, '---'));
for (const r of rows) {
  const stages = r.stages ? Object.entries(r.stages).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') : r.error ?? '';
  console.log(`| ${r.dataset} | ${r.method} | ${r.embedder} | ${r.llm} | ${r.llmCalls ?? '—'} | ${r.k} | ${r.n ?? '—'} | ${f(r.acc)} | ${f(r.nmi)} | ${f(r.ari)} | ${f(r.seconds, 1)} | ${r.peakRssMB ?? '—'} | ${stages} |`);
}
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results/bench.json'), JSON.stringify(rows, null, 2));
console.log(`\nwrote bench-results/bench.json`);
