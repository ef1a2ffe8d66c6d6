/**
 * Tolerant reader of cluster-naming answers. Small local models rarely return clean JSON: they add
 * code fences and prose, use single or smart quotes, leave trailing commas, drop key quotes, answer
 * with an array or a wrapper object, rename the ids, run out of tokens mid-object, or fall back to
 * plain "Cluster 3: Title - description" lines. Strict JSON.parse is tried first; otherwise a
 * forgiving recursive-descent parser builds a small syntax tree that remembers which containers
 * were cut off, so complete entries before a cut are kept and the cut one is dropped.
 */

export interface NamingEntry {
  title: string;
  description: string;
}

export interface NamingParse {
  /** Usable names by expected id. */
  names: Map<string, NamingEntry>;
  /** Expected ids without a usable name, in expected order. */
  missing: string[];
  /** Ids in the answer that match no expected id, as written. */
  extra: string[];
  /** Human-readable notes on every repair made (why a name may differ from the raw answer). */
  repaired: string[];
}

export const MAX_TITLE_WORDS = 7;
/** Descriptions beyond this are cut (a runaway answer must not flood the UI). */
export const MAX_DESCRIPTION_CHARS = 600;

// ---------------------------------------------------------------------------------------------
// Lenient syntax tree

interface JObject {
  kind: 'object';
  entries: [string, JValue][];
  complete: boolean;
}
interface JArray {
  kind: 'array';
  items: JValue[];
  complete: boolean;
}
type JValue = JObject | JArray | string | number | boolean | null;

function fromStrict(v: unknown): JValue {
  if (Array.isArray(v)) return { kind: 'array', items: v.map(fromStrict), complete: true };
  if (v !== null && typeof v === 'object') {
    return { kind: 'object', entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromStrict(x)]), complete: true };
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return null;
}

const DOUBLE_QUOTES = '"“”„';
const SINGLE_QUOTES = "'‘’";
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/** Forgiving JSON-ish parser. `undefined` from a parse method means "cut off before complete". */
class LenientParser {
  i = 0;
  truncated = false;
  constructor(readonly s: string) {}

  private skip(): void {
    const s = this.s;
    for (;;) {
      while (this.i < s.length && /\s/.test(s[this.i])) this.i++;
      if (s.startsWith('//', this.i)) {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl + 1;
      } else if (s.startsWith('/*', this.i)) {
        const end = s.indexOf('*/', this.i + 2);
        this.i = end < 0 ? s.length : end + 2;
      } else return;
    }
  }

  value(): JValue | undefined {
    this.skip();
    if (this.i >= this.s.length) {
      this.truncated = true;
      return undefined;
    }
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (DOUBLE_QUOTES.includes(c) || SINGLE_QUOTES.includes(c)) return this.string();
    return this.bare();
  }

  private object(): JObject {
    const obj: JObject = { kind: 'object', entries: [], complete: false };
    this.i++;
    for (;;) {
      this.skip();
      if (this.i >= this.s.length) {
        this.truncated = true;
        return obj;
      }
      const c = this.s[this.i];
      if (c === '}' || c === ']') {
        this.i++;
        obj.complete = true;
        return obj;
      }
      if (c === ',' || c === ';') {
        this.i++;
        continue;
      }
      let key: string | undefined;
      if (c === '{' || c === '[') {
        // A keyless member ({ {...}, {...} }): keep the value under an empty key.
        const v = this.value();
        if (v === undefined) return obj;
        obj.entries.push(['', v]);
        continue;
      }
      if (DOUBLE_QUOTES.includes(c) || SINGLE_QUOTES.includes(c)) key = this.string();
      else key = this.bareKey();
      if (key === undefined) return obj;
      if (key === '' && !(DOUBLE_QUOTES.includes(c) || SINGLE_QUOTES.includes(c))) continue;
      this.skip();
      if (this.i >= this.s.length) {
        this.truncated = true;
        return obj;
      }
      if (this.s[this.i] === ':' || this.s[this.i] === '=') this.i++;
      else if (this.s[this.i] === ',' || this.s[this.i] === '}') continue; // a key without value
      const v = this.value();
      if (v === undefined) return obj;
      obj.entries.push([key, v]);
    }
  }

  private array(): JArray {
    const arr: JArray = { kind: 'array', items: [], complete: false };
    this.i++;
    for (;;) {
      this.skip();
      if (this.i >= this.s.length) {
        this.truncated = true;
        return arr;
      }
      const c = this.s[this.i];
      if (c === ']' || c === '}') {
        this.i++;
        arr.complete = true;
        return arr;
      }
      if (c === ',' || c === ';') {
        this.i++;
        continue;
      }
      const v = this.value();
      if (v === undefined) return arr;
      arr.items.push(v);
    }
  }

  /**
   * A quoted string. A quote of the opening family closes it only when what follows is structure
   * (`,` `}` `]` `:`), a line break or the end: so "the “best” card", `'customer’s card'` and
   * unescaped inner quotes survive, and missing commas between lines still split members.
   */
  private string(): string | undefined {
    const s = this.s;
    const open = s[this.i];
    const family = DOUBLE_QUOTES.includes(open) ? DOUBLE_QUOTES : SINGLE_QUOTES;
    this.i++;
    let out = '';
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\\' && this.i + 1 < s.length) {
        const e = s[this.i + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(s.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else {
          out += ESCAPES[e] ?? e;
          this.i += 2;
        }
        continue;
      }
      if (family.includes(c) && this.closes(this.i + 1)) {
        this.i++;
        return out;
      }
      out += c;
      this.i++;
    }
    this.truncated = true;
    return undefined;
  }

  private closes(j: number): boolean {
    const s = this.s;
    while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
    if (j >= s.length) return true;
    return ',}]:\n\r'.includes(s[j]);
  }

  /** An unquoted key: up to ':' or '='; `undefined` when cut off, '' for a stray character. */
  private bareKey(): string | undefined {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length && !':=,{}[]\n'.includes(s[this.i])) this.i++;
    if (this.i >= s.length) {
      this.truncated = true;
      return undefined;
    }
    if (this.i === start) {
      this.i++; // a stray structural character: consume it so parsing moves on
      return '';
    }
    return s.slice(start, this.i).trim();
  }

  /** An unquoted value: number, literal or bare text up to ',', '}', ']' or a line break. */
  private bare(): string | number | boolean | null | undefined {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length && !',}]\n'.includes(s[this.i])) this.i++;
    if (this.i >= s.length) {
      this.truncated = true;
      return undefined;
    }
    if (this.i === start) {
      this.i++;
      return null;
    }
    const tok = s.slice(start, this.i).trim();
    if (/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(tok)) return Number(tok);
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null' || tok === 'None' || tok === 'undefined') return null;
    return tok;
  }
}

/** Every top-level value in the text, each starting at a `{` or `[`; prose between is skipped. */
function parseAll(text: string, notes: Set<string>): JValue[] {
  const out: JValue[] = [];
  let from = 0;
  for (let guard = 0; guard < 50; guard++) {
    const rel = text.slice(from).search(/[{[]/);
    if (rel < 0) break;
    const start = from + rel;
    const p = new LenientParser(text);
    p.i = start;
    const v = p.value();
    if (v === undefined) break;
    out.push(v);
    if (p.truncated) notes.add('truncated');
    from = Math.max(p.i, start + 1);
  }
  return out;
}

/** Strict JSON first (exact for clean answers), then the lenient parser. */
function parseCandidate(text: string, notes: Set<string>): JValue[] {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return [fromStrict(JSON.parse(t))];
    } catch {
      /* fall through to the lenient parser */
    }
  }
  notes.add('lenient');
  return parseAll(text, notes);
}

// ---------------------------------------------------------------------------------------------
// Entries

interface RawEntry {
  rawId?: string;
  title: unknown;
  description: unknown;
  complete: boolean;
}

const TITLE_KEYS = ['title', 'name', 'label', 'cluster_title', 'cluster_name', 'cluster_label', 'topic', 'heading', 'theme'];
const DESC_KEYS = ['description', 'desc', 'summary', 'explanation', 'cluster_description', 'details', 'definition'];
const ID_KEYS = ['id', 'cluster_id', 'clusterid', 'cluster id', 'cluster', 'key', 'cluster_key', 'item_id', 'index'];

function keyNorm(k: string): string {
  return k.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

function field(o: JObject, keys: readonly string[]): JValue | undefined {
  for (const want of keys) {
    for (const [k, v] of o.entries) if (keyNorm(k) === keyNorm(want)) return v;
  }
  return undefined;
}

function isPrimitive(v: JValue | undefined): v is string | number {
  return typeof v === 'string' || typeof v === 'number';
}

/** Splits "Title - description" / "Title: description" written as one string. */
function splitTitleDescription(s: string): { title: string; description: string } {
  const m = /^(.{2,80}?)\s+[-–—]\s+(.+)$/s.exec(s) ?? /^([^:]{2,80}):\s+(.+)$/s.exec(s);
  return m ? { title: m[1], description: m[2] } : { title: s, description: '' };
}

function collect(v: JValue, keyHint: string | undefined, out: RawEntry[], ids: IdResolver): void {
  if (v === null || typeof v !== 'object') return;
  if (v.kind === 'array') {
    for (const item of v.items) collect(item, undefined, out, ids);
    return;
  }
  const title = field(v, TITLE_KEYS);
  if (isPrimitive(title)) {
    const idV = field(v, ID_KEYS);
    out.push({
      rawId: isPrimitive(idV) ? String(idV) : keyHint,
      title,
      description: field(v, DESC_KEYS),
      complete: v.complete,
    });
    return;
  }
  for (const [k, child] of v.entries) {
    const isId = k !== '' && ids.resolve(k) !== undefined;
    if (isId && child !== null && typeof child === 'object' && child.kind === 'array' && child.items.length >= 1 && child.items.length <= 2 && child.items.every((x) => typeof x === 'string')) {
      // {"3": ["Card payments", "Problems paying by card."]}
      out.push({ rawId: k, title: child.items[0], description: child.items[1] ?? '', complete: child.complete });
    } else if (child !== null && typeof child === 'object') {
      // The nearest key that is an id names what lies below ({"3": {"cluster": {"title": …}}}).
      collect(child, isId || keyHint === undefined ? k || undefined : keyHint, out, ids);
    } else if (typeof child === 'string' && isId) {
      // {"3": "Card payments - Problems paying by card."}: a title (maybe with a description).
      const { title: t, description: d } = splitTitleDescription(child);
      out.push({ rawId: k, title: t, description: d, complete: true });
    }
  }
}

/**
 * Canonical form of an id so that 3, "3", "cluster 3", "Cluster_3", "#3", "c3", "cluster-03" and
 * "ID: 3" all meet.
 */
export function canonicalId(id: string): string {
  let s = id.trim().toLowerCase().replace(/^[#\s"'`*]+|[\s"'`*]+$/g, '');
  s = s.replace(/^(?:cluster|topic|group|category|item|id|c)(?=[\s_\-#:.]*\p{N})[\s_\-#:.]*/u, '');
  s = s.replace(/^id[\s_\-#:.]+/, '');
  s = s.replace(/^0+(?=\d)/, '');
  return s.replace(/[\s_-]+/g, '_');
}

class IdResolver {
  private readonly exact = new Set<string>();
  private readonly byCanon = new Map<string, string | null>();
  constructor(expected: readonly string[]) {
    for (const id of expected) {
      this.exact.add(id);
      const c = canonicalId(id);
      // Two expected ids with one canonical form are ambiguous: only exact matches reach them.
      this.byCanon.set(c, this.byCanon.has(c) ? null : id);
    }
  }
  resolve(raw: string): string | undefined {
    if (this.exact.has(raw)) return raw;
    const t = raw.trim();
    if (this.exact.has(t)) return t;
    return this.byCanon.get(canonicalId(t)) ?? undefined;
  }
}

function cleanText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

const WRAPPERS: [string, string][] = [
  ['**', '**'],
  ['__', '__'],
  ['"', '"'],
  ["'", "'"],
  ['“', '”'],
  ['‘', '’'],
  ['`', '`'],
  ['*', '*'],
];

function unwrap(s: string): string {
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, b] of WRAPPERS) {
      if (s.length > a.length + b.length && s.startsWith(a) && s.endsWith(b)) {
        s = s.slice(a.length, s.length - b.length).trim();
        changed = true;
      }
    }
  }
  return s;
}

const TRAILING_CONNECTORS = new Set(['and', 'or', 'of', 'the', 'for', 'with', 'to', 'in', 'on', 'a', 'an', 'by', 'from', '&', '-', '–', '—', '/']);

/** Cleans a title; returns it with notes about what changed. */
export function cleanTitle(raw: string, id: string, notes: string[]): string {
  let t = cleanText(raw);
  const unwrapped = unwrap(t);
  if (unwrapped !== t) {
    notes.push(`title of "${id}": removed wrapping quotes/markdown`);
    t = unwrapped;
  }
  const noLabel = t.replace(/^title\s*:\s*/i, '');
  if (noLabel !== t && noLabel) {
    notes.push(`title of "${id}": removed a "Title:" prefix`);
    t = noLabel;
  }
  // "Cluster 3: Card Payments" repeats the id; the prefix must hold a digit so that a real title
  // such as "Topic Modelling: Basics" survives.
  const noId = t.replace(/^(?:cluster|topic|group)\s*#?\s*[\w.-]*\d[\w.-]*\s*[:–—-]\s+/i, '');
  if (noId !== t && noId) {
    notes.push(`title of "${id}": removed a "Cluster N:" prefix`);
    t = noId;
  }
  const words = t.split(' ').filter((w) => w !== '');
  if (words.length > MAX_TITLE_WORDS) {
    const kept = words.slice(0, MAX_TITLE_WORDS);
    // A cut mid-phrase often ends on "and"/"of"/"-": drop such dangling words and punctuation.
    while (kept.length > 1 && TRAILING_CONNECTORS.has(kept[kept.length - 1].toLowerCase())) kept.pop();
    t = kept.join(' ').replace(/[,;:\-–—/&]+$/, '').trim();
    notes.push(`title of "${id}" cut from ${words.length} to ${kept.length} words`);
  }
  return t;
}

function cleanDescription(raw: string, id: string, notes: string[]): string {
  let d = cleanText(raw);
  const noLabel = d.replace(/^description\s*:\s*/i, '');
  if (noLabel !== d) d = noLabel;
  if (d.length > MAX_DESCRIPTION_CHARS) {
    let cut = d.slice(0, MAX_DESCRIPTION_CHARS - 1);
    const sp = cut.lastIndexOf(' ');
    if (sp > MAX_DESCRIPTION_CHARS * 0.8) cut = cut.slice(0, sp);
    d = cut.trimEnd() + '…';
    notes.push(`description of "${id}" cut to ${MAX_DESCRIPTION_CHARS} characters`);
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Plain-text fallback: "Cluster 3: Title - description", or blocks of "Title:"/"Description:".

function collectLines(text: string, resolver: IdResolver): RawEntry[] {
  const out: RawEntry[] = [];
  let current: RawEntry | undefined;
  for (const line0 of text.split(/\r?\n/)) {
    const line = line0.replace(/^[\s>*•#-]+/, '').replace(/\*\*/g, '').trim();
    if (!line) continue;
    const kv = /^(title|name|label|description|desc|summary)\s*[:=]\s*(.+)$/i.exec(line);
    if (kv && current) {
      if (/^(title|name|label)$/i.test(kv[1])) current.title = kv[2];
      else current.description = kv[2];
      continue;
    }
    const m = /^((?:cluster|topic|group|id)[\s_#-]*)?([\p{L}\p{N}_.-]+?)\s*(?:[:.)\]=]|\s[-–—])\s*(.*)$/iu.exec(line) ?? /^((?:cluster|topic|group|id)[\s_#-]*)([\p{L}\p{N}_.-]+)\s*$/iu.exec(line);
    if (!m) continue;
    const rawId = (m[1] ?? '') + m[2];
    if (resolver.resolve(rawId) === undefined) continue;
    const rest = (m[3] ?? '').trim();
    const { title, description } = splitTitleDescription(rest);
    current = { rawId, title, description, complete: true };
    out.push(current);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * Reads an LLM naming answer for the expected ids. Never throws: an unreadable answer gives an
 * empty `names` and every id in `missing`.
 */
export function parseNamingAnswer(text: string, expectedIds: string[]): NamingParse {
  const repaired: string[] = [];
  const flags = new Set<string>();
  const resolver = new IdResolver(expectedIds);
  let src = text.replace(/^\uFEFF/, '');
  // Reasoning models think aloud first, sometimes with JSON-like drafts: only the rest counts.
  const thought = src.replace(/<think>[\s\S]*?(?:<\/think>|$)/gi, '');
  if (thought !== src) {
    repaired.push('removed <think> reasoning');
    src = thought;
  }

  // Candidates: the content of the first code fence holding JSON (closed or cut off), then all.
  const candidates: string[] = [];
  const fence = /```[\w-]*[ \t]*\r?\n?([\s\S]*?)(?:```|$)/g;
  for (const m of src.matchAll(fence)) {
    if (/[{[]/.test(m[1])) {
      candidates.push(m[1]);
      break;
    }
  }
  candidates.push(src);

  let entries: RawEntry[] = [];
  let usedFence = false;
  for (let ci = 0; ci < candidates.length && entries.length === 0; ci++) {
    const cFlags = new Set<string>();
    const values = parseCandidate(candidates[ci], cFlags);
    const found: RawEntry[] = [];
    for (const v of values) collect(v, undefined, found, resolver);
    if (found.length > 0) {
      entries = found;
      cFlags.forEach((f) => flags.add(f));
      usedFence = ci === 0 && candidates.length > 1;
    }
  }
  if (usedFence) repaired.push('removed markdown code fence');
  if (entries.length > 0) {
    const core = (usedFence ? src.replace(/```[\w-]*/g, '') : src).trim();
    if (!/^[{[]/.test(core) || (!flags.has('truncated') && !/[}\]]$/.test(core))) repaired.push('ignored text around the JSON');
    if (flags.has('lenient')) repaired.push('answer was not strict JSON: parsed leniently');
  } else {
    entries = collectLines(src, resolver);
    if (entries.length > 0) repaired.push('no JSON found: read "id: title - description" lines');
  }

  const complete = entries.filter((e) => e.complete);
  const cut = entries.length - complete.length;
  if (flags.has('truncated')) {
    repaired.push(`answer was cut off: kept ${complete.length} complete entr${complete.length === 1 ? 'y' : 'ies'}` + (cut ? `, dropped ${cut} incomplete` : ''));
  }

  // Resolve ids; positional assignment only when nothing matched and the counts agree.
  let resolved = complete.map((e) => (e.rawId === undefined ? undefined : resolver.resolve(e.rawId)));
  const byPosition = complete.length > 0 && resolved.every((r) => r === undefined) && complete.length === expectedIds.length;
  if (byPosition) {
    resolved = expectedIds.slice();
    repaired.push('no answer id matched: assigned entries to ids by position');
  }

  const names = new Map<string, NamingEntry>();
  const extra: string[] = [];
  complete.forEach((e, k) => {
    const id = resolved[k];
    if (id === undefined) {
      const raw = e.rawId ?? `(entry ${k + 1} without id)`;
      if (!extra.includes(raw)) extra.push(raw);
      return;
    }
    if (e.rawId !== undefined && e.rawId !== id && !byPosition) {
      repaired.push(`id "${e.rawId}" read as "${id}"`);
    }
    if (names.has(id)) {
      repaired.push(`duplicate entry for "${id}": kept the first`);
      return;
    }
    const rawTitle = typeof e.title === 'string' || typeof e.title === 'number' ? String(e.title) : '';
    const title = cleanTitle(rawTitle, id, repaired);
    if (!title) {
      repaired.push(`empty title for "${id}": treated as missing`);
      return;
    }
    const rawDesc = typeof e.description === 'string' || typeof e.description === 'number' ? String(e.description) : '';
    names.set(id, { title, description: cleanDescription(rawDesc, id, repaired) });
  });
  const missing = expectedIds.filter((id) => !names.has(id));
  return { names, missing, extra, repaired };
}
