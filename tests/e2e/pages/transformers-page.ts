// Test page: runs TransformersEmbedder in a real module Web Worker and shows what came back.
// The browser test calls window.runEmbed(options) and checks the vectors it returns.
import type { DeviceChoice } from '../../../src/core/embed/transformers';
import type { ModelSource } from '../../../src/core/embed/model-source';
import type { EmbedReply, EmbedRequest } from './transformers-worker';

export interface RunOptions {
  model: string;
  dtype?: string;
  device: DeviceChoice;
  /** 'files' fetches the model folder here and hands the worker Blobs, as a folder picker would. */
  source: 'same-origin' | 'files';
  /** Files of the model folder (for 'files'). */
  files?: string[];
  texts: string[];
  batchSize?: number;
}

export interface RunResult {
  ok: boolean;
  error?: string;
  info?: Extract<EmbedReply, { type: 'done' }>['info'];
  fallbackReason?: string;
  maxLength?: number;
  adapter?: { vendor: string; architecture: string } | null;
  ortGpuDevice?: boolean;
  vectors?: number[][];
  loadMs?: number;
  embedMs?: number;
  progress: { stage: string; done: number; total: number }[];
}

const MODELS_BASE = new URL('/models/', location.href).href;

async function buildSource(o: RunOptions): Promise<ModelSource> {
  if (o.source === 'same-origin') return { kind: 'same-origin', baseUrl: MODELS_BASE };
  const files = new Map<string, Blob>();
  for (const f of o.files ?? []) {
    const res = await fetch(new URL(`${o.model}/${f}`, MODELS_BASE));
    if (!res.ok) throw new Error(`Could not read ${f}: ${res.status}`);
    files.set(f, await res.blob());
  }
  return { kind: 'files', files };
}

function cosine(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function render(o: RunOptions, r: RunResult): void {
  const sec = el('section', undefined, r.ok ? 'ok' : 'error');
  sec.dataset.device = o.device;
  sec.append(el('h2', `${o.model} · asked ${o.device} · ${o.dtype ?? 'default dtype'} · ${o.source}`));
  if (!r.ok || !r.info || !r.vectors) {
    sec.append(el('pre', r.error ?? 'no result'));
  } else {
    const dl = el('dl');
    const rows: [string, string][] = [
      ['device in use', r.info.device],
      ['dtype', r.info.dtype],
      ['dims', String(r.info.dims)],
      ['max tokens', String(r.maxLength)],
      ['WebGPU adapter', r.adapter ? `${r.adapter.vendor} ${r.adapter.architecture}` : 'none'],
      ['ORT WebGPU device', r.ortGpuDevice ? 'created' : 'none'],
      ['load / embed', `${r.loadMs?.toFixed(0)} ms / ${r.embedMs?.toFixed(0)} ms`],
    ];
    if (r.fallbackReason) rows.push(['fallback', r.fallbackReason]);
    for (const [k, v] of rows) dl.append(el('dt', k), el('dd', v));
    sec.append(dl);
    const table = el('table');
    const head = el('tr');
    head.append(el('th', 'cosine', 'text'), ...o.texts.map((_, j) => el('th', `#${j + 1}`)));
    table.append(head);
    o.texts.forEach((t, i) => {
      const tr = el('tr');
      tr.append(el('td', `#${i + 1} ${t.length > 60 ? `${t.slice(0, 57)}…` : t}`, 'text'));
      for (let j = 0; j < o.texts.length; j++) tr.append(el('td', cosine(r.vectors![i], r.vectors![j]).toFixed(3)));
      table.append(tr);
    });
    sec.append(table);
  }
  document.getElementById('runs')!.append(sec);
}

async function runEmbed(o: RunOptions): Promise<RunResult> {
  const status = document.getElementById('status')!;
  status.textContent = `Running ${o.model} on ${o.device}…`;
  const progress: RunResult['progress'] = [];
  let result: RunResult;
  const worker = new Worker(new URL('./transformers-worker.ts', import.meta.url), { type: 'module' });
  try {
    const source = await buildSource(o);
    const req: EmbedRequest = { model: o.model, dtype: o.dtype, device: o.device, source, texts: o.texts, batchSize: o.batchSize };
    result = await new Promise<RunResult>((resolve) => {
      worker.onerror = (e) => resolve({ ok: false, error: `worker error: ${e.message}`, progress });
      worker.onmessage = (e: MessageEvent<EmbedReply>) => {
        const m = e.data;
        if (m.type === 'progress') progress.push({ stage: m.progress.stage, done: m.progress.done, total: m.progress.total });
        else if (m.type === 'error') resolve({ ok: false, error: m.message, progress });
        else {
          const vectors: number[][] = [];
          for (let i = 0; i < m.rows; i++) vectors.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
          resolve({ ok: true, info: m.info, fallbackReason: m.fallbackReason, maxLength: m.maxLength, adapter: m.adapter, ortGpuDevice: m.ortGpuDevice, vectors, loadMs: m.loadMs, embedMs: m.embedMs, progress });
        }
      };
      worker.postMessage(req);
    });
  } catch (e) {
    result = { ok: false, error: e instanceof Error ? e.message : String(e), progress };
  } finally {
    worker.terminate();
  }
  render(o, result);
  status.textContent = result.ok ? 'Done.' : 'Failed.';
  return result;
}

declare global {
  interface Window {
    runEmbed: typeof runEmbed;
  }
}
window.runEmbed = runEmbed;
document.body.dataset.ready = 'true';
