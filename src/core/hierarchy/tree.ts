/**
 * The one tree type shared by the hierarchy builders (DESIGN §2.5): bottom-up HERCULES (seed 001)
 * and top-down recursive clustering (seed 003). Levels count up from the items: level 1 nodes hold
 * items directly, the roots sit at the highest level. Trees may be uneven (a recursive branch that
 * stops early is a leaf above level 1); every leaf holds items directly and no child nodes, so an
 * item's node is always a leaf (noise kept at a level is a leaf child with isNoise). Plain data:
 * JSON-serialisable except `itemLeaf`, an Int32Array (see hierarchyToJson/hierarchyFromJson).
 */
import type { PromptLogEntry } from '../llm/naming';

export type { PromptLogEntry };

export interface HierarchyNode {
  /** Unique id, e.g. "L2-C3" (level 2, cluster 3). */
  id: string;
  /** 1 = directly above the items; the roots carry the highest levels. */
  level: number;
  parentId: string | null;
  /** Child node ids; empty for a leaf. */
  childIds: string[];
  /** Items under the node. */
  size: number;
  title: string;
  description: string;
  nameSource: 'llm' | 'keywords';
  /** c-TF-IDF keywords over the node's items, best first. */
  keywords: string[];
  /** Item indices nearest the node's centre, nearest first. */
  representatives: number[];
  /** Mean cosine similarity of the node's items to its centre. */
  cohesion: number;
  /** The node's centre in item-vector space (for placing new texts); optional to keep runs small. */
  centroid?: number[];
  /** A leaf of items that fit no cluster (density methods). */
  isNoise?: boolean;
}

export interface Hierarchy {
  method: 'hercules' | 'recursive';
  /** Top level index (the highest node level). */
  levels: number;
  nodes: Record<string, HierarchyNode>;
  /** Top-level node ids, in display order. */
  roots: string[];
  /** Per item, the index into leafIds of the leaf holding it; −1 for an item in no node (noise). */
  itemLeaf: Int32Array;
  /** Ids of the nodes that hold items directly. */
  leafIds: string[];
  /** Every naming prompt and answer, in order. */
  promptLog: PromptLogEntry[];
  /** Remarks of the builder (clamped or skipped levels, resampling, …). */
  notes?: string[];
}

/** A node as a builder first makes it: unnamed (a keyword or LLM name is given once its level is complete). */
export function unnamedNode(n: Omit<HierarchyNode, 'title' | 'description' | 'nameSource'>): HierarchyNode {
  return { ...n, title: '', description: '', nameSource: 'keywords' };
}

/** The node or a clear error (a missing id means a corrupt tree). */
export function getNode(h: Hierarchy, id: string): HierarchyNode {
  const n = h.nodes[id];
  if (!n) throw new RangeError(`no node "${id}" in the hierarchy`);
  return n;
}

/** Ancestors of a node, from its parent up to its root. */
export function ancestors(h: Hierarchy, id: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>([id]);
  let p = getNode(h, id).parentId;
  while (p !== null) {
    if (seen.has(p)) throw new Error(`cycle through "${p}" in the hierarchy`);
    seen.add(p);
    out.push(p);
    p = getNode(h, p).parentId;
  }
  return out;
}

/** All nodes below a node, depth-first pre-order following childIds (the node itself excluded). */
export function descendants(h: Hierarchy, id: string): string[] {
  const out: string[] = [];
  const stack = [...getNode(h, id).childIds].reverse();
  const seen = new Set<string>([id]);
  while (stack.length > 0) {
    const c = stack.pop() as string;
    if (seen.has(c)) throw new Error(`node "${c}" is reached twice below "${id}"`);
    seen.add(c);
    out.push(c);
    const kids = getNode(h, c).childIds;
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return out;
}

/** The nodes from the item's root down to its leaf; empty for a noise item. */
export function pathOf(h: Hierarchy, item: number): HierarchyNode[] {
  if (!Number.isInteger(item) || item < 0 || item >= h.itemLeaf.length) throw new RangeError(`item ${item} is out of range`);
  const leaf = h.itemLeaf[item];
  if (leaf < 0) return [];
  const leafId = h.leafIds[leaf];
  return [...ancestors(h, leafId).reverse(), leafId].map((id) => getNode(h, id));
}

/** Item indices under a node, ascending. */
export function itemsOf(h: Hierarchy, id: string): number[] {
  const leaves = new Set<number>();
  const node = getNode(h, id);
  const ids = node.childIds.length === 0 ? [id] : descendants(h, id);
  const leafIndex = new Map(h.leafIds.map((l, i) => [l, i]));
  for (const d of ids) {
    const li = leafIndex.get(d);
    if (li !== undefined) leaves.add(li);
  }
  const out: number[] = [];
  for (let i = 0; i < h.itemLeaf.length; i++) if (leaves.has(h.itemLeaf[i])) out.push(i);
  return out;
}

/** Node ids in depth-first pre-order from the roots (the display order of the tree). */
function preorder(h: Hierarchy): string[] {
  const out: string[] = [];
  for (const r of h.roots) {
    out.push(r);
    out.push(...descendants(h, r));
  }
  return out;
}

/**
 * The nodes that partition the items at a level, in depth-first order from the roots. On each
 * root-to-leaf path it is the first node whose level is ≤ `level`; a leaf above `level` (a branch
 * that stopped early) stands in for its items. Above the top this gives the roots, at 1 the leaves.
 */
export function levelCut(h: Hierarchy, level: number): string[] {
  return preorder(h).filter((id) => {
    const n = getNode(h, id);
    if (n.level <= level) return n.parentId === null || getNode(h, n.parentId).level > level;
    return n.childIds.length === 0;
  });
}

/** Nodes at each level's cut, finest first (a recursive tree's counterpart of HERCULES's --levels). */
export function levelCounts(h: Hierarchy): number[] {
  return Array.from({ length: h.levels }, (_, i) => levelCut(h, i + 1).length);
}

/**
 * Per item, the index into levelCut(h, level) of the node holding it at that level (its ancestor
 * or own leaf), −1 for noise items. For metrics and colouring by level.
 */
export function assignmentsAtLevel(h: Hierarchy, level: number): Int32Array {
  const cut = levelCut(h, level);
  const cutIndex = new Map(cut.map((id, i) => [id, i]));
  const leafTo = new Int32Array(h.leafIds.length).fill(-1);
  h.leafIds.forEach((leafId, li) => {
    for (const id of [leafId, ...ancestors(h, leafId)]) {
      const c = cutIndex.get(id);
      if (c !== undefined) {
        leafTo[li] = c;
        break;
      }
    }
  });
  const out = new Int32Array(h.itemLeaf.length);
  for (let i = 0; i < out.length; i++) {
    const l = h.itemLeaf[i];
    out[i] = l >= 0 ? leafTo[l] : -1;
  }
  return out;
}

/**
 * Structural checks; returns the problems found (empty when valid): ids match their keys, parent
 * and child links agree, levels fall strictly towards the leaves, every node is reached once from
 * the roots, leaves hold items and no children, leaf sizes count their items, inner sizes are the
 * sums of their children's, representatives lie under their node, `levels` is the top level.
 */
export function validateHierarchy(h: Hierarchy): string[] {
  const problems: string[] = [];
  const ids = Object.keys(h.nodes);
  for (const key of ids) {
    const n = h.nodes[key];
    if (n.id !== key) problems.push(`node under key "${key}" has id "${n.id}"`);
    if (!Number.isInteger(n.level) || n.level < 1) problems.push(`${key}: level ${n.level} is not a whole number ≥ 1`);
    if (n.parentId === null) {
      if (!h.roots.includes(key)) problems.push(`${key} has no parent but is not a root`);
    } else {
      const p = h.nodes[n.parentId];
      if (!p) problems.push(`${key}: parent "${n.parentId}" does not exist`);
      else {
        const times = p.childIds.filter((c) => c === key).length;
        if (times !== 1) problems.push(`${key}: listed ${times} times among the children of its parent ${n.parentId}`);
        if (p.level <= n.level) problems.push(`${key}: level ${n.level} is not below its parent's (${p.level})`);
      }
    }
    for (const c of n.childIds) {
      const child = h.nodes[c];
      if (!child) problems.push(`${key}: child "${c}" does not exist`);
      else if (child.parentId !== key) problems.push(`${key}: child ${c} names "${child.parentId}" as its parent`);
    }
  }
  for (const r of h.roots) {
    const n = h.nodes[r];
    if (!n) problems.push(`root "${r}" does not exist`);
    else if (n.parentId !== null) problems.push(`root ${r} has a parent (${n.parentId})`);
  }
  if (problems.length > 0) return problems; // the walks below assume sound links

  const reached = new Map<string, number>();
  const stack = [...h.roots];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    reached.set(id, (reached.get(id) ?? 0) + 1);
    if ((reached.get(id) as number) > 1) {
      problems.push(`${id} is reached more than once from the roots`);
      continue;
    }
    stack.push(...h.nodes[id].childIds);
  }
  for (const id of ids) if (!reached.has(id)) problems.push(`${id} is not reachable from the roots`);

  const leafIndex = new Map<string, number>();
  h.leafIds.forEach((id, i) => {
    const n = h.nodes[id];
    if (!n) problems.push(`leaf "${id}" does not exist`);
    else if (n.childIds.length > 0) problems.push(`leaf ${id} has child nodes`);
    if (leafIndex.has(id)) problems.push(`leaf ${id} is listed twice`);
    leafIndex.set(id, i);
  });
  for (const id of ids) if (h.nodes[id].childIds.length === 0 && !leafIndex.has(id)) problems.push(`${id} has no children but is not a leaf`);
  if (problems.length > 0) return problems;

  const leafCounts = new Int32Array(h.leafIds.length);
  for (let i = 0; i < h.itemLeaf.length; i++) {
    const l = h.itemLeaf[i];
    if (!Number.isInteger(l) || l < -1 || l >= h.leafIds.length) problems.push(`item ${i}: leaf index ${l} is out of range`);
    else if (l >= 0) leafCounts[l]++;
  }
  const sizeOf = (id: string): number => {
    const n = h.nodes[id];
    let expected: number;
    if (n.childIds.length === 0) expected = leafCounts[leafIndex.get(id) as number];
    else expected = n.childIds.reduce((s, c) => s + sizeOf(c), 0);
    if (n.size !== expected) problems.push(`${id}: size ${n.size}, but ${expected} items lie under it`);
    return expected;
  };
  for (const r of h.roots) sizeOf(r);

  let top = 0;
  for (const id of ids) top = Math.max(top, h.nodes[id].level);
  if (h.levels !== top) problems.push(`levels is ${h.levels}, but the highest node level is ${top}`);

  for (const id of ids) {
    for (const item of h.nodes[id].representatives) {
      if (!Number.isInteger(item) || item < 0 || item >= h.itemLeaf.length) {
        problems.push(`${id}: representative ${item} is not an item`);
        continue;
      }
      const l = h.itemLeaf[item];
      const leafId = l >= 0 && l < h.leafIds.length ? h.leafIds[l] : null;
      if (leafId === null || (leafId !== id && !ancestors(h, leafId).includes(id))) problems.push(`${id}: representative ${item} is not under it`);
    }
  }
  return problems;
}

/** The hierarchy as plain JSON data (itemLeaf as a number array). */
export type HierarchyJson = Omit<Hierarchy, 'itemLeaf'> & { itemLeaf: number[] };

export function hierarchyToJson(h: Hierarchy): HierarchyJson {
  return { ...h, itemLeaf: Array.from(h.itemLeaf) };
}

export function hierarchyFromJson(j: HierarchyJson): Hierarchy {
  return { ...j, itemLeaf: Int32Array.from(j.itemLeaf) };
}
