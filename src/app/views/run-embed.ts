/**
 * Vectors for a saved run, from its own embedder in the embed worker: the run's texts (mostly from
 * the IndexedDB embedding cache, so this is quick) and optionally new texts in the same call, so
 * both land in one space even when the embedder has a corpus-level step (SIF removes the corpus's
 * common component; TF-IDF/LSA is fitted to the texts it is given). Used by the memberships CSV
 * (similarities) and by placing new texts.
 */
import * as Comlink from 'comlink';
import type { EmbedderSpec } from '../../core/embed/spec';
import type { Matrix, Progress, RunRecord } from '../../core/types';
import type { EmbedResult, EmbedService } from '../../../workers/embed.worker';
import { callWorker, createEmbedWorker } from '../worker-client';

/** Where transformers.js model files come from when the run's model must be loaded again. */
export type ModelFiles = 'hub' | 'same-origin';

/** Why the run's embedder cannot be rebuilt in this page, or '' when it can. */
export function embedProblem(run: RunRecord): string {
  const e = run.config.embedder;
  if (e.id === 'use') return 'This run was embedded with the Universal Sentence Encoder, which only runs in the command line; its vectors cannot be made again in the page.';
  if (e.id !== 'glove-sif' && e.id !== 'tfidf-lsa' && e.id !== 'transformers') return `This page does not know the embedder “${e.id}”.`;
  return '';
}

/** What the embed worker should build to give this run's vectors again. */
export function specForRun(run: RunRecord, files: ModelFiles = 'hub'): EmbedderSpec {
  const e = run.config.embedder;
  switch (e.id) {
    case 'tfidf-lsa':
      return { id: 'tfidf-lsa', dims: e.dims };
    case 'transformers':
      return {
        id: 'transformers',
        model: e.model,
        dtype: e.dtype,
        device: e.device === 'webgpu' ? 'webgpu' : 'wasm',
        source: files === 'same-origin' ? { kind: 'same-origin', baseUrl: new URL('models/', document.baseURI).href } : { kind: 'hub' },
      };
    default:
      return { id: 'glove-sif', assetUrl: new URL('assets/generated/glove-sif-100d.bin', document.baseURI).href };
  }
}

/** Whether this site serves the run's transformers model itself (a models/ folder next to the page). */
export async function hasSameOriginModel(run: RunRecord): Promise<boolean> {
  if (run.config.embedder.id !== 'transformers') return false;
  try {
    const res = await fetch(new URL(`models/${run.config.embedder.model}/config.json`, document.baseURI), { method: 'HEAD' });
    return res.ok;
  } catch {
    return false;
  }
}

export interface RunVectors {
  /** The run's own texts, row for row. */
  corpus: Matrix;
  /** The extra texts, row for row. */
  extra: Matrix;
  embedded: number;
  cached: number;
}

/**
 * The run's texts and `extra` texts embedded together with the run's embedder. Refuses when the
 * worker's embedder is not the one the run was made with (another model, or other dimensions).
 */
export async function embedWithRun(run: RunRecord, extra: string[], onProgress: (p: Progress) => void, signal: AbortSignal, files: ModelFiles = 'hub'): Promise<RunVectors> {
  const problem = embedProblem(run);
  if (problem) throw new Error(problem);
  const texts = extra.length > 0 ? [...run.texts, ...extra] : run.texts;
  const spec = specForRun(run, files);
  const res = await callWorker<EmbedService, EmbedResult>('embedding', createEmbedWorker, (w) => w.embed(spec, texts, Comlink.proxy(onProgress)), signal);
  const want = run.config.embedder;
  if (res.info.model !== want.model || res.info.dims !== want.dims)
    throw new Error(`The embedder now gives ${res.info.model} vectors (${res.info.dims}-d), but this run was made with ${want.model} (${want.dims}-d), so its texts cannot be compared.`);
  const n = run.texts.length;
  const d = res.cols;
  return {
    corpus: { data: res.data.subarray(0, n * d), rows: n, cols: d },
    extra: { data: res.data.subarray(n * d), rows: extra.length, cols: d },
    embedded: res.stats.embedded,
    cached: res.stats.cached,
  };
}
