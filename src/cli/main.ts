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
import { clusterStage, validateK } from '../core/pipeline';
import { assignmentsAtLevel, levelCut, type Hierarchy } from '../core/hierarchy/tree';
import { externalMetrics } from '../core/metrics/external';
import { assembleRun } from '../core/run';
import type { RecursiveOptions } from '../core/hierarchy/recursive';
import type { Embedder, EmbedderId, Matrix } from '../core/types';
import { guessColumns, toDataset } from '../io/columns';
import { parseInput } from '../io/parse';
import { runToJson } from '../io/run-json';

const USAGE = `Usage: constellate cluster --input FILE --k N|auto [--text-field text] [--label-field label] [--id-field id]
                          [--embedder glove-sif|tfidf-lsa|use] [--seed 42] [--projection pca|umap] [--method kmeans|hercules|recursive]
                          [--levels 100,20,5] [--mode direct|description] [--out run.json] [--quiet]
  --method hercules     bottom-up hierarchy; --levels gives the clusters per level, finest first (no --k needed)
  --method recursive    top-down: UMAP + HDBSCAN, then each cluster re-reduced and re-clustered (no --k needed)
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
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const hierarchical = values.method === 'hercules' || values.method === 'recursive';
  if (!values.input || (!values.k && !hierarchical)) throw new Error(USAGE);
  // Hierarchies take k from their level 1: HERCULES's first --levels count, the recursive tree's leaves (known once built).
  const k = values.k === 'auto' ? 'auto' : Number(values.k ?? (values.method === 'hercules' ? values.levels.split(',')[0] : NaN));
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
  if (values.method !== 'kmeans' && !hierarchical) throw new Error('--method must be kmeans, hercules or recursive');
  const levelCounts = values.levels.split(',').map((x) => Number(x.trim()));
  // A hierarchy's level 1 is the flat clustering everything else (map, keywords, metrics) uses.
  const tree =
    values.method === 'hercules'
      ? await buildHierarchy(vectors, dataset.texts, levelCounts, values.mode, embedder, seed, log)
      : recursion
        ? await buildRecursiveTree(vectors, dataset.texts, recursion, seed, log)
        : undefined;
  if (tree) lap('hierarchy');
  const flatK = tree ? levelCut(tree, 1).length : k;
  const out = await clusterStage({
    vectors,
    texts: dataset.texts,
    labels: dataset.labels,
    k: flatK,
    seed,
    projection: values.projection,
    fixed: tree ? assignmentsAtLevel(tree, 1) : undefined,
  });
  lap('cluster_total');
  const perLevel = tree && dataset.labels ? levelMetrics(tree, dataset.labels) : undefined;

  const run = assembleRun({
    id: `cli-${Date.now().toString(36)}`,
    dataset,
    fields: { textField, labelField, idField: values['id-field'] },
    embedder: embedder.info,
    embedStats: stats,
    requestedK: Number.isNaN(k) ? flatK : k,
    seed,
    clustered: out,
    hierarchy: tree ? { tree, levels: tree.method === 'hercules' ? levelCounts : clustersPerLevel(tree) } : undefined,
    timings: times,
  });
  if (values.out) {
    await writeFile(values.out, runToJson(run));
    lap('write');
  }
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
    levels: perLevel,
    seconds: { ...times, ...out.timings },
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    out: values.out,
  };
}

async function buildHierarchy(
  vectors: Matrix,
  texts: string[],
  levelClusterCounts: number[],
  mode: string,
  embedder: Embedder,
  seed: number,
  log: (msg: string) => void,
): Promise<Hierarchy> {
  if (mode !== 'direct' && mode !== 'description') throw new Error('--mode must be direct or description');
  if (levelClusterCounts.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--levels must be whole numbers such as 100,20,5');
  const { buildHercules } = await import('../core/hierarchy/hercules');
  return buildHercules(vectors, texts, {
    levelClusterCounts,
    mode,
    embedDescriptions: (t) => embedder.embed(t),
    engine: null,
    seed,
    onProgress: (p) => log(`hierarchy ${p.done}/${p.total}${p.message ? ` ${p.message}` : ''}`),
  });
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

async function buildRecursiveTree(vectors: Matrix, texts: string[], opts: RecursiveCliOptions, seed: number, log: (msg: string) => void): Promise<Hierarchy> {
  const { buildRecursive } = await import('../core/hierarchy/recursive');
  let last = '';
  return buildRecursive(vectors, texts, {
    ...opts,
    engine: null,
    seed,
    onProgress: (p) => {
      // One line per step, not one per UMAP epoch.
      if (p.message !== last) log(`hierarchy ${p.message ?? ''}`);
      last = p.message ?? '';
    },
  });
}

/** Clusters at each level of a tree, finest first (as HERCULES's --levels). */
function clustersPerLevel(h: Hierarchy): number[] {
  return Array.from({ length: h.levels }, (_, i) => levelCut(h, i + 1).length);
}

/** External metrics at every level of the hierarchy, finest first. */
function levelMetrics(h: Hierarchy, labels: string[]): { level: number; k: number; acc: number; nmi: number; ari: number }[] {
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  const out = [];
  for (let level = 1; level <= h.levels; level++) {
    const m = externalMetrics(labels, assignmentsAtLevel(h, level));
    out.push({ level, k: levelCut(h, level).length, acc: r4(m.acc), nmi: r4(m.nmi), ari: r4(m.ari) });
  }
  return out;
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
