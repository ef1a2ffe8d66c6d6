/**
 * Names the clusters of a flat run with an LLM (the HERCULES prompt at level 1): samples are the
 * representatives nearest each centroid, keywords the c-TF-IDF ones. Returns new summaries (the
 * keyword name stays where the LLM gave none) and the prompt log to keep in the run.
 */
import type { ClusterSummary } from '../types';
import type { LlmEngine } from './engine';
import { nameClusters, type NamingOptions, type PromptLogEntry } from './naming';
import type { ClusterForNaming } from './prompts';

export async function nameFlatClusters(
  clusters: ClusterSummary[],
  texts: string[],
  engine: LlmEngine,
  opts: NamingOptions = {},
): Promise<{ clusters: ClusterSummary[]; log: PromptLogEntry[] }> {
  const forNaming: ClusterForNaming[] = clusters
    .filter((c) => c.size > 0)
    .map((c) => ({
      id: `C${c.id}`,
      size: c.size,
      samples: c.representatives.map((i) => texts[i]),
      keywords: c.keywords,
      level: 1,
    }));
  const { names, log } = await nameClusters(forNaming, engine, { ...opts, level: 1 });
  const named = clusters.map((c) => {
    const n = names.get(`C${c.id}`);
    return n ? { ...c, name: n.title || c.name, description: n.description, nameSource: n.source } : c;
  });
  return { clusters: named, log };
}
