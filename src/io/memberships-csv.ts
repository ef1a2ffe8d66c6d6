/**
 * CSV exports (papaparse unparse: fields with commas, quotes or line breaks are quoted, quotes
 * doubled; every text cell is quoted). Cells are written as they are; nothing is prefixed to stop
 * a spreadsheet reading a cell that starts with "=" as a formula, so the data stays exact.
 *
 * - Memberships: one row per text of a run: id, text, label, then per level (top first) the id and
 *   title of the theme holding it, then its attribution to the finest themes (seed 004: cosine to
 *   its own theme's centre, the runner-up theme and its cosine) when the vectors were at hand, then
 *   the extra columns kept with the run.
 * - Placements: one row per new text placed in a run (src/core/assign.ts): its path down the tree
 *   per level, the path as one line of titles, its similarity and whether it is an outlier.
 */
import Papa from 'papaparse';
import { runTree, type Attribution, type Placement } from '../core/assign';
import { getNode, pathOf, type Hierarchy, type HierarchyNode } from '../core/hierarchy/tree';
import type { RunRecord } from '../core/types';
import { nodeTitle } from '../app/views/hierarchy-display';

/** Column names of the per-level cells: "cluster_*" for a flat run, "level<L>_*" top level first. */
export function levelFields(tree: Hierarchy, flat: boolean): string[] {
  if (flat) return ['cluster_id', 'cluster_title'];
  const out: string[] = [];
  for (let l = tree.levels; l >= 1; l--) out.push(`level${l}_id`, `level${l}_title`);
  return out;
}

/**
 * Id and title per level (top first) for a path from a root down: at level l the first node of
 * the path whose level is ≤ l, as in the tree's level cuts (a branch that stopped early stands in
 * for the levels below it). An empty path gives empty cells.
 */
export function levelCells(tree: Hierarchy, path: readonly HierarchyNode[], flat: boolean): string[] {
  const levels = flat ? [1] : Array.from({ length: tree.levels }, (_, i) => tree.levels - i);
  const out: string[] = [];
  for (const l of levels) {
    const node = path.find((n) => n.level <= l) ?? path[path.length - 1];
    out.push(node ? node.id : '', node ? nodeTitle(node) : '');
  }
  return out;
}

/** Similarities with 6 decimals; undefined ones as empty cells. */
function num(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null;
}

function unparse(fields: string[], rows: (string | number | null)[][]): string {
  return Papa.unparse({ fields, data: rows }, { quotes: (value: unknown) => typeof value === 'string', newline: '\r\n' });
}

/** The memberships CSV of a run; `attribution` (of runTree(run)'s leaves) adds the similarity columns. */
export function membershipsCsv(run: RunRecord, attribution?: Attribution): string {
  const tree = runTree(run);
  const flat = !run.hierarchy;
  const extra = Object.keys(run.columns ?? {});
  const fields = [
    'id',
    'text',
    ...(run.labels ? ['label'] : []),
    ...levelFields(tree, flat),
    ...(attribution ? ['similarity', 'runner_up_id', 'runner_up_title', 'runner_up_similarity'] : []),
    ...extra,
  ];
  const rows = run.texts.map((text, i) => {
    const path = tree.itemLeaf[i] >= 0 ? pathOf(tree, i) : [];
    const row: (string | number | null)[] = [run.ids?.[i] ?? String(i + 1), text, ...(run.labels ? [run.labels[i]] : []), ...levelCells(tree, path, flat)];
    if (attribution) {
      const r = attribution.runnerUp[i];
      const other = r >= 0 ? getNode(tree, tree.leafIds[r]) : null;
      row.push(num(attribution.similarity[i]), other ? other.id : '', other ? nodeTitle(other) : '', num(attribution.runnerUpSimilarity[i]));
    }
    for (const c of extra) row.push(run.columns?.[c]?.[i] ?? '');
    return row;
  });
  return unparse(fields, rows);
}

/** The placements CSV: texts with their path, similarity and outlier flag. */
export function placementsCsv(tree: Hierarchy, flat: boolean, texts: readonly string[], placed: readonly Placement[], ids?: readonly string[]): string {
  const fields = ['id', 'text', ...levelFields(tree, flat), 'path', 'similarity', 'outlier', 'runner_up_id', 'runner_up_similarity'];
  const rows = texts.map((text, i) => {
    const p = placed[i];
    const path = p.path.map((s) => getNode(tree, s.nodeId));
    return [
      ids?.[i] ?? String(i + 1),
      text,
      ...levelCells(tree, path, flat),
      path.map(nodeTitle).join(' › '),
      num(p.similarity),
      p.outlier ? 'true' : 'false',
      p.runnerUp?.nodeId ?? '',
      num(p.runnerUp?.similarity ?? NaN),
    ];
  });
  return unparse(fields, rows);
}
