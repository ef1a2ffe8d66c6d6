import type { Hierarchy } from './hierarchy/tree';
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
  hierarchy?: { tree: Hierarchy; levels: number[] };
  /** Seconds of the stages before clustering (load, embed…); the cluster stage adds its own. */
  timings: Record<string, number>;
}

/** The one place a finished run is put together, for the page and the CLI alike. */
export function assembleRun(p: RunParts): RunRecord {
  const { dataset, clustered } = p;
  const auto = p.requestedK === 'auto';
  const method = p.hierarchy ? 'hercules' : 'kmeans';
  return {
    schema: 1,
    id: p.id,
    name: `${dataset.name} · ${p.hierarchy ? `HERCULES ${p.hierarchy.levels.join('/')}` : `k=${clustered.k}${auto ? ' (auto)' : ''}`} · ${p.embedder.id}`,
    createdAt: Date.now(),
    datasetName: dataset.name,
    stats: dataset.stats,
    config: {
      method,
      levels: p.hierarchy?.levels,
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
    embedStats: p.embedStats,
    timings: { ...p.timings, ...clustered.timings },
  };
}
