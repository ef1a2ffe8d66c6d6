/**
 * Quality of every level of a hierarchy (HERCULES §3.7): how many themes it has, the internal
 * silhouette of the texts grouped at that level (sampled like the flat run's), and, when a label
 * column exists, ACC/NMI/ARI/V-measure against it. The LLM metrics (LLM silhouette, topic
 * alignment) are merged in when the descriptions were embedded.
 */
import { externalMetrics } from '../metrics/external';
import type { DescriptionLevelMetrics } from '../metrics/descriptions';
import { silhouette } from '../metrics/internal';
import { homogeneityCompletenessV } from '../metrics/vmeasure';
import type { Matrix } from '../types';
import { assignmentsAtLevel, levelCut, type Hierarchy } from './tree';

export interface LevelMetrics {
  level: number;
  /** Themes at the level (its cut). */
  clusters: number;
  /** Sampled beyond `sampleAbove` texts; NaN with a single theme. */
  silhouette: number;
  acc?: number;
  nmi?: number;
  ari?: number;
  vMeasure?: number;
  llmSilhouette?: number;
  topicAlignment?: number;
}

export interface LevelMetricsOptions {
  labels?: string[];
  /** Text vectors, for the silhouette; without them it is NaN. */
  vectors?: Matrix;
  seed?: number;
  maxExact?: number;
  sampleSize?: number;
  described?: DescriptionLevelMetrics[];
}

export function levelMetrics(h: Hierarchy, opts: LevelMetricsOptions = {}): LevelMetrics[] {
  const labels = opts.labels && opts.labels.some((l) => l !== '') ? opts.labels : undefined;
  const out: LevelMetrics[] = [];
  for (let level = 1; level <= h.levels; level++) {
    const a = assignmentsAtLevel(h, level);
    const m: LevelMetrics = {
      level,
      clusters: levelCut(h, level).length,
      silhouette: opts.vectors
        ? silhouette(opts.vectors, a, { maxExact: opts.maxExact ?? 2000, sampleSize: opts.sampleSize ?? 1000, seed: opts.seed ?? 0 }).value
        : NaN,
    };
    if (labels) {
      const e = externalMetrics(labels, a);
      m.acc = e.acc;
      m.nmi = e.nmi;
      m.ari = e.ari;
      m.vMeasure = homogeneityCompletenessV(labels, a).vMeasure;
    }
    const d = opts.described?.find((x) => x.level === level);
    if (d) {
      if (Number.isFinite(d.llmSilhouette)) m.llmSilhouette = d.llmSilhouette;
      if (d.topicAlignment !== undefined) m.topicAlignment = d.topicAlignment;
    }
    out.push(m);
  }
  return out;
}
