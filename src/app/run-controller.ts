import * as Comlink from 'comlink';
import type { EmbedderSpec } from '../core/embed/spec';
import type { HierarchySettings, HierarchyStageInput, HierarchyStageOutput } from '../core/hierarchy/stage';
import type { RemoteGenerate } from '../core/llm/bridge';
import type { ClusterStageInput, ClusterStageOutput, Projection } from '../core/pipeline';
import { validateK } from '../core/pipeline';
import { assembleRun } from '../core/run';
import type { Dataset, LlmMethodRecord, Matrix, Progress, RunRecord } from '../core/types';
import type { LevelMetrics } from '../core/hierarchy/level-metrics';
import type { PromptLogEntry } from '../core/hierarchy/tree';
import { saveRun, StorageError } from '../store/runs';
import { clearPendingRun, savePendingRun } from '../store/pending-run';
import type { LlmMethodCheckpoint, LlmMethodOutput, LlmMethodSettings } from '../core/methods/run-method';
import { publicEngineSpec, type EngineSpec } from '../core/llm/spec';
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
  /** ClusterFusion or pseudo-labels: the LLM forms the clusters (needs `llm`). */
  llmMethod?: LlmMethodSettings;
  /** Continue an interrupted LLM-formed run from its checkpoint. */
  resume?: { id: string; checkpoint?: LlmMethodCheckpoint };
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
export async function executeRun(req: RunRequest, onProgress: (p: Progress) => void, signal: AbortSignal): Promise<{ run: RunRecord; warnings: string[]; saved: boolean }> {
  let saved = true;
  const { dataset, spec, k, seed } = req;
  if (!req.hierarchy && !req.llmMethod && k !== 'auto') validateK(k, dataset.texts.length);
  if (req.llmMethod && (!req.llm || req.llm.kind === 'none')) throw new Error('This method needs a language model: choose one in step 3.');
  // The run is noted while it runs, so that after a reload the page can say what was kept; an
  // LLM-formed one keeps its request and checkpoints, so it can be resumed.
  const pending = keepPending(req);
  await pending.save(undefined);
  const progress = Comlink.proxy((p: Progress) => {
    pending.where(p);
    onProgress(p);
  });

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
    let methodRecord: LlmMethodRecord | undefined;
    const base = { vectors, texts: dataset.texts, labels: dataset.labels, seed, projection: req.projection };
    // More texts embedded with the run's embedder, each call in an embed worker of its own: the LLM
    // methods' topics and "text ⊕ labels", the hierarchy's descriptions.
    const embedTexts: RemoteEmbed = Comlink.proxy(async (texts: string[]) => {
      const e = await embedOnce(spec, texts, Comlink.proxy(() => {}), signal);
      return { data: e.data, rows: e.rows, cols: e.cols };
    });
    if (req.llmMethod && llm && generate) {
      const info = llm.info;
      const out = await callWorker<ClusterService, LlmMethodOutput>(
        'clustering',
        createClusterWorker,
        (w) =>
          w.llmMethod(
            Comlink.transfer({ ...base, method: req.llmMethod as LlmMethodSettings }, [vectors.data.buffer]),
            progress,
            { info },
            generate,
            embedTexts,
            Comlink.proxy((cp: LlmMethodCheckpoint) => pending.save(cp)),
            req.resume?.checkpoint,
          ),
        signal,
      );
      clustered = out.clustered;
      promptLog = out.promptLog;
      methodRecord = out.record;
    } else if (req.hierarchy) {
      const input: HierarchyStageInput = { ...base, hierarchy: req.hierarchy };
      // The description mode clusters the LLM's descriptions, and the LLM metrics score them.
      const embed = llm || (req.hierarchy.method === 'hercules' && req.hierarchy.mode === 'description') ? embedTexts : undefined;
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
      id: req.resume?.id ?? newRunId(),
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
      llmMethod: methodRecord,
      timings,
    });
    const warnings = [...embedded.warnings, ...(clustered.notes ?? [])];
    try {
      await saveRun(run);
    } catch (e) {
      // A full quota (or storage blocked) must not lose a finished run: it is shown anyway.
      if (!(e instanceof StorageError)) throw e;
      warnings.push(`${e.message} This run is shown but not kept: export it as JSON (Export menu) before leaving the page.`);
      saved = false;
    }
    await pending.clear();
    onProgress({ stage: 'save', done: 1, total: 1 });
    return { run, warnings, saved };
  } finally {
    llm?.close();
  }
}

/** Keeps the pending run (summary; for LLM methods the request without secrets and the latest checkpoint) in IndexedDB, throttled. */
function keepPending(req: RunRequest) {
  const id = req.resume?.id ?? newRunId();
  const startedAt = Date.now();
  const request: RunRequest | undefined = req.llmMethod ? { ...req, llm: req.llm ? publicEngineSpec(req.llm) : undefined, resume: undefined } : undefined;
  const method = req.llmMethod?.kind ?? req.hierarchy?.method ?? 'kmeans';
  const summary = { dataset: req.dataset.name, texts: req.dataset.texts.length, method };
  let where = '';
  let last = 0;
  let latest: LlmMethodCheckpoint | undefined = req.resume?.checkpoint;
  const write = async (): Promise<void> => {
    last = Date.now();
    try {
      await savePendingRun({ id, startedAt, summary, request, checkpoint: latest, where, savedAt: last });
    } catch {
      // A full quota must not stop the run; it only loses the ability to resume.
    }
  };
  return {
    async save(cp: LlmMethodCheckpoint | undefined): Promise<void> {
      if (cp) latest = cp;
      if (!cp || Date.now() - last > CHECKPOINT_MS) await write();
    },
    where(p: Progress): void {
      where = p.message ? `${p.stage}: ${p.message}` : `${p.stage} ${p.done}/${p.total}`;
      // Progress alone also refreshes the record now and then, so a reload can say how far it got.
      if (Date.now() - last > CHECKPOINT_MS) void write();
    },
    clear: () => clearPendingRun().catch(() => undefined),
  };
}

/** Checkpoints written at most this often (each copies the method's state). */
const CHECKPOINT_MS = 1500;

function embedOnce(spec: EmbedderSpec, texts: string[], progress: (p: Progress) => void, signal: AbortSignal): Promise<EmbedResult> {
  return callWorker<EmbedService, EmbedResult>('embedding', createEmbedWorker, (w) => w.embed(spec, texts, progress), signal);
}

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
