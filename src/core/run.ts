import type { LevelMetrics } from './hierarchy/level-metrics';
import type { Hierarchy, PromptLogEntry } from './hierarchy/tree';
import type { ClusterStageOutput } from './pipeline';
import type { Dataset, EmbedderInfo, EmbedStats, RunRecord } from './types';

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
  hierarchy?: { tree: Hierarchy; levels: number[]; mode?: 'direct' | 'description'; topicSeed?: string; metrics?: LevelMetrics[] };
  /** The engine that named the clusters, when one did. */
  llm?: { kind: string; model: string };
  /** Flat runs named by an LLM: the prompts and answers. */
  promptLog?: PromptLogEntry[];
  /** Seconds of the stages before clustering (load, embed…); the cluster stage adds its own. */
  timings: Record<string, number>;
}

/** The one place a finished run is put together, for the page and the CLI alike. */
export function assembleRun(p: RunParts): RunRecord {
  const { dataset, clustered } = p;
  const auto = p.requestedK === 'auto';
  const method = p.hierarchy?.tree.method ?? 'kmeans';
  // HERCULES levels are the requested counts; a recursive tree's are the counts it found, finest first.
  const tree = p.hierarchy ? `${method === 'recursive' ? 'recursive' : 'HERCULES'} ${p.hierarchy.levels.join('/')}` : undefined;
  return {
    schema: 1,
    id: p.id,
    name: `${dataset.name} · ${tree ?? `k=${clustered.k}${auto ? ' (auto)' : ''}`} · ${p.embedder.id}`,
    createdAt: Date.now(),
    datasetName: dataset.name,
    stats: dataset.stats,
    config: {
      method,
      levels: p.hierarchy?.levels,
      mode: p.hierarchy?.mode,
      topicSeed: p.hierarchy?.topicSeed || undefined,
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
    assignments: clustered.assignments,
    coords: clustered.coords,
    clusters: clustered.clusters,
    metrics: clustered.metrics,
    quality: clustered.quality,
    sweep: clustered.sweep,
    hierarchy: p.hierarchy?.tree,
    levels: p.hierarchy?.metrics,
    promptLog: p.promptLog,
    embedStats: p.embedStats,
    timings: { ...p.timings, ...clustered.timings },
  };
}
