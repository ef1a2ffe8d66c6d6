/**
 * The LLM-in-the-loop methods on banking77 (3,080 texts, 77 intents, K = 77) with glove-sif
 * vectors: ClusterFusion and shared pseudo-labels, plus plain k-means on the same vectors for
 * reference, and the neighbour search (exact vs IVF, with recall). The "LLM" is the deterministic
 * test responder tests/support/method-answers.mjs (word statistics, no language model), so the
 * scores measure the plumbing and the cost figures, not what a real LLM would reach.
 * Run: npx tsx tests/bench/methods-bench.ts   (BENCH_N=1000 for a quicker subset)
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWordVectorsNode } from '../../src/cli/wordvectors-node';
import { kmeans } from '../../src/core/cluster/kmeans';
import { embedWithCache } from '../../src/core/embed/cached';
import { GloveSifEmbedder } from '../../src/core/embed/sif';
import { estimateMessagesTokens, estimateTokens } from '../../src/core/llm/engine';
import { ScriptedEngine } from '../../src/core/llm/scripted';
import { externalMetrics } from '../../src/core/metrics/external';
import { clusterFusion, estimateClusterFusionCost, type ClusterFusionSettings } from '../../src/core/methods/clusterfusion';
import { meanTextTokens as meanTokens, type MethodCostEstimate } from '../../src/core/methods/common';
import { exactKnn, ivfKnn, knnRecall } from '../../src/core/methods/knn';
import { estimatePseudoLabelCost, pseudoLabels, type PseudoLabelSettings } from '../../src/core/methods/pseudolabels';
import type { Matrix } from '../../src/core/types';
import { answerMethodPrompt } from '../support/method-answers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const FILE = join(root, '../shared/datasets/banking77/banking77.jsonl');
const K = 77;
const CONTEXT = 16384;

function load(): { texts: string[]; labels: string[] } {
  const rows = readFileSync(FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { text: string; label: string });
  const limit = Number(process.env.BENCH_N ?? rows.length);
  // An even subset keeps every intent: every ⌈n/limit⌉-th row.
  const step = Math.max(1, Math.floor(rows.length / limit));
  const kept = rows.filter((_, i) => i % step === 0).slice(0, limit);
  return { texts: kept.map((r) => r.text), labels: kept.map((r) => r.label) };
}

const r3 = (x: number): string => x.toFixed(3);
const secs = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

function engine(contextTokens = CONTEXT): ScriptedEngine {
  return new ScriptedEngine(
    (messages) => answerMethodPrompt(messages) ?? new Error('not a method prompt'),
    { id: 'test-responder', model: 'method-answers.mjs', contextTokens },
  );
}

function sentTokens(e: ScriptedEngine): { prompt: number; answer: number } {
  let prompt = 0;
  let answer = 0;
  for (const c of e.calls) {
    prompt += estimateMessagesTokens(c.messages);
    answer += c.reply ? estimateTokens(c.reply) : 0;
  }
  return { prompt, answer };
}

function costLine(est: MethodCostEstimate, e: ScriptedEngine, seconds: number): string {
  const t = sentTokens(e);
  return (
    `  LLM calls ${e.calls.length} (estimated ${est.exact ? '' : '≤ '}${est.calls}); ` +
    `tokens prompt ${t.prompt.toLocaleString('en')} + answer ${t.answer.toLocaleString('en')} ` +
    `(estimated ${est.exact ? '' : '≤ '}${est.promptTokens.toLocaleString('en')} + ${est.answerTokens.toLocaleString('en')}); ${seconds} s`
  );
}

function metricsLine(labels: string[], a: Int32Array, k: number): string {
  const m = externalMetrics(labels, a);
  return `  k ${k}: ACC ${r3(m.acc)}  NMI ${r3(m.nmi)}  ARI ${r3(m.ari)}`;
}

async function main(): Promise<void> {
  const { texts, labels } = load();
  const n = texts.length;
  console.log(`banking77: ${n} texts, K = ${K}, glove-sif vectors, engine context ${CONTEXT} tokens`);
  console.log('NOTE: the "LLM" is the deterministic test responder tests/support/method-answers.mjs (word overlap, no language model).');
  console.log('      Scores show that the methods run end to end and what they cost in calls and tokens, not what a real LLM reaches.\n');

  let t0 = performance.now();
  const embedder = new GloveSifEmbedder(await loadWordVectorsNode());
  const { vectors } = await embedWithCache(embedder, texts, null);
  const embedCorpus = async (t: string[]): Promise<Matrix> => (await embedWithCache(embedder, t, null)).vectors;
  console.log(`embedded in ${secs(t0)} s (${vectors.cols} dims)`);
  const meanTextTokens = meanTokens(texts);

  t0 = performance.now();
  const km = await kmeans(vectors, { k: K, seed: 42 });
  console.log(`\nk-means (reference, no LLM), ${secs(t0)} s`);
  console.log(metricsLine(labels, km.assignments, K));

  // Neighbour search: exact vs IVF, recall@10 of IVF.
  t0 = performance.now();
  const exact = await exactKnn(vectors, 10);
  const exactS = secs(t0);
  t0 = performance.now();
  const approx = await ivfKnn(vectors, 10, { seed: 42 });
  const ivfS = secs(t0);
  console.log(`\n10-NN search: exact ${exactS} s; IVF (√n buckets, default probes) ${ivfS} s, recall@10 ${r3(knnRecall(approx, exact))}`);

  const cf: ClusterFusionSettings = { k: K, seed: 42 };
  const cfEst = estimateClusterFusionCost({ n, meanTextTokens, contextTokens: CONTEXT, settings: cf });
  const e1 = engine();
  t0 = performance.now();
  const fused = await clusterFusion(vectors, texts, { engine: e1, embed: (t) => embedder.embed(t) }, cf);
  const cfS = secs(t0);
  console.log(`\nClusterFusion (M = ${2 * K} groups, sample ${fused.sample.length} texts in ${fused.chunks} prompt(s), ${fused.k} topics)`);
  console.log(metricsLine(labels, fused.assignments, fused.k));
  console.log(`  fallbacks to the nearest topic: ${fused.fallbacks}`);
  console.log(costLine(cfEst, e1, cfS));
  console.log(`  topics, first 5: ${fused.topics.slice(0, 5).map((t) => `"${t.name}" (${t.size})`).join(', ')}`);

  // Divide and conquer: a sample of 1,000 with an 8k context does not fit one prompt.
  const dc: ClusterFusionSettings = { k: K, seed: 42, sampleSize: 1000 };
  const dcEst = estimateClusterFusionCost({ n, meanTextTokens, contextTokens: 8192, settings: dc });
  const e3 = engine(8192);
  t0 = performance.now();
  const chunked = await clusterFusion(vectors, texts, { engine: e3, embed: (t) => embedder.embed(t) }, dc);
  const merges = chunked.promptLog.filter((e) => e.step === 'merge').length;
  console.log(`\nClusterFusion, S = 1000 in an 8k context (sample ${chunked.sample.length} texts in ${chunked.chunks} chunks, ${merges} merge prompts, ${chunked.k} topics)`);
  console.log(metricsLine(labels, chunked.assignments, chunked.k));
  console.log(costLine(dcEst, e3, secs(t0)));

  const pl: PseudoLabelSettings = { k: K, seed: 42 };
  const plEst = estimatePseudoLabelCost({ n, meanTextTokens, contextTokens: CONTEXT, settings: pl });
  const e2 = engine();
  t0 = performance.now();
  const labelled = await pseudoLabels(vectors, texts, { engine: e2, embed: (t) => embedCorpus(t) }, pl);
  const plS = secs(t0);
  console.log(`\nShared pseudo-labels (10 neighbours, ${labelled.knnMethod} search, ${labelled.rounds} rounds, ${labelled.converged ? 'converged' : 'stopped at max rounds'})`);
  console.log(metricsLine(labels, labelled.assignments, labelled.k));
  console.log(`  label sets changed per round: ${labelled.changedPerRound.join(', ')}; fallbacks ${labelled.fallbacks}`);
  const sizes = labelled.labels.map((l) => l.length);
  console.log(`  labels per text: mean ${(sizes.reduce((s, x) => s + x, 0) / n).toFixed(2)}, max ${Math.max(...sizes)}; distinct labels ${new Set(labelled.labels.flat()).size}`);
  console.log(`  e.g. "${texts[0]}" → ${labelled.labels[0].join('; ')}`);
  console.log(costLine(plEst, e2, plS));
}

void main();
