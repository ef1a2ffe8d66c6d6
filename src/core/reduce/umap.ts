import { UMAP } from 'umap-js';
import { makeRng } from '../random';
import type { Matrix, StageOptions } from '../types';

export interface UmapOptions extends StageOptions {
  seed?: number;
  nNeighbors?: number;
  minDist?: number;
}

/** Below this many rows UMAP's neighbour graph is meaningless; callers fall back to PCA. */
export const UMAP_MIN_ROWS = 20;

/**
 * UMAP to 2-D with umap-js (seeded, so a run's map is reproducible), stepping the optimisation
 * ourselves so progress is reported and an abort is seen between epochs. Returns interleaved x,y.
 */
export async function umap2d(m: Matrix, opts: UmapOptions = {}): Promise<Float32Array> {
  if (m.rows < UMAP_MIN_ROWS) throw new RangeError(`UMAP needs at least ${UMAP_MIN_ROWS} texts (got ${m.rows}).`);
  const rows: number[][] = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) rows[i] = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(opts.nNeighbors ?? 15, m.rows - 1),
    minDist: opts.minDist ?? 0.1,
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
  const out = new Float32Array(m.rows * 2);
  for (let i = 0; i < m.rows; i++) {
    out[i * 2] = emb[i][0];
    out[i * 2 + 1] = emb[i][1];
  }
  return out;
}

function yieldToEvents(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
