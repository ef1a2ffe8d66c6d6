import type { ExternalMetrics, RunRecord } from '../core/types';

/** What the runs list shows: small, so listing never loads texts or vectors. */
export interface RunMeta {
  id: string;
  name: string;
  createdAt: number;
  datasetName: string;
  /** Texts in the run. */
  n: number;
  k: number;
  /** Hierarchy runs: themes per level, top first ("5 › 20 › 100"). */
  levels?: string;
  /** Short display form of the embedder, e.g. "transformers · Xenova/all-MiniLM-L6-v2". */
  embedder: string;
  embedderId: string;
  model: string;
  metrics?: ExternalMetrics;
}

export function metaOf(run: RunRecord): RunMeta {
  const e = run.config.embedder;
  return {
    id: run.id,
    name: run.name,
    createdAt: run.createdAt,
    datasetName: run.datasetName,
    n: run.texts.length,
    k: run.config.k,
    ...(run.levels?.length ? { levels: run.levels.map((l) => l.clusters).reverse().join(' › ') } : {}),
    embedder: e.model && e.model !== e.id ? `${e.id} · ${e.model}` : e.id,
    embedderId: e.id,
    model: e.model,
    ...(run.metrics ? { metrics: { ...run.metrics } } : {}),
  };
}
