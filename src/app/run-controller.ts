import * as Comlink from 'comlink';
import type { EmbedderSpec } from '../core/embed/spec';
import type { ClusterStageInput, ClusterStageOutput, Projection } from '../core/pipeline';
import { validateK } from '../core/pipeline';
import { assembleRun } from '../core/run';
import type { Dataset, Progress, RunRecord } from '../core/types';
import { saveRun } from '../store/runs';
import type { ClusterService } from '../../workers/cluster.worker';
import type { EmbedResult, EmbedService } from '../../workers/embed.worker';
import { callWorker, createClusterWorker, createEmbedWorker } from './worker-client';

export interface RunRequest {
  dataset: Dataset;
  spec: EmbedderSpec;
  k: number | 'auto';
  seed: number;
  projection: Projection;
  textField?: string;
  labelField?: string;
  idField?: string;
}

/** Runs embed → cluster → save, each heavy stage in its own worker; returns the saved run and any warnings. */
export async function executeRun(req: RunRequest, onProgress: (p: Progress) => void, signal: AbortSignal): Promise<{ run: RunRecord; warnings: string[] }> {
  const { dataset, spec, k, seed } = req;
  if (k !== 'auto') validateK(k, dataset.texts.length);
  const progress = Comlink.proxy(onProgress);

  const t0 = performance.now();
  const embedded = await callWorker<EmbedService, EmbedResult>(
    'embedding',
    createEmbedWorker,
    (w) => w.embed(spec, dataset.texts, progress),
    signal,
  );
  const t1 = performance.now();

  const input: ClusterStageInput = {
    vectors: { data: embedded.data, rows: embedded.rows, cols: embedded.cols },
    texts: dataset.texts,
    labels: dataset.labels,
    k,
    seed,
    projection: req.projection,
  };
  const clustered = await callWorker<ClusterService, ClusterStageOutput>(
    'clustering',
    createClusterWorker,
    (w) => w.cluster(Comlink.transfer(input, [input.vectors.data.buffer]), progress),
    signal,
  );

  onProgress({ stage: 'save', done: 0, total: 1 });
  const run = assembleRun({
    id: newRunId(),
    dataset,
    fields: { textField: req.textField, labelField: req.labelField, idField: req.idField },
    embedder: embedded.info,
    embedStats: embedded.stats,
    requestedK: k,
    seed,
    clustered,
    timings: { embed: (t1 - t0) / 1000 },
  });
  await saveRun(run);
  onProgress({ stage: 'save', done: 1, total: 1 });
  return { run, warnings: embedded.warnings };
}

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
