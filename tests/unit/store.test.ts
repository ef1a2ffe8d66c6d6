import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../../src/core/types';
import { closeDb, getSetting, setSetting, StorageError, StorageFullError } from '../../src/store/db';
import { clearEmbeddingCache, countCachedVectors, getCachedVectors, putCachedVectors } from '../../src/store/embedding-cache';
import { deleteRun, getRun, listRuns, renameRun, saveRun } from '../../src/store/runs';

function makeRun(id: string, createdAt: number, n = 4): RunRecord {
  const texts = Array.from({ length: n }, (_, i) => `text ${id} ${i}`);
  return {
    schema: 1,
    id,
    name: `Run ${id}`,
    createdAt,
    datasetName: 'tickets',
    stats: { rows: n + 1, empty: 1, duplicates: 0, kept: n },
    config: {
      method: 'kmeans',
      k: 2,
      seed: 7,
      embedder: { id: 'glove-sif', model: 'glove-100d', dtype: 'fp32', device: 'cpu', dims: 100 },
      textField: 'text',
    },
    texts,
    labels: texts.map((_, i) => (i % 2 ? 'b' : 'a')),
    assignments: Int32Array.from(texts.map((_, i) => i % 2)),
    coords: Float32Array.from(texts.flatMap((_, i) => [i * 0.5, 1 - i])),
    clusters: [
      { id: 0, size: 2, keywords: ['login'], representatives: [0], cohesion: 0.8, name: 'login' },
      { id: 1, size: 2, keywords: ['refund'], representatives: [1], cohesion: 0.7, name: 'refund' },
    ],
    metrics: { acc: 1, nmi: 1, ari: 1 },
    embedStats: { cached: 0, embedded: n, device: 'cpu' },
    timings: { embed: 1.5 },
  };
}

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

beforeEach(async () => {
  // A fresh, empty IndexedDB for every test.
  await closeDb();
  globalThis.indexedDB = new IDBFactory();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('runs', () => {
  it('round-trips a run with its typed arrays', async () => {
    const run = makeRun('r1', 1000);
    await saveRun(run);
    const back = await getRun('r1');
    expect(back).toEqual(run);
    expect(back?.assignments).toBeInstanceOf(Int32Array);
    expect(back?.coords).toBeInstanceOf(Float32Array);
    expect(Array.from(back?.coords ?? [])).toEqual([0, 1, 0.5, 0, 1, -1, 1.5, -2]);
    expect(await getRun('missing')).toBeUndefined();
  });

  it('stores a typed-array view without the rest of its buffer', async () => {
    const big = new Float32Array(1000).map((_, i) => i);
    const run = { ...makeRun('r1', 1000), coords: big.subarray(10, 18) };
    await saveRun(run);
    const back = await getRun('r1');
    expect(Array.from(back?.coords ?? [])).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    expect(back?.coords.buffer.byteLength).toBe(8 * 4);
  });

  it('lists meta only, newest first', async () => {
    await saveRun(makeRun('old', 1000));
    await saveRun(makeRun('new', 3000, 6));
    await saveRun(makeRun('mid', 2000));
    const list = await listRuns();
    expect(list.map((m) => m.id)).toEqual(['new', 'mid', 'old']);
    expect(list[0]).toEqual({
      id: 'new',
      name: 'Run new',
      createdAt: 3000,
      datasetName: 'tickets',
      n: 6,
      k: 2,
      embedder: 'glove-sif · glove-100d',
      embedderId: 'glove-sif',
      model: 'glove-100d',
      metrics: { acc: 1, nmi: 1, ari: 1 },
    });
    expect('texts' in list[0]).toBe(false);
  });

  it('renames in the list and in the full record', async () => {
    await saveRun(makeRun('r1', 1000));
    expect(await renameRun('r1', '  Support tickets, k=2 ')).toBe(true);
    expect((await listRuns())[0].name).toBe('Support tickets, k=2');
    expect((await getRun('r1'))?.name).toBe('Support tickets, k=2');
    expect(await renameRun('nope', 'x')).toBe(false);
    await expect(renameRun('r1', '   ')).rejects.toBeInstanceOf(StorageError);
  });

  it('deletes a run and its list entry', async () => {
    await saveRun(makeRun('a', 1));
    await saveRun(makeRun('b', 2));
    await deleteRun('a');
    expect(await getRun('a')).toBeUndefined();
    expect((await listRuns()).map((m) => m.id)).toEqual(['b']);
  });

  it('turns a quota error into StorageFullError and leaves earlier data intact', async () => {
    await saveRun(makeRun('kept', 1000));
    // The full record is written, then the list entry fails: nothing of the new run may remain.
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
      if (this.name === 'runMeta') throw quota();
      return put.apply(this, args);
    });
    const err = await saveRun(makeRun('new', 2000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(/storage for this page is full/);
    vi.restoreAllMocks();
    expect(await getRun('new')).toBeUndefined();
    expect((await listRuns()).map((m) => m.id)).toEqual(['kept']);
    expect((await getRun('kept'))?.texts).toHaveLength(4);
  });

  it('maps other write failures to StorageError, not StorageFullError', async () => {
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Cannot clone', 'DataCloneError');
    });
    const err = await saveRun(makeRun('x', 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).not.toBeInstanceOf(StorageFullError);
  });
});

describe('embedding cache', () => {
  const info = { id: 'transformers', model: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8' };
  const vec = (seed: number, dims = 4) => Float32Array.from({ length: dims }, (_, i) => seed + i / 10);

  it('returns hits in request order and undefined for misses', async () => {
    await putCachedVectors(info, ['h1', 'h2', 'h3'], [vec(1), vec(2), vec(3)]);
    const got = await getCachedVectors(info, ['h3', 'nope', 'h1']);
    expect(got.map((v) => (v ? Array.from(v) : undefined))).toEqual([Array.from(vec(3)), undefined, Array.from(vec(1))]);
    expect(got[0]).toBeInstanceOf(Float32Array);
    // Another dtype or model is another key.
    expect(await getCachedVectors({ ...info, dtype: 'fp32' }, ['h1'])).toEqual([undefined]);
    expect(await getCachedVectors({ ...info, model: 'other' }, ['h1'])).toEqual([undefined]);
    expect(await getCachedVectors(info, [])).toEqual([]);
  });

  it('counts per embedder and in all, across chunked writes, and clears', async () => {
    const n = 2500;
    const hashes = Array.from({ length: n }, (_, i) => `h${i}`);
    const matrix = new Float32Array(n * 3).map((_, i) => i);
    // Row views of one matrix, as an embedder produces them.
    await putCachedVectors(info, hashes, hashes.map((_, i) => matrix.subarray(i * 3, i * 3 + 3)));
    await putCachedVectors({ ...info, dtype: 'fp32' }, ['a', 'b'], [vec(1), vec(2)]);
    await putCachedVectors({ id: 'glove-sif', model: 'glove', dtype: 'fp32' }, ['a'], [vec(1)]);
    expect(await countCachedVectors(info)).toBe(n);
    expect(await countCachedVectors({ id: 'transformers' })).toBe(n + 2);
    expect(await countCachedVectors()).toBe(n + 3);
    const [last] = await getCachedVectors(info, [`h${n - 1}`]);
    expect(Array.from(last ?? [])).toEqual([(n - 1) * 3, (n - 1) * 3 + 1, (n - 1) * 3 + 2]);
    expect(last?.buffer.byteLength).toBe(12);
    await clearEmbeddingCache();
    expect(await countCachedVectors()).toBe(0);
  });

  it('rejects mismatched lengths', async () => {
    await expect(putCachedVectors(info, ['a', 'b'], [vec(1)])).rejects.toBeInstanceOf(RangeError);
  });

  it('maps a quota error to StorageFullError, keeping chunks already written', async () => {
    const put = IDBObjectStore.prototype.put;
    let calls = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
      // The first chunk (1000 vectors) succeeds; the second fails halfway.
      if (++calls === 1500) throw quota();
      return put.apply(this, args);
    });
    const hashes = Array.from({ length: 2500 }, (_, i) => `h${i}`);
    const err = await putCachedVectors(info, hashes, hashes.map((_, i) => vec(i))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    vi.restoreAllMocks();
    expect(await countCachedVectors(info)).toBe(1000);
  });
});

describe('settings', () => {
  it('stores small values by key', async () => {
    expect(await getSetting('k')).toBeUndefined();
    await setSetting('k', 12);
    await setSetting('embedder', { id: 'glove-sif' });
    expect(await getSetting<number>('k')).toBe(12);
    expect(await getSetting('embedder')).toEqual({ id: 'glove-sif' });
  });
});
