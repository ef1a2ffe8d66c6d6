// Small hierarchies for the treemap and tree-list tests, written as nested objects: a number is a
// leaf with that many items, an object an inner node, a key starting with "~" a noise leaf. Roots
// take the tree's height as their level and every child one less, so shallow leaves sit above
// level 1 as in an uneven recursive tree.
import { validateHierarchy, type Hierarchy, type HierarchyNode } from '../../src/core/hierarchy/tree';

export interface Spec {
  [id: string]: number | Spec;
}

function height(spec: Spec): number {
  return Math.max(...Object.values(spec).map((v) => (typeof v === 'number' ? 1 : 1 + height(v))));
}

/** The hierarchy of `spec`; `extra` sets fields per node (titles, keywords); `unassigned` items are noise outside any node. */
export function makeTree(spec: Spec, extra: Record<string, Partial<HierarchyNode>> = {}, unassigned = 0): Hierarchy {
  const nodes: Record<string, HierarchyNode> = {};
  const leafIds: string[] = [];
  const itemLeaf: number[] = [];
  const add = (id: string, value: number | Spec, level: number, parentId: string | null): number => {
    const noise = id.startsWith('~');
    const node: HierarchyNode = {
      id,
      level,
      parentId,
      childIds: typeof value === 'number' ? [] : Object.keys(value),
      size: 0,
      title: `Theme ${id}`,
      description: '',
      nameSource: 'keywords',
      keywords: [`kw-${id.toLowerCase()}`],
      representatives: [],
      cohesion: 0.5,
      ...(noise ? { isNoise: true } : {}),
    };
    nodes[id] = node;
    if (typeof value === 'number') {
      const leaf = leafIds.length;
      leafIds.push(id);
      for (let i = 0; i < value; i++) itemLeaf.push(leaf);
      node.size = value;
    } else {
      node.size = Object.entries(value).reduce((s, [c, v]) => s + add(c, v, level - 1, id), 0);
    }
    Object.assign(node, extra[id] ?? {});
    return node.size;
  };
  const top = height(spec);
  for (const [id, v] of Object.entries(spec)) add(id, v, top, null);
  for (let i = 0; i < unassigned; i++) itemLeaf.push(-1);
  const h: Hierarchy = { method: 'recursive', levels: top, nodes, roots: Object.keys(spec), itemLeaf: Int32Array.from(itemLeaf), leafIds, promptLog: [] };
  const problems = validateHierarchy(h);
  if (problems.length) throw new Error(`bad fixture: ${problems.join('; ')}`);
  return h;
}

/**
 * An uneven tree with a noise leaf:
 *   R ─ A ─ A1 (30), A2 (10)
 *     ├ B (25)                    a branch that stopped early
 *     └ ~n (12)                   noise kept under R
 *   S (8)                         a root never split
 *   T ─ T1 (40), T2 (35), T3 (5)
 *   + 3 items in no node
 */
export function uneven(): Hierarchy {
  return makeTree({ R: { A: { A1: 30, A2: 10 }, B: 25, '~n': 12 }, S: 8, T: { T1: 40, T2: 35, T3: 5 } }, {}, 3);
}
