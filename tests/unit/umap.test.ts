import { describe, expect, it } from 'vitest';
import { clusterStage } from '../../src/core/pipeline';
import { makeRng } from '../../src/core/random';
import { umap, umap2d } from '../../src/core/reduce/umap';
import type { Matrix } from '../../src/core/types';

function blobs(perBlob: number, dims = 8): Matrix {
  const rng = makeRng(3);
  const n = perBlob * 3;
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const b = Math.floor(i / perBlob);
    for (let d = 0; d < dims; d++) data[i * dims + d] = (d === b ? 5 : 0) + (rng() - 0.5);
  }
  return { data, rows: n, cols: dims };
}

const dist = (c: Float32Array, i: number, j: number) => Math.hypot(c[2 * i] - c[2 * j], c[2 * i + 1] - c[2 * j + 1]);

describe('umap2d', () => {
  it('keeps blobs apart: neighbours within a blob are closer than points of other blobs', async () => {
    const m = blobs(30);
    const c = await umap2d(m, { seed: 1 });
    expect(c).toHaveLength(180);
    let within = 0;
    let across = 0;
    for (let i = 0; i < 90; i++)
      for (let j = i + 1; j < 90; j++) {
        if (Math.floor(i / 30) === Math.floor(j / 30)) within += dist(c, i, j) / 1305;
        else across += dist(c, i, j) / 2700;
      }
    expect(across).toBeGreaterThan(3 * within);
  });

  it('is reproducible from the seed and can be aborted', async () => {
    const m = blobs(10);
    expect(Array.from(await umap2d(m, { seed: 5 }))).toEqual(Array.from(await umap2d(m, { seed: 5 })));
    const ac = new AbortController();
    ac.abort();
    await expect(umap2d(m, { seed: 5, signal: ac.signal })).rejects.toThrow();
  });

  it('reduces to n dimensions for clustering, keeping blobs apart; 2-D is the map', async () => {
    const m = blobs(30);
    const r = await umap(m, 5, { seed: 1, minDist: 0, nEpochs: 50 });
    expect([r.rows, r.cols, r.data.length]).toEqual([90, 5, 450]);
    const d5 = (i: number, j: number) => Math.hypot(...Array.from({ length: 5 }, (_, t) => r.data[5 * i + t] - r.data[5 * j + t]));
    // Every point's nearest neighbour lies in its own blob.
    for (let i = 0; i < 90; i++) {
      let best = -1;
      for (let j = 0; j < 90; j++) if (j !== i && (best < 0 || d5(i, j) < d5(i, best))) best = j;
      expect(Math.floor(best / 30)).toBe(Math.floor(i / 30));
    }
    expect(Array.from(await umap2d(m, { seed: 4 }))).toEqual(Array.from((await umap(m, 2, { seed: 4 })).data));
    await expect(umap(m, 0)).rejects.toThrow(RangeError);
  });

  it('falls back to PCA in the pipeline when there are too few texts for UMAP', async () => {
    const m = blobs(3);
    const out = await clusterStage({ vectors: m, texts: Array.from({ length: 9 }, (_, i) => `t${i}`), k: 3, seed: 1, projection: 'umap' });
    expect(out.projection).toBe('pca');
    const big = await clusterStage({ vectors: blobs(10), texts: Array.from({ length: 30 }, (_, i) => `t${i}`), k: 3, seed: 1, projection: 'umap' });
    expect(big.projection).toBe('umap');
  });
});
