/**
 * The pure half of the hierarchy list (no DOM): which rows show for a set of expanded nodes, the
 * search filter (matches, the paths to them, what to expand), and the tree-view keyboard model
 * (WAI-ARIA tree pattern: up/down move, right expands or enters, left collapses or leaves).
 */
import { ancestors, descendants, getNode, type Hierarchy, type HierarchyNode } from '../../core/hierarchy/tree';
import { nodeTitle, orderedChildren } from './hierarchy-display';

export interface TreeRow {
  id: string;
  node: HierarchyNode;
  /** 1 for the roots (aria-level). */
  level: number;
  parentId: string | null;
  hasChildren: boolean;
  expanded: boolean;
  /** 1-based position among its shown siblings, and how many there are (aria-posinset/-setsize). */
  posInSet: number;
  setSize: number;
}

/** Roots expanded (their children show), deeper nodes collapsed. */
export function defaultExpanded(h: Hierarchy): Set<string> {
  return new Set(h.roots.filter((r) => getNode(h, r).childIds.length > 0));
}

/**
 * The rows shown, in display order: a node's children follow it when it is expanded. With `only`,
 * nodes outside that set are left out (the filter's visible set).
 */
export function visibleRows(h: Hierarchy, expanded: ReadonlySet<string>, only: ReadonlySet<string> | null = null): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (parentId: string | null, level: number): void => {
    const kids = orderedChildren(h, parentId).filter((id) => !only || only.has(id));
    kids.forEach((id, i) => {
      const node = getNode(h, id);
      const hasChildren = node.childIds.length > 0 && (!only || node.childIds.some((c) => only.has(c)));
      const open = hasChildren && expanded.has(id);
      rows.push({ id, node, level, parentId, hasChildren, expanded: open, posInSet: i + 1, setSize: kids.length });
      if (open) walk(id, level + 1);
    });
  };
  walk(null, 1);
  return rows;
}

/** How a node matched the query: by its title, or by a keyword (which one). */
export type NodeMatch = { by: 'title' } | { by: 'keyword'; keyword: string };

/** Case-insensitive substring match on the shown title, the stored title, then the keywords. */
export function matchNode(node: HierarchyNode, query: string): NodeMatch | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  if (nodeTitle(node).toLowerCase().includes(q) || node.title.toLowerCase().includes(q)) return { by: 'title' };
  const kw = node.keywords.find((k) => k.toLowerCase().includes(q));
  return kw !== undefined ? { by: 'keyword', keyword: kw } : null;
}

export interface TreeFilter {
  /** Nodes that match, by how. */
  matches: Map<string, NodeMatch>;
  /** Matches, their ancestors (the paths to them) and their descendants (to expand into). */
  visible: Set<string>;
  /** The ancestors of the matches: expanded so every match shows. */
  expand: Set<string>;
}

/** The filter for a query; null for a blank query (no filtering). */
export function filterTree(h: Hierarchy, query: string): TreeFilter | null {
  if (!query.trim()) return null;
  const matches = new Map<string, NodeMatch>();
  for (const id of Object.keys(h.nodes)) {
    const m = matchNode(h.nodes[id], query);
    if (m) matches.set(id, m);
  }
  const visible = new Set<string>();
  const expand = new Set<string>();
  for (const id of matches.keys()) {
    visible.add(id);
    for (const a of ancestors(h, id)) {
      visible.add(a);
      expand.add(a);
    }
    for (const d of descendants(h, id)) visible.add(d);
  }
  return { matches, visible, expand };
}

/** `expanded` plus the ancestors of `id`, so its row shows (the same set when nothing changes). */
export function revealNode(h: Hierarchy, expanded: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const missing = ancestors(h, id).filter((a) => !expanded.has(a));
  return missing.length === 0 ? expanded : new Set([...expanded, ...missing]);
}

export type TreeKeyAction =
  | { type: 'move'; id: string }
  | { type: 'expand'; id: string }
  | { type: 'collapse'; id: string }
  | { type: 'select'; id: string };

/**
 * What a key does on the row `activeId` (WAI-ARIA tree view): ArrowDown/ArrowUp move to the next or
 * previous row, Home/End to the first or last; ArrowRight expands a closed row or moves into an open
 * one; ArrowLeft collapses an open row or moves to its parent; Enter or Space selects. Null: the key
 * does nothing here.
 */
export function treeKeyAction(rows: readonly TreeRow[], activeId: string | null, key: string): TreeKeyAction | null {
  if (rows.length === 0) return null;
  const at = rows.findIndex((r) => r.id === activeId);
  if (at < 0) return key === 'ArrowDown' || key === 'ArrowUp' || key === 'Home' || key === 'End' ? { type: 'move', id: rows[0].id } : null;
  const row = rows[at];
  switch (key) {
    case 'ArrowDown':
      return at + 1 < rows.length ? { type: 'move', id: rows[at + 1].id } : null;
    case 'ArrowUp':
      return at > 0 ? { type: 'move', id: rows[at - 1].id } : null;
    case 'Home':
      return at > 0 ? { type: 'move', id: rows[0].id } : null;
    case 'End':
      return at < rows.length - 1 ? { type: 'move', id: rows[rows.length - 1].id } : null;
    case 'ArrowRight':
      if (!row.hasChildren) return null;
      if (!row.expanded) return { type: 'expand', id: row.id };
      return at + 1 < rows.length && rows[at + 1].parentId === row.id ? { type: 'move', id: rows[at + 1].id } : null;
    case 'ArrowLeft':
      if (row.expanded) return { type: 'collapse', id: row.id };
      return row.parentId !== null && rows.some((r) => r.id === row.parentId) ? { type: 'move', id: row.parentId } : null;
    case 'Enter':
    case ' ':
      return { type: 'select', id: row.id };
    default:
      return null;
  }
}
