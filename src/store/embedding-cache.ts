/**
 * Embedding cache: one Float32Array per (embedder id, model, dtype, text hash). Reads are one
 * transaction; writes are chunked so that one huge transaction does not hold memory or block.
 */
import { compact, getDb, toStorageError, writeTransaction, type VectorKey } from './db';

export interface VectorCacheKey {
  id: string;
  model: string;
  dtype: string;
}

/** Vectors written per transaction. */
const PUT_CHUNK = 1000;
/** Reads in flight at once within the read transaction. */
const GET_BATCH = 2000;

const keyOf = (info: VectorCacheKey, hash: string): VectorKey => [info.id, info.model, info.dtype, hash];

/** Cached vectors in the order of `hashes`; undefined where there is none. */
export async function getCachedVectors(info: VectorCacheKey, hashes: string[]): Promise<(Float32Array | undefined)[]> {
  if (hashes.length === 0) return [];
  const db = await getDb();
  const store = db.transaction('embeddings', 'readonly').store;
  const out: (Float32Array | undefined)[] = new Array<Float32Array | undefined>(hashes.length);
  for (let start = 0; start < hashes.length; start += GET_BATCH) {
    const batch = hashes.slice(start, start + GET_BATCH);
    const got = await Promise.all(batch.map((h) => store.get(keyOf(info, h))));
    got.forEach((v, j) => (out[start + j] = v instanceof Float32Array ? v : undefined));
  }
  return out;
}

/** Stores vectors (copied to their own buffers). Chunks written before a failure stay written. */
export async function putCachedVectors(info: VectorCacheKey, hashes: string[], vectors: Float32Array[]): Promise<void> {
  if (hashes.length !== vectors.length) throw new RangeError(`putCachedVectors: ${hashes.length} hashes but ${vectors.length} vectors`);
  if (hashes.length === 0) return;
  const db = await getDb();
  for (let start = 0; start < hashes.length; start += PUT_CHUNK) {
    const tx = db.transaction('embeddings', 'readwrite');
    const end = Math.min(hashes.length, start + PUT_CHUNK);
    await writeTransaction(tx, 'cache the embeddings', (track) => {
      for (let i = start; i < end; i++) track(tx.store.put(compact(vectors[i]), keyOf(info, hashes[i])));
    });
  }
}

/** Key range of one embedder/model/dtype (or of every entry when no info is given). */
function rangeOf(info?: Partial<VectorCacheKey>): IDBKeyRange | undefined {
  if (!info?.id) return undefined;
  const prefix = [info.id];
  if (info.model !== undefined) {
    prefix.push(info.model);
    if (info.dtype !== undefined) prefix.push(info.dtype);
  }
  // Arrays sort after strings, so [...prefix, []] is above every [...prefix, hash…].
  return IDBKeyRange.bound(prefix, [...prefix, []]);
}

/** Cached vectors in all, or for one embedder (id; optionally model; optionally dtype). */
export async function countCachedVectors(info?: Partial<VectorCacheKey>): Promise<number> {
  const db = await getDb();
  return db.count('embeddings', rangeOf(info));
}

export async function clearEmbeddingCache(): Promise<void> {
  const db = await getDb();
  try {
    await db.clear('embeddings');
  } catch (e) {
    throw toStorageError(e, 'clear the embedding cache');
  }
}
