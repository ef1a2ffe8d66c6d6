#!/usr/bin/env node
/**
 * constellate — the command line over the same core as the page.
 *   constellate cluster --input FILE --text-field text [--label-field label] [--id-field id]
 *                       --k N|auto [--embedder glove-sif|tfidf-lsa|use] [--seed 42] [--out run.json]
 * Prints one JSON line of results (with ACC/NMI/ARI when labels exist).
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
import type { Embedder, EmbedderId, Matrix } from '../core/types';
import { guessColumns, toDataset } from '../io/columns';
import { parseInput } from '../io/parse';
import { runToJson } from '../io/run-json';

const USAGE = `Usage: constellate cluster --input FILE --k N|auto [--text-field text] [--label-field label] [--id-field id]
                          [--embedder glove-sif|tfidf-lsa|use] [--seed 42] [--projection pca|umap] [--method kmeans|hercules] [--levels 100,20,5] [--mode direct|description] [--out run.json] [--quiet]`;

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
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.input || (!values.k && values.method !== 'hercules')) throw new Error(USAGE);
  // HERCULES takes its counts from --levels; k is then level 1's count.
  const k = values.k === 'auto' ? 'auto' : Number(values.k ?? values.levels.split(',')[0]);
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
  if (k !== 'auto') validateK(k, dataset.texts.length);
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
  if (values.method !== 'kmeans' && values.method !== 'hercules') throw new Error('--method must be kmeans or hercules');
  const levelCounts = values.levels.split(',').map((x) => Number(x.trim()));
  // HERCULES: its level 1 is the flat clustering everything else (map, keywords, metrics) uses.
  const hercules =
    values.method === 'hercules' ? await buildHierarchy(vectors, dataset.texts, levelCounts, values.mode, embedder, seed, log) : undefined;
  if (hercules) lap('hierarchy');
  const flatK = hercules ? levelCut(hercules, 1).length : k;
  const out = await clusterStage({
    vectors,
    texts: dataset.texts,
    labels: dataset.labels,
    k: flatK,
    seed,
    projection: values.projection,
    fixed: hercules ? assignmentsAtLevel(hercules, 1) : undefined,
  });
  lap('cluster_total');
  const perLevel = hercules && dataset.labels ? levelMetrics(hercules, dataset.labels) : undefined;

  const run = assembleRun({
    id: `cli-${Date.now().toString(36)}`,
    dataset,
    fields: { textField, labelField, idField: values['id-field'] },
    embedder: embedder.info,
    embedStats: stats,
    requestedK: k,
    seed,
    clustered: out,
    hierarchy: hercules ? { tree: hercules, levels: levelCounts } : undefined,
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
