#!/usr/bin/env node
/**
 * constellate — the command line over the same core as the page.
 *   constellate cluster --input FILE --text-field text [--label-field label] [--id-field id]
 *                       --k N|auto [--embedder glove-sif|tfidf-lsa|use] [--seed 42] [--out run.json]
 *   constellate cluster --input FILE --method hercules [--levels 100,20,5] …
 *   constellate cluster --input FILE --method recursive [--max-depth 3] [--min-cluster-size-floor 50] …
 * Prints one JSON line of results (with ACC/NMI/ARI when labels exist, per level for hierarchies).
 */
import { openAsBlob } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { embedWithCache } from '../core/embed/cached';
import type { LevelMetrics } from '../core/hierarchy/level-metrics';
import type { RecursiveOptions } from '../core/hierarchy/recursive';
import { hierarchyStage, type HierarchySettings } from '../core/hierarchy/stage';
import type { Hierarchy, PromptLogEntry } from '../core/hierarchy/tree';
import type { LlmEngine } from '../core/llm/engine';
import { nameFlatClusters } from '../core/llm/name-flat';
import { llmMethodStage, type LlmMethodSettings } from '../core/methods/run-method';
import { createEngine, ENGINE_SPEC_USAGE, parseEngineSpec } from '../core/llm/spec';
import { clusterStage, validateK, type ClusterStageOutput } from '../core/pipeline';
import { assembleRun } from '../core/run';
import type { Embedder, EmbedderId, LlmMethodRecord, Progress } from '../core/types';
import { guessColumns, toDataset } from '../io/columns';
import { parseInput } from '../io/parse';
import { runToJson } from '../io/run-json';
import { attributeLeaves, runTree } from '../core/assign';
import { membershipsCsv } from '../io/memberships-csv';
import { htmlReport } from '../io/report-html';

const USAGE = `Usage: constellate cluster --input FILE --k N|auto [--text-field text] [--label-field label] [--id-field id]
                          [--embedder glove-sif|tfidf-lsa|use] [--seed 42] [--projection pca|umap] [--method kmeans|hercules|recursive]
                          [--levels 100,20,5] [--mode direct|description] [--topic-seed TEXT] [--llm ENGINE[:MODEL]]
                          [--out run.json] [--csv memberships.csv] [--report report.html] [--quiet]
  --llm                 who names the clusters: ${ENGINE_SPEC_USAGE.split('\n').map((l) => l.trim()).join(' | ')}
                        (an API key for openai comes from OPENAI_API_KEY, never from the command line)
  --method hercules     bottom-up hierarchy; --levels gives the clusters per level, finest first (no --k needed)
  --method recursive    top-down: UMAP + HDBSCAN, then each cluster re-reduced and re-clustered (no --k needed)
  --method clusterfusion --k K   the LLM proposes K topics from a balanced sample, then assigns every text (needs --llm)
    --groups M (default 2K) --sample-size S (default: as many as fit) --domain TEXT --guidance TEXT
  --method pseudolabels --k K|auto   the LLM labels each text with its neighbours, labels are refined, k-means on text ⊕ labels
    --neighbours 10 --rounds 5 --domain TEXT
    --max-depth N                 most levels of clusters (default 3)
    --min-cluster-size-floor N    smallest HDBSCAN min cluster size at the top, halved per level down to 10 (default 50)
    --base-pct X --decay Y        min cluster size = max(floor, n · X · Y^depth) (defaults 0.05 and 0.7)
    --silhouette-threshold S      split a cluster further only while its silhouette is below S (default 0.3)
    --reduce-dims N               UMAP dimensions before each HDBSCAN (default 5)`;

async function makeEmbedder(id: EmbedderId): Promise<Embedder> {
  switch (id) {
    case 'glove-sif': {
      const [{ GloveSifEmbedder }, { loadWordVectorsNode }] = await Promise.all([import('../core/embed/sif'), import('./wordvectors-node')]);
      return new GloveSifEmbedder(await loadWordVectorsNode());
    }
    case 'tfidf-lsa': {
      const { TfidfLsaEmbedder } = await import('../core/embed/lsa');
      return new TfidfLsaEmbedder({});
    }
    case 'use': {
      const { UseEmbedder } = await import('./embedders/use');
      return UseEmbedder.create();
    }
    default:
      throw new Error(`Unknown embedder “${id}”. Use glove-sif, tfidf-lsa or use.`);
  }
}

export async function clusterCommand(argv: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args: argv,
    options: {
      input: { type: 'string' },
      'text-field': { type: 'string' },
      'label-field': { type: 'string' },
      'id-field': { type: 'string' },
      k: { type: 'string' },
      embedder: { type: 'string', default: 'glove-sif' },
      seed: { type: 'string', default: '42' },
      projection: { type: 'string', default: 'pca' },
      method: { type: 'string', default: 'kmeans' },
      levels: { type: 'string', default: '100,20,5' },
      mode: { type: 'string', default: 'direct' },
      'max-depth': { type: 'string' },
      'min-cluster-size-floor': { type: 'string' },
      'base-pct': { type: 'string' },
      decay: { type: 'string' },
      'silhouette-threshold': { type: 'string' },
      'reduce-dims': { type: 'string' },
      'topic-seed': { type: 'string' },
      groups: { type: 'string' },
      'sample-size': { type: 'string' },
      neighbours: { type: 'string' },
      rounds: { type: 'string' },
      domain: { type: 'string' },
      guidance: { type: 'string' },
      llm: { type: 'string', default: 'none' },
      out: { type: 'string' },
      csv: { type: 'string' },
      report: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const hierarchical = values.method === 'hercules' || values.method === 'recursive';
  const formedByLlm = values.method === 'clusterfusion' || values.method === 'pseudolabels';
  if (!values.input || (!values.k && !hierarchical && !formedByLlm)) throw new Error(USAGE);
  // Hierarchies take k from their level 1: HERCULES's first --levels count, the recursive tree's leaves (known once built).
  const k = values.k === 'auto' ? 'auto' : Number(values.k ?? (values.method === 'hercules' ? values.levels.split(',')[0] : NaN));
  if (formedByLlm && values.k === undefined) throw new Error(`--method ${values.method} needs --k (a number${values.method === 'pseudolabels' ? ' or auto' : ''})`);
  const seed = Number(values.seed);
  const log = (msg: string) => {
    if (!values.quiet) process.stderr.write(`${msg}\n`);
  };
  const times: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    times[name] = Math.round(now - t) / 1000;
    t = now;
  };

  const name = basename(values.input);
  const table = await parseInput(await openAsBlob(values.input), { name });
  const guess = guessColumns(table);
  const textField = values['text-field'] ?? guess.text;
  const labelField = values['label-field'];
  const dataset = toDataset(table, { name: name.replace(/\.[^.]+$/, ''), textFields: [textField], labelField, idField: values['id-field'] });
  if (k !== 'auto' && values.method !== 'recursive') validateK(k, dataset.texts.length);
  const recursion = values.method === 'recursive' ? recursiveOptions(values) : undefined;
  lap('load');
  log(`loaded ${dataset.texts.length} texts (${dataset.stats.empty} empty dropped, ${dataset.stats.duplicates} duplicates kept)`);

  const embedder = await makeEmbedder(values.embedder as EmbedderId);
  lap('model');
  let lastPct = -1;
  const { vectors, stats } = await embedWithCache(embedder, dataset.texts, null, {
    onProgress: (p) => {
      const pct = Math.floor((100 * p.done) / Math.max(1, p.total));
      if (p.stage === 'embed' && pct >= lastPct + 10) {
        lastPct = pct;
        log(`embed ${p.done}/${p.total}`);
      }
    },
  });
  lap('embed');
  if (values.projection !== 'pca' && values.projection !== 'umap') throw new Error('--projection must be pca or umap');
  if (values.method !== 'kmeans' && !hierarchical && !formedByLlm) throw new Error('--method must be kmeans, hercules, recursive, clusterfusion or pseudolabels');
  if (formedByLlm && (values.llm === 'none' || !values.llm)) throw new Error(`--method ${values.method} has the LLM form the clusters: give --llm (e.g. openai:http://127.0.0.1:8080/v1#MODEL)`);
  const settings = hierarchical ? hierarchySettings(values, recursion) : undefined;
  const engine = await openEngine(values.llm, log);
  if (engine) lap('llm');
  const naming = { onProgress: (p: Progress) => log(`naming ${p.message ?? `${p.done}/${p.total}`}`) };
  const embedTexts = (texts: string[]) => embedder.embed(texts);
  let out: ClusterStageOutput;
  let tree: Hierarchy | undefined;
  let levels: LevelMetrics[] | undefined;
  let promptLog: PromptLogEntry[] | undefined;
  let llmMethod: LlmMethodRecord | undefined;
  if (formedByLlm && engine) {
    const r = await llmMethodStage(
      { vectors, texts: dataset.texts, labels: dataset.labels, seed, projection: values.projection, method: llmMethodSettings(values, k) },
      { engine, embed: embedTexts },
      { onProgress: (p) => log(`${values.method} ${p.message ?? `${p.done}/${p.total}`}`) },
    );
    ({ clustered: out, promptLog, record: llmMethod } = r);
  } else if (settings) {
    // A hierarchy's level 1 is the flat clustering everything else (map, keywords, metrics) uses.
    let last = '';
    const r = await hierarchyStage(
      { vectors, texts: dataset.texts, labels: dataset.labels, seed, projection: values.projection, hierarchy: settings },
      { engine, embedDescriptions: embedTexts },
      {
        onProgress: (p) => {
          // One line per step, not one per UMAP epoch.
          if (p.stage === 'hierarchy' && p.message !== last) log(`hierarchy ${p.message ?? ''}`);
          last = p.message ?? '';
        },
      },
    );
    ({ clustered: out, tree, levels } = r);
  } else {
    out = await clusterStage({ vectors, texts: dataset.texts, labels: dataset.labels, k: k as number | 'auto', seed, projection: values.projection });
    if (engine) {
      const named = await nameFlatClusters(out.clusters, dataset.texts, engine, naming);
      out.clusters = named.clusters;
      promptLog = named.log;
    }
  }
  lap('cluster_total');

  const run = assembleRun({
    id: `cli-${Date.now().toString(36)}`,
    dataset,
    fields: { textField, labelField, idField: values['id-field'] },
    embedder: embedder.info,
    embedStats: stats,
    requestedK: Number.isNaN(k) ? out.k : k,
    seed,
    clustered: out,
    hierarchy: tree && settings ? { tree, settings, metrics: levels } : undefined,
    llm: engine ? { kind: engine.id, model: engine.model } : undefined,
    promptLog,
    llmMethod,
    timings: times,
  });
  if (values.out) await writeFile(values.out, runToJson(run));
  if (values.csv) {
    // The vectors are at hand here: each text's similarity to its theme and the runner-up.
    const attribution = await attributeLeaves(runTree(run), vectors);
    await writeFile(values.csv, membershipsCsv(run, attribution));
  }
  if (values.report) await writeFile(values.report, htmlReport(run));
  if (values.out || values.csv || values.report) lap('write');
  const log2 = tree ? tree.promptLog : promptLog;
  const r4 = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 10000) / 10000);
  return {
    dataset: dataset.name,
    n: dataset.texts.length,
    k: out.k,
    sweep: out.sweep?.points.map((p) => ({ k: p.param, score: r4(p.score) })),
    embedder: embedder.info.id,
    model: embedder.info.model,
    dims: vectors.cols,
    acc: r4(out.metrics?.acc),
    nmi: r4(out.metrics?.nmi),
    ari: r4(out.metrics?.ari),
    vMeasure: r4(out.metrics?.vMeasure),
    silhouette: r4(out.quality.silhouette),
    silhouetteRows: out.quality.silhouetteRows,
    daviesBouldin: r4(out.quality.daviesBouldin),
    notes: out.notes,
    levels: levels?.map((l) => ({
      level: l.level,
      k: l.clusters,
      acc: r4(l.acc),
      nmi: r4(l.nmi),
      ari: r4(l.ari),
      vMeasure: r4(l.vMeasure),
      silhouette: r4(l.silhouette),
      llmSilhouette: r4(l.llmSilhouette),
      topicAlignment: r4(l.topicAlignment),
    })),
    llm: engine ? `${engine.id}:${engine.model}` : undefined,
    llmCalls: llmMethod ? llmMethod.llmCalls : engine && log2 ? log2.filter((e) => e.outcome !== 'fallback' && e.outcome !== 'too-long').length : undefined,
    llmFallbacks: llmMethod?.fallbacks,
    llmTokens: llmMethod ? llmMethod.tokens.prompt + llmMethod.tokens.answer : undefined,
    rounds: llmMethod?.rounds,
    llmNamed: log2 && !llmMethod ? new Set(log2.flatMap((e) => e.named)).size : undefined,
    seconds: { ...times, ...out.timings },
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    out: values.out,
  };
}

type RecursiveCliOptions = Pick<RecursiveOptions, 'maxDepth' | 'rule' | 'silhouetteThreshold' | 'reduceDims'>;

/** The recursion's settings from the command line; what is not given keeps the builder's default. */
function recursiveOptions(values: Record<string, string | boolean | undefined>): RecursiveCliOptions {
  const num = (name: string, whole: boolean): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const v = Number(raw);
    if (!Number.isFinite(v) || v <= 0 || (whole && !Number.isInteger(v))) throw new Error(`--${name} must be a positive ${whole ? 'whole ' : ''}number (got ${String(raw)})`);
    return v;
  };
  const given = { floor: num('min-cluster-size-floor', true), basePct: num('base-pct', false), decay: num('decay', false) };
  const rule = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { maxDepth: num('max-depth', true), rule, silhouetteThreshold: num('silhouette-threshold', false), reduceDims: num('reduce-dims', true) };
}

/** ClusterFusion or pseudo-labels as asked for on the command line. */
function llmMethodSettings(values: Record<string, string | boolean | undefined>, k: number | 'auto'): LlmMethodSettings {
  const whole = (name: string): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a whole number (got ${String(raw)})`);
    return v;
  };
  const text = (name: string): string | undefined => (typeof values[name] === 'string' && values[name].trim() ? values[name].trim() : undefined);
  if (values.method === 'clusterfusion') {
    if (k === 'auto' || !Number.isInteger(k) || k < 2) throw new Error('--method clusterfusion needs --k, the number of topics (at least 2)');
    return { kind: 'clusterfusion', k, groups: whole('groups'), sampleSize: whole('sample-size') ?? 'auto', domainContext: text('domain'), guidance: text('guidance') };
  }
  return { kind: 'pseudolabels', k, neighbours: whole('neighbours'), maxRounds: whole('rounds'), domainContext: text('domain') };
}

/** The hierarchy asked for on the command line. */
function hierarchySettings(values: Record<string, string | boolean | undefined>, recursion: RecursiveCliOptions | undefined): HierarchySettings {
  const topicSeed = typeof values['topic-seed'] === 'string' && values['topic-seed'].trim() ? values['topic-seed'].trim() : undefined;
  if (values.method === 'recursive' && recursion) {
    return {
      method: 'recursive',
      maxDepth: recursion.maxDepth,
      silhouetteThreshold: recursion.silhouetteThreshold,
      reduceDims: recursion.reduceDims,
      minClusterSizeFloor: recursion.rule?.floor,
      basePct: recursion.rule?.basePct,
      decay: recursion.rule?.decay,
      topicSeed,
    };
  }
  const mode = values.mode;
  if (mode !== 'direct' && mode !== 'description') throw new Error('--mode must be direct or description');
  const levels = String(values.levels).split(',').map((x) => Number(x.trim()));
  if (levels.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--levels must be whole numbers such as 100,20,5');
  return { method: 'hercules', levels, mode, topicSeed };
}

/** The --llm engine, loaded; null for 'none'. The API key of an endpoint comes from OPENAI_API_KEY. */
async function openEngine(text: string | boolean | undefined, log: (msg: string) => void): Promise<LlmEngine | null> {
  const spec = parseEngineSpec(typeof text === 'string' ? text : 'none', { apiKey: process.env.OPENAI_API_KEY || undefined, device: 'wasm' });
  if (spec.kind === 'none') return null;
  let last = '';
  const engine = await createEngine(spec, {
    onLoadProgress: (p) => {
      const m = `llm ${p.message ?? ''} ${Math.floor((100 * p.done) / Math.max(1, p.total))}%`;
      if (m !== last) log(m);
      last = m;
    },
  });
  if (engine) log(`llm ${engine.id}:${engine.model} ready`);
  return engine;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'cluster') {
    process.stderr.write(`${USAGE}\n`);
    process.exit(command ? 2 : 0);
  }
  try {
    const result = await clusterCommand(rest);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (e) {
    process.stderr.write(`constellate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

// Run only as a program, so the bench and tests can import clusterCommand.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
