import { describe, expect, it } from 'vitest';
import { hierarchyStage } from '../../src/core/hierarchy/stage';
import { levelCut, validateHierarchy } from '../../src/core/hierarchy/tree';
import { bridgedEngine } from '../../src/core/llm/bridge';
import { nameFlatClusters } from '../../src/core/llm/name-flat';
import { answerAll, promptIds, ScriptedEngine } from '../../src/core/llm/scripted';
import { clusterStage } from '../../src/core/pipeline';
import { makeRng } from '../../src/core/random';
import type { Matrix } from '../../src/core/types';

const WORDS = [
  ['tennis', 'soccer'],
  ['bake', 'grill'],
  ['piano', 'violin'],
];

/** 3 groups × 2 sub-groups × 15 items in 9-d; texts carry the group and sub-group words. */
function data(): { m: Matrix; texts: string[]; labels: string[] } {
  const rng = makeRng(3);
  const rows = 90;
  const d = 9;
  const out = new Float32Array(rows * d);
  const texts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < rows; i++) {
    const g = i % 3;
    const s = Math.floor(i / 3) % 2;
    out[i * d + g] = 30;
    out[i * d + 3 + 2 * g + s] = 6;
    for (let j = 0; j < d; j++) out[i * d + j] += (rng() - 0.5) * 0.5;
    texts.push(`${WORDS[g][s]} item ${i}`);
    labels.push(WORDS[g][s]);
  }
  return { m: { data: out, rows, cols: d }, texts, labels };
}

describe('hierarchyStage', () => {
  it('builds the tree, scores its level-1 cut and gives the flat clusters the tree’s names', async () => {
    const { m, texts, labels } = data();
    const engine = new ScriptedEngine(answerAll((id) => `Named ${id}`));
    const { tree, clustered } = await hierarchyStage(
      { vectors: m, texts, labels, seed: 5, projection: 'pca', hierarchy: { method: 'hercules', levels: [6, 3], mode: 'direct' } },
      { engine },
    );
    expect(validateHierarchy(tree)).toEqual([]);
    expect(tree.levels).toBe(2);
    const cut = levelCut(tree, 1);
    expect(clustered.k).toBe(cut.length);
    expect(clustered.clusters).toHaveLength(6);
    for (const c of clustered.clusters) {
      expect(c.nodeId).toBe(cut[c.id]);
      expect(c.name).toBe(`Named ${c.nodeId}`);
      expect(c.nameSource).toBe('llm');
    }
    // The six sub-groups are recovered at level 1.
    expect(clustered.metrics?.ari).toBeGreaterThan(0.95);
    expect(clustered.timings.hierarchy).toBeGreaterThan(0);
    // Level 2 prompts carry level-1 names as child summaries.
    const upper = engine.calls.find((c) => promptIds(c.messages).some((id) => id.startsWith('L2-')));
    expect(upper?.prompt).toContain('Named L1-C');
  });

  it('keeps keyword names without an engine', async () => {
    const { m, texts } = data();
    const { clustered } = await hierarchyStage(
      { vectors: m, texts, seed: 5, hierarchy: { method: 'hercules', levels: [6, 3], mode: 'direct' } },
      { engine: null },
    );
    expect(clustered.clusters.every((c) => c.nameSource === 'keywords')).toBe(true);
  });
});

describe('nameFlatClusters', () => {
  it('names every non-empty cluster from its representatives and logs the prompts', async () => {
    const { m, texts } = data();
    const flat = await clusterStage({ vectors: m, texts, k: 3, seed: 2 });
    const engine = new ScriptedEngine(answerAll((id) => `Flat ${id}`));
    const { clusters, log } = await nameFlatClusters(flat.clusters, texts, engine);
    expect(clusters.map((c) => c.name)).toEqual(flat.clusters.map((c) => `Flat C${c.id}`));
    expect(clusters.every((c) => c.description === `About C${c.id}.`)).toBe(true);
    expect(log.length).toBeGreaterThan(0);
    // The prompt shows the representatives' texts.
    const rep = texts[flat.clusters[0].representatives[0]];
    expect(engine.calls.some((c) => c.prompt.includes(rep))).toBe(true);
  });

  it('falls back to keyword names when the LLM answers nonsense', async () => {
    const { m, texts } = data();
    const flat = await clusterStage({ vectors: m, texts, k: 3, seed: 2 });
    const engine = new ScriptedEngine(() => 'I am sorry, I cannot help with that.');
    const { clusters } = await nameFlatClusters(flat.clusters, texts, engine, { backoffMs: 0, maxRetries: 1 });
    expect(clusters.every((c) => c.nameSource === 'keywords')).toBe(true);
    expect(clusters.map((c) => c.keywords.length > 0)).toEqual([true, true, true]);
  });
});

describe('bridgedEngine', () => {
  it('forwards the call without the signal and stops waiting on abort', async () => {
    const seen: unknown[] = [];
    let release: (v: { text: string }) => void = () => {};
    const engine = bridgedEngine({ id: 'x', model: 'm', contextTokens: 100 }, (_msgs, opts) => {
      seen.push(opts);
      return new Promise((r) => (release = r));
    });
    const ac = new AbortController();
    const p = engine.generate([{ role: 'user', content: 'hi' }], { json: true, maxTokens: 5, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([{ json: true, maxTokens: 5 }]);
    release({ text: 'late' });
    await expect(engine.generate([{ role: 'user', content: 'hi' }], { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(1);
    expect(engine.contextTokens).toBe(100);
  });
});

/** Bag of words in 32 dims: texts sharing words point the same way. */
async function bagOfWords(texts: string[]): Promise<Matrix> {
  const d = 32;
  const data = new Float32Array(texts.length * d);
  texts.forEach((t, i) => {
    for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) {
      let h = 0;
      for (const ch of w) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      data[i * d + (h % d)] += 1;
    }
  });
  return { data, rows: texts.length, cols: d };
}

describe('level metrics', () => {
  it('scores every level against labels and, with an LLM, the distinctness and topic alignment of its descriptions', async () => {
    const { m, texts, labels } = data();
    // Level-1 descriptions repeat their cluster's dominant sport/kitchen/music word, so children of
    // one level-2 parent share words and the LLM silhouette at level 2 is high.
    const engine = new ScriptedEngine((messages) => {
      const out: Record<string, { title: string; description: string }> = {};
      const prompt = messages.map((x) => x.content).join('\n');
      for (const id of promptIds(messages)) {
        const start = prompt.indexOf(`--- Cluster ID: ${id} `);
        const block = prompt.slice(start, prompt.indexOf(`--- End Cluster ID: ${id} `, start));
        const word = ['tennis', 'soccer', 'bake', 'grill', 'piano', 'violin'].find((w) => block.includes(w)) ?? 'misc';
        const family = { tennis: 'sport', soccer: 'sport', bake: 'kitchen', grill: 'kitchen', piano: 'music', violin: 'music' }[word] ?? 'misc';
        out[id] = { title: `${family} ${family}`, description: `All about ${family} ${family} ${family}.` };
      }
      return JSON.stringify(out);
    });
    const { levels } = await hierarchyStage(
      { vectors: m, texts, labels, seed: 5, hierarchy: { method: 'hercules', levels: [6, 3], mode: 'direct', topicSeed: 'sport' } },
      { engine, embedDescriptions: bagOfWords },
    );
    expect(levels.map((l) => [l.level, l.clusters])).toEqual([[1, 6], [2, 3]]);
    expect(levels[0].ari).toBeGreaterThan(0.95);
    expect(levels[0].silhouette).toBeGreaterThan(0.3);
    expect(levels[1].llmSilhouette).toBeGreaterThan(0.9);
    expect(levels[0].llmSilhouette).toBeUndefined();
    // One of the three level-2 themes is about sport: alignment is the mean cosine, about 1/3.
    expect(levels[1].topicAlignment).toBeGreaterThan(0.2);
    expect(levels[1].topicAlignment).toBeLessThan(0.5);
  });
});

describe('bridgedEngine errors', () => {
  it('gives a context overflow its class back after a trip through postMessage', async () => {
    const { ContextOverflowError } = await import('../../src/core/llm/engine');
    // What Comlink hands over: an Error whose name survived but whose class did not.
    const engine = bridgedEngine({ id: 'x', model: 'm', contextTokens: 100 }, async () => {
      throw Object.assign(new Error('too long'), { name: 'ContextOverflowError' });
    });
    await expect(engine.generate([{ role: 'user', content: 'hi' }])).rejects.toBeInstanceOf(ContextOverflowError);
  });
});

describe('descriptionMetrics (hand-computed)', () => {
  it('LLM silhouette on cosine distances of the children’s descriptions, topic alignment as mean cosine', async () => {
    const { descriptionMetrics } = await import('../../src/core/metrics/descriptions');
    const { unnamedNode } = await import('../../src/core/hierarchy/tree');
    const node = (id: string, level: number, parentId: string | null, childIds: string[]) => ({
      ...unnamedNode({ id, level, parentId, childIds, size: 1, keywords: [], representatives: [], cohesion: 1 }),
      title: id,
      description: `about ${id}`,
      nameSource: 'llm' as const,
    });
    const h = {
      method: 'hercules' as const,
      levels: 2,
      nodes: { A: node('A', 1, 'P0', []), B: node('B', 1, 'P0', []), C: node('C', 1, 'P1', []), D: node('D', 1, 'P1', []), P0: node('P0', 2, null, ['A', 'B']), P1: node('P1', 2, null, ['C', 'D']) },
      roots: ['P0', 'P1'],
      itemLeaf: Int32Array.from([0, 1, 2, 3]),
      leafIds: ['A', 'B', 'C', 'D'],
      promptLog: [],
    };
    const at: Record<string, [number, number]> = { A: [1, 0], B: [0.6, 0.8], C: [0, 1], D: [-0.6, 0.8], P0: [1, 0], P1: [0, 1], seed: [1, 0] };
    const embed = async (texts: string[]): Promise<Matrix> => {
      const data = new Float32Array(texts.length * 2);
      // "A. about A" → A; the topic seed comes last as itself.
      texts.forEach((t, i) => data.set(at[t.split('.')[0]], i * 2));
      return { data, rows: texts.length, cols: 2 };
    };
    const m = await descriptionMetrics(h, embed, 'seed');
    // Cosine distances: AB .4, AC 1, AD 1.6, BC .2, BD .72, CD .2 → s = .6923, .1304, .6667, .8276.
    expect(m[1].level).toBe(2);
    expect(m[1].llmSilhouette).toBeCloseTo((0.9 / 1.3 + 0.06 / 0.46 + 0.4 / 0.6 + 0.96 / 1.16) / 4, 5);
    expect(m[0].llmSilhouette).toBeNaN();
    expect(m[1].topicAlignment).toBeCloseTo(0.5, 6);
    expect(m[0].topicAlignment).toBeCloseTo((1 + 0.6 + 0 - 0.6) / 4, 6);
  });
});
