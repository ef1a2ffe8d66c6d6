import type { LevelMetrics } from './hierarchy/level-metrics';
import type { HierarchySettings } from './hierarchy/stage';
import { levelCounts, type Hierarchy, type PromptLogEntry } from './hierarchy/tree';
import type { ClusterStageOutput } from './pipeline';
import type { Dataset, EmbedderInfo, EmbedStats, LlmMethodRecord, RunRecord } from './types';

export interface RunParts {
  id: string;
  dataset: Dataset;
  fields: { textField?: string; labelField?: string; idField?: string };
  embedder: EmbedderInfo;
  embedStats: EmbedStats;
  /** What was asked for: a k, or 'auto' for the sweep. */
  requestedK: number | 'auto';
  seed: number;
  clustered: ClusterStageOutput;
  hierarchy?: { tree: Hierarchy; settings: HierarchySettings; metrics?: LevelMetrics[] };
  /** The engine that named the clusters, when one did. */
  llm?: { kind: string; model: string };
  /** Flat runs named by an LLM: the prompts and answers. */
  promptLog?: PromptLogEntry[];
  /** ClusterFusion / pseudo-label runs: what the LLM did besides naming. */
  llmMethod?: LlmMethodRecord;
  /** Seconds of the stages before clustering (load, embed…); the cluster stage adds its own. */
  timings: Record<string, number>;
}

/** The one place a finished run is put together, for the page and the CLI alike. */
export function assembleRun(p: RunParts): RunRecord {
  const { dataset, clustered } = p;
  const auto = p.requestedK === 'auto';
  const method = p.hierarchy?.tree.method ?? p.llmMethod?.kind ?? 'kmeans';
  const settings = p.hierarchy?.settings;
  // HERCULES levels are the requested counts; a recursive tree's are the counts it found, finest first.
  const levels = p.hierarchy ? (settings?.method === 'hercules' ? settings.levels : levelCounts(p.hierarchy.tree)) : undefined;
  const tree = levels ? `${method === 'recursive' ? 'recursive' : 'HERCULES'} ${levels.join('/')}` : undefined;
  const formed = p.llmMethod ? `${p.llmMethod.kind === 'clusterfusion' ? 'ClusterFusion' : 'pseudo-labels'} k=${clustered.k}` : undefined;
  return {
    schema: 1,
    id: p.id,
    name: `${dataset.name} · ${tree ?? formed ?? `k=${clustered.k}${auto ? ' (auto)' : ''}`} · ${p.embedder.id}`,
    createdAt: Date.now(),
    datasetName: dataset.name,
    stats: dataset.stats,
    config: {
      method,
      levels,
      mode: settings?.method === 'hercules' ? settings.mode : undefined,
      topicSeed: settings?.topicSeed || undefined,
      llm: p.llm,
      k: clustered.k,
      autoK: auto || undefined,
      seed: p.seed,
      projection: clustered.projection,
      embedder: p.embedder,
      ...p.fields,
    },
    texts: dataset.texts,
    ids: dataset.ids,
    labels: dataset.labels,
    // Issue 6 (analyse a column): the extra columns picked in the data step travel with the run.
    ...(dataset.columns ? { columns: dataset.columns } : {}),
    assignments: clustered.assignments,
    coords: clustered.coords,
    clusters: clustered.clusters,
    metrics: clustered.metrics,
    quality: clustered.quality,
    sweep: clustered.sweep,
    hierarchy: p.hierarchy?.tree,
    levels: p.hierarchy?.metrics,
    promptLog: p.promptLog,
    llmMethod: p.llmMethod,
    embedStats: p.embedStats,
    timings: { ...p.timings, ...clustered.timings },
  };
}
