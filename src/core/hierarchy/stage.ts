/**
 * Everything after the vectors exist, for a hierarchy run: build the tree (HERCULES bottom-up or
 * recursive top-down), then explain, map and
 * score its level-1 cut with the flat cluster stage (so the map, list and metrics of a hierarchy
 * run are those of its finest clusters), and give that cut the tree's level-1 names. One function
 * for the page's cluster worker and the command line.
 */
import type { LlmEngine } from '../llm/engine';
import type { NamingOptions } from '../llm/naming';
import { descriptionMetrics } from '../metrics/descriptions';
import { clusterStage, SILHOUETTE_EXACT_ROWS, SILHOUETTE_SAMPLE_ROWS, type ClusterStageInput, type ClusterStageOutput } from '../pipeline';
import { levelMetrics, type LevelMetrics } from './level-metrics';
import type { Matrix, StageOptions } from '../types';
import { buildHercules, type ResamplingOptions } from './hercules';
import { buildRecursive } from './recursive';
import { assignmentsAtLevel, levelCut, type Hierarchy } from './tree';

export interface HerculesSettings {
  method: 'hercules';
  /** Requested clusters per level, finest first, e.g. [100, 20, 5]. */
  levels: number[];
  mode: 'direct' | 'description';
  topicSeed?: string;
  resampling?: ResamplingOptions;
}

/** Top-down recursive clustering (seed 003): UMAP + HDBSCAN per subtree, split while loose. */
export interface RecursiveSettings {
  method: 'recursive';
  /** Most levels (default 3). */
  maxDepth?: number;
  /** Split a cluster only while its silhouette is below this (default 0.3). */
  silhouetteThreshold?: number;
  /** Smallest min cluster size at any depth (the seed's floor, default 50). */
  minClusterSizeFloor?: number;
  /** min_cluster_size = max(floor, n · basePct · decay^depth): defaults 0.05 and 0.7. */
  basePct?: number;
  decay?: number;
  /** Dimensions UMAP reduces each subset to before HDBSCAN (default 5). */
  reduceDims?: number;
  topicSeed?: string;
}

export type HierarchySettings = HerculesSettings | RecursiveSettings;

export interface HierarchyStageInput extends Omit<ClusterStageInput, 'k' | 'fixed'> {
  hierarchy: HierarchySettings;
  naming?: Omit<NamingOptions, 'topicSeed' | 'level' | 'signal' | 'onProgress'>;
}

export interface HierarchyDeps {
  /** null → keyword names. */
  engine: LlmEngine | null;
  /** Embeds title + description texts ('description' mode). */
  embedDescriptions?: (texts: string[], signal?: AbortSignal) => Promise<Matrix>;
}

export interface HierarchyStageOutput {
  tree: Hierarchy;
  clustered: ClusterStageOutput;
  /** Per level, top last: themes, silhouette, external metrics with labels, LLM metrics with an LLM. */
  levels: LevelMetrics[];
}

export async function hierarchyStage(input: HierarchyStageInput, deps: HierarchyDeps, opts: StageOptions = {}): Promise<HierarchyStageOutput> {
  const { vectors, texts, seed, hierarchy: h } = input;
  const t0 = performance.now();
  const common = { engine: deps.engine, topicSeed: h.topicSeed, naming: input.naming, seed, signal: opts.signal, onProgress: opts.onProgress };
  const tree =
    h.method === 'hercules'
      ? await buildHercules(vectors, texts, {
          ...common,
          levelClusterCounts: h.levels,
          mode: h.mode,
          embedDescriptions: deps.embedDescriptions,
          resampling: h.resampling,
        })
      : await buildRecursive(vectors, texts, {
          ...common,
          maxDepth: h.maxDepth,
          silhouetteThreshold: h.silhouetteThreshold,
          reduceDims: h.reduceDims,
          rule: {
            ...(h.minClusterSizeFloor !== undefined ? { floor: h.minClusterSizeFloor } : {}),
            ...(h.basePct !== undefined ? { basePct: h.basePct } : {}),
            ...(h.decay !== undefined ? { decay: h.decay } : {}),
          },
        });
  const seconds = (performance.now() - t0) / 1000;
  const cut = levelCut(tree, 1);
  const clustered = await clusterStage(
    { vectors, texts, labels: input.labels, k: cut.length, seed, projection: input.projection, fixed: assignmentsAtLevel(tree, 1) },
    opts,
  );
  // The flat view shows the tree's level-1 names; c-TF-IDF keywords stay the flat stage's own.
  clustered.clusters = clustered.clusters.map((c) => {
    const node = tree.nodes[cut[c.id]];
    return node ? { ...c, name: node.title || c.name, description: node.description, nameSource: node.nameSource, nodeId: node.id } : c;
  });
  const t1 = performance.now();
  // The LLM metrics need the descriptions embedded, so only when an LLM wrote them.
  const described =
    deps.engine && deps.embedDescriptions ? await descriptionMetrics(tree, deps.embedDescriptions, h.topicSeed, opts.signal) : undefined;
  const levels = levelMetrics(tree, { labels: input.labels, vectors, seed, maxExact: SILHOUETTE_EXACT_ROWS, sampleSize: SILHOUETTE_SAMPLE_ROWS, described });
  clustered.timings = { hierarchy: seconds, ...clustered.timings, evaluate: (clustered.timings.evaluate ?? 0) + (performance.now() - t1) / 1000 };
  return { tree, clustered, levels };
}
