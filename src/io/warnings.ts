/**
 * Collects per-row problems without flooding the UI: the first few of each kind are listed with
 * their row/line number, the rest only counted in one closing line.
 */
export class WarningList {
  private readonly listed: string[] = [];
  private readonly counts = new Map<string, { n: number; label: string }>();

  constructor(private readonly perKind = 5) {}

  /** `kind` groups warnings (e.g. 'malformed'); `label` names them in the summary line. */
  add(kind: string, label: string, message: string): void {
    const c = this.counts.get(kind) ?? { n: 0, label };
    c.n++;
    this.counts.set(kind, c);
    if (c.n <= this.perKind) this.listed.push(message);
  }

  /** A warning that is always shown once (e.g. "12 blank lines skipped"). */
  note(message: string): void {
    this.listed.push(message);
  }

  count(kind: string): number {
    return this.counts.get(kind)?.n ?? 0;
  }

  finish(): string[] {
    const out = [...this.listed];
    for (const { n, label } of this.counts.values()) {
      if (n > this.perKind) out.push(`…and ${(n - this.perKind).toLocaleString('en-US')} more ${label}.`);
    }
    return out;
  }
}

/** Cell value as a string: JSON scalars stringified, nested values as JSON, missing as ''. */
export function cellToString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
