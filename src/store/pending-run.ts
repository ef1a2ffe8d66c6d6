/**
 * The run in progress, kept in IndexedDB so that after a reload (or a crash) the page can say what
 * happened. An LLM-formed run also keeps the request that started it and the method's latest
 * checkpoint, so the LLM calls already paid for are not lost: it can be resumed. The API key of an
 * LLM server is never part of it. Other runs keep only a summary: their vectors are cached, so
 * running them again is quick.
 */
import { getSetting, setSetting } from './db';

const KEY = 'pending-run';

export interface PendingRun<R = unknown, C = unknown> {
  id: string;
  startedAt: number;
  /** What was running, for the message. */
  summary: { dataset: string; texts: number; method: string };
  /** What the page asked for, without secrets: present when the run can be resumed. */
  request?: R;
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
