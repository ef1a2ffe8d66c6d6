import { hashCorpus, hashText } from '../hash';
import type { Embedder, EmbedderInfo, EmbedOptions, EmbedStats, Matrix } from '../types';

/** Where vectors are kept between runs; IndexedDB in the page, nothing (or a Map) in the CLI. */
export interface VectorCache {
  get(key: CacheKey, hashes: string[]): Promise<(Float32Array | undefined)[]>;
  put(key: CacheKey, hashes: string[], vectors: Float32Array[]): Promise<void>;
}

export interface CacheKey {
  id: string;
  model: string;
  dtype: string;
}

/** The cache key of an embedder for a corpus: corpus-fitted models are keyed by the corpus too. */
export function cacheKeyFor(info: EmbedderInfo, corpusDependent: boolean, texts: readonly string[]): CacheKey {
  return {
    id: info.id,
    model: corpusDependent ? `${info.model}@${hashCorpus(texts)}` : info.model,
    dtype: info.dtype,
  };
}

/**
 * Embeds texts, taking what it can from the cache and embedding only the rest (each distinct text
 * once). Returns normalised rows in input order and how many came from where.
 */
export async function embedWithCache(
  embedder: Embedder,
  texts: string[],
  cache: VectorCache | null,
  opts: EmbedOptions = {},
): Promise<{ vectors: Matrix; stats: EmbedStats }> {
  const n = texts.length;
  const key = cacheKeyFor(embedder.info, embedder.corpusDependent, texts);
  const hashes = texts.map((t) => hashText(t));

  // Distinct texts, so duplicates are looked up and embedded once.
  const firstOf = new Map<string, number>();
  const uniqueIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!firstOf.has(hashes[i])) {
      firstOf.set(hashes[i], i);
      uniqueIdx.push(i);
    }
  }
  const uniqueHashes = uniqueIdx.map((i) => hashes[i]);
  const found = cache ? await cache.get(key, uniqueHashes) : uniqueHashes.map(() => undefined);
  opts.signal?.throwIfAborted();

  let dims = embedder.info.dims;
  const byHash = new Map<string, Float32Array>();
  const missing: number[] = [];
  found.forEach((v, j) => {
    if (v && (dims <= 0 || v.length === dims)) {
      byHash.set(uniqueHashes[j], v);
      dims = v.length;
    } else missing.push(uniqueIdx[j]);
  });

  // A corpus-fitted model must see the whole corpus: it is all or nothing.
  const toEmbed = embedder.corpusDependent && missing.length > 0 ? uniqueIdx : missing;
  if (toEmbed.length > 0) {
    const fresh = await embedder.embed(toEmbed.map((i) => texts[i]), opts);
    dims = fresh.cols;
    const newHashes: string[] = [];
    const newVecs: Float32Array[] = [];
    for (let r = 0; r < toEmbed.length; r++) {
      const v = fresh.data.slice(r * dims, (r + 1) * dims);
      const h = hashes[toEmbed[r]];
      byHash.set(h, v);
      newHashes.push(h);
      newVecs.push(v);
    }
    if (cache) await cache.put(key, newHashes, newVecs);
  }

  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const v = byHash.get(hashes[i]);
    if (v) data.set(v, i * dims);
  }
  let vectors: Matrix = { data, rows: n, cols: dims };
  if (embedder.finalize) vectors = embedder.finalize(vectors);
  const embeddedTexts = new Set(toEmbed.map((i) => hashes[i]));
  let embedded = 0;
  for (let i = 0; i < n; i++) if (embeddedTexts.has(hashes[i])) embedded++;
  return { vectors, stats: { cached: n - embedded, embedded, device: embedder.info.device } };
}
