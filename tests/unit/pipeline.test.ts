import { describe, expect, it } from 'vitest';
import { clusterStage } from '../../src/core/pipeline';
import { makeRng } from '../../src/core/random';
import type { Matrix } from '../../src/core/types';

/** Three tight, far-apart blobs in 5-D, 20 points each, with a word per blob in the texts. */
function blobs(): { m: Matrix; texts: string[]; labels: string[] } {
  const rng = makeRng(7);
  const words = ['apple', 'rocket', 'violin'];
  const data = new Float32Array(60 * 5);
  const texts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < 60; i++) {
    const b = Math.floor(i / 20);
    for (let d = 0; d < 5; d++) data[i * 5 + d] = (d === b ? 10 : 0) + (rng() - 0.5) * 0.2;
    texts.push(`${words[b]} text number ${i}`);
    labels.push(words[b]);
  }
  return { m: { data, rows: 60, cols: 5 }, texts, labels };
}

describe('clusterStage', () => {
  it('clusters, projects, explains and scores against labels', async () => {
    const { m, texts, labels } = blobs();
    const out = await clusterStage({ vectors: m, texts, labels, k: 3, seed: 1 });
    expect(out.k).toBe(3);
    expect(out.coords).toHaveLength(120);
    expect(out.metrics).toMatchObject({ acc: 1, nmi: expect.closeTo(1, 6), ari: expect.closeTo(1, 6), vMeasure: expect.closeTo(1, 6) });
    expect(out.quality.silhouette).toBeGreaterThan(0.9);
    expect(out.quality.silhouetteRows).toBe(60);
    expect(out.clusters.map((c) => c.keywords[0].split(' ')[0]).sort()).toEqual(['apple', 'rocket', 'violin']);
    expect(out.sweep).toBeUndefined();
  });

  it("with k = 'auto' sweeps k, keeps the curve and picks the true k on clear blobs", async () => {
    const { m, texts } = blobs();
    const out = await clusterStage({ vectors: m, texts, k: 'auto', seed: 1 });
    expect(out.k).toBe(3);
    expect(out.sweep?.best).toBe(3);
    expect(out.sweep?.points.map((p) => p.param)).toContain(3);
    expect(out.metrics).toBeUndefined();
  });

  it('refuses k larger than the number of texts with a message a person understands', async () => {
    const { m, texts } = blobs();
    await expect(clusterStage({ vectors: m, texts, k: 61, seed: 1 })).rejects.toThrow('k (61) is larger than the number of texts (60)');
  });
});

describe('clusterStage with fewer distinct texts than k', () => {
  it('drops the clusters k-means leaves empty and says so', async () => {
    const data = new Float32Array(20 * 3);
    for (let i = 0; i < 20; i++) data.set(i < 12 ? [1, 0, 0] : [0, 1, 0], i * 3);
    const texts = Array.from({ length: 20 }, (_, i) => (i < 12 ? 'card blocked' : 'late delivery'));
    const out = await clusterStage({ vectors: { data, rows: 20, cols: 3 }, texts, k: 5, seed: 1 });
    expect(out.k).toBe(2);
    expect(out.clusters.map((c) => c.size).sort((a, b) => a - b)).toEqual([8, 12]);
    expect(new Set(out.assignments)).toEqual(new Set([0, 1]));
    expect(out.notes).toEqual([expect.stringMatching(/^3 of the 5 clusters asked for stayed empty/)]);
  });

  it('adds no note when every cluster has texts', async () => {
    const { m, texts } = blobs();
    expect((await clusterStage({ vectors: m, texts, k: 3, seed: 1 })).notes).toBeUndefined();
  });
});
