import type { LevelMetrics } from './hierarchy/level-metrics';
import type { Hierarchy, PromptLogEntry } from './hierarchy/tree';

/**
 * Shared data types of the pipeline. Pure: no DOM, no Node. Vectors are row-major Float32Arrays.
 */

/** A dense row-major matrix: row i is data.subarray(i * cols, (i + 1) * cols). */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface Progress {
  /** Stage name: 'load' | 'embed' | 'reduce' | 'cluster' | 'explain' | 'save' … */
  stage: string;
  done: number;
  total: number;
  /** Optional human-readable detail (e.g. "batch 3/40"). */
  message?: string;
}

export type ProgressFn = (p: Progress) => void;

export interface StageOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Counts from loading a file: nothing is silently dropped. */
export interface LoadStats {
  /** Rows read from the source. */
  rows: number;
  /** Rows whose text was empty or whitespace only (not kept). */
  empty: number;
  /** Rows whose text repeated an earlier row exactly (kept, counted). */
  duplicates: number;
  /** Rows kept for clustering. */
  kept: number;
  /** When a large file was sampled: how many texts it had (kept = the sample's size). */
  sampledFrom?: number;
}

/** Texts ready for the pipeline, after the column picker. */
export interface Dataset {
  name: string;
  texts: string[];
  /** Optional id per text (same length as texts). */
  ids?: string[];
  /** Optional ground-truth label per text. */
  labels?: string[];
  /**
   * Extra columns the user kept for analysis (issue 6, "Analyse a column"): column name → the raw
   * cell per kept text (same length as texts). Read by src/core/analyse.ts.
   */
  columns?: Record<string, string[]>;
  stats: LoadStats;
}

export type EmbedderId = 'glove-sif' | 'tfidf-lsa' | 'transformers' | 'use';

/** What produced a set of vectors: the embedding cache key is (id, model, dtype, text hash). */
export interface EmbedderInfo {
  id: EmbedderId;
  /** Model name, e.g. 'Xenova/all-MiniLM-L6-v2'; for corpus-fitted embedders includes the corpus hash. */
  model: string;
  dtype: string;
  /** 'webgpu' | 'wasm' | 'cpu' | 'node' */
  device: string;
  dims: number;
}

export interface EmbedOptions extends StageOptions {
  batchSize?: number;
}

export interface Embedder {
  readonly info: EmbedderInfo;
  /**
   * True when vectors depend on the whole corpus (TF-IDF/LSA): they are then cached under a model
   * name that includes the corpus hash and always computed for the whole corpus at once.
   */
  readonly corpusDependent: boolean;
  /** Returns one L2-normalised row per text. */
  embed(texts: string[], opts?: EmbedOptions): Promise<Matrix>;
  /**
   * Optional corpus-level step applied after per-text vectors are gathered (from the cache or
   * fresh), e.g. SIF's common-component removal. Must be deterministic and return normalised rows.
   */
  finalize?(vectors: Matrix): Matrix;
}

export interface KMeansOptions extends StageOptions {
  k: number;
  seed?: number;
  maxIter?: number;
  /** Stop when the relative inertia change falls below this. */
  tol?: number;
  /** Number of k-means++ restarts; the lowest inertia wins. */
  nInit?: number;
}

export interface ClusteringResult {
  k: number;
  /** Cluster id per row, 0..k-1 (−1 reserved for noise in density methods). */
  assignments: Int32Array;
  centroids: Matrix;
  inertia: number;
  iterations: number;
}

/** Explanation of one cluster: interim names come from c-TF-IDF keywords. */
export interface ClusterSummary {
  id: number;
  size: number;
  keywords: string[];
  /** Indices of the texts nearest the centroid, nearest first. */
  representatives: number[];
  /** Mean cosine similarity of members to the centroid. */
  cohesion: number;
  /** Display name (keywords joined until an LLM names it). */
  name: string;
  /** The LLM's 1–2 sentence description, when it named the cluster. */
  description?: string;
  nameSource?: 'llm' | 'keywords';
  /** Hierarchy runs: the level-1 node this cluster is. */
  nodeId?: string;
}

/** Agreement with a ground-truth label column. */
export interface ExternalMetrics {
  acc: number;
  nmi: number;
  ari: number;
  homogeneity?: number;
  completeness?: number;
  vMeasure?: number;
}

/** Quality without labels. NaN (null in JSON) where undefined, e.g. a single cluster. */
export interface InternalScores {
  silhouette: number;
  /** Rows whose silhouette was averaged: all rows when exact, else the seeded sample size. */
  silhouetteRows: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
  noiseRatio: number;
}

/** The auto parameter sweep (seed 004): each value tried, scored by silhouette − 0.5 × noise ratio. */
export interface SweepCurve {
  param: 'k' | 'minClusterSize';
  best: number;
  points: { param: number; score: number; silhouette: number; noiseRatio: number; clusters: number; seconds: number }[];
}

export interface RunConfig {
  /** 'hercules' and 'recursive' runs also carry a hierarchy; their flat view is level 1. */
  method: 'kmeans' | 'hercules' | 'recursive' | 'clusterfusion' | 'pseudolabels';
  /** HERCULES: requested clusters per level, finest first. */
  levels?: number[];
  /** The k used; with autoK, the sweep's best. */
  k: number;
  autoK?: boolean;
  seed: number;
  /** How the 2-D map was made. */
  projection?: 'pca' | 'umap';
  embedder: EmbedderInfo;
  /** HERCULES: what the upper levels cluster. */
  mode?: 'direct' | 'description';
  topicSeed?: string;
  /** The engine that named the clusters; absent or kind 'none' for keyword names. */
  llm?: { kind: string; model: string };
  textField?: string;
  labelField?: string;
  idField?: string;
}

export interface EmbedStats {
  /** Texts whose vectors came from the cache. */
  cached: number;
  /** Texts embedded in this run. */
  embedded: number;
  device: string;
}

/** What an LLM-in-the-loop method (seeds 000, 002) leaves in the run, beside its clusters. */
export interface LlmMethodRecord {
  kind: 'clusterfusion' | 'pseudolabels';
  /** The settings it ran with (plain data). */
  settings: Record<string, unknown>;
  llmCalls: number;
  /** Texts the LLM failed on, placed by the method's fallback. */
  fallbacks: number;
  tokens: { prompt: number; answer: number };
  notes: string[];
  /** ClusterFusion: every topic the LLM proposed; clusterId −1 for one no text went to. */
  topics?: { name: string; description: string; size: number; clusterId: number }[];
  /** Pseudo-labels: the labels of each text (a readable second view of it). */
  labels?: string[][];
  rounds?: number;
  converged?: boolean;
  changedPerRound?: number[];
}

/** A finished run as kept in IndexedDB and written by the CLI. */
export interface RunRecord {
  schema: 1;
  id: string;
  name: string;
  createdAt: number;
  datasetName: string;
  stats: LoadStats;
  config: RunConfig;
  texts: string[];
  ids?: string[];
  labels?: string[];
  /** Extra columns kept for analysis (Dataset.columns), one raw cell per text. */
  columns?: Record<string, string[]>;
  assignments: Int32Array;
  /** 2-D coordinates, interleaved x0,y0,x1,y1,… */
  coords: Float32Array;
  clusters: ClusterSummary[];
  metrics?: ExternalMetrics;
  quality?: InternalScores;
  sweep?: SweepCurve;
  /** HERCULES (and later recursive) runs: the tree; its level-1 cut is `assignments`. */
  hierarchy?: Hierarchy;
  /** Hierarchy runs: quality per level, finest first. */
  levels?: LevelMetrics[];
  /** ClusterFusion and pseudo-label runs: what the LLM did besides naming. */
  llmMethod?: LlmMethodRecord;
  /** Flat runs named by an LLM: every prompt and answer (hierarchies keep theirs in the tree). */
  promptLog?: PromptLogEntry[];
  embedStats: EmbedStats;
  /** Seconds per stage. */
  timings: Record<string, number>;
}
