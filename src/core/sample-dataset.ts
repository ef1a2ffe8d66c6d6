/**
 * A seeded random sample of a dataset, for files larger than the page clusters well: the same
 * seed gives the same sample, texts keep their file order, and ids, labels and extra columns stay
 * aligned with their texts.
 */
import { sampleIndices } from './random';
import type { Dataset } from './types';

/** Above this many texts the page offers to cluster a sample (DESIGN §1: typical data is 1k–200k). */
export const LARGE_DATASET = 100_000;

export function sampleDataset(ds: Dataset, size: number, seed = 42): Dataset {
  const n = ds.texts.length;
  if (size >= n) return ds;
  const idx = Array.from(sampleIndices(n, size, seed));
  const pick = <T>(a: T[]): T[] => idx.map((i) => a[i]);
  return {
    ...ds,
    name: `${ds.name} (sample of ${idx.length.toLocaleString('en-US')})`,
    texts: pick(ds.texts),
    ids: ds.ids ? pick(ds.ids) : undefined,
    labels: ds.labels ? pick(ds.labels) : undefined,
    columns: ds.columns ? Object.fromEntries(Object.entries(ds.columns).map(([k, v]) => [k, pick(v)])) : undefined,
    stats: { ...ds.stats, kept: idx.length, sampledFrom: n },
  };
}
