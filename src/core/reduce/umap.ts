import { UMAP } from 'umap-js';
import { makeRng } from '../random';
import type { Matrix, StageOptions } from '../types';

export interface UmapOptions extends StageOptions {
  seed?: number;
  nNeighbors?: number;
  minDist?: number;
  /** Optimisation epochs; default umap-js's own (500 for small data, fewer as n grows). */
  nEpochs?: number;
}

/** Below this many rows UMAP's neighbour graph is meaningless; callers fall back to PCA. */
export const UMAP_MIN_ROWS = 20;

/**
 * UMAP to `dims` dimensions with umap-js (seeded, so a run is reproducible), stepping the
 * optimisation ourselves so progress is reported and an abort is seen between epochs. 2-D makes
 * the map; a few dimensions (5–10) feed density clustering (seeds 003, 004).
 */
export async function umap(m: Matrix, dims: number, opts: UmapOptions = {}): Promise<Matrix> {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`UMAP dims must be a whole number of at least 1 (got ${dims})`);
  if (m.rows < UMAP_MIN_ROWS) throw new RangeError(`UMAP needs at least ${UMAP_MIN_ROWS} texts (got ${m.rows}).`);
  const rows: number[][] = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) rows[i] = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  const umap = new UMAP({
    nComponents: dims,
    nNeighbors: Math.min(opts.nNeighbors ?? 15, m.rows - 1),
    minDist: opts.minDist ?? 0.1,
    ...(opts.nEpochs !== undefined ? { nEpochs: opts.nEpochs } : {}),
    random: makeRng(opts.seed ?? 0),
  });
  opts.onProgress?.({ stage: 'reduce', done: 0, total: 1, message: 'UMAP: nearest neighbours' });
  await yieldToEvents();
  opts.signal?.throwIfAborted();
  const epochs = umap.initializeFit(rows);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) {
      opts.onProgress?.({ stage: 'reduce', done: e, total: epochs, message: 'UMAP: layout' });
      await yieldToEvents();
      opts.signal?.throwIfAborted();
    }
  }
  const emb = umap.getEmbedding();
  const out = new Float32Array(m.rows * dims);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < dims; j++) out[i * dims + j] = emb[i][j];
  return { data: out, rows: m.rows, cols: dims };
}

/** UMAP to 2-D for the map; returns interleaved x,y. */
export async function umap2d(m: Matrix, opts: UmapOptions = {}): Promise<Float32Array> {
  return (await umap(m, 2, opts)).data;
}

function yieldToEvents(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
