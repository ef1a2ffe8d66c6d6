/**
 * The cluster-naming prompt of HERCULES (seed 001, appendix A), kept close to its wording: a title
 * of at most 5-7 words and a 1-2 sentence description per cluster, answered as one JSON object
 * keyed by cluster id, with an optional topic seed, level-0 samples (nearest the centroid first),
 * child-cluster summaries for higher levels and numeric statistics. Two additions: c-TF-IDF
 * keywords per cluster, and the recursive plan's parent context (seed 003) for sub-clusters.
 */
import type { ChatMessage } from './engine';

export interface ChildSummary {
  title: string;
  description: string;
  size: number;
}

export interface ParentContext {
  title: string;
  description: string;
}

/** Statistics of a numeric column over the cluster's items, on the original scale. */
export interface NumericStat {
  name: string;
  mean: number;
  min: number;
  max: number;
  std: number;
  unit?: string;
}

export interface ClusterForNaming {
  /** Unique id; the LLM answers keyed by it. Unique across a whole tree for nameTree. */
  id: string;
  /** Number of texts (level-0 items) under the cluster. */
  size: number;
  /** Member texts, nearest the centroid first (the prompt keeps the first ones). */
  samples: string[];
  /** c-TF-IDF keywords, best first. Also the fallback name. */
  keywords: string[];
  /** Summaries of the child clusters (HERCULES level ≥ 2, or bottom-up naming). */
  children?: ChildSummary[];
  /** Title/description of the parent (recursive top-down naming, seed 003). */
  parent?: ParentContext;
  /** Hierarchy level shown to the LLM (1 = clusters of texts). */
  level?: number;
  /** Parent's id, used by nameTree (top-down) to fill `parent`. */
  parentId?: string;
  /** Children's ids, used by nameTree (bottom-up) to fill `children`. */
  childIds?: string[];
  stats?: NumericStat[];
}

/**
 * Size limits of a prompt. Defaults: ≤ 300 characters per sample, ≤ 6,000 characters of samples
 * per prompt shared equally by its clusters (750 each at 8 clusters), ≤ 10 samples, 10 keywords and
 * 10 children per cluster, child and parent descriptions cut at 200 and 300 characters. At 8
 * clusters that is about 2,200 prompt tokens, which leaves room for the answer in a 4k context.
 */
export interface PromptBudget {
  sampleChars: number;
  promptSampleChars: number;
  maxSamples: number;
  maxKeywords: number;
  maxChildren: number;
  childDescriptionChars: number;
  parentDescriptionChars: number;
}

export const DEFAULT_BUDGET: Readonly<PromptBudget> = Object.freeze({
  sampleChars: 300,
  promptSampleChars: 6000,
  maxSamples: 10,
  maxKeywords: 10,
  maxChildren: 10,
  childDescriptionChars: 200,
  parentDescriptionChars: 300,
});

export interface PromptOptions {
  topicSeed?: string;
  budget?: Partial<PromptBudget>;
  /** What the items are called in the prompt; default Cluster / Clusters. */
  itemType?: { singular: string; plural: string };
  /** BaseType of the level-0 items; default 'text'. */
  baseType?: string;
}

export interface NamingPrompt {
  messages: ChatMessage[];
  /** The ids the answer must contain, in prompt order. */
  ids: string[];
  /** Characters of sample text the prompt holds (after truncation). */
  sampleChars: number;
}

export const SYSTEM_PROMPT =
  'You name clusters of texts for a data-exploration tool. You reply with one valid JSON object and nothing else.';

/** Collapse whitespace and cut to at most maxChars, at a word boundary when one is near, with '…'. */
export function truncateText(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxChars) return flat;
  if (maxChars <= 1) return maxChars === 1 ? '…' : '';
  let cut = flat.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(' ');
  // Prefer a word boundary, but not at the price of losing more than a fifth of the budget.
  if (space >= maxChars * 0.8) cut = cut.slice(0, space);
  return cut.trimEnd() + '…';
}

/** Below this many characters a sample snippet says too little to be worth its line. */
const MIN_SNIPPET_CHARS = 16;

/** The samples one cluster gets: in order, each ≤ sampleChars, together ≤ share. */
export function pickSamples(samples: readonly string[], share: number, budget: PromptBudget): string[] {
  const out: string[] = [];
  let used = 0;
  for (const s of samples) {
    if (out.length >= budget.maxSamples) break;
    const room = Math.min(budget.sampleChars, share - used);
    if (room < MIN_SNIPPET_CHARS) break;
    const piece = truncateText(s, room);
    if (!piece) continue;
    out.push(piece);
    used += piece.length;
  }
  return out;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4).replace(/\.?0+$/, '');
}

function clusterBlock(c: ClusterForNaming, share: number, budget: PromptBudget, item: string, baseType: string): { text: string; sampleChars: number } {
  const lines: string[] = [];
  const lvl = c.level !== undefined ? `L${c.level}, ` : '';
  lines.push(`--- ${item} ID: ${c.id} (${lvl}${c.size} base items, BaseType: ${baseType}) ---`);
  if (c.parent) {
    const d = truncateText(c.parent.description, budget.parentDescriptionChars);
    lines.push(`Parent ${item}: "${truncateText(c.parent.title, 120)}"${d ? ` - ${d}` : ''}`);
  }
  const kws = c.keywords.slice(0, budget.maxKeywords).filter((k) => k.trim() !== '');
  if (kws.length > 0) lines.push(`Keywords: ${kws.join(', ')}`);
  const samples = pickSamples(c.samples, share, budget);
  let sampleChars = 0;
  if (samples.length > 0) {
    lines.push('Representative Content/Samples (from L0 Descendants):');
    for (const s of samples) {
      lines.push(`- "${s}"`);
      sampleChars += s.length;
    }
  }
  if (c.children && c.children.length > 0) {
    lines.push('Representative Immediate Children (Summaries):');
    for (const ch of c.children.slice(0, budget.maxChildren)) {
      const d = truncateText(ch.description, budget.childDescriptionChars);
      lines.push(`- "${truncateText(ch.title, 120)}" (${ch.size} items)${d ? ` - ${d}` : ''}`);
    }
    const more = c.children.length - budget.maxChildren;
    if (more > 0) lines.push(`- ... (${more} more sub-clusters)`);
  }
  if (c.stats && c.stats.length > 0) {
    lines.push('Key Statistics (Original Scale):');
    for (const s of c.stats) {
      const unit = s.unit ? ` (${s.unit})` : '';
      lines.push(`- ${s.name}${unit}: mean=${fmt(s.mean)} (range: ${fmt(s.min)} to ${fmt(s.max)}), std=${fmt(s.std)}`);
    }
  }
  lines.push(`--- End ${item} ID: ${c.id} ---`);
  return { text: lines.join('\n'), sampleChars };
}

/**
 * Builds the HERCULES prompt for one batch. When any cluster carries a parent, a HIERARCHY rule
 * asks for titles that set sub-clusters apart within their parent (the recursive variant).
 * `scale` (0..1] shrinks the per-prompt sample budget, for prompts that must fit a small context.
 */
export function buildNamingPrompt(clusters: readonly ClusterForNaming[], opts: PromptOptions = {}, scale = 1): NamingPrompt {
  const budget: PromptBudget = { ...DEFAULT_BUDGET, ...opts.budget };
  const single = opts.itemType?.singular ?? 'Cluster';
  const plural = opts.itemType?.plural ?? 'Clusters';
  const baseType = opts.baseType ?? 'text';
  const n = Math.max(1, clusters.length);
  const share = Math.floor((budget.promptSampleChars * scale) / n);

  const levels = new Set(clusters.map((c) => c.level));
  const onlyLevel = levels.size === 1 ? [...levels][0] : undefined;
  const head: string[] = [];
  head.push(
    `Generate a concise 'title' (max 5-7 words) and 'description' (1-2 sentences) for EACH of the ${plural} below` +
      (onlyLevel !== undefined ? ` (Level ${onlyLevel}).` : '.'),
  );
  const seed = opts.topicSeed?.trim();
  if (seed) head.push(`CONTEXT FOCUS: Orient towards '${seed}', if relevant.`);
  if (clusters.some((c) => c.parent)) {
    head.push(
      `HIERARCHY: A ${single} listed with a 'Parent ${single}' is a sub-cluster of it. Give it a title that says what sets it apart within its parent; do not just repeat the parent's title.`,
    );
  }
  head.push(
    '',
    'RESPONSE FORMAT: Respond ONLY with a single, valid JSON object.',
    `- Top-level keys MUST be the string representation of the '${single} ID' provided (e.g., "cluster_123").`,
    '- Values MUST be JSON objects containing non-empty "title" and "description" string keys.',
    '',
    'EXAMPLE (for IDs "id_A", "id_B"):',
    '{',
    '  "id_A": { "title": "Title A", "description": "Desc A." },',
    '  "id_B": { "title": "Title B", "description": "Desc B." }',
    '}',
    '',
    'IMPORTANT: Ensure the entire output is valid JSON. Do NOT include markdown fences (```json ... ```) or any text outside the JSON structure.',
    '',
    `--- ${plural} Information ---`,
    '',
  );
  let sampleChars = 0;
  const blocks: string[] = [];
  for (const c of clusters) {
    const b = clusterBlock(c, share, budget, single, baseType);
    blocks.push(b.text);
    sampleChars += b.sampleChars;
  }
  const ids = clusters.map((c) => c.id);
  const tail = [
    '',
    `--- End ${plural} Information ---`,
    '',
    `Generate the JSON output for the ${ids.length} ${single} ID(s): ${ids.map((id) => JSON.stringify(id)).join(', ')}`,
  ];
  const user = [...head, blocks.join('\n\n'), ...tail].join('\n');
  return {
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: user },
    ],
    ids,
    sampleChars,
  };
}

/** The cluster ids a prompt built by buildNamingPrompt asks for (from its block headers). */
export function idsInPrompt(text: string, itemType = 'Cluster'): string[] {
  const esc = itemType.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^--- ${esc} ID: (.+?) \\((?:L-?\\d+, )?\\d+ base items`, 'gm');
  return [...text.matchAll(re)].map((m) => m[1]);
}
