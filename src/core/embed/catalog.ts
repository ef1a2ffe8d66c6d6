import type { EmbedderId } from '../types';

/** What the page offers, with what each costs in download and quality, so the UI can say it. */
export interface EmbedderChoice {
  id: EmbedderId;
  label: string;
  /** Shown under the choice: what it is, what it costs, how good it is. */
  note: string;
  download: string;
  builtIn: boolean;
}

export const DEFAULT_TRANSFORMERS_MODEL = 'Xenova/all-MiniLM-L6-v2';

export const TRANSFORMERS_MODELS: { model: string; label: string; size: string }[] = [
  { model: DEFAULT_TRANSFORMERS_MODEL, label: 'all-MiniLM-L6-v2 (English, 384-d)', size: '≈23 MB (q8)' },
  { model: 'Xenova/paraphrase-multilingual-MiniLM-L12-v2', label: 'paraphrase-multilingual-MiniLM-L12-v2 (50+ languages)', size: '≈118 MB (q8)' },
  { model: 'Xenova/bge-small-en-v1.5', label: 'bge-small-en-v1.5 (English, 384-d)', size: '≈34 MB (q8)' },
];

export const EMBEDDER_CHOICES: EmbedderChoice[] = [
  {
    id: 'glove-sif',
    label: 'Word vectors (built in)',
    note:
      'Pretrained English GloVe word vectors averaged with SIF weights. Instant, offline, no download. ' +
      'Ignores word order and context, so themes are coarser than with a sentence model; English only.',
    download: 'bundled (≈8 MB)',
    builtIn: true,
  },
  {
    id: 'tfidf-lsa',
    label: 'TF-IDF + LSA (built in)',
    note:
      'Word counts weighted by rarity, reduced by truncated SVD and fitted to this data set. Fast and ' +
      'language-agnostic; strong when themes have their own vocabulary (technical titles, abstracts), ' +
      'blind to synonyms and paraphrases (intents, chat).',
    download: 'none',
    builtIn: true,
  },
  {
    id: 'transformers',
    label: 'Sentence transformer (ONNX)',
    note:
      'A neural sentence embedding model run by transformers.js on your GPU (WebGPU) or CPU (WASM). ' +
      'Best quality; the model is downloaded once from the source you choose and cached by the browser.',
    download: 'model files',
    builtIn: false,
  },
];
