/**
 * An LLM-formed run in progress, kept in IndexedDB so a reload (or a crash) does not lose the LLM
 * calls already paid for: the request that started it and the method's latest checkpoint. The API
 * key of an LLM server is never part of it.
 */
import { getSetting, setSetting } from './db';

const KEY = 'pending-run';

export interface PendingRun<R = unknown, C = unknown> {
  id: string;
  startedAt: number;
  /** What the page asked for, without secrets. */
  request: R;
  checkpoint?: C;
  /** The last progress line, to tell the user how far it got. */
  where?: string;
  savedAt: number;
}

export async function getPendingRun<R, C>(): Promise<PendingRun<R, C> | undefined> {
  return getSetting<PendingRun<R, C>>(KEY);
}

export async function savePendingRun<R, C>(p: PendingRun<R, C>): Promise<void> {
  await setSetting(KEY, p);
}

export async function clearPendingRun(): Promise<void> {
  await setSetting(KEY, undefined);
}
