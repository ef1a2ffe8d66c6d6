/**
 * The one IndexedDB database of the page, `constellate`, opened once per realm (page or worker).
 * No DOM: `indexedDB` exists in windows and workers alike (and via fake-indexeddb in tests).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RunRecord } from '../core/types';
import type { RunMeta } from './run-meta';

export const DB_NAME = 'constellate';
export const DB_VERSION = 1;

/** Embedding cache key: [embedderId, model, dtype, textHash]. */
export type VectorKey = [string, string, string, string];

export interface ConstellateDB extends DBSchema {
  runs: { key: string; value: RunRecord };
  runMeta: { key: string; value: RunMeta; indexes: { createdAt: number } };
  embeddings: { key: VectorKey; value: Float32Array };
  settings: { key: string; value: unknown };
}

let dbPromise: Promise<IDBPDatabase<ConstellateDB>> | null = null;

export function getDb(): Promise<IDBPDatabase<ConstellateDB>> {
  if (!dbPromise) {
    const opening = openDB<ConstellateDB>(DB_NAME, DB_VERSION, {
      upgrade(db, oldVersion) {
        // One step per version, so that any older database is brought up to date in order.
        if (oldVersion < 1) {
          db.createObjectStore('runs', { keyPath: 'id' });
          db.createObjectStore('runMeta', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
          db.createObjectStore('embeddings');
          db.createObjectStore('settings');
        }
      },
      blocking() {
        // A newer version is opening in another tab: step aside so it can upgrade.
        void closeDb();
      },
      terminated() {
        dbPromise = null;
      },
    });
    dbPromise = opening;
    opening.catch(() => {
      if (dbPromise === opening) dbPromise = null;
    });
  }
  return dbPromise.catch((e: unknown) => {
    throw toStorageError(e, 'open');
  });
}

/** Closes the connection (the next call opens it again). Used on version change and by tests. */
export async function closeDb(): Promise<void> {
  const p = dbPromise;
  dbPromise = null;
  if (p) (await p.catch(() => null))?.close();
}

/** Any storage failure, with a message fit to show. */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The browser refused a write because this site's storage quota is used up. */
export class StorageFullError extends StorageError {
  override name = 'StorageFullError';
}

export function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  // Chrome/Safari: QuotaExceededError (legacy code 22); old Firefox: NS_ERROR_DOM_QUOTA_REACHED (1014).
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}

/** Maps an IndexedDB failure to a StorageError; quota failures to StorageFullError. */
export function toStorageError(e: unknown, what: string): StorageError {
  if (e instanceof StorageError) return e;
  if (isQuotaError(e))
    return new StorageFullError(
      "The browser's storage for this page is full, so this could not be saved. Delete old runs or clear the embedding cache, then try again.",
      { cause: e },
    );
  const detail = e instanceof Error ? e.message : String(e);
  return new StorageError(`The browser's storage could not ${what} (${detail || 'unknown error'}). Private browsing may block storage.`, { cause: e });
}

/**
 * A typed array that owns exactly its buffer: structured clone stores the whole underlying buffer
 * of a view, so a subarray of a large matrix would otherwise be saved in full.
 */
export function compact<T extends Float32Array | Int32Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

/**
 * Runs the writes of one readwrite transaction. `body` hands every request promise to `track`;
 * on any failure, thrown or rejected, the transaction is aborted (so none of its writes are kept),
 * no request rejection is left unhandled, and the error becomes a StorageError.
 */
export async function writeTransaction<T>(
  tx: { done: Promise<void>; abort(): void },
  what: string,
  body: (track: (request: Promise<unknown>) => void) => Promise<T> | T,
): Promise<T> {
  const pending: Promise<unknown>[] = [];
  const track = (request: Promise<unknown>) => {
    request.catch(() => undefined);
    pending.push(request);
  };
  try {
    const result = await body(track);
    await Promise.all([...pending, tx.done]);
    return result;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // already committed or aborted
    }
    await tx.done.catch(() => undefined);
    throw toStorageError(e, what);
  }
}

/** Small key/value preferences (last embedder, k, …), kept across visits. */
export async function getSetting<T>(key: string): Promise<T | undefined> {
  const db = await getDb();
  return (await db.get('settings', key)) as T | undefined;
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  const db = await getDb();
  try {
    await db.put('settings', value, key);
  } catch (e) {
    throw toStorageError(e, 'save the setting');
  }
}
