import * as Comlink from 'comlink';
import type { EmbedderSpec } from '../core/embed/spec';
import type { HierarchySettings, HierarchyStageInput, HierarchyStageOutput } from '../core/hierarchy/stage';
import type { RemoteGenerate } from '../core/llm/bridge';
import type { EngineSpec } from '../core/llm/spec';
import type { ClusterStageInput, ClusterStageOutput, Projection } from '../core/pipeline';
import { validateK } from '../core/pipeline';
import { assembleRun } from '../core/run';
import type { Dataset, Matrix, Progress, RunRecord } from '../core/types';
import type { LevelMetrics } from '../core/hierarchy/level-metrics';
import type { PromptLogEntry } from '../core/hierarchy/tree';
import { saveRun } from '../store/runs';
import type { ClusterService, LlmLink, RemoteEmbed } from '../../workers/cluster.worker';
import type { EmbedResult, EmbedService } from '../../workers/embed.worker';
import { openLlm, type LlmSession } from './llm-client';
import { callWorker, createClusterWorker, createEmbedWorker } from './worker-client';

export interface RunRequest {
  dataset: Dataset;
  spec: EmbedderSpec;
  /** Flat runs: a k, or 'auto' for the sweep. Hierarchy runs take their counts from `hierarchy`. */
  k: number | 'auto';
  hierarchy?: HierarchySettings;
  /** Who names the clusters; absent or kind 'none' → keywords. */
  llm?: EngineSpec;
  seed: number;
  projection: Projection;
  textField?: string;
  labelField?: string;
  idField?: string;
}

/**
 * Runs embed → (load the LLM) → cluster or build the hierarchy, naming as it goes → save. Each
 * heavy stage runs in its own worker; the LLM worker lives for the whole clustering stage and the
 * cluster worker reaches it through this thread. Returns the saved run and any warnings.
 */
export async function executeRun(req: RunRequest, onProgress: (p: Progress) => void, signal: AbortSignal): Promise<{ run: RunRecord; warnings: string[] }> {
  const { dataset, spec, k, seed } = req;
  if (!req.hierarchy && k !== 'auto') validateK(k, dataset.texts.length);
  const progress = Comlink.proxy(onProgress);

  const t0 = performance.now();
  const embedded = await embedOnce(spec, dataset.texts, progress, signal);
  const t1 = performance.now();
  const vectors: Matrix = { data: embedded.data, rows: embedded.rows, cols: embedded.cols };

  let llm: LlmSession | null = null;
  const timings: Record<string, number> = { embed: (t1 - t0) / 1000 };
  try {
    if (req.llm && req.llm.kind !== 'none') {
      llm = await openLlm(req.llm, onProgress, signal);
      timings.llm = (performance.now() - t1) / 1000;
    }
    const link: LlmLink | undefined = llm ? { info: llm.info } : undefined;
    const generate: RemoteGenerate | undefined = llm ? Comlink.proxy(llm.generate) : undefined;
    let clustered: ClusterStageOutput;
    let tree: HierarchyStageOutput['tree'] | undefined;
    let promptLog: PromptLogEntry[] | undefined;
    let levelScores: LevelMetrics[] | undefined;
    const base = { vectors, texts: dataset.texts, labels: dataset.labels, seed, projection: req.projection };
    if (req.hierarchy) {
      const input: HierarchyStageInput = { ...base, hierarchy: req.hierarchy };
      // The LLM's descriptions are embedded with the run's embedder, in a worker of its own: the
      // description mode clusters them, and the LLM metrics score them.
      const embed: RemoteEmbed | undefined =
        llm || (req.hierarchy.method === 'hercules' && req.hierarchy.mode === 'description')
          ? Comlink.proxy(async (texts: string[]) => {
              const e = await embedOnce(spec, texts, Comlink.proxy(() => {}), signal);
              return { data: e.data, rows: e.rows, cols: e.cols };
            })
          : undefined;
      const out = await callWorker<ClusterService, HierarchyStageOutput>(
        'clustering',
        createClusterWorker,
        (w) => w.hierarchy(Comlink.transfer(input, [vectors.data.buffer]), progress, link, generate, embed),
        signal,
      );
      clustered = out.clustered;
      tree = out.tree;
      levelScores = out.levels;
    } else {
      const input: ClusterStageInput = { ...base, k };
      const out = await callWorker<ClusterService, ClusterStageOutput & { promptLog?: PromptLogEntry[] }>(
        'clustering',
        createClusterWorker,
        (w) => w.cluster(Comlink.transfer(input, [vectors.data.buffer]), progress, link, generate),
        signal,
      );
      ({ promptLog, ...clustered } = out);
    }

    onProgress({ stage: 'save', done: 0, total: 1 });
    const run = assembleRun({
      id: newRunId(),
      dataset,
      fields: { textField: req.textField, labelField: req.labelField, idField: req.idField },
      embedder: embedded.info,
      embedStats: embedded.stats,
      requestedK: req.hierarchy ? clustered.k : k,
      seed,
      clustered,
      hierarchy: tree && req.hierarchy ? { tree, settings: req.hierarchy, metrics: levelScores } : undefined,
      llm: llm ? { kind: llm.info.id, model: llm.info.model } : undefined,
      promptLog,
      timings,
    });
    await saveRun(run);
    onProgress({ stage: 'save', done: 1, total: 1 });
    return { run, warnings: embedded.warnings };
  } finally {
    llm?.close();
  }
}

function embedOnce(spec: EmbedderSpec, texts: string[], progress: (p: Progress) => void, signal: AbortSignal): Promise<EmbedResult> {
  return callWorker<EmbedService, EmbedResult>('embedding', createEmbedWorker, (w) => w.embed(spec, texts, progress), signal);
}

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
