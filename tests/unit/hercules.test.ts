import { describe, expect, it } from 'vitest';
import { hashText } from '../../src/core/hash';
import { buildHercules, type HerculesOptions } from '../../src/core/hierarchy/hercules';
import { coreIndices, nearestCentroids, resampleRefine } from '../../src/core/hierarchy/resample';
import { assignmentsAtLevel, pathOf, validateHierarchy, type Hierarchy } from '../../src/core/hierarchy/tree';
import type { ChatMessage } from '../../src/core/llm/engine';
import { promptIds, ScriptedEngine } from '../../src/core/llm/scripted';
import { ari } from '../../src/core/metrics/external';
import { makeRng } from '../../src/core/random';
import type { Matrix, Progress } from '../../src/core/types';
import { fromRows } from '../../src/core/vectors';

const SUPER = ['sport', 'kitchen', 'music'];
const SUB = [
  ['tennis', 'soccer', 'golf'],
  ['bake', 'grill', 'roast'],
  ['piano', 'violin', 'drums'],
];
const FILLER = ['today', 'people', 'thing', 'week', 'good', 'time', 'place', 'day', 'new', 'great'];

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

interface Synthetic {
  vectors: Matrix;
  texts: string[];
  sub: number[];
  sup: number[];
}

/**
 * 3 super-topics × 3 sub-topics in 12-d: super centres 40·e_s, sub centres 8·e_(3+3s+t) away from
 * their super centre, items with sd 0.5 per dimension. Texts say "<super> <sub> <filler> <filler>".
 * Rows interleave the sub-topics so that cluster ids cannot follow row order.
 */
function synthetic(seed = 7, perSub = 20): Synthetic {
  const rng = makeRng(seed);
  const rows: number[][] = [];
  const texts: string[] = [];
  const sub: number[] = [];
  const sup: number[] = [];
  for (let p = 0; p < perSub; p++) {
    for (let s = 0; s < 3; s++) {
      for (let t = 0; t < 3; t++) {
        const v = new Array<number>(12).fill(0);
        v[s] = 40;
        v[3 + 3 * s + t] = 8;
        rows.push(v.map((x) => x + 0.5 * gaussian(rng)));
        const f1 = FILLER[Math.floor(rng() * FILLER.length)];
        const f2 = FILLER[Math.floor(rng() * FILLER.length)];
        texts.push(`${SUPER[s]} ${SUB[s][t]} ${f1} ${f2}`);
        sub.push(3 * s + t);
        sup.push(s);
      }
    }
  }
  return { vectors: fromRows(rows), texts, sub, sup };
}

/** The block of one cluster in a HERCULES prompt. */
function blockOf(prompt: string, id: string): string {
  const start = prompt.indexOf(`--- Cluster ID: ${id} (`);
  const end = prompt.indexOf(`--- End Cluster ID: ${id} ---`);
  return start >= 0 && end > start ? prompt.slice(start, end) : '';
}

/** A well-behaved "LLM": titles each cluster after the first two keywords of its block. */
function keywordLlm(): ScriptedEngine {
  return new ScriptedEngine((messages: ChatMessage[]) => {
    const prompt = messages.map((m) => m.content).join('\n');
    const out: Record<string, { title: string; description: string }> = {};
    for (const id of promptIds(messages)) {
      const kw = /^Keywords: (.*)$/m.exec(blockOf(prompt, id))?.[1].split(', ') ?? [];
      out[id] = { title: `Theme ${kw.slice(0, 2).join(' ')} (${id})`, description: `Texts about ${kw.slice(0, 3).join(', ')}.` };
    }
    return JSON.stringify(out);
  });
}

const base = (engine: HerculesOptions['engine']): HerculesOptions => ({ levelClusterCounts: [9, 3], mode: 'direct', engine, seed: 1 });

/** Checks that level 1 recovers the 9 sub-topics and level 2 groups them into the 3 super-topics. */
function expectStructure(h: Hierarchy, d: Synthetic): void {
  expect(validateHierarchy(h)).toEqual([]);
  expect(h.levels).toBe(2);
  expect(h.leafIds).toHaveLength(9);
  expect(h.roots).toHaveLength(3);
  const l1 = assignmentsAtLevel(h, 1);
  const l2 = assignmentsAtLevel(h, 2);
  expect(ari(d.sub, l1)).toBe(1);
  expect(ari(d.sup, l2)).toBe(1);
  for (const r of h.roots) {
    const root = h.nodes[r];
    expect(root.childIds).toHaveLength(3);
    // The sub-topics under the root's three children are exactly the three of one super-topic.
    const subs = new Set<number>();
    for (const c of root.childIds) {
      const li = h.leafIds.indexOf(c);
      const mine = d.sub.filter((_, i) => h.itemLeaf[i] === li);
      expect(new Set(mine).size).toBe(1);
      subs.add(mine[0]);
    }
    const s = Math.floor([...subs][0] / 3);
    expect([...subs].sort()).toEqual([3 * s, 3 * s + 1, 3 * s + 2]);
    expect(root.size).toBe(60);
    expect(root.childIds.reduce((acc, c) => acc + h.nodes[c].size, 0)).toBe(60);
  }
  for (let i = 0; i < d.texts.length; i++) {
    const path = pathOf(h, i);
    expect(path.map((n) => n.level)).toEqual([2, 1]);
  }
}

describe('buildHercules, direct mode', () => {
  it('recovers 3 × 3 nested topics and names both levels with the LLM', async () => {
    const d = synthetic();
    const engine = keywordLlm();
    const h = await buildHercules(d.vectors, d.texts, base(engine));
    expectStructure(h, d);
    expect(h.method).toBe('hercules');
    for (const n of Object.values(h.nodes)) {
      expect(n.nameSource).toBe('llm');
      expect(n.title).toMatch(/^Theme .+ \(L[12]-C\d\)$/);
      expect(n.id).toBe(`L${n.level}-C${n.id.split('-C')[1]}`);
      expect(n.representatives.length).toBeGreaterThan(0);
      expect(n.centroid).toHaveLength(12);
      expect(n.cohesion).toBeGreaterThan(0.9); // tight blobs far from the origin
    }
    // c-TF-IDF keywords: a level-1 node's top words name its sub-topic.
    for (const id of h.leafIds) {
      const li = h.leafIds.indexOf(id);
      const s = d.sub[Array.from(h.itemLeaf).indexOf(li)];
      expect(h.nodes[id].keywords.join(' ')).toContain(SUB[Math.floor(s / 3)][s % 3]);
    }
    expect(new Set(h.promptLog.map((e) => e.level))).toEqual(new Set([1, 2]));
    expect(h.promptLog.every((e) => e.outcome === 'ok')).toBe(true);
    expect(h.promptLog.map((e) => e.seq)).toEqual(h.promptLog.map((_, i) => i));
  });

  it('puts the children titles into the level-2 prompts, and level-0 samples into every prompt', async () => {
    const d = synthetic();
    const engine = keywordLlm();
    const h = await buildHercules(d.vectors, d.texts, base(engine));
    for (const r of h.roots) {
      const entry = h.promptLog.find((e) => e.ids.includes(r));
      expect(entry?.level).toBe(2);
      const block = blockOf(entry?.messages.map((m) => m.content).join('\n') ?? '', r);
      expect(block).toContain('Representative Immediate Children (Summaries):');
      for (const c of h.nodes[r].childIds) expect(block).toContain(`"${h.nodes[c].title}"`);
      expect(block).toContain(`"${d.texts[h.nodes[r].representatives[0]]}"`);
    }
    for (const l of h.leafIds) {
      const entry = h.promptLog.find((e) => e.ids.includes(l));
      const block = blockOf(entry?.messages.map((m) => m.content).join('\n') ?? '', l);
      expect(block).not.toContain('Immediate Children');
      expect(block).toContain(`"${d.texts[h.nodes[l].representatives[0]]}"`);
    }
  });

  it('falls back to keyword names without an engine', async () => {
    const d = synthetic();
    const h = await buildHercules(d.vectors, d.texts, { ...base(null), topicSeed: 'hobbies' });
    expectStructure(h, d);
    for (const n of Object.values(h.nodes)) expect(n.nameSource).toBe('keywords');
    for (const id of h.leafIds) {
      const li = h.leafIds.indexOf(id);
      const s = d.sub[Array.from(h.itemLeaf).indexOf(li)];
      expect(h.nodes[id].title).toContain(SUB[Math.floor(s / 3)][s % 3]);
    }
    expect(h.promptLog.map((e) => [e.level, e.outcome])).toEqual([
      [1, 'fallback'],
      [2, 'fallback'],
    ]);
  });

  it('is deterministic for a seed', async () => {
    const d = synthetic();
    const a = await buildHercules(d.vectors, d.texts, base(null));
    const b = await buildHercules(d.vectors, d.texts, base(null));
    expect(Array.from(a.itemLeaf)).toEqual(Array.from(b.itemLeaf));
    expect(a.nodes).toEqual(b.nodes);
  });

  it('reports progress per level under the hierarchy stage', async () => {
    const d = synthetic();
    const seen: Progress[] = [];
    await buildHercules(d.vectors, d.texts, { ...base(null), onProgress: (p) => seen.push(p) });
    expect(seen.every((p) => p.stage === 'hierarchy' && p.total === 2)).toBe(true);
    expect(seen.some((p) => p.done === 0 && /level 1\/2: k-means, k = 9 on 180 texts/.test(p.message ?? ''))).toBe(true);
    expect(seen.some((p) => p.done === 1 && /level 2\/2: k-means, k = 3 on 9 level-1 clusters/.test(p.message ?? ''))).toBe(true);
    expect(seen.at(-1)?.done).toBe(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
  });
});

/**
 * A deterministic stand-in for a sentence embedder, in 5-d (not the items' 12-d): one dimension per
 * super-topic counting its words (its own and its sub-topics'), plus two small hash dimensions.
 */
function fakeEmbed(calls: string[][]): (texts: string[]) => Promise<Matrix> {
  return async (texts) => {
    calls.push(texts);
    return fromRows(
      texts.map((t) => {
        const words = t.toLowerCase().split(/[^a-z]+/);
        const v = [0, 0, 0, 0, 0];
        for (const w of words) {
          for (let s = 0; s < 3; s++) if (w === SUPER[s] || SUB[s].includes(w)) v[s] += 1;
        }
        const hh = parseInt(hashText(t).slice(0, 6), 16) / 0xffffff;
        v[3] = 0.1 * hh;
        v[4] = 0.1 * (1 - hh);
        return v;
      }),
    );
  };
}

describe('buildHercules, description mode', () => {
  it('clusters level 2 on the embedded titles and descriptions', async () => {
    const d = synthetic();
    const calls: string[][] = [];
    const h = await buildHercules(d.vectors, d.texts, { ...base(keywordLlm()), mode: 'description', embedDescriptions: fakeEmbed(calls) });
    expectStructure(h, d);
    // One call, for the 9 level-1 summaries; the top level is not embedded (nothing above it).
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(h.leafIds.map((id) => `${h.nodes[id].title}. ${h.nodes[id].description}`));
    // Node centres stay in item space (12-d), whatever the description embedder's width.
    for (const n of Object.values(h.nodes)) expect(n.centroid).toHaveLength(12);
  });

  it('follows the descriptions, not the vectors', async () => {
    // An embedder that only sees the sub-topic's position t (tennis, bake, piano → t = 0): level 2
    // must then group the sub-topics by t across super-topics, which the vectors never suggest.
    const d = synthetic();
    const byPosition = async (texts: string[]): Promise<Matrix> =>
      fromRows(
        texts.map((t) => {
          const v = [0, 0, 0];
          for (const w of t.toLowerCase().split(/[^a-z]+/)) for (const row of SUB) if (row.includes(w)) v[row.indexOf(w)] += 1;
          return v;
        }),
      );
    const h = await buildHercules(d.vectors, d.texts, { ...base(keywordLlm()), mode: 'description', embedDescriptions: byPosition });
    expect(validateHierarchy(h)).toEqual([]);
    expect(ari(d.sub, assignmentsAtLevel(h, 1))).toBe(1);
    expect(ari(d.sub.map((x) => x % 3), assignmentsAtLevel(h, 2))).toBe(1);
    const direct = await buildHercules(d.vectors, d.texts, base(keywordLlm()));
    expect(ari(d.sup, assignmentsAtLevel(direct, 2))).toBe(1);
  });

  it('needs embedDescriptions', async () => {
    const d = synthetic();
    await expect(buildHercules(d.vectors, d.texts, { ...base(null), mode: 'description' })).rejects.toThrow(/embedDescriptions/);
  });

  it('rejects an embedder that returns the wrong number of rows', async () => {
    const d = synthetic();
    const bad = async () => fromRows([[1, 0]]);
    await expect(buildHercules(d.vectors, d.texts, { ...base(null), mode: 'description', embedDescriptions: bad })).rejects.toThrow(/1 rows for 9/);
  });
});

describe('resampling (Vo et al.)', () => {
  it('refines centroids on the core points and re-assigns a fringe point (worked example)', async () => {
    // 1-D: clusters {0,1,2,12} (centroid 3.75) and {20,21,22} (21). Core r = 3: {0,1,2}, {20,21,22}
    // → centroids 1 and 21; 12 is then nearer 21 (9) than 1 (11) and changes cluster.
    const m = fromRows([[0], [1], [2], [12], [20], [21], [22]]);
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1]);
    const cen = fromRows([[3.75], [21]]);
    expect(coreIndices(m, labels, cen, 3)).toEqual([0, 1, 2, 4, 5, 6]);
    for (const rounds of [1, 2]) {
      const r = await resampleRefine(m, labels, cen, { iterations: rounds, pointsPerCluster: 3 });
      expect(Array.from(r.centroids.data)).toEqual([1, 21]);
      expect(Array.from(r.assignments)).toEqual([0, 0, 0, 1, 1, 1, 1]);
      expect(r.coreSize).toBe(6);
    }
    expect(Array.from(labels)).toEqual([0, 0, 0, 0, 1, 1, 1]); // input untouched
    expect(Array.from(nearestCentroids(m, fromRows([[1], [21]])))).toEqual([0, 0, 0, 1, 1, 1, 1]);
  });

  it('changes nothing on clean blobs but runs', async () => {
    const d = synthetic();
    const plain = await buildHercules(d.vectors, d.texts, base(null));
    const res = await buildHercules(d.vectors, d.texts, { ...base(null), resampling: { enabled: true, iterations: 3, pointsPerCluster: 5 } });
    expectStructure(res, d);
    expect(Array.from(res.itemLeaf)).toEqual(Array.from(plain.itemLeaf));
    // Level 2 clusters slightly different centres, so its k-means++ may number clusters otherwise.
    expect(ari(assignmentsAtLevel(plain, 2), assignmentsAtLevel(res, 2))).toBe(1);
    expect(res.notes?.filter((s) => s.includes('resampling, 3 rounds'))).toHaveLength(2);
    // The centres moved to the means of the 5 core points: it did run.
    const moved = res.leafIds.some((id) => {
      const a = res.nodes[id].centroid as number[];
      const b = plain.nodes[id].centroid as number[];
      return a.some((v, j) => Math.abs(v - b[j]) > 1e-4);
    });
    expect(moved).toBe(true);
  });
});

describe('cluster counts against the number of things clustered', () => {
  it('clamps a level to one less than the clusters below it', async () => {
    const d = synthetic();
    const h = await buildHercules(d.vectors, d.texts, { ...base(null), levelClusterCounts: [9, 9] });
    expect(validateHierarchy(h)).toEqual([]);
    expect(h.roots).toHaveLength(8);
    expect(h.notes).toContain('level 2: 9 clusters requested, clamped to 8 (9 level-1 clusters)');
  });

  it('stops when a level would have one cluster', async () => {
    const d = synthetic();
    const h = await buildHercules(d.vectors, d.texts, { ...base(null), levelClusterCounts: [9, 1, 1] });
    expect(validateHierarchy(h)).toEqual([]);
    expect(h.levels).toBe(1);
    expect(h.roots).toEqual(h.leafIds);
    expect(pathOf(h, 0)).toHaveLength(1);
    expect(h.notes?.some((s) => s.includes('stops at level 1'))).toBe(true);
  });

  it('handles fewer texts than requested clusters', async () => {
    const d = synthetic();
    const four: Matrix = { data: d.vectors.data.slice(0, 4 * 12), rows: 4, cols: 12 };
    const h = await buildHercules(four, d.texts.slice(0, 4), { ...base(null), levelClusterCounts: [10, 5] });
    expect(validateHierarchy(h)).toEqual([]);
    expect(h.leafIds).toHaveLength(3);
    expect(h.roots).toHaveLength(2);
    expect(h.notes).toEqual(['level 1: 10 clusters requested, clamped to 3 (4 texts)', 'level 2: 5 clusters requested, clamped to 2 (3 level-1 clusters)']);
    const one = await buildHercules({ data: d.vectors.data.slice(0, 12), rows: 1, cols: 12 }, d.texts.slice(0, 1), base(null));
    expect(validateHierarchy(one)).toEqual([]);
    expect(one.levels).toBe(1);
    expect(one.nodes['L1-C0'].size).toBe(1);
  });

  it('rejects bad input', async () => {
    const d = synthetic();
    await expect(buildHercules(d.vectors, d.texts.slice(1), base(null))).rejects.toThrow(RangeError);
    await expect(buildHercules(d.vectors, d.texts, { ...base(null), levelClusterCounts: [] })).rejects.toThrow(RangeError);
    await expect(buildHercules(d.vectors, d.texts, { ...base(null), levelClusterCounts: [9, 2.5] })).rejects.toThrow(RangeError);
  });
});

describe('abort', () => {
  it('rejects at once on an aborted signal', async () => {
    const d = synthetic();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(buildHercules(d.vectors, d.texts, { ...base(null), signal: ac.signal })).rejects.toThrow('stop');
  });

  it('stops while an LLM call is in flight', async () => {
    const d = synthetic();
    const ac = new AbortController();
    const inner = keywordLlm();
    const engine = new ScriptedEngine(
      async (messages, call) => {
        if (call === 0) setTimeout(() => ac.abort(new Error('cancelled by user')), 5);
        return (await inner.generate(messages)).text;
      },
      { delayMs: 50 },
    );
    await expect(buildHercules(d.vectors, d.texts, { ...base(engine), naming: { batchSize: 2 }, signal: ac.signal })).rejects.toThrow('cancelled by user');
    // The abort lands while the second call waits for its answer: it never gets one, no third call.
    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[1].reply).toBeUndefined();
    expect(engine.calls[1].error).toBe('cancelled by user');
  });
});
