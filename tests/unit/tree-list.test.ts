import { describe, expect, test } from 'vitest';
import { ancestors, descendants } from '../../src/core/hierarchy/tree';
import { defaultExpanded, filterTree, matchNode, revealNode, treeKeyAction, visibleRows, type TreeRow } from '../../src/app/views/tree-list-model';
import { makeTree, uneven } from './treemap-fixture';

const ids = (rows: TreeRow[]): string[] => rows.map((r) => r.id);

describe('tree list rows', () => {
  test('roots expanded, deeper collapsed: roots and their children, largest first, noise last', () => {
    const h = uneven();
    const open = defaultExpanded(h);
    expect([...open].sort()).toEqual(['R', 'T']); // S has no children to show
    const rows = visibleRows(h, open);
    expect(ids(rows)).toEqual(['T', 'T1', 'T2', 'T3', 'R', 'A', 'B', '~n', 'S']);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get('T')).toMatchObject({ level: 1, hasChildren: true, expanded: true, posInSet: 1, setSize: 3, parentId: null });
    expect(byId.get('A')).toMatchObject({ level: 2, hasChildren: true, expanded: false, posInSet: 1, setSize: 3, parentId: 'R' });
    expect(byId.get('S')).toMatchObject({ level: 1, hasChildren: false, expanded: false, posInSet: 3 });
    expect(byId.get('~n')).toMatchObject({ posInSet: 3, setSize: 3 });
  });

  test('expanding a deeper node shows its children under it; collapsing a root hides its whole branch', () => {
    const h = uneven();
    const rows = visibleRows(h, new Set(['R', 'A', 'T']));
    expect(ids(rows)).toEqual(['T', 'T1', 'T2', 'T3', 'R', 'A', 'A1', 'A2', 'B', '~n', 'S']);
    expect(rows.find((r) => r.id === 'A1')?.level).toBe(3);
    // A stays expanded in the set but is hidden with R.
    expect(ids(visibleRows(h, new Set(['A', 'T'])))).toEqual(['T', 'T1', 'T2', 'T3', 'R', 'S']);
    // Every row shown exactly once, whatever is expanded.
    const all = visibleRows(h, new Set(Object.keys(h.nodes)));
    expect(ids(all).sort()).toEqual(Object.keys(h.nodes).sort());
  });

  test('revealNode adds the missing ancestors only', () => {
    const h = uneven();
    const open = new Set(['T']);
    const shown = revealNode(h, open, 'A1');
    expect([...shown].sort()).toEqual(['A', 'R', 'T']);
    expect(ids(visibleRows(h, shown))).toContain('A1');
    expect(revealNode(h, shown, 'A2')).toBe(shown); // nothing to add: the same set
  });
});

describe('tree list search', () => {
  const tree = () =>
    makeTree(
      { Sport: { Hockey: { NHL: 20, Goalies: 5 }, Baseball: 14 }, Science: { Space: { Shuttle: 9, Orbits: 7 }, Medicine: 11, '~noise': 4 } },
      { Goalies: { keywords: ['puck', 'save', 'mask'] }, Orbits: { keywords: ['kepler', 'orbit', 'satellite'] }, Shuttle: { keywords: ['nasa', 'launch'] } },
    );

  test('matches by title or keyword, case-insensitive; noise matches as Unclustered', () => {
    const h = tree();
    expect(matchNode(h.nodes.Hockey, 'hOCK')).toEqual({ by: 'title' });
    expect(matchNode(h.nodes.Goalies, 'PUCK')).toEqual({ by: 'keyword', keyword: 'puck' });
    expect(matchNode(h.nodes['~noise'], 'unclust')).toEqual({ by: 'title' });
    expect(matchNode(h.nodes.Hockey, 'puck')).toBeNull();
    expect(matchNode(h.nodes.Hockey, '   ')).toBeNull();
    expect(filterTree(h, '  ')).toBeNull();
  });

  test('the filter expands the paths to the matches and keeps what lies below them', () => {
    const h = tree();
    const f = filterTree(h, 'orbit');
    expect(f).not.toBeNull();
    if (!f) return;
    expect([...f.matches.keys()]).toEqual(['Orbits']);
    expect([...f.expand].sort()).toEqual(['Science', 'Space']);
    for (const a of ancestors(h, 'Orbits')) expect(f.visible.has(a)).toBe(true);
    const rows = visibleRows(h, new Set([...defaultExpanded(h), ...f.expand]), f.visible);
    expect(ids(rows)).toEqual(['Science', 'Space', 'Orbits']);
    // Siblings that do not match are hidden, and rows count their shown siblings only.
    expect(rows.find((r) => r.id === 'Space')).toMatchObject({ posInSet: 1, setSize: 1 });

    const g = filterTree(h, 'hockey');
    if (!g) throw new Error('no filter');
    for (const d of descendants(h, 'Hockey')) expect(g.visible.has(d)).toBe(true);
    // The match stays collapsed; expanding it shows its (non-matching) children.
    const collapsed = visibleRows(h, new Set(g.expand), g.visible);
    expect(ids(collapsed)).toEqual(['Sport', 'Hockey']);
    expect(collapsed[1]).toMatchObject({ hasChildren: true, expanded: false });
    expect(ids(visibleRows(h, new Set([...g.expand, 'Hockey']), g.visible))).toEqual(['Sport', 'Hockey', 'NHL', 'Goalies']);
  });

  test('a query matching several branches shows each path', () => {
    const h = tree();
    const f = filterTree(h, 's'); // Sport, Science, Space, Shuttle, Goalies, Orbits, Baseball, Medicine? (no "s"), …
    if (!f) throw new Error('no filter');
    for (const id of f.matches.keys()) {
      expect(matchNode(h.nodes[id], 's')).not.toBeNull();
      for (const a of ancestors(h, id)) expect(f.expand.has(a)).toBe(true);
    }
    const rows = visibleRows(h, new Set(f.expand), f.visible);
    for (const id of f.matches.keys()) expect(ids(rows)).toContain(id);
  });
});

describe('tree list keyboard', () => {
  const h = uneven();
  const rows = visibleRows(h, new Set(['R', 'T']));
  // T, T1, T2, T3, R, A, B, ~n, S

  test('up and down move by row; Home and End jump; no move past the ends', () => {
    expect(treeKeyAction(rows, 'T', 'ArrowDown')).toEqual({ type: 'move', id: 'T1' });
    expect(treeKeyAction(rows, 'R', 'ArrowUp')).toEqual({ type: 'move', id: 'T3' });
    expect(treeKeyAction(rows, 'T', 'ArrowUp')).toBeNull();
    expect(treeKeyAction(rows, 'S', 'ArrowDown')).toBeNull();
    expect(treeKeyAction(rows, 'A', 'Home')).toEqual({ type: 'move', id: 'T' });
    expect(treeKeyAction(rows, 'A', 'End')).toEqual({ type: 'move', id: 'S' });
    expect(treeKeyAction(rows, null, 'ArrowDown')).toEqual({ type: 'move', id: 'T' });
    expect(treeKeyAction([], 'T', 'ArrowDown')).toBeNull();
  });

  test('right expands a closed row, then enters it; left collapses, then goes to the parent', () => {
    expect(treeKeyAction(rows, 'A', 'ArrowRight')).toEqual({ type: 'expand', id: 'A' });
    expect(treeKeyAction(rows, 'R', 'ArrowRight')).toEqual({ type: 'move', id: 'A' });
    expect(treeKeyAction(rows, 'B', 'ArrowRight')).toBeNull(); // a leaf
    expect(treeKeyAction(rows, 'R', 'ArrowLeft')).toEqual({ type: 'collapse', id: 'R' });
    expect(treeKeyAction(rows, 'B', 'ArrowLeft')).toEqual({ type: 'move', id: 'R' });
    expect(treeKeyAction(rows, 'S', 'ArrowLeft')).toBeNull(); // a root leaf: nowhere to go
    expect(treeKeyAction(rows, 'B', 'Enter')).toEqual({ type: 'select', id: 'B' });
    expect(treeKeyAction(rows, 'B', ' ')).toEqual({ type: 'select', id: 'B' });
    expect(treeKeyAction(rows, 'B', 'x')).toBeNull();
  });
});
