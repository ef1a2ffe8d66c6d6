/**
 * The LLM-in-the-loop methods as stages (like hierarchyStage): run the method, then explain, map
 * and score its assignments with the flat cluster stage (`fixed`), so the run record, explorer,
 * metrics and exports work unchanged. One call for the cluster worker and the command line.
 */
import { clusterStage, type ClusterStageInput, type ClusterStageOutput } from '../pipeline';
import type { ClusterSummary, StageOptions } from '../types';
import { clusterFusion, type ClusterFusionCheckpoint, type ClusterFusionDeps, type ClusterFusionSettings, type FusionTopic } from './clusterfusion';
import type { MethodLogEntry } from './common';
import { pseudoLabels, type PseudoLabelCheckpoint, type PseudoLabelDeps, type PseudoLabelSettings } from './pseudolabels';

/** Resume and checkpoint hooks of a method stage. */
export interface MethodStageOptions<C> extends StageOptions {
  resume?: C;
  onCheckpoint?: (cp: C) => void | Promise<void>;
  checkpointEvery?: number;
}

interface MethodStageOutput {
  clustered: ClusterStageOutput;
  promptLog: MethodLogEntry[];
  llmCalls: number;
  /** Texts the LLM failed on, placed by the method's fallback. */
  fallbacks: number;
  tokens: { prompt: number; answer: number };
  notes: string[];
}

export interface ClusterFusionStageInput extends Omit<ClusterStageInput, 'k' | 'fixed'> {
  clusterfusion: ClusterFusionSettings;
}

export interface ClusterFusionStageOutput extends MethodStageOutput {
  /** Every topic the LLM gave; clusterId −1 for a topic no text went to (left out of `clustered`). */
  topics: (FusionTopic & { clusterId: number })[];
  sampleSize: number;
  chunks: number;
}

/** ClusterFusion, then the cluster stage over its non-empty topics, each cluster named by its topic. */
export async function clusterFusionStage(
  input: ClusterFusionStageInput,
  deps: ClusterFusionDeps,
  opts: MethodStageOptions<ClusterFusionCheckpoint> = {},
): Promise<ClusterFusionStageOutput> {
  const t0 = performance.now();
  const res = await clusterFusion(input.vectors, input.texts, deps, { ...input.clusterfusion, ...opts });
  const seconds = (performance.now() - t0) / 1000;
  // Clusters are the topics that got texts, in topic order.
  const clusterOf = new Int32Array(res.k).fill(-1);
  let k = 0;
  for (const t of res.topics) if (t.size > 0) clusterOf[t.id] = k++;
  const fixed = res.assignments.map((t) => clusterOf[t]);
  const clustered = await clusterStage({ ...input, k, fixed }, opts);
  const byCluster = res.topics.filter((t) => t.size > 0);
  clustered.clusters = clustered.clusters.map((c) => named(c, byCluster[c.id]?.name, byCluster[c.id]?.description));
  clustered.timings = { clusterfusion: seconds, ...clustered.timings };
  const notes = res.notes.slice();
  const empty = res.topics.filter((t) => t.size === 0);
  if (empty.length > 0) notes.push(`${empty.length} topics got no texts: ${empty.map((t) => `"${t.name}"`).join(', ')}`);
  return {
    clustered,
    topics: res.topics.map((t) => ({ ...t, clusterId: clusterOf[t.id] })),
    promptLog: res.promptLog,
    llmCalls: res.llmCalls,
    fallbacks: res.fallbacks,
    tokens: res.tokens,
    notes,
    sampleSize: res.sample.length,
    chunks: res.chunks,
  };
}

export interface PseudoLabelStageInput extends Omit<ClusterStageInput, 'k' | 'fixed'> {
  pseudolabels: PseudoLabelSettings;
  /**
   * Vectors the cluster stage maps and scores: 'labelled' (default) the final text ⊕ labels
   * embeddings the clusters were found in, 'original' the input vectors.
   */
  view?: 'labelled' | 'original';
}

export interface PseudoLabelStageOutput extends MethodStageOutput {
  /** Pseudo-labels per text: a readable second view of each text. */
  labels: string[][];
  /** Most frequent labels per cluster, with how many members carry each. */
  clusterLabels: { label: string; count: number }[][];
  rounds: number;
  converged: boolean;
  changedPerRound: number[];
  knnMethod: 'exact' | 'ivf';
}

/** Top labels by how many members of each cluster carry them (ties by first appearance). */
export function topLabels(labels: readonly string[][], assignments: Int32Array, k: number, top = 5): { label: string; count: number }[][] {
  const counts = Array.from({ length: k }, () => new Map<string, number>());
  for (let i = 0; i < assignments.length; i++) {
    const c = assignments[i];
    if (c < 0 || c >= k) continue;
    for (const l of labels[i]) counts[c].set(l, (counts[c].get(l) ?? 0) + 1);
  }
  return counts.map((m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, count]) => ({ label, count })),
  );
}

/** Shared pseudo-labels, then the cluster stage; each cluster named by its most shared label. */
export async function pseudoLabelStage(input: PseudoLabelStageInput, deps: PseudoLabelDeps, opts: MethodStageOptions<PseudoLabelCheckpoint> = {}): Promise<PseudoLabelStageOutput> {
  const t0 = performance.now();
  const res = await pseudoLabels(input.vectors, input.texts, deps, { ...input.pseudolabels, ...opts });
  const seconds = (performance.now() - t0) / 1000;
  const vectors = input.view === 'original' ? input.vectors : res.vectors;
  const clustered = await clusterStage({ ...input, vectors, k: res.k, fixed: res.assignments }, opts);
  if (res.sweep) clustered.sweep = res.sweep;
  const clusterLabels = topLabels(res.labels, res.assignments, res.k);
  clustered.clusters = clustered.clusters.map((c) => {
    const top = clusterLabels[c.id] ?? [];
    if (top.length === 0) return c;
    const share = (x: { count: number }): string => `${Math.round((100 * x.count) / Math.max(1, c.size))}%`;
    return named(c, top[0].label, `Most shared pseudo-labels: ${top.map((x) => `${x.label} (${share(x)})`).join(', ')}.`);
  });
  clustered.timings = { pseudolabels: seconds, ...clustered.timings };
  return {
    clustered,
    labels: res.labels,
    clusterLabels,
    promptLog: res.promptLog,
    llmCalls: res.llmCalls,
    fallbacks: res.fallbacks,
    tokens: res.tokens,
    notes: res.notes,
    rounds: res.rounds,
    converged: res.converged,
    changedPerRound: res.changedPerRound,
    knnMethod: res.knnMethod,
  };
}

function named(c: ClusterSummary, name: string | undefined, description: string | undefined): ClusterSummary {
  return name ? { ...c, name, description, nameSource: 'llm' } : c;
}
