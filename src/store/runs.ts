/**
 * Saved runs. A run is written to `runs` (everything, typed arrays as they are) and `runMeta` (the
 * list entry) in one transaction, so the two never disagree and a failed save leaves nothing half
 * written.
 */
import type { RunRecord } from '../core/types';
import { compact, getDb, StorageError, writeTransaction } from './db';
import { metaOf, type RunMeta } from './run-meta';

export type { RunMeta } from './run-meta';
export { StorageError, StorageFullError } from './db';

export async function saveRun(run: RunRecord): Promise<void> {
  const db = await getDb();
  const record: RunRecord = { ...run, assignments: compact(run.assignments), coords: compact(run.coords) };
  const tx = db.transaction(['runs', 'runMeta'], 'readwrite');
  await writeTransaction(tx, 'save the run', (track) => {
    track(tx.objectStore('runs').put(record));
    track(tx.objectStore('runMeta').put(metaOf(run)));
  });
}

export async function getRun(id: string): Promise<RunRecord | undefined> {
  const db = await getDb();
  return db.get('runs', id);
}

/** Saved runs, newest first (meta only). */
export async function listRuns(): Promise<RunMeta[]> {
  const db = await getDb();
  const metas = await db.getAllFromIndex('runMeta', 'createdAt');
  return metas.reverse();
}

/** Renames a saved run; false when there is no run with this id. */
export async function renameRun(id: string, name: string): Promise<boolean> {
  const trimmed = name.trim();
  if (!trimmed) throw new StorageError('A run needs a name.');
  const db = await getDb();
  const tx = db.transaction(['runs', 'runMeta'], 'readwrite');
  return writeTransaction(tx, 'rename the run', async (track) => {
    const run = await tx.objectStore('runs').get(id);
    if (!run) return false;
    track(tx.objectStore('runs').put({ ...run, name: trimmed }));
    track(tx.objectStore('runMeta').put({ ...metaOf(run), name: trimmed }));
    return true;
  });
}

export async function deleteRun(id: string): Promise<void> {
  const db = await getDb();
  const tx = db.transaction(['runs', 'runMeta'], 'readwrite');
  await writeTransaction(tx, 'delete the run', (track) => {
    track(tx.objectStore('runs').delete(id));
    track(tx.objectStore('runMeta').delete(id));
  });
}
