import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { attributeLeaves, placementModel, placeVectors, runTree } from '../../src/core/assign';
import { hierarchyStage } from '../../src/core/hierarchy/stage';
import { assignmentsAtLevel, levelCut, pathOf } from '../../src/core/hierarchy/tree';
import { ScriptedEngine, promptIds } from '../../src/core/llm/scripted';
import { clusterStage } from '../../src/core/pipeline';
import { makeRng } from '../../src/core/random';
import { assembleRun } from '../../src/core/run';
import type { Dataset, Matrix, RunRecord } from '../../src/core/types';
import { membershipsCsv, placementsCsv } from '../../src/io/memberships-csv';
import { htmlReport } from '../../src/io/report-html';
import { RunFileError, runFromJson, runToJson } from '../../src/io/run-json';
import { scatterSvg, treemapSvg } from '../../src/app/views/view-svg';

const XSS_TEXT = '<img src=x onerror="window.__xss=1">, "quoted", and\na new line';
const XSS_TITLE = '<script>window.__xss=2</script> Payments';
const WORDS = [
  ['tennis', 'soccer'],
  ['bake', 'grill'],
  ['piano', 'violin'],
];

function corpus(): { vectors: Matrix; dataset: Dataset } {
  const rng = makeRng(3);
  const rows = 90;
  const d = 9;
  const data = new Float32Array(rows * d);
  const texts: string[] = [];
  const labels: string[] = [];
  const flag: string[] = [];
  for (let i = 0; i < rows; i++) {
    const g = i % 3;
    const s = Math.floor(i / 3) % 2;
    data[i * d + g] = 30;
    data[i * d + 3 + 2 * g + s] = 6;
    for (let j = 0; j < d; j++) data[i * d + j] += (rng() - 0.5) * 0.5;
    texts.push(i === 4 ? XSS_TEXT : `${WORDS[g][s]} item ${i}, with a comma`);
    labels.push(WORDS[g][s]);
    flag.push(g === 0 ? 'yes' : 'no');
  }
  return {
    vectors: { data, rows, cols: d },
    dataset: { name: 'Sports, food & music', texts, labels, ids: texts.map((_, i) => `t${i}`), columns: { flag, 'score/v.2': texts.map((_, i) => String(i % 7)) }, stats: { rows, empty: 0, duplicates: 0, kept: rows } },
  };
}

const embedder = { id: 'glove-sif' as const, model: 'test', dtype: 'q4', device: 'cpu', dims: 9 };

async function flatRun(): Promise<{ run: RunRecord; vectors: Matrix }> {
  const { vectors, dataset } = corpus();
  const clustered = await clusterStage({ vectors, texts: dataset.texts, labels: dataset.labels, k: 6, seed: 1, projection: 'pca' });
  clustered.clusters[0].name = XSS_TITLE;
  clustered.quality.silhouette = NaN; // as a single-cluster run would have
  const run = assembleRun({ id: 'run-flat', dataset, fields: { textField: 'text' }, embedder, embedStats: { cached: 0, embedded: 90, device: 'cpu' }, requestedK: 6, seed: 1, clustered, timings: { embed: 0.5 } });
  return { run, vectors };
}

async function hierarchyRun(): Promise<{ run: RunRecord; vectors: Matrix }> {
  const { vectors, dataset } = corpus();
  const engine = new ScriptedEngine((messages) => {
    const out: Record<string, { title: string; description: string }> = {};
    for (const id of promptIds(messages)) out[id] = { title: id === 'L2-C0' ? XSS_TITLE : `Theme ${id}`, description: `About ${id}: <b>bold</b> & more.` };
    return JSON.stringify(out);
  });
  const out = await hierarchyStage({ vectors, texts: dataset.texts, labels: dataset.labels, seed: 5, projection: 'pca', hierarchy: { method: 'hercules', levels: [6, 3], mode: 'direct' } }, { engine });
  const run = assembleRun({
    id: 'run-tree',
    dataset,
    fields: { textField: 'text', labelField: 'label' },
    embedder,
    embedStats: { cached: 0, embedded: 90, device: 'cpu' },
    requestedK: out.clustered.k,
    seed: 5,
    clustered: out.clustered,
    hierarchy: { tree: out.tree, settings: { method: 'hercules', levels: [6, 3], mode: 'direct' }, metrics: out.levels },
    llm: { kind: 'scripted', model: 'scripted' },
    timings: {},
  });
  return { run, vectors };
}

/**
 * Deep equality as a run file can promise it: same keys (a key whose value is undefined counts as
 * absent, JSON cannot hold it), typed arrays of the same type and values, NaN equal to NaN.
 */
function sameValue(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b ? [] : [`${path}: ${a} ≠ ${b}`];
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return [`${path}: ${a?.constructor?.name} ≠ ${(b as object)?.constructor?.name}`];
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return [`${path}: length ${x.length} ≠ ${y.length}`];
    for (let i = 0; i < x.length; i++) if (!(Object.is(x[i], y[i]) || x[i] === y[i])) return [`${path}/${i}: ${x[i]} ≠ ${y[i]}`];
    return [];
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return [`${path}: arrays differ in length`];
    return a.flatMap((x, i) => sameValue(x, b[i], `${path}/${i}`));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined).sort();
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined).sort();
    if (ka.join() !== kb.join()) return [`${path}: keys ${ka.join()} ≠ ${kb.join()}`];
    return ka.flatMap((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`));
  }
  return a === b ? [] : [`${path}: ${String(a)} ≠ ${String(b)}`];
}

describe('run files (schema 2)', () => {
  it('round-trips a flat run and a hierarchy run exactly: typed arrays, NaN, extra columns, prompts', async () => {
    for (const { run } of [await flatRun(), await hierarchyRun()]) {
      const text = runToJson(run);
      const file = JSON.parse(text);
      expect(file).toMatchObject({ format: 'constellate-run', schema: 2 });
      expect(file.typedArrays['/assignments']).toBe('Int32Array');
      expect(file.typedArrays['/coords']).toBe('Float32Array');
      expect(file.run.assignments).toEqual(Array.from(run.assignments));
      const back = runFromJson(text);
      expect(sameValue(back, run)).toEqual([]);
      expect(back.assignments).toBeInstanceOf(Int32Array);
      expect(back.coords).toBeInstanceOf(Float32Array);
      expect(back.columns?.['score/v.2']).toEqual(run.columns?.['score/v.2']);
      if (run.hierarchy) {
        expect(file.typedArrays['/hierarchy/itemLeaf']).toBe('Int32Array');
        expect(back.hierarchy?.itemLeaf).toBeInstanceOf(Int32Array);
        expect(back.hierarchy?.promptLog.length).toBeGreaterThan(0);
        expect(back.hierarchy?.promptLog).toEqual(run.hierarchy.promptLog);
      } else {
        expect(file.nonFinite['/quality/silhouette']).toBe('NaN');
        expect(Number.isNaN(back.quality?.silhouette)).toBe(true);
      }
    }
  });

  it('keeps ±Infinity and NaN inside typed arrays', async () => {
    const { run } = await flatRun();
    run.coords[3] = NaN;
    run.coords[5] = -Infinity;
    const back = runFromJson(runToJson(run));
    expect(Number.isNaN(back.coords[3])).toBe(true);
    expect(back.coords[5]).toBe(-Infinity);
    expect(sameValue(back, run)).toEqual([]);
  });

  it('still reads schema-1 files (the bare record, as the CLI wrote it)', async () => {
    const { run } = await hierarchyRun();
    const v1 = JSON.stringify(run, (_k, v: unknown) => (v instanceof Float32Array || v instanceof Int32Array ? Array.from(v) : v));
    const back = runFromJson(v1);
    expect(back.assignments).toBeInstanceOf(Int32Array);
    expect(back.hierarchy?.itemLeaf).toBeInstanceOf(Int32Array);
    expect(Array.from(back.hierarchy?.itemLeaf ?? [])).toEqual(Array.from(run.hierarchy?.itemLeaf ?? []));
    expect(back.texts).toEqual(run.texts);
  });

  it('refuses wrong and damaged files with a message that says what is wrong', async () => {
    const { run } = await hierarchyRun();
    const good = JSON.parse(runToJson(run));
    const bad = (f: (x: typeof good) => unknown): string => {
      try {
        runFromJson(JSON.stringify(f(structuredClone(good))));
      } catch (e) {
        expect(e).toBeInstanceOf(RunFileError);
        return (e as Error).message;
      }
      throw new Error('accepted a bad file');
    };
    expect(() => runFromJson('{"format": "constellate-run", "schema": 2, "run": {')).toThrow(/not valid JSON/);
    expect(() => runFromJson('[1, 2, 3]')).toThrow(/no JSON object/);
    expect(() => runFromJson('{"name": "a table", "rows": []}')).toThrow(/not a Constellate run/);
    expect(bad((x) => ({ ...x, schema: 3 }))).toMatch(/newer Constellate \(schema 3\)/);
    expect(bad((x) => ((x.run.assignments = x.run.assignments.slice(1)), x))).toMatch(/"assignments" has 89 entries for 90 texts/);
    expect(bad((x) => ((x.run.coords = x.run.coords.slice(2)), x))).toMatch(/"coords" has 178 numbers, expected 2 × 90/);
    expect(bad((x) => ((x.run.assignments[7] = 42), x))).toMatch(/text 7 is assigned to cluster 42/);
    expect(bad((x) => ((x.run.coords[0] = 'left'), x))).toMatch(/\/coords\/0 should be a number but is the text "left"/);
    expect(bad((x) => (delete x.run.texts, x))).toMatch(/"texts" should be a list/);
    expect(bad((x) => ((x.typedArrays['/nowhere'] = 'Int32Array'), x))).toMatch(/\/nowhere should be a list of numbers/);
    expect(bad((x) => ((x.typedArrays['/coords'] = 'BigArray'), x))).toMatch(/unknown array type/);
    expect(
      bad((x) => {
        const leaf = x.run.hierarchy.leafIds[0];
        x.run.hierarchy.nodes[leaf].size += 1;
        return x;
      }),
    ).toMatch(/hierarchy: .*size/);
    expect(bad((x) => ((x.run.columns.flag = ['yes']), x))).toMatch(/column "flag" should have 90 cells/);
  });
});

describe('memberships CSV', () => {
  it('has one row per text with its path per level, quoted texts that survive commas, quotes and line breaks, and the attribution', async () => {
    const { run, vectors } = await hierarchyRun();
    const tree = runTree(run);
    const attribution = await attributeLeaves(tree, vectors);
    const csv = membershipsCsv(run, attribution);
    const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual(['id', 'text', 'label', 'level2_id', 'level2_title', 'level1_id', 'level1_title', 'similarity', 'runner_up_id', 'runner_up_title', 'runner_up_similarity', 'flag', 'score/v.2']);
    expect(parsed.data).toHaveLength(run.texts.length);
    const l2 = assignmentsAtLevel(tree, 2);
    const cut2 = levelCut(tree, 2);
    parsed.data.forEach((row, i) => {
      expect(row.text).toBe(run.texts[i]);
      expect(row.id).toBe(`t${i}`);
      const path = pathOf(tree, i);
      expect(row.level1_id).toBe(path[path.length - 1].id);
      expect(row.level2_id).toBe(cut2[l2[i]]);
      expect(Number(row.similarity)).toBeCloseTo(attribution.similarity[i], 5);
      expect(row.runner_up_id).toBe(tree.leafIds[attribution.runnerUp[i]]);
      expect(row.runner_up_id).not.toBe(row.level1_id);
      expect(row.flag).toBe(run.columns?.flag[i]);
    });
    expect(parsed.data[4].text).toBe(XSS_TEXT);
    expect(parsed.data.some((r) => r.level2_title === XSS_TITLE)).toBe(true);
  });

  it('names a flat run’s columns cluster_id / cluster_title and leaves out similarities without vectors', async () => {
    const { run } = await flatRun();
    const parsed = Papa.parse<Record<string, string>>(membershipsCsv(run), { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields?.slice(0, 5)).toEqual(['id', 'text', 'label', 'cluster_id', 'cluster_title']);
    expect(parsed.meta.fields).not.toContain('similarity');
    parsed.data.forEach((row, i) => expect(row.cluster_id).toBe(String(run.assignments[i])));
    expect(parsed.data.filter((r) => r.cluster_title === XSS_TITLE).length).toBe(run.clusters[0].size);
  });

  it('writes placements with their path of titles and outlier flag', async () => {
    const { run, vectors } = await hierarchyRun();
    const tree = runTree(run);
    const placed = placeVectors(placementModel(tree, vectors), { data: vectors.data.slice(0, 3 * 9), rows: 3, cols: 9 });
    const parsed = Papa.parse<Record<string, string>>(placementsCsv(tree, false, ['a', 'b, "c"', 'd'], placed), { header: true, skipEmptyLines: true });
    expect(parsed.data.map((r) => r.text)).toEqual(['a', 'b, "c"', 'd']);
    parsed.data.forEach((r, i) => {
      expect(r.level1_id).toBe(placed[i].path[1].nodeId);
      expect(r.path.split(' › ')).toHaveLength(2);
      expect(r.outlier).toBe(String(placed[i].outlier));
    });
  });
});

describe('SVG of the views', () => {
  it('draws a tile per shown theme with escaped titles, and a map dot per text (or a seeded sample)', async () => {
    const { run } = await hierarchyRun();
    const tree = runTree(run);
    const svg = treemapSvg(tree, { width: 800, height: 500, title: XSS_TITLE });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    const tiles = svg.match(/class="tile"/g)?.length ?? 0;
    expect(tiles).toBe(tree.roots.length + levelCut(tree, 1).length);
    const values = Object.fromEntries(Object.keys(tree.nodes).map((id, i) => [id, i / 10]));
    expect(treemapSvg(tree, { width: 800, height: 500, colorValues: values, colorLabel: 'share flagged' })).toContain('share flagged');
    const dots = (s: string) => s.match(/h0/g)?.length ?? 0;
    expect(dots(scatterSvg(run.coords, run.assignments, { width: 600, height: 400 }))).toBe(90);
    const sampled = scatterSvg(run.coords, run.assignments, { width: 600, height: 400, maxPoints: 40 });
    expect(dots(sampled)).toBe(40);
    expect(sampled).toContain('A seeded sample of 40 of 90 texts');
  });
});

describe('HTML report', () => {
  it('is one self-contained file: a CSP that allows no network, no external URL, escaped texts and LLM answers', async () => {
    for (const { run } of [await hierarchyRun(), await flatRun()]) {
      const html = htmlReport(run, { nonce: 'abc123' });
      expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-abc123'`);
      // No resource is loaded from anywhere: the only URL is the SVG namespace.
      const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
      expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
      expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
      expect(html).not.toMatch(/<[^>]*\s(src|href)=/i);
      // Exactly one script, the report's own.
      expect(html.match(/<script/g)).toHaveLength(1);
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;');
      expect(html).toContain('&lt;script&gt;window.__xss=2&lt;/script&gt; Payments');
      // Every text is listed (90 ≤ 3,000) once under its leaf.
      expect(html.match(/<li class="text/g)?.length).toBe(run.texts.length);
      expect(html).toContain('Every one of the 90 texts');
      if (run.hierarchy) {
        expect(html).toContain('About L2-C0: &lt;b&gt;bold&lt;/b&gt; &amp; more.');
        expect(html).toContain('id="prompts"');
        expect(html.match(/<details class="theme"/g)?.length).toBe(Object.keys(run.hierarchy.nodes).length);
      }
    }
  });

  it('samples the texts of large runs per theme and says so', async () => {
    const { run } = await flatRun();
    const html = htmlReport(run, { allTextsUpTo: 50, textsPerTheme: 4 });
    const listed = html.match(/<li class="text/g)?.length ?? 0;
    expect(listed).toBe(run.clusters.reduce((s, c) => s + Math.min(4, c.size), 0));
    expect(html).toContain(`${listed} of 90 texts are shown`);
  });
});
