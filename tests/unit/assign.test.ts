import { describe, expect, it } from 'vitest';
import { attributeLeaves, nodeCentroids, placementModel, placeVectors, quantile, runTree } from '../../src/core/assign';
import { buildHercules } from '../../src/core/hierarchy/hercules';
import { ancestors, itemsOf, validateHierarchy, type Hierarchy } from '../../src/core/hierarchy/tree';
import { makeRng } from '../../src/core/random';
import type { ClusterSummary, Matrix } from '../../src/core/types';
import { cosine, fromRows, rowOf } from '../../src/core/vectors';
import { uneven } from './treemap-fixture';

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** One direction per leaf of the tree (a basis vector of its own, plus its parent's, plus its grandparent's), items scattered around it. */
function vectorsFor(h: Hierarchy, noise: number, seed: number): { vectors: Matrix; axis: Map<string, number> } {
  const ids = Object.keys(h.nodes);
  const axis = new Map(ids.map((id, i) => [id, i]));
  const rng = makeRng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < h.itemLeaf.length; i++) {
    const v = new Array<number>(ids.length).fill(0).map(() => noise * gaussian(rng));
    const l = h.itemLeaf[i];
    if (l >= 0) {
      const leaf = h.leafIds[l];
      const chain = [leaf, ...ancestors(h, leaf)];
      chain.forEach((id, depth) => (v[axis.get(id) as number] += 3 / (depth + 1)));
    }
    rows.push(v);
  }
  return { vectors: fromRows(rows), axis };
}

function around(h: Hierarchy, axis: Map<string, number>, leaf: string, noise: number, rng: () => number): number[] {
  const v = new Array<number>(axis.size).fill(0).map(() => noise * gaussian(rng));
  [leaf, ...ancestors(h, leaf)].forEach((id, depth) => (v[axis.get(id) as number] += 3 / (depth + 1)));
  return v;
}

describe('runTree', () => {
  it('reads a flat run as one level of leaves keyed by cluster id, with sizes counted from the assignments', () => {
    const clusters = [2, 0, 1].map((id): ClusterSummary => ({ id, size: 0, keywords: [`k${id}`], representatives: [], cohesion: 0, name: `C${id}` }));
    const assignments = Int32Array.from([0, 2, 2, 1, -1, 2]);
    const t = runTree({ clusters, assignments });
    expect(validateHierarchy(t)).toEqual([]);
    expect(t.roots).toEqual(['0', '1', '2']);
    expect(t.nodes['2'].size).toBe(3);
    expect(t.nodes['2'].title).toBe('C2');
    expect(Array.from(t.itemLeaf)).toEqual([0, 2, 2, 1, -1, 2]);
    expect(itemsOf(t, '2')).toEqual([1, 2, 5]);
  });

  it('gives a hierarchy run its own tree', () => {
    const h = uneven();
    expect(runTree({ hierarchy: h, clusters: [], assignments: new Int32Array(0) })).toBe(h);
  });
});

describe('nodeCentroids', () => {
  it('is the mean of the items under each node (weighted by items, not by children)', () => {
    const h = uneven();
    const { vectors } = vectorsFor(h, 0.3, 1);
    const c = nodeCentroids(h, vectors);
    for (const id of ['A1', 'A', 'R', 'T']) {
      const items = itemsOf(h, id);
      const mean = new Array<number>(vectors.cols).fill(0);
      for (const i of items) rowOf(vectors, i).forEach((x, j) => (mean[j] += x / items.length));
      const got = c.get(id) as Float32Array;
      mean.forEach((x, j) => expect(got[j]).toBeCloseTo(x, 5));
    }
    expect(() => nodeCentroids(h, fromRows([[1, 2]]))).toThrow(/items/);
  });
});

describe('attributeLeaves', () => {
  it('gives each item its cosine to its own leaf centre and the nearest other leaf (never noise), by brute force', async () => {
    const h = uneven();
    const { vectors } = vectorsFor(h, 0.8, 2);
    const centres = nodeCentroids(h, vectors);
    const a = await attributeLeaves(h, vectors, centres);
    for (let i = 0; i < vectors.rows; i++) {
      const x = rowOf(vectors, i);
      const own = h.itemLeaf[i];
      const sims = h.leafIds.map((id) => cosine(x, centres.get(id) as Float32Array));
      if (own >= 0) expect(a.similarity[i]).toBeCloseTo(sims[own], 5);
      else expect(Number.isNaN(a.similarity[i])).toBe(true);
      let best = -1;
      h.leafIds.forEach((id, l) => {
        if (l !== own && !h.nodes[id].isNoise && (best < 0 || sims[l] > sims[best])) best = l;
      });
      expect(a.runnerUp[i]).toBe(best);
      expect(a.runnerUpSimilarity[i]).toBeCloseTo(sims[best], 5);
      expect(h.nodes[h.leafIds[a.runnerUp[i]]].isNoise).toBeFalsy();
    }
  });
});

describe('quantile', () => {
  it('interpolates between order statistics and ignores non-finite values', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, NaN], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([7], 0.05)).toBe(7);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
  });
});

describe('placing new texts', () => {
  it('sends a text near a leaf down the path to that leaf, with its similarity; far texts are outliers', () => {
    const h = uneven();
    const { vectors, axis } = vectorsFor(h, 0.3, 3);
    const model = placementModel(h, vectors);
    // The threshold is the 5th percentile of the members' cosine to their own leaf centre.
    const centres = nodeCentroids(h, vectors);
    const memberSims: number[] = [];
    for (let i = 0; i < vectors.rows; i++) {
      const l = h.itemLeaf[i];
      if (l >= 0 && !h.nodes[h.leafIds[l]].isNoise) memberSims.push(cosine(rowOf(vectors, i), centres.get(h.leafIds[l]) as Float32Array));
    }
    expect(model.threshold).toBeCloseTo(quantile(memberSims, 0.05), 5);
    expect(model.members).toBe(memberSims.length);

    const rng = makeRng(9);
    const leaves = ['A1', 'A2', 'B', 'S', 'T1', 'T2', 'T3'];
    // Closer to their leaf than a typical member, so none should fall below the 5th percentile.
    const rows = leaves.map((l) => around(h, axis, l, 0.1, rng));
    // Far from everything: along no node's axis at all; and a zero vector.
    const far = new Array<number>(axis.size).fill(0);
    far[axis.get('~n') as number] = 1;
    rows.push(far, new Array<number>(axis.size).fill(0));
    const placed = placeVectors(model, fromRows(rows));
    leaves.forEach((leaf, i) => {
      const p = placed[i];
      expect(p.path.map((s) => s.nodeId)).toEqual([...ancestors(h, leaf).reverse(), leaf]);
      expect(p.similarity).toBeCloseTo(cosine(rows[i], centres.get(leaf) as Float32Array), 5);
      expect(p.outlier).toBe(p.similarity < model.threshold);
      expect(p.outlier).toBe(false);
    });
    const farOne = placed[leaves.length];
    expect(farOne.outlier).toBe(true);
    expect(farOne.path.some((s) => h.nodes[s.nodeId].isNoise)).toBe(false);
    const zero = placed[leaves.length + 1];
    expect(zero.path).toEqual([]);
    expect(zero.outlier).toBe(true);
  });

  it('places a flat run’s new texts in the nearest cluster, and a stricter quantile flags more', () => {
    const rng = makeRng(4);
    const centres = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const rows: number[][] = [];
    const assignments: number[] = [];
    for (let i = 0; i < 90; i++) {
      const c = i % 3;
      rows.push(centres[c].map((x) => x + 0.25 * gaussian(rng)));
      assignments.push(c);
    }
    const clusters = [0, 1, 2].map((id): ClusterSummary => ({ id, size: 30, keywords: [], representatives: [], cohesion: 0, name: `c${id}` }));
    const tree = runTree({ clusters, assignments: Int32Array.from(assignments) });
    const corpus = fromRows(rows);
    const fresh = [0, 1, 2, 1, 0].map((c) => centres[c].map((x) => x + 0.25 * gaussian(rng)));
    const placed = placeVectors(placementModel(tree, corpus), fromRows(fresh));
    expect(placed.map((p) => p.path.map((s) => s.nodeId))).toEqual([['0'], ['1'], ['2'], ['1'], ['0']]);
    placed.forEach((p) => expect(p.runnerUp?.nodeId).not.toBe(p.path[0].nodeId));
    const loose = placeVectors(placementModel(tree, corpus, { quantile: 0.0 }), corpus).filter((p) => p.outlier).length;
    const strict = placeVectors(placementModel(tree, corpus, { quantile: 0.5 }), corpus).filter((p) => p.outlier).length;
    expect(loose).toBe(0);
    expect(strict).toBeGreaterThan(30);
    expect(strict).toBeLessThan(60);
  });

  it('on a HERCULES tree, held-out texts land in the leaf whose members share their sub-topic', async () => {
    const rng = makeRng(21);
    const make = (s: number, t: number): number[] => {
      const v = new Array<number>(12).fill(0).map(() => 0.5 * gaussian(rng));
      v[s] += 40;
      v[3 + 3 * s + t] += 8;
      return v;
    };
    const rows: number[][] = [];
    const sub: number[] = [];
    const texts: string[] = [];
    for (let p = 0; p < 15; p++) for (let s = 0; s < 3; s++) for (let t = 0; t < 3; t++) {
      rows.push(make(s, t));
      sub.push(3 * s + t);
      texts.push(`topic ${s} sub ${t}`);
    }
    const vectors = fromRows(rows);
    const h = await buildHercules(vectors, texts, { levelClusterCounts: [9, 3], mode: 'direct', engine: null, seed: 5 });
    const model = placementModel(h, vectors);
    const held: number[][] = [];
    const heldSub: number[] = [];
    for (let s = 0; s < 3; s++) for (let t = 0; t < 3; t++) for (let r = 0; r < 3; r++) {
      held.push(make(s, t));
      heldSub.push(3 * s + t);
    }
    const placed = placeVectors(model, fromRows(held));
    let agree = 0;
    placed.forEach((p, i) => {
      expect(p.path).toHaveLength(2);
      const leaf = p.path[1].nodeId;
      const members = itemsOf(h, leaf).map((j) => sub[j]);
      const majority = members.filter((x) => x === heldSub[i]).length / members.length;
      if (majority > 0.5) agree++;
    });
    expect(agree / placed.length).toBeGreaterThan(0.9);
    expect(placed.filter((p) => p.outlier).length).toBeLessThan(placed.length / 4);
  });
});
