import { describe, expect, it } from 'vitest';
import { adaptiveMinClusterSize, buildRecursive, DEFAULT_RULE, floorAt, type RecursiveOptions } from '../../src/core/hierarchy/recursive';
import { itemsOf, levelCut, validateHierarchy, type Hierarchy, type HierarchyNode } from '../../src/core/hierarchy/tree';
import type { ChatMessage } from '../../src/core/llm/engine';
import { answerAll, promptIds, ScriptedEngine } from '../../src/core/llm/scripted';
import { ari } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';
import type { Matrix, Progress } from '../../src/core/types';

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

interface Synthetic {
  m: Matrix;
  texts: string[];
  /** Rows of each named part. */
  parts: Record<string, number[]>;
}

/**
 * 2-D: A, a tight blob of 60 at (0, 8); B, two blobs of 40 at (±10, 0) joined by a bridge of 33
 * points along the x axis. At the top (min cluster size max(50, 5 % of 173) = 50) B's halves are too
 * small to stand alone, so the top level is {A, B}. B is spread out next to A: its silhouette is
 * low (≈ 0.15), A's high (≈ 0.9). One depth down (min size max(25, …) = 25) B splits into its halves.
 */
function nested(seed = 3, background = 0): Synthetic {
  const rng = makeRng(seed);
  const rows: number[][] = [];
  const texts: string[] = [];
  const parts: Record<string, number[]> = { A: [], B1: [], B2: [], bridge: [], background: [] };
  const add = (part: string, x: number, y: number, text: string): void => {
    parts[part].push(rows.length);
    rows.push([x, y]);
    texts.push(text);
  };
  for (let i = 0; i < 60; i++) add('A', 0.7 * gaussian(rng), 8 + 0.7 * gaussian(rng), `apple orchard harvest ${i % 7}`);
  for (let i = 0; i < 40; i++) add('B1', -10 + 0.7 * gaussian(rng), 0.7 * gaussian(rng), `bread oven bakery ${i % 7}`);
  for (let i = 0; i < 40; i++) add('B2', 10 + 0.7 * gaussian(rng), 0.7 * gaussian(rng), `butter churn dairy ${i % 7}`);
  for (let i = 0; i < 33; i++) add('bridge', -8 + 0.5 * i, 0.1 * gaussian(rng), `bread butter market ${i % 7}`);
  for (let i = 0; i < background; i++) add('background', -60 + 120 * rng(), -60 + 120 * rng(), `random stray note ${i}`);
  return { m: { data: Float32Array.from(rows.flat()), rows: rows.length, cols: 2 }, texts, parts };
}

const base: RecursiveOptions = { engine: null, seed: 1, reduce: 'none' };

/** The node whose items are exactly `rows` (sorted), or undefined. */
function nodeOf(h: Hierarchy, rows: number[]): HierarchyNode | undefined {
  const want = [...rows].sort((a, b) => a - b).join(',');
  return Object.values(h.nodes).find((n) => itemsOf(h, n.id).join(',') === want);
}

/** The node holding most of `rows` among the children of `parent` (null = the roots). */
function mainNode(h: Hierarchy, parent: string | null, rows: number[]): HierarchyNode {
  const ids = parent === null ? h.roots : h.nodes[parent].childIds;
  let best = h.nodes[ids[0]];
  let bestCount = -1;
  for (const id of ids) {
    const mine = new Set(itemsOf(h, id));
    const c = rows.filter((r) => mine.has(r)).length;
    if (c > bestCount) {
      bestCount = c;
      best = h.nodes[id];
    }
  }
  return best;
}

describe('adaptive min cluster size (seed 003)', () => {
  it('is max(floor(depth), ⌊n · 0.05 · 0.7^depth⌋) with floor 50, 25, 12, 10, 10 …', () => {
    expect([0, 1, 2, 3, 4, 8].map((d) => floorAt(d))).toEqual([50, 25, 12, 10, 10, 10]);
    expect(adaptiveMinClusterSize(7532, 0)).toBe(376); // 376.6
    expect(adaptiveMinClusterSize(1000, 1)).toBe(35); // 1000 · 0.05 · 0.7 = 35 exactly, not 34
    expect(adaptiveMinClusterSize(600, 1)).toBe(25); // 21 < floor 25
    expect(adaptiveMinClusterSize(200, 2)).toBe(12); // 4.9 < floor 12
    expect(adaptiveMinClusterSize(20000, 3)).toBe(343); // 20000 · 0.05 · 0.343
    expect(adaptiveMinClusterSize(300, 0)).toBe(50);
  });

  it('follows a changed rule, and never goes below 2', () => {
    const rule = { ...DEFAULT_RULE, basePct: 0.1, decay: 0.5, floor: 8, floorMin: 3 };
    expect([0, 1, 2, 3].map((d) => floorAt(d, rule))).toEqual([8, 4, 3, 3]);
    expect(adaptiveMinClusterSize(1000, 2, rule)).toBe(25);
    expect(adaptiveMinClusterSize(10, 5, { ...rule, floor: 1, floorMin: 1 })).toBe(2);
    // A floor below floorMin is its own minimum.
    expect(floorAt(3, { ...DEFAULT_RULE, floor: 4 })).toBe(4);
  });
});

describe('buildRecursive: silhouette gating, depth and size limits', () => {
  const s = nested();

  it('splits the spread-out cluster made of two blobs and leaves the tight one whole', async () => {
    const h = await buildRecursive(s.m, s.texts, base);
    expect(validateHierarchy(h)).toEqual([]);
    expect(h.method).toBe('recursive');
    expect(h.roots).toHaveLength(2);
    const a = nodeOf(h, s.parts.A);
    expect(a).toBeDefined();
    expect(a?.parentId).toBeNull();
    expect(a?.childIds).toEqual([]);
    const b = mainNode(h, null, s.parts.B1);
    expect(b.id).not.toBe(a?.id);
    expect(b.size).toBe(113);
    // B's children: one per half (bridge points may join either or be noise).
    const halves = b.childIds.map((id) => h.nodes[id]).filter((n) => !n.isNoise);
    expect(halves).toHaveLength(2);
    const b1 = mainNode(h, b.id, s.parts.B1);
    const b2 = mainNode(h, b.id, s.parts.B2);
    expect(b1.id).not.toBe(b2.id);
    for (const r of s.parts.B1) expect(itemsOf(h, b1.id)).toContain(r);
    for (const r of s.parts.B2) expect(itemsOf(h, b2.id)).toContain(r);
    // Uneven tree: A is a leaf at the top level, B's halves are level 1.
    expect(h.levels).toBe(2);
    expect(a?.level).toBe(2);
    expect(b1.level).toBe(1);
    expect(h.leafIds).toContain(a?.id);
    expect(h.notes?.some((n) => n.startsWith(`${a?.id} `) && /kept whole \(silhouette 0\.\d+ ≥ 0\.3\)/.test(n))).toBe(true);
    expect(h.notes?.some((n) => n.startsWith(`${b.id} `) && /split \(silhouette 0\.\d+ < 0\.3\)/.test(n))).toBe(true);
  });

  it('splits nothing with a threshold below every silhouette, and the tight blob too with one above', async () => {
    const none = await buildRecursive(s.m, s.texts, { ...base, silhouetteThreshold: 0 });
    expect(none.levels).toBe(1);
    expect(none.roots.every((id) => none.nodes[id].childIds.length === 0)).toBe(true);
    const all = await buildRecursive(s.m, s.texts, { ...base, silhouetteThreshold: 1 });
    expect(validateHierarchy(all)).toEqual([]);
    const a = mainNode(all, null, s.parts.A);
    expect(a.childIds.length).toBeGreaterThanOrEqual(2);
  });

  it('stops at maxDepth', async () => {
    const flat = await buildRecursive(s.m, s.texts, { ...base, maxDepth: 1, silhouetteThreshold: 1 });
    expect(validateHierarchy(flat)).toEqual([]);
    expect(flat.levels).toBe(1);
    expect(flat.leafIds).toEqual(flat.roots);
    const deep = await buildRecursive(s.m, s.texts, { ...base, maxDepth: 2, silhouetteThreshold: 1 });
    expect(deep.levels).toBe(2);
    const deeper = await buildRecursive(s.m, s.texts, { ...base, maxDepth: 3, silhouetteThreshold: 1 });
    expect(deeper.levels).toBe(3);
    for (const n of Object.values(deeper.nodes)) expect(n.level).toBeGreaterThanOrEqual(1);
  });

  it('does not split a cluster at or below the minimum split size', async () => {
    // B has 113 items: a minimum of 113 keeps it whole, 112 lets it split.
    const kept = await buildRecursive(s.m, s.texts, { ...base, minSplitSize: 113 });
    expect(kept.levels).toBe(1);
    expect(kept.notes?.some((n) => /too small to split \(113 ≤ 113\)/.test(n))).toBe(true);
    const split = await buildRecursive(s.m, s.texts, { ...base, minSplitSize: 112 });
    expect(split.levels).toBe(2);
  });

  it('is deterministic for a seed', async () => {
    const a = await buildRecursive(s.m, s.texts, base);
    const b = await buildRecursive(s.m, s.texts, base);
    expect(JSON.stringify({ ...a, itemLeaf: Array.from(a.itemLeaf) })).toBe(JSON.stringify({ ...b, itemLeaf: Array.from(b.itemLeaf) }));
  });
});

describe('buildRecursive: noise and fallback', () => {
  it('keeps noise as isNoise leaves at their level and accounts for every item', async () => {
    const s = nested(5, 40);
    const h = await buildRecursive(s.m, s.texts, base);
    expect(validateHierarchy(h)).toEqual([]);
    const n = s.m.rows;
    expect(Array.from(h.itemLeaf).every((l) => l >= 0)).toBe(true);
    expect(h.roots.reduce((sum, id) => sum + h.nodes[id].size, 0)).toBe(n);
    // Top-level noise: a root leaf holding (most of) the scattered background.
    const topNoise = h.roots.map((id) => h.nodes[id]).filter((x) => x.isNoise);
    expect(topNoise).toHaveLength(1);
    const noise = topNoise[0];
    expect(noise.level).toBe(h.levels);
    expect(noise.childIds).toEqual([]);
    expect(noise.title).toBe('Unclustered');
    expect(noise.nameSource).toBe('keywords');
    const inNoise = new Set(itemsOf(h, noise.id));
    expect(s.parts.background.filter((r) => inNoise.has(r)).length).toBeGreaterThanOrEqual(30);
    expect(s.parts.A.filter((r) => inNoise.has(r)).length).toBeLessThanOrEqual(3);
    // Noise is never split, and it is listed after its siblings.
    expect(h.roots[h.roots.length - 1]).toBe(noise.id);
    // Noise one level down sits beside its siblings, under its cluster.
    for (const node of Object.values(h.nodes)) {
      if (!node.isNoise || node.parentId === null) continue;
      const parent = h.nodes[node.parentId];
      expect(node.level).toBe(parent.level - 1);
      expect(parent.childIds[parent.childIds.length - 1]).toBe(node.id);
      expect(node.description).toContain(parent.title);
    }
  });

  it('falls back to k-means when HDBSCAN finds fewer than 2 clusters', async () => {
    // A uniform square of 200: no density structure at min size 50.
    const rng = makeRng(11);
    const data = Float32Array.from({ length: 400 }, () => 10 * rng());
    const texts = Array.from({ length: 200 }, (_, i) => `even spread item ${i % 9}`);
    const h = await buildRecursive({ data, rows: 200, cols: 2 }, texts, { ...base, maxDepth: 1 });
    expect(validateHierarchy(h)).toEqual([]);
    expect(h.roots.length).toBeGreaterThanOrEqual(2);
    expect(h.roots.length).toBeLessThanOrEqual(8);
    expect(Object.values(h.nodes).some((x) => x.isNoise)).toBe(false);
    expect(h.notes?.[0]).toMatch(/HDBSCAN min cluster size 50 → [01] clusters.*; k-means fallback, k = \d/);
  });

  it('keeps a handful of texts as one root', async () => {
    const h = await buildRecursive({ data: Float32Array.from([0, 0, 1, 1]), rows: 2, cols: 2 }, ['a b', 'c d'], base);
    expect(validateHierarchy(h)).toEqual([]);
    expect(h.roots).toHaveLength(1);
    expect(h.nodes[h.roots[0]].size).toBe(2);
  });
});

describe('buildRecursive: reduction', () => {
  /** Three blobs of 40 in 10-D (centres 12 apart on axes), texts by blob. */
  function blobs10(): { m: Matrix; texts: string[]; truth: number[] } {
    const rng = makeRng(21);
    const d = 10;
    const n = 120;
    const data = new Float32Array(n * d);
    const truth: number[] = [];
    const texts: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      truth.push(c);
      texts.push(['cats purr softly', 'ships sail far', 'stars shine bright'][c]);
      for (let t = 0; t < d; t++) data[i * d + t] = (t === c ? 12 : 0) + gaussian(rng);
    }
    return { m: { data, rows: n, cols: d }, texts, truth };
  }

  it('recovers blobs through UMAP and through PCA', async () => {
    const { m, texts, truth } = blobs10();
    for (const reduce of ['umap', 'pca'] as const) {
      const h = await buildRecursive(m, texts, { engine: null, seed: 2, reduce, maxDepth: 1, rule: { floor: 20 } });
      expect(validateHierarchy(h)).toEqual([]);
      const cut = levelCut(h, h.levels);
      const pred = new Int32Array(m.rows);
      cut.forEach((id, j) => {
        for (const i of itemsOf(h, id)) pred[i] = h.nodes[id].isNoise ? -1 : j;
      });
      expect(cut.filter((id) => !h.nodes[id].isNoise)).toHaveLength(3);
      expect(ari(truth, pred)).toBeGreaterThan(0.9);
      expect(h.notes?.[0]).toContain(reduce === 'umap' ? 'UMAP 5-D' : 'PCA 5-D');
      // Keywords come from each node's own texts.
      for (const id of cut) if (!h.nodes[id].isNoise) expect(h.nodes[id].keywords.length).toBeGreaterThan(0);
    }
  });
});

describe('buildRecursive: naming', () => {
  const s = nested();

  it('names breadth-first with the parent title in the children prompts, and keeps the log', async () => {
    const engine = new ScriptedEngine(answerAll((id) => `Theme ${id}`));
    const h = await buildRecursive(s.m, s.texts, { ...base, engine });
    expect(validateHierarchy(h)).toEqual([]);
    const b = mainNode(h, null, s.parts.B1);
    expect(b.title).toBe(`Theme ${b.id}`);
    expect(b.nameSource).toBe('llm');
    const kids = b.childIds.filter((id) => !h.nodes[id].isNoise);
    // Roots first, then their children; a child's prompt names its parent.
    const firstAsked = engine.calls.map((c) => promptIds(c.messages));
    const rootCall = firstAsked.findIndex((ids) => ids.includes(b.id));
    const kidCall = firstAsked.findIndex((ids) => ids.includes(kids[0]));
    expect(rootCall).toBeLessThan(kidCall);
    const kidPrompt = engine.calls[kidCall].prompt;
    expect(kidPrompt).toContain(`Parent Cluster: "Theme ${b.id}"`);
    expect(kidPrompt).toContain('HIERARCHY:');
    expect(engine.calls[rootCall].prompt).not.toContain('Parent Cluster:');
    for (const id of kids) expect(h.nodes[id].title).toBe(`Theme ${id}`);
    // Samples are the node's own texts: a child of B never shows an apple text.
    expect(kidPrompt).not.toContain('apple orchard');
    // Noise is not sent to the LLM.
    const asked = new Set(firstAsked.flat());
    for (const n of Object.values(h.nodes)) expect(asked.has(n.id)).toBe(!n.isNoise);
    expect(h.promptLog.length).toBe(engine.calls.length);
    expect(h.promptLog.map((e) => e.seq)).toEqual(h.promptLog.map((_, i) => i));
    expect(h.promptLog.every((e) => e.outcome === 'ok')).toBe(true);
  });

  it('falls back to keyword names without an engine', async () => {
    const h = await buildRecursive(s.m, s.texts, base);
    const a = mainNode(h, null, s.parts.A);
    expect(a.nameSource).toBe('keywords');
    expect(a.title).toMatch(/apple|orchard|harvest/);
    expect(h.promptLog.every((e) => e.outcome === 'fallback')).toBe(true);
  });

  it('reports progress under the hierarchy stage and honours an abort', async () => {
    const events: Progress[] = [];
    await buildRecursive(s.m, s.texts, { ...base, onProgress: (p) => events.push(p) });
    expect(events.length).toBeGreaterThan(3);
    expect(events.every((e) => e.stage === 'hierarchy')).toBe(true);
    expect(events.some((e) => /HDBSCAN, min cluster size 50/.test(e.message ?? ''))).toBe(true);

    const pre = new AbortController();
    pre.abort(new Error('cancelled'));
    await expect(buildRecursive(s.m, s.texts, { ...base, signal: pre.signal })).rejects.toThrow('cancelled');
    const mid = new AbortController();
    const run = buildRecursive(s.m, s.texts, {
      ...base,
      signal: mid.signal,
      onProgress: (p) => {
        if (/depth 1/.test(p.message ?? '')) mid.abort(new Error('stopped at depth 1'));
      },
    });
    await expect(run).rejects.toThrow('stopped at depth 1');
    // An abort while the LLM is naming.
    const naming = new AbortController();
    const slow = new ScriptedEngine((m: ChatMessage[]) => {
      naming.abort(new Error('stopped while naming'));
      return answerAll()(m);
    });
    await expect(buildRecursive(s.m, s.texts, { ...base, engine: slow, signal: naming.signal })).rejects.toThrow('stopped while naming');
  });

  it('rejects bad input', async () => {
    await expect(buildRecursive(s.m, s.texts.slice(1), base)).rejects.toThrow(/differ in length/);
    await expect(buildRecursive({ data: new Float32Array(0), rows: 0, cols: 2 }, [], base)).rejects.toThrow(/no texts/);
    await expect(buildRecursive(s.m, s.texts, { ...base, maxDepth: 0 })).rejects.toThrow(RangeError);
    await expect(buildRecursive(s.m, s.texts, { ...base, rule: { decay: -1 } })).rejects.toThrow(RangeError);
  });
});
