import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterCommand } from '../../src/cli/main';
import { validateHierarchy } from '../../src/core/hierarchy/tree';
import { runFromJson } from '../../src/io/run-json';

const SAMPLE = join(import.meta.dirname, '../../public/samples/support-tickets.jsonl');

describe('constellate cluster (the CLI over the real core, GloVe vectors from the npm package)', () => {
  it('clusters the sample with k-means, scores it against labels and writes a run that reads back', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cst-cli-')), 'run.json');
    const r = await clusterCommand(['--input', SAMPLE, '--label-field', 'label', '--k', '10', '--embedder', 'glove-sif', '--quiet', '--out', out]);
    expect(r).toMatchObject({ n: 300, k: 10, embedder: 'glove-sif', dims: 100 });
    // Ten themes: well above the 0.1 of chance, below perfect for word vectors.
    expect(r.acc as number).toBeGreaterThan(0.2);
    expect(r.nmi as number).toBeGreaterThan(0.1);
    const run = runFromJson(readFileSync(out, 'utf8'));
    expect(run.assignments).toHaveLength(300);
    expect(run.coords).toHaveLength(600);
    expect(new Set(run.assignments).size).toBe(10);
    expect(run.clusters.reduce((s, c) => s + c.size, 0)).toBe(300);
  });

  it('builds a HERCULES hierarchy and reports metrics per level', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cst-cli-')), 'run.json');
    const r = await clusterCommand(['--input', SAMPLE, '--label-field', 'label', '--method', 'hercules', '--levels', '10,3', '--quiet', '--out', out]);
    const levels = r.levels as { level: number; k: number; nmi: number }[];
    expect(levels.map((l) => [l.level, l.k])).toEqual([
      [1, 10],
      [2, 3],
    ]);
    // Merging ten clusters into three loses label information: NMI cannot rise much.
    expect(levels[1].nmi).toBeLessThan(levels[0].nmi + 0.05);
    const run = runFromJson(readFileSync(out, 'utf8'));
    expect(run.config.method).toBe('hercules');
    expect(run.hierarchy?.itemLeaf).toBeInstanceOf(Int32Array);
    expect(run.hierarchy?.levels).toBe(2);
  });

  it('builds a recursive hierarchy (UMAP + HDBSCAN per subtree) and reports metrics per level', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cst-cli-')), 'run.json');
    const r = await clusterCommand([
      '--input', SAMPLE, '--label-field', 'label', '--method', 'recursive',
      '--max-depth', '2', '--min-cluster-size-floor', '20', '--quiet', '--out', out,
    ]);
    const levels = r.levels as { level: number; k: number; nmi: number }[];
    // Two levels at most; 300 texts at a floor of 20 do split below the top.
    expect(levels.map((l) => l.level)).toEqual([1, 2]);
    expect(levels[0].k).toBeGreaterThan(levels[1].k);
    expect(r.k).toBe(levels[0].k);
    expect(levels[0].nmi).toBeGreaterThan(0.1);
    const run = runFromJson(readFileSync(out, 'utf8'));
    expect(run.config.method).toBe('recursive');
    expect(run.name).toContain(`recursive ${levels[0].k}/${levels[1].k}`);
    expect(run.hierarchy?.method).toBe('recursive');
    expect(run.hierarchy && validateHierarchy(run.hierarchy)).toEqual([]);
    expect(run.hierarchy?.notes?.[0]).toMatch(/^top level: UMAP 5-D, HDBSCAN min cluster size 20/);
    expect(new Set(run.assignments).size).toBe(levels[0].k);
    expect(run.clusters.reduce((s, c) => s + c.size, 0)).toBe(300);
  });

  it('checks the recursion options before any work', async () => {
    await expect(clusterCommand(['--input', SAMPLE, '--method', 'recursive', '--max-depth', '0', '--quiet'])).rejects.toThrow('--max-depth must be a positive whole number');
    await expect(clusterCommand(['--input', SAMPLE, '--method', 'recursive', '--decay', 'x', '--quiet'])).rejects.toThrow('--decay must be a positive number');
  });

  it('refuses k larger than the number of texts', async () => {
    await expect(clusterCommand(['--input', SAMPLE, '--k', '301', '--quiet'])).rejects.toThrow('k (301) is larger than the number of texts (300)');
  });
});

describe('constellate cluster --csv --report', () => {
  it('writes the memberships CSV (with similarities) and the offline HTML report beside the run', async () => {
    const Papa = (await import('papaparse')).default;
    const dir = mkdtempSync(join(tmpdir(), 'cst-cli-'));
    const csv = join(dir, 'm.csv');
    const report = join(dir, 'r.html');
    await clusterCommand(['--input', SAMPLE, '--label-field', 'label', '--method', 'hercules', '--levels', '10,3', '--quiet', '--csv', csv, '--report', report]);
    const rows = Papa.parse<Record<string, string>>(readFileSync(csv, 'utf8'), { header: true, skipEmptyLines: true }).data;
    expect(rows).toHaveLength(300);
    const header = Object.keys(rows[0]);
    expect(header.some((h) => /similarity/i.test(h))).toBe(true);
    const sims = rows.map((r) => Number(r[header.find((h) => /similarity/i.test(h)) as string]));
    expect(sims.every((x) => Number.isFinite(x) && x <= 1 && x >= -1)).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html.startsWith('<!doctype html>') || html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=/i);
  });
});
