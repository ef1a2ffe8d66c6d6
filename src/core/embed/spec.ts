import type { ModelSource } from './model-source';

/** A serialisable description of an embedder, sent to the embed worker, which builds it. */
export type EmbedderSpec =
  | { id: 'glove-sif'; /** Absolute URL of the bundled word-vector asset. */ assetUrl: string }
  | { id: 'tfidf-lsa'; dims?: number }
  | {
      id: 'transformers';
      model: string;
      dtype: string;
      device: 'auto' | 'webgpu' | 'wasm';
      source: ModelSource;
    };
