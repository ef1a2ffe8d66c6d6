import { describe, expect, it } from 'vitest';
import {
  ancestors,
  assignmentsAtLevel,
  descendants,
  hierarchyFromJson,
  hierarchyToJson,
  itemsOf,
  levelCut,
  pathOf,
  validateHierarchy,
  type Hierarchy,
  type HierarchyNode,
} from '../../src/core/hierarchy/tree';

function node(id: string, level: number, parentId: string | null, childIds: string[], size: number, reps: number[] = []): HierarchyNode {
  return { id, level, parentId, childIds, size, title: id, description: '', nameSource: 'keywords', keywords: [], representatives: reps, cohesion: 0 };
}

/**
 * An uneven tree, as the recursive builder may make:
 *   R (L3) ─ A (L2) ─ A1 (L1): items 0, 1
 *          │        └ A2 (L1): item 2
 *          └ B (L1): items 3, 4        (branch that stopped one level down)
 *   S (L3): item 5                     (a root that was never split)
 *   item 6: noise
 */
function uneven(): Hierarchy {
  const nodes = [
    node('R', 3, null, ['A', 'B'], 5, [0, 3]),
    node('A', 2, 'R', ['A1', 'A2'], 3, [1]),
    node('A1', 1, 'A', [], 2, [0, 1]),
    node('A2', 1, 'A', [], 1, [2]),
    node('B', 1, 'R', [], 2, [4]),
    node('S', 3, null, [], 1, [5]),
  ];
  return {
    method: 'recursive',
    levels: 3,
    nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
    roots: ['R', 'S'],
    itemLeaf: Int32Array.from([0, 0, 1, 2, 2, 3, -1]),
    leafIds: ['A1', 'A2', 'B', 'S'],
    promptLog: [],
  };
}

describe('tree walks', () => {
  it('gives root-to-leaf paths, empty for noise', () => {
    const h = uneven();
    expect(pathOf(h, 0).map((n) => n.id)).toEqual(['R', 'A', 'A1']);
    expect(pathOf(h, 2).map((n) => n.id)).toEqual(['R', 'A', 'A2']);
    expect(pathOf(h, 3).map((n) => n.id)).toEqual(['R', 'B']);
    expect(pathOf(h, 5).map((n) => n.id)).toEqual(['S']);
    expect(pathOf(h, 6)).toEqual([]);
    expect(() => pathOf(h, 7)).toThrow(RangeError);
  });

  it('lists ancestors nearest first and descendants in pre-order', () => {
    const h = uneven();
    expect(ancestors(h, 'A1')).toEqual(['A', 'R']);
    expect(ancestors(h, 'R')).toEqual([]);
    expect(descendants(h, 'R')).toEqual(['A', 'A1', 'A2', 'B']);
    expect(descendants(h, 'B')).toEqual([]);
    expect(itemsOf(h, 'A')).toEqual([0, 1, 2]);
    expect(itemsOf(h, 'R')).toEqual([0, 1, 2, 3, 4]);
    expect(itemsOf(h, 'S')).toEqual([5]);
    expect(() => ancestors(h, 'nope')).toThrow(/no node/);
  });
});

describe('level cuts', () => {
  it('partitions the items at every level of an uneven tree', () => {
    const h = uneven();
    // Level 1: the leaves; S, never split, stands for its item.
    expect(levelCut(h, 1)).toEqual(['A1', 'A2', 'B', 'S']);
    expect(Array.from(assignmentsAtLevel(h, 1))).toEqual([0, 0, 1, 2, 2, 3, -1]);
    // Level 2: A, and the shallow leaf B stays on its own (its parent R is above level 2).
    expect(levelCut(h, 2)).toEqual(['A', 'B', 'S']);
    expect(Array.from(assignmentsAtLevel(h, 2))).toEqual([0, 0, 0, 1, 1, 2, -1]);
    expect(levelCut(h, 3)).toEqual(['R', 'S']);
    expect(Array.from(assignmentsAtLevel(h, 3))).toEqual([0, 0, 0, 0, 0, 1, -1]);
    // Above the top: still the roots.
    expect(levelCut(h, 9)).toEqual(['R', 'S']);
  });
});

describe('validateHierarchy', () => {
  it('accepts a consistent tree', () => {
    expect(validateHierarchy(uneven())).toEqual([]);
  });

  it('finds sizes that do not add up', () => {
    const h = uneven();
    h.nodes.A.size = 4;
    expect(validateHierarchy(h)).toEqual(['A: size 4, but 3 items lie under it']);
    const h2 = uneven();
    h2.itemLeaf[6] = 1; // the noise item now sits in A2, whose size still says 1
    const p = validateHierarchy(h2);
    expect(p).toContain('A2: size 1, but 2 items lie under it');
    expect(p).toContain('A: size 3, but 4 items lie under it');
    expect(p).toContain('R: size 5, but 6 items lie under it');
  });

  it('finds broken parent/child links and levels', () => {
    const h = uneven();
    h.nodes.A.childIds = ['A1'];
    expect(validateHierarchy(h)).toEqual(['A2: listed 0 times among the children of its parent A']);
    const h2 = uneven();
    h2.nodes.A1.parentId = 'R';
    expect(validateHierarchy(h2).some((s) => s.includes('A: child A1 names "R"'))).toBe(true);
    const h3 = uneven();
    h3.nodes.A.level = 3;
    expect(validateHierarchy(h3)).toEqual(['A: level 3 is not below its parent\'s (3)']);
    const h4 = uneven();
    h4.levels = 2;
    expect(validateHierarchy(h4)).toEqual(['levels is 2, but the highest node level is 3']);
  });

  it('finds leaf-table and representative errors', () => {
    const h = uneven();
    h.leafIds = ['A1', 'A2', 'B'];
    h.itemLeaf[5] = -1;
    expect(validateHierarchy(h)).toEqual(['S has no children but is not a leaf']);
    const h2 = uneven();
    h2.nodes.A.representatives = [3];
    expect(validateHierarchy(h2)).toEqual(['A: representative 3 is not under it']);
    const h3 = uneven();
    h3.itemLeaf[0] = 7;
    expect(validateHierarchy(h3)).toContain('item 0: leaf index 7 is out of range');
  });

  it('round-trips through JSON', () => {
    const h = uneven();
    const back = hierarchyFromJson(JSON.parse(JSON.stringify(hierarchyToJson(h))));
    expect(back.itemLeaf).toBeInstanceOf(Int32Array);
    expect(Array.from(back.itemLeaf)).toEqual(Array.from(h.itemLeaf));
    expect(back.nodes).toEqual(h.nodes);
    expect(validateHierarchy(back)).toEqual([]);
  });
});
