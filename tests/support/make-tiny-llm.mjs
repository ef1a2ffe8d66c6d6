#!/usr/bin/env node
// Writes a tiny causal language model in transformers.js layout, so the transformers.js
// text-generation engine (src/core/llm/transformers-engine.ts) runs for real without a download:
// chat template → tokenizer → ONNX Runtime → greedy decoding → EOS → detokenise.
//
// The "model" is a bigram table: logits[b, t, :] = W[input_ids[b, t], :], so the next token
// depends on the current one only (transformers.js feeds one new token per step when the graph has
// no KV cache). W sends the chat template's last token, <|assistant|>, through a fixed chain of
// pieces that spell ANSWER (a naming answer for clusters "0" and "1") and then to </s>; every other
// token goes to </s>. Pieces are unique vocabulary entries decoded with the Fuse decoder, so the
// chain is exact text. Prompt words are all <unk>, one token per whitespace-separated word, so
// prompt token counts are known: `promptTokens(messages)`.
//   node tests/support/make-tiny-llm.mjs [outDir] [--loop]
// `--loop` writes a model that repeats the answer without end (for max_tokens and abort tests).
// Files: config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
// onnx/model.onnx (fp32) and onnx/model_q4.onnx (the same graph, so the default CPU dtype loads).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeModel, loadOnnx, tensor, valueInfo } from '../../scripts/make-tiny-model.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TINY_LLM_ID = 'constellate/tiny-chat-llm';
export const DEFAULT_OUT = join(ROOT, 'public/models', TINY_LLM_ID);
export const CONTEXT = 2048;

export const ANSWER = JSON.stringify({
  0: { title: 'Card Payments', description: 'Problems paying by card and getting refunds.' },
  1: { title: 'Late Deliveries', description: 'Parcels that arrive days after the promised date.' },
}).replace(/":/g, '": ').replace(/,"/g, ', "');

const SPECIAL = ['<unk>', '<pad>', '</s>', '<|system|>', '<|user|>', '<|assistant|>', '<|end|>'];
const [UNK, PAD, EOS, , , ASSISTANT] = SPECIAL.map((_, i) => i);
export const CHAT_TEMPLATE =
  "{% for message in messages %}<|{{ message['role'] }}|> {{ message['content'] }} <|end|> {% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

/** The answer cut into unique pieces (words with their leading space; repeats merged into the piece before). */
export function answerPieces(text = ANSWER) {
  const words = text.match(/\s*\S+/g) ?? [];
  const pieces = [];
  const seen = new Set();
  for (const w of words) {
    if (!seen.has(w)) {
      pieces.push(w);
      seen.add(w);
      continue;
    }
    // A repeat: fuse it into the previous piece, and that with the one before while still taken.
    let merged = pieces.pop() + w;
    seen.delete(merged.slice(0, -w.length));
    while (seen.has(merged) && pieces.length > 0) {
      const prev = pieces.pop();
      seen.delete(prev);
      merged = prev + merged;
    }
    pieces.push(merged);
    seen.add(merged);
  }
  if (pieces.join('') !== text || new Set(pieces).size !== pieces.length) throw new Error('could not cut the answer into unique pieces');
  return pieces;
}

/** Prompt tokens the tiny tokenizer gives a conversation, with the generation prompt. */
export function promptTokens(messages) {
  let n = 1; // <|assistant|>
  for (const m of messages) n += 2 + (m.content.match(/\S+/g) ?? []).length; // <|role|> words <|end|>
  return n;
}

function buildModel(onnx, V, next) {
  const T = onnx.TensorProto.DataType;
  const W = new Float32Array(V * V);
  for (let i = 0; i < V; i++) W[i * V + next[i]] = 10;
  const graph = onnx.GraphProto.create({
    name: 'tiny_bigram_llm',
    node: [
      onnx.NodeProto.create({
        opType: 'Gather',
        name: 'bigram',
        input: ['table', 'input_ids'],
        output: ['logits'],
        attribute: [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
      }),
    ],
    initializer: [tensor(onnx, 'table', T.FLOAT, [V, V], W)],
    input: [valueInfo(onnx, 'input_ids', T.INT64, ['batch_size', 'sequence_length']), valueInfo(onnx, 'attention_mask', T.INT64, ['batch_size', 'total_sequence_length'])],
    output: [valueInfo(onnx, 'logits', T.FLOAT, ['batch_size', 'sequence_length', V])],
  });
  return encodeModel(onnx, graph, 'constellate/make-tiny-llm');
}

/**
 * Writes the model; returns { outDir, pieces, vocabSize }. With `loop`, the last piece leads back
 * to the first instead of to </s>: a runaway model that only max_new_tokens or an abort stops.
 */
export async function makeTinyLlm({ outDir = DEFAULT_OUT, loop = false } = {}) {
  const onnx = await loadOnnx();
  const pieces = answerPieces();
  const vocab = [...SPECIAL, ...pieces];
  const V = vocab.length;
  const next = new Array(V).fill(EOS);
  next[ASSISTANT] = SPECIAL.length;
  for (let k = 0; k < pieces.length - 1; k++) next[SPECIAL.length + k] = SPECIAL.length + k + 1;
  if (loop) next[V - 1] = SPECIAL.length;
  const bytes = buildModel(onnx, V, next);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'WordLevel', vocab: Object.fromEntries(vocab.map((w, i) => [w, i])), unk_token: SPECIAL[UNK] },
  };
  const config = {
    model_type: 'llama',
    architectures: ['LlamaForCausalLM'],
    vocab_size: V,
    hidden_size: V,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    max_position_embeddings: CONTEXT,
    bos_token_id: null,
    eos_token_id: EOS,
    pad_token_id: PAD,
    _constellate: { note: `Bigram table spelling a fixed naming answer${loop ? ' over and over' : ''}, for tests only` },
  };
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: CONTEXT,
    bos_token: null,
    eos_token: SPECIAL[EOS],
    pad_token: SPECIAL[PAD],
    unk_token: SPECIAL[UNK],
    clean_up_tokenization_spaces: false,
    chat_template: CHAT_TEMPLATE,
  };
  await mkdir(join(outDir, 'onnx'), { recursive: true });
  await Promise.all([
    writeFile(join(outDir, 'config.json'), JSON.stringify(config, null, 2)),
    writeFile(join(outDir, 'generation_config.json'), JSON.stringify({ eos_token_id: EOS, pad_token_id: PAD, do_sample: false }, null, 2)),
    writeFile(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizer)),
    writeFile(join(outDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2)),
    writeFile(join(outDir, 'onnx/model.onnx'), bytes),
    writeFile(join(outDir, 'onnx/model_q4.onnx'), bytes),
  ]);
  return { outDir, pieces, vocabSize: V };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const loop = args.includes('--loop');
  const dir = args.find((a) => !a.startsWith('--'));
  const r = await makeTinyLlm({ outDir: dir ? resolve(dir) : DEFAULT_OUT, loop });
  console.log(`Tiny chat LLM (${r.vocabSize} tokens, ${r.pieces.length}-piece answer) → ${r.outDir}`);
}
