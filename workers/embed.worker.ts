/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { embedWithCache, type VectorCache } from '../src/core/embed/cached';
import { coverageWarnings } from '../src/core/embed/coverage';
import type { EmbedderSpec } from '../src/core/embed/spec';
import type { Embedder, EmbedderInfo, EmbedStats, Progress } from '../src/core/types';
import { getCachedVectors, putCachedVectors } from '../src/store/embedding-cache';

export interface EmbedResult {
  data: Float32Array;
  rows: number;
  cols: number;
  info: EmbedderInfo;
  stats: EmbedStats;
  warnings: string[];
}

const warnings: string[] = [];

const idbCache: VectorCache = {
  get: (key, hashes) => getCachedVectors(key, hashes),
  // A full or failing cache must not fail a run whose vectors are already computed.
  put: async (key, hashes, vectors) => {
    try {
      await putCachedVectors(key, hashes, vectors);
    } catch (e) {
      warnings.push(`Vectors were not cached: ${e instanceof Error ? e.message : String(e)}`);
    }
  },
};

async function build(spec: EmbedderSpec, onProgress: (p: Progress) => void): Promise<Embedder> {
  switch (spec.id) {
    case 'glove-sif': {
      const [{ GloveSifEmbedder }, { parseWordVectors }] = await Promise.all([
        import('../src/core/embed/sif'),
        import('../src/core/embed/wordvectors'),
      ]);
      onProgress({ stage: 'model', done: 0, total: 1, message: 'loading word vectors' });
      const res = await fetch(spec.assetUrl);
      if (!res.ok) throw new Error(`Could not load the built-in word vectors (${res.status} ${res.statusText}).`);
      const vectors = parseWordVectors(await res.arrayBuffer());
      onProgress({ stage: 'model', done: 1, total: 1 });
      return new GloveSifEmbedder(vectors);
    }
    case 'tfidf-lsa': {
      const { TfidfLsaEmbedder } = await import('../src/core/embed/lsa');
      return new TfidfLsaEmbedder({ dims: spec.dims });
    }
    case 'transformers': {
      const { TransformersEmbedder } = await import('../src/core/embed/transformers');
      return TransformersEmbedder.create({
        model: spec.model,
        dtype: spec.dtype,
        device: spec.device,
        source: spec.source,
        onLoadProgress: (p) => onProgress(p),
      });
    }
  }
}

const service = {
  async embed(spec: EmbedderSpec, texts: string[], onProgress: (p: Progress) => void): Promise<EmbedResult> {
    const embedder = await build(spec, onProgress);
    const { vectors, stats } = await embedWithCache(embedder, texts, idbCache, { onProgress });
    const maxTokens = (embedder as Embedder & { maxLength?: number }).maxLength;
    warnings.push(...coverageWarnings(texts, vectors, embedder.info.id, maxTokens));
    const result: EmbedResult = { data: vectors.data, rows: vectors.rows, cols: vectors.cols, info: embedder.info, stats, warnings: warnings.splice(0) };
    return Comlink.transfer(result, [vectors.data.buffer]);
  },
};

export type EmbedService = typeof service;
Comlink.expose(service);
