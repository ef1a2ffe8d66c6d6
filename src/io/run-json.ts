/**
 * Run files: a saved run as JSON, to download, keep, share and import again (DESIGN §4).
 *
 * Schema 2 (written now) is an envelope around the whole run record, so nothing is lost on the way
 * out and back in: config, texts, ids, labels, extra columns, assignments, 2-D coordinates,
 * clusters with their names, keywords and descriptions, the hierarchy, metrics and quality per
 * level, the sweep, and every LLM prompt and answer.
 *
 *   { "format": "constellate-run", "schema": 2, "exportedAt": "2025-…Z",
 *     "typedArrays": { "/assignments": "Int32Array", "/coords": "Float32Array", "/hierarchy/itemLeaf": "Int32Array" },
 *     "nonFinite":   { "/quality/silhouette": "NaN" },
 *     "run": { …the record, typed arrays written as plain number arrays… } }
 *
 * Paths are JSON Pointers (RFC 6901) into `run`. Typed arrays stay plain arrays so other tools can
 * read them; `typedArrays` says which to turn back into which type. JSON has no NaN or ±Infinity
 * (a run has NaN where a metric is undefined): they are written as null and listed in `nonFinite`,
 * so reading gives back exactly the record that was written (keys whose value is undefined aside,
 * as JSON cannot hold them). Schema 1 (the bare record with `"schema": 1`, as earlier versions and
 * the CLI wrote it) is still read. Every file is checked on import; a wrong or damaged file is
 * refused with a message that says what is wrong.
 */
import { validateHierarchy, type Hierarchy } from '../core/hierarchy/tree';
import type { RunRecord } from '../core/types';

export const RUN_FILE_FORMAT = 'constellate-run';
export const RUN_FILE_SCHEMA = 2;

const TYPED = {
  Int32Array,
  Float32Array,
  Float64Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Int8Array,
  Int16Array,
} as const;
type TypedName = keyof typeof TYPED;
type AnyTyped = InstanceType<(typeof TYPED)[TypedName]>;

export interface RunFileV2 {
  format: typeof RUN_FILE_FORMAT;
  schema: 2;
  exportedAt: string;
  typedArrays: Record<string, TypedName>;
  nonFinite: Record<string, 'NaN' | 'Infinity' | '-Infinity'>;
  run: unknown;
}

/** A run file that cannot be read: the message says why, fit to show in the page. */
export class RunFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFileError';
  }
}

const escapeToken = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapeToken = (k: string): string => k.replace(/~1/g, '/').replace(/~0/g, '~');

function typedName(v: unknown): TypedName | null {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return null;
  for (const name of Object.keys(TYPED) as TypedName[]) if (v instanceof TYPED[name]) return name;
  return null;
}

function nonFiniteName(x: number): 'NaN' | 'Infinity' | '-Infinity' {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** The run as a schema-2 run file. */
export function runToJson(run: RunRecord, opts: { exportedAt?: Date } = {}): string {
  const typedArrays: Record<string, TypedName> = {};
  const nonFinite: RunFileV2['nonFinite'] = {};
  const plain = (v: unknown, path: string): unknown => {
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return v;
      nonFinite[path] = nonFiniteName(v);
      return null;
    }
    if (v === null || typeof v !== 'object') return v;
    const t = typedName(v);
    if (t) {
      typedArrays[path] = t;
      const arr = v as AnyTyped;
      const out = new Array<number | null>(arr.length);
      for (let i = 0; i < arr.length; i++) {
        const x = arr[i];
        if (Number.isFinite(x)) out[i] = x;
        else {
          nonFinite[`${path}/${i}`] = nonFiniteName(x);
          out[i] = null;
        }
      }
      return out;
    }
    if (Array.isArray(v)) return v.map((x, i) => plain(x, `${path}/${i}`));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || typeof x === 'function') continue;
      out[k] = plain(x, `${path}/${escapeToken(k)}`);
    }
    return out;
  };
  const body = plain(run, '');
  const file: RunFileV2 = { format: RUN_FILE_FORMAT, schema: RUN_FILE_SCHEMA, exportedAt: (opts.exportedAt ?? new Date()).toISOString(), typedArrays, nonFinite, run: body };
  return JSON.stringify(file);
}

/** Reads a run file (schema 2 or 1), checks it, and gives back the run record. */
export function runFromJson(text: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new RunFileError(`This is not a run file: it is not valid JSON (${why}). Export runs from Constellate with Export → Run (JSON).`);
  }
  if (!isObject(raw)) throw new RunFileError('This is not a run file: it holds no JSON object.');
  let record: Record<string, unknown>;
  if (raw.format === RUN_FILE_FORMAT) {
    if (raw.schema === 2) record = fromV2(raw);
    else if (typeof raw.schema === 'number' && raw.schema > RUN_FILE_SCHEMA)
      throw new RunFileError(`This run file was written by a newer Constellate (schema ${raw.schema}); this page reads schemas 1 and 2.`);
    else throw new RunFileError(`This run file has an unknown schema (${JSON.stringify(raw.schema)}); this page reads schemas 1 and 2.`);
  } else if (raw.schema === 1 && 'texts' in raw) {
    record = { ...raw };
  } else if (typeof raw.schema === 'number' && 'texts' in raw) {
    throw new RunFileError(`Unsupported run file (schema ${raw.schema}); this page reads schemas 1 and 2.`);
  } else {
    throw new RunFileError(`This JSON file is not a Constellate run: it has no "format": "${RUN_FILE_FORMAT}" (nor the fields of a schema-1 run).`);
  }
  // Plain number arrays where typed arrays belong (schema 1, or a file edited by hand).
  if (Array.isArray(record.assignments)) record.assignments = toTyped(Int32Array, record.assignments, '/assignments');
  if (Array.isArray(record.coords)) record.coords = toTyped(Float32Array, record.coords, '/coords');
  const h = record.hierarchy;
  if (isObject(h) && Array.isArray(h.itemLeaf)) record.hierarchy = { ...h, itemLeaf: toTyped(Int32Array, h.itemLeaf, '/hierarchy/itemLeaf') };
  const problems = checkRun(record);
  if (problems.length > 0) {
    const shown = problems.slice(0, 4).join('; ');
    throw new RunFileError(`This run file is damaged or incomplete: ${shown}${problems.length > 4 ? `; and ${problems.length - 4} more problems` : ''}.`);
  }
  return record as unknown as RunRecord;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toTyped<T extends AnyTyped>(Ctor: { from(a: ArrayLike<number>): T }, arr: unknown[], path: string): T {
  const nums = arr.map((x, i) => {
    if (x === null) return NaN; // a non-finite value; put back exactly from `nonFinite`
    if (typeof x !== 'number') throw new RunFileError(`This run file is damaged: ${path}/${i} should be a number but is ${describe(x)}.`);
    return x;
  });
  return Ctor.from(nums);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  if (typeof x === 'string') return `the text ${JSON.stringify(x.length > 30 ? `${x.slice(0, 30)}…` : x)}`;
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}

/** The parent container and last key of a JSON Pointer into `root`, or null when it does not exist. */
function locate(root: unknown, pointer: string): { parent: Record<string, unknown> | unknown[]; key: string } | null {
  if (!pointer.startsWith('/')) return null;
  const tokens = pointer.slice(1).split('/').map(unescapeToken);
  let cur: unknown = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    if (ArrayBuffer.isView(cur) || Array.isArray(cur)) cur = (cur as unknown[])[Number(tokens[i])];
    else if (isObject(cur)) cur = cur[tokens[i]];
    else return null;
  }
  if (!(isObject(cur) || Array.isArray(cur) || ArrayBuffer.isView(cur))) return null;
  return { parent: cur as Record<string, unknown>, key: tokens[tokens.length - 1] };
}

function fromV2(file: Record<string, unknown>): Record<string, unknown> {
  const run = file.run;
  if (!isObject(run)) throw new RunFileError('This run file is damaged: it has no "run" object.');
  const typed = file.typedArrays ?? {};
  const nonFinite = file.nonFinite ?? {};
  if (!isObject(typed) || !isObject(nonFinite)) throw new RunFileError('This run file is damaged: "typedArrays" and "nonFinite" must be objects.');
  for (const [pointer, name] of Object.entries(typed)) {
    const Ctor = typeof name === 'string' && name in TYPED ? TYPED[name as TypedName] : null;
    if (!Ctor) throw new RunFileError(`This run file is damaged: ${pointer} names an unknown array type (${describe(name)}).`);
    const at = locate(run, pointer);
    const value = at ? (at.parent as Record<string, unknown>)[at.key] : undefined;
    if (!at || !Array.isArray(value)) throw new RunFileError(`This run file is damaged: ${pointer} should be a list of numbers.`);
    (at.parent as Record<string, unknown>)[at.key] = toTyped(Ctor as { from(a: ArrayLike<number>): AnyTyped }, value, pointer);
  }
  for (const [pointer, what] of Object.entries(nonFinite)) {
    const x = what === 'NaN' ? NaN : what === 'Infinity' ? Infinity : what === '-Infinity' ? -Infinity : undefined;
    const at = locate(run, pointer);
    if (x === undefined || !at) throw new RunFileError(`This run file is damaged: the special number at ${pointer} cannot be restored.`);
    (at.parent as Record<string, unknown>)[at.key] = x;
  }
  return run;
}

/** What is wrong with a record read from a file (empty when it can be opened). */
export function checkRun(r: Record<string, unknown>): string[] {
  const p: string[] = [];
  const str = (k: string) => typeof r[k] === 'string';
  if (r.schema !== 1) p.push(`the run record has version ${describe(r.schema)}, expected 1`);
  if (!str('id') || !(r.id as string)) p.push('the run has no id');
  if (!str('name')) p.push('the run has no name');
  if (typeof r.createdAt !== 'number' || !Number.isFinite(r.createdAt)) p.push('the run has no creation time');
  const texts = r.texts;
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
    p.push('"texts" should be a list of texts');
    return p;
  }
  const n = texts.length;
  const config = r.config;
  if (!isObject(config) || !isObject(config.embedder) || typeof config.embedder.id !== 'string' || typeof config.method !== 'string')
    p.push('"config" should name the method and the embedder');
  for (const k of ['stats', 'embedStats', 'timings']) if (!isObject(r[k])) p.push(`"${k}" is missing`);
  const a = r.assignments;
  if (!(a instanceof Int32Array)) p.push('"assignments" should be a list of whole numbers');
  else if (a.length !== n) p.push(`"assignments" has ${a.length} entries for ${n} texts`);
  const coords = r.coords;
  if (!(coords instanceof Float32Array)) p.push('"coords" should be a list of numbers');
  else if (coords.length !== 2 * n) p.push(`"coords" has ${coords.length} numbers, expected 2 × ${n} texts`);
  for (const k of ['ids', 'labels']) {
    const v = r[k];
    if (v !== undefined && (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'string'))) p.push(`"${k}" should be ${n} texts`);
  }
  if (r.columns !== undefined) {
    if (!isObject(r.columns)) p.push('"columns" should map column names to lists');
    else for (const [name, v] of Object.entries(r.columns)) if (!Array.isArray(v) || v.length !== n) p.push(`column "${name}" should have ${n} cells`);
  }
  const clusters = r.clusters;
  if (!Array.isArray(clusters)) p.push('"clusters" should be a list');
  else {
    const ids = new Set<number>();
    clusters.forEach((c: unknown, i) => {
      if (!isObject(c) || typeof c.id !== 'number' || typeof c.name !== 'string' || !Array.isArray(c.keywords) || !Array.isArray(c.representatives))
        p.push(`cluster ${i} lacks its id, name, keywords or representatives`);
      else {
        ids.add(c.id);
        if ((c.representatives as unknown[]).some((x) => typeof x !== 'number' || x < 0 || x >= n)) p.push(`cluster ${c.id} names a representative that is not a text`);
      }
    });
    if (a instanceof Int32Array) {
      const bad = a.findIndex((x) => x < -1 || (x >= 0 && !ids.has(x)));
      if (bad >= 0) p.push(`text ${bad} is assigned to cluster ${a[bad]}, which the file does not describe`);
    }
  }
  for (const k of ['levels', 'promptLog']) if (r[k] !== undefined && !Array.isArray(r[k])) p.push(`"${k}" should be a list`);
  const h = r.hierarchy;
  if (h !== undefined) {
    if (!isObject(h) || !isObject(h.nodes) || !Array.isArray(h.roots) || !Array.isArray(h.leafIds) || !(h.itemLeaf instanceof Int32Array)) p.push('"hierarchy" lacks its nodes, roots, leaves or item leaves');
    else if (h.itemLeaf.length !== n) p.push(`the hierarchy places ${h.itemLeaf.length} items for ${n} texts`);
    else {
      const tree = h as unknown as Hierarchy;
      const bad = Object.values(tree.nodes).find((x) => !isObject(x) || !Array.isArray(x.childIds) || !Array.isArray(x.keywords) || !Array.isArray(x.representatives));
      if (bad) p.push('a hierarchy node lacks its children, keywords or representatives');
      else if (!Array.isArray(tree.promptLog)) p.push('the hierarchy has no prompt log');
      else p.push(...validateHierarchy(tree).map((x) => `hierarchy: ${x}`));
    }
  }
  return p;
}
