/** Pure helpers behind the list and detail views (kept apart so they are unit-tested without a DOM). */

/** Indices of the texts assigned to `cluster`, in text order. */
export function clusterMembers(assignments: ArrayLike<number>, cluster: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < assignments.length; i++) if (assignments[i] === cluster) out.push(i);
  return out;
}

/** Case-insensitive substring filter; an empty or blank query keeps everything. */
export function filterMembers(indices: readonly number[], texts: readonly string[], query: string): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return indices.slice();
  return indices.filter((i) => (texts[i] ?? '').toLowerCase().includes(q));
}

/** Number of pages for n items (at least 1, so an empty list still reads "page 1 of 1"). */
export function pageCount(n: number, pageSize: number): number {
  return Math.max(1, Math.ceil(n / pageSize));
}

/** Clamps a 0-based page index into range. */
export function clampPage(page: number, n: number, pageSize: number): number {
  return Math.min(Math.max(0, Math.floor(page)), pageCount(n, pageSize) - 1);
}

/** The items on 0-based page `page`. */
export function pageSlice<T>(items: readonly T[], page: number, pageSize: number): T[] {
  const p = clampPage(page, items.length, pageSize);
  return items.slice(p * pageSize, (p + 1) * pageSize);
}

/** Shortens to at most `max` characters (ellipsis included), collapsing whitespace runs. */
export function truncate(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  return t.slice(0, Math.max(0, max - 1)).trimEnd() + '…';
}

/** Splits text around case-insensitive occurrences of `query`, for highlighting via text bindings. */
export function splitMatches(text: string, query: string): { text: string; match: boolean }[] {
  const q = query.trim().toLowerCase();
  if (!q) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const parts: { text: string; match: boolean }[] = [];
  let from = 0;
  for (let at = lower.indexOf(q); at !== -1; at = lower.indexOf(q, at + q.length)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + q.length), match: true });
    from = at + q.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}

/** Most frequent labels among `indices`, most common first (ties by label), at most `top`. */
export function labelCounts(indices: readonly number[], labels: readonly string[], top: number): { label: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const i of indices) {
    const l = labels[i];
    if (l === undefined) continue;
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
    .slice(0, top);
}

/** "12.3%" with one decimal below 10%, none above; "<0.1%" for tiny non-zero shares. */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = (100 * part) / whole;
  if (p > 0 && p < 0.1) return '<0.1%';
  return p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/**
 * At most `max` characters of a text for a list row: its start, or, when the first match of
 * `query` lies beyond that, a window around the match (with ellipses), so a search hit is always
 * visible. Whitespace runs collapse as in truncate().
 */
export function snippet(text: string, query: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const q = query.trim().toLowerCase();
  const at = q ? t.toLowerCase().indexOf(q) : -1;
  if (at < 0 || at + q.length <= max - 1) return truncate(t, max);
  const start = Math.max(0, Math.min(at - Math.floor((max - q.length) / 3), t.length - max + 1));
  const end = Math.min(t.length, start + max - 2);
  return `…${t.slice(start, end).trim()}${end < t.length ? '…' : ''}`;
}
