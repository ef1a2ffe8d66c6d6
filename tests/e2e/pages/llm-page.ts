// Test page: the app's LLM client and worker (src/app/llm-client.ts, workers/llm.worker.ts) in a
// real browser. The browser test calls window.llmTest.* and checks what comes back; results are
// also drawn, as text (LLM output is untrusted), for the screenshot.
import { openLlm, webLlmModels, type LlmSession } from '../../../src/app/llm-client';
import { isAbortError } from '../../../src/core/llm/engine';
import { nameClusters, type PromptOutcome } from '../../../src/core/llm/naming';
import type { ClusterForNaming } from '../../../src/core/llm/prompts';
import type { EngineSpec } from '../../../src/core/llm/spec';
import type { WebLlmCatalog } from '../../../src/core/llm/webllm';

export interface NamingRun {
  ok: boolean;
  error?: string;
  info?: { id: string; model: string; contextTokens: number };
  /** The engine's context size after naming (learnt from overflow errors). */
  contextTokens?: number;
  names?: Record<string, { title: string; description: string; source: string }>;
  log?: { outcome: PromptOutcome; ids: string[]; notes: string[]; error?: string; tokensPerSecond?: number }[];
  progress: { stage: string; done: number; total: number }[];
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function section(title: string, ok: boolean): HTMLElement {
  const s = el('section', undefined, ok ? 'ok' : 'error');
  s.append(el('h2', title));
  document.getElementById('out')!.append(s);
  return s;
}

let session: LlmSession | null = null;
const progress: NamingRun['progress'] = [];

/** Starts the LLM worker and loads the spec; the session stays open for name() and abortOne(). */
async function open(spec: EngineSpec): Promise<{ ok: boolean; error?: string; info?: NamingRun['info']; progress: NamingRun['progress'] }> {
  progress.length = 0;
  try {
    session = await openLlm(spec, (p) => progress.push({ stage: p.stage, done: p.done, total: p.total }));
    section(`${spec.kind}: ${session.info.model} (context ${session.info.contextTokens || 'unknown'})`, true);
    return { ok: true, info: session.info, progress: progress.slice() };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    section(`${spec.kind}: failed to load`, false).append(el('pre', error));
    return { ok: false, error, progress: progress.slice() };
  }
}

/** nameClusters through the worker's engine. */
async function name(clusters: ClusterForNaming[], batchSize: number): Promise<NamingRun> {
  const run: NamingRun = { ok: false, progress };
  try {
    if (!session) throw new Error('open() first');
    run.info = session.info;
    const { names, log } = await nameClusters(clusters, session.engine, { batchSize, backoffMs: 10, maxRetries: 3 });
    run.names = Object.fromEntries(names);
    run.log = log.map((e) => ({ outcome: e.outcome, ids: e.ids, notes: e.notes, error: e.error, tokensPerSecond: e.tokensPerSecond }));
    run.contextTokens = session.engine.contextTokens;
    run.ok = true;
  } catch (e) {
    run.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const s = section(`names from ${run.info?.model ?? '?'}`, run.ok);
  if (!run.ok) s.append(el('pre', run.error ?? 'failed'));
  if (run.names) {
    const t = el('table');
    const head = el('tr');
    head.append(el('th', 'id'), el('th', 'title'), el('th', 'description'), el('th', 'source'));
    t.append(head);
    for (const [id, n] of Object.entries(run.names)) {
      const tr = el('tr');
      tr.append(el('td', id), el('td', n.title), el('td', n.description), el('td', n.source));
      t.append(tr);
    }
    s.append(t);
    s.append(el('p', `prompts: ${run.log?.map((e) => `${e.outcome}[${e.ids.length}]`).join(' → ')}`, 'muted'));
  }
  return run;
}

/** One generate() aborted after `afterMs`: whether it rejected with an AbortError, and when. */
async function abortOne(afterMs: number): Promise<{ aborted: boolean; ms: number; error?: string }> {
  if (!session) throw new Error('open() first');
  const ctl = new AbortController();
  const t0 = performance.now();
  setTimeout(() => ctl.abort(), afterMs);
  const r = await session.engine.generate([{ role: 'user', content: 'Say hello, slowly.' }], { signal: ctl.signal }).then(
    () => ({ aborted: false }),
    (e: unknown) => ({ aborted: isAbortError(e), error: String(e) }),
  );
  return { ...r, ms: performance.now() - t0 };
}

function close(): void {
  session?.close();
  session = null;
}

async function webllmCatalog(): Promise<{ ok: boolean; error?: string; catalog?: WebLlmCatalog }> {
  try {
    const catalog = await webLlmModels();
    const s = section(`WebLLM models for ${catalog.adapter ? `${catalog.adapter.vendor ?? ''} ${catalog.adapter.architecture ?? ''}` : 'no adapter'}`, true);
    s.append(el('p', `features: ${catalog.adapter?.features.join(', ') || 'none'}`, 'muted'));
    s.append(el('p', `${catalog.offered.length} offered, ${catalog.dropped.length} dropped; default ${catalog.defaultId ?? 'none'}`));
    s.append(el('p', catalog.offered.map((c) => c.id).join(', '), 'muted'));
    return { ok: true, catalog };
  } catch (e) {
    section('WebLLM models', false).append(el('pre', String(e)));
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

const llmTest = { open, name, abortOne, close, webllmCatalog };
declare global {
  interface Window {
    llmTest: typeof llmTest;
  }
}
window.llmTest = llmTest;
document.getElementById('status')!.textContent = 'Ready.';
document.body.dataset.ready = 'true';
