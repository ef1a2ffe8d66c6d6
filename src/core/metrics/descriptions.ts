/**
 * Metrics on the LLM's own words (HERCULES §3.7, seed 001): embed each node's "title. description"
 * and measure, per level, how distinct the summaries are and how well they follow the topic seed.
 * - LLM silhouette at level L ≥ 2: silhouette (cosine) of the level-(L−1) description embeddings
 *   grouped by their level-L parent. High when the summaries of different parents differ.
 * - Topic alignment at level L: mean cosine of the topic seed's embedding to the level-L
 *   description embeddings.
 * Only nodes the LLM named count: keyword names say nothing about the LLM.
 */
import { getNode, type Hierarchy } from '../hierarchy/tree';
import { cosine, rowOf } from '../vectors';
import type { Matrix } from '../types';
import { silhouette } from './internal';

export interface DescriptionLevelMetrics {
  level: number;
  /** NaN when undefined (fewer than 2 parents, or too few named children). */
  llmSilhouette: number;
  /** Present when a topic seed was given. */
  topicAlignment?: number;
  /** Nodes of the level whose LLM descriptions were embedded. */
  described: number;
}

export type EmbedTexts = (texts: string[], signal?: AbortSignal) => Promise<Matrix>;

export async function descriptionMetrics(h: Hierarchy, embed: EmbedTexts, topicSeed?: string, signal?: AbortSignal): Promise<DescriptionLevelMetrics[]> {
  const named = Object.values(h.nodes).filter((n) => n.nameSource === 'llm' && !n.isNoise);
  if (named.length === 0) return [];
  const seed = topicSeed?.trim();
  const texts = named.map((n) => `${n.title}. ${n.description}`.trim());
  const vectors = await embed(seed ? [...texts, seed] : texts, signal);
  const row = new Map(named.map((n, i) => [n.id, i]));
  const seedVec = seed ? rowOf(vectors, named.length) : null;

  const out: DescriptionLevelMetrics[] = [];
  for (let level = 1; level <= h.levels; level++) {
    const here = named.filter((n) => n.level === level);
    // Children one level down, grouped by this level's nodes.
    const children: number[] = [];
    const parents: number[] = [];
    here.forEach((p, j) => {
      for (const c of p.childIds) {
        const r = row.get(c);
        if (r !== undefined && getNode(h, c).level === level - 1) {
          children.push(r);
          parents.push(j);
        }
      }
    });
    let llmSilhouette = NaN;
    if (children.length > 2) {
      const d = vectors.cols;
      const sub = new Float32Array(children.length * d);
      children.forEach((r, i) => sub.set(vectors.data.subarray(r * d, (r + 1) * d), i * d));
      llmSilhouette = silhouette({ data: sub, rows: children.length, cols: d }, Int32Array.from(parents), { metric: 'cosine' }).value;
    }
    const m: DescriptionLevelMetrics = { level, llmSilhouette, described: here.length };
    if (seedVec && here.length > 0) {
      let sum = 0;
      for (const n of here) sum += cosine(rowOf(vectors, row.get(n.id) as number), seedVec);
      m.topicAlignment = sum / here.length;
    }
    out.push(m);
  }
  return out;
}
