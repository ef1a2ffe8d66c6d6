import type { RunRecord } from '../core/types';

/** The run as plain JSON: typed arrays become number arrays; `schema` says how to read it back. */
export function runToJson(run: RunRecord): string {
  return JSON.stringify(run, (_key, value: unknown) =>
    value instanceof Float32Array || value instanceof Int32Array ? Array.from(value) : value,
  );
}

export function runFromJson(text: string): RunRecord {
  const raw = JSON.parse(text) as RunRecord & { assignments: number[]; coords: number[] };
  if (raw.schema !== 1) throw new Error(`Unsupported run file (schema ${String(raw.schema)}); this page reads schema 1.`);
  if (!Array.isArray(raw.texts) || !Array.isArray(raw.assignments) || raw.assignments.length !== raw.texts.length)
    throw new Error('This run file is incomplete: texts and assignments do not match.');
  const hierarchy = raw.hierarchy ? { ...raw.hierarchy, itemLeaf: Int32Array.from(raw.hierarchy.itemLeaf as unknown as number[]) } : undefined;
  return { ...raw, assignments: Int32Array.from(raw.assignments), coords: Float32Array.from(raw.coords), hierarchy };
}
