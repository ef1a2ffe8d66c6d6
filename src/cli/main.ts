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
import type { Embedder, EmbedderId, RunRecord } from '../core/types';
import { guessColumns, toDataset } from '../io/columns';
import { parseInput } from '../io/parse';
import { runToJson } from '../io/run-json';

const USAGE = `Usage: constellate cluster --input FILE --k N|auto [--text-field text] [--label-field label] [--id-field id]
                          [--embedder glove-sif|tfidf-lsa|use] [--seed 42] [--projection pca|umap] [--out run.json] [--quiet]`;

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
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.input || !values.k) throw new Error(USAGE);
  const k = values.k === 'auto' ? 'auto' : Number(values.k);
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
  const out = await clusterStage({ vectors, texts: dataset.texts, labels: dataset.labels, k, seed, projection: values.projection });
  lap('cluster_total');

  const run: RunRecord = {
    schema: 1,
    id: `cli-${Date.now().toString(36)}`,
    name: `${dataset.name} · k=${out.k}${k === 'auto' ? ' (auto)' : ''} · ${embedder.info.id}`,
    createdAt: Date.now(),
    datasetName: dataset.name,
    stats: dataset.stats,
    config: { method: 'kmeans', k: out.k, autoK: k === 'auto' || undefined, seed, projection: out.projection, embedder: embedder.info, textField, labelField, idField: values['id-field'] },
    texts: dataset.texts,
    ids: dataset.ids,
    labels: dataset.labels,
    assignments: out.assignments,
    coords: out.coords,
    clusters: out.clusters,
    metrics: out.metrics,
    quality: out.quality,
    sweep: out.sweep,
    embedStats: stats,
    timings: { ...times, ...out.timings },
  };
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
    seconds: { ...times, ...out.timings },
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    out: values.out,
  };
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
