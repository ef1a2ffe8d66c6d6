#!/usr/bin/env node
// A local OpenAI-compatible HTTP server for tests and for trying the page without a real LLM.
// It answers POST /v1/chat/completions for the HERCULES naming prompt (src/core/llm/prompts.ts)
// and the ClusterFusion / pseudo-label prompts (tests/support/method-answers.mjs):
// for every cluster id the prompt asks for, a title from the cluster's keywords (else its samples'
// most frequent words) and a one-sentence description. It can misbehave the way small local
// models and real servers do (markdown fences, prose around the JSON, trailing commas, missing ids,
// prefixed ids, answers cut at max_tokens, an HTTP 500, a context-length 400 above N characters,
// JSON mode rejected, a required API key, slow answers), so naming, batching and repair run
// through real HTTP. Every request is recorded. CORS headers and OPTIONS preflight let a page on
// another localhost port call it. GET /v1/models lists its model(s).
//
//   import { startOpenAiTestServer } from '../support/openai-test-server.mjs';
//   const srv = await startOpenAiTestServer({ fences: true, contextChars: 4000 });
//   srv.url        // 'http://127.0.0.1:PORT/v1'
//   srv.requests   // every request: { method, path, headers, body, ids, status, answer }
//   srv.configure({ delayMs: 200 }); srv.reset(); await srv.close();
//
// Standalone: node tests/support/openai-test-server.mjs --port 8089 [--fences --prose
//   --trailing-commas --missing-ids --fail-once --context-chars 6000 --delay-ms 500 --model NAME]
// A request may also carry the header `x-test-behaviour: {"prose":true}` (JSON) to override the
// options for that request only.
import { createServer } from 'node:http';
import { answerMethodPrompt, methodPromptKind } from './method-answers.mjs';
import { pathToFileURL } from 'node:url';

export const DEFAULT_MODEL = 'constellate-test-llm';

const DEFAULTS = { models: [DEFAULT_MODEL] };

// The block header of buildNamingPrompt: `--- Cluster ID: <id> (L1, 12 base items, BaseType: text) ---`.
// Mirrors idsInPrompt in src/core/llm/prompts.ts (a unit test checks the two agree).
const BLOCK_RE = /^--- Cluster ID: (.+?) \((?:L-?\d+, )?\d+ base items[^\n]*\n([\s\S]*?)^--- End Cluster ID: .+? ---/gm;

const STOP = new Set(
  'a an and are as at be been but by can could did do does for from had has have how i if in into is it its me my no not of on or our so than that the their them then there these they this to too up us was we were what when where which who why will with would you your yours just about get got also very more most some any all one cannot again want please'.split(' '),
);

/** The clusters a naming prompt holds: id, keywords, samples, parent title. */
export function clustersInPrompt(text) {
  const out = [];
  for (const m of text.matchAll(BLOCK_RE)) {
    const body = m[2];
    const kw = /^Keywords: (.*)$/m.exec(body);
    const parent = /^Parent Cluster: "([^"]*)"/m.exec(body);
    const samples = [...body.matchAll(/^- "(.*)"$/gm)].map((x) => x[1]);
    out.push({ id: m[1], keywords: kw ? kw[1].split(', ').filter(Boolean) : [], samples, parent: parent?.[1] });
  }
  return out;
}

function titleCase(w) {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** Most frequent content words of the samples. */
function sampleWords(samples) {
  const counts = new Map();
  for (const s of samples) {
    for (const w of s.toLowerCase().match(/\p{L}[\p{L}'-]+/gu) ?? []) {
      if (w.length < 3 || STOP.has(w)) continue;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
}

/** A plausible name for one cluster of the prompt. */
export function nameFor(c) {
  const words = (c.keywords.length > 0 ? c.keywords : sampleWords(c.samples)).slice(0, 3);
  if (words.length === 0) return { title: `Miscellaneous ${c.id}`, description: 'Texts with no clear common theme.' };
  const title = words.length === 1 ? titleCase(words[0]) : `${words.slice(0, -1).map(titleCase).join(', ')} and ${titleCase(words[words.length - 1])}`;
  const first = c.samples[0] ?? '';
  const cut = first.length > 60 ? `${first.slice(0, 60).replace(/\s+\S*$/, '')}…` : first;
  const example = first ? ` For example: "${cut}"` : '';
  const within = c.parent ? ` Part of "${c.parent}".` : '';
  return { title, description: `Texts about ${words.join(', ')}.${within}${example}` };
}

/** The JSON text of an answer for these clusters, shaped by the behaviour. */
function answerText(clusters, b) {
  let chosen = clusters;
  if (b.missingIds && clusters.length > 1) chosen = clusters.slice(0, b.missingIds === 'half' ? Math.ceil(clusters.length / 2) : -1);
  if (Array.isArray(b.omitIds)) chosen = chosen.filter((c) => !b.omitIds.includes(c.id));
  const key = (id) => (b.prefixedIds ? `Cluster ${id}` : id);
  const entries = chosen.map((c) => [key(c.id), nameFor(c)]);
  let text;
  if (b.trailingCommas) {
    const lines = entries.map(([k, v]) => `  ${JSON.stringify(k)}: { "title": ${JSON.stringify(v.title)}, "description": ${JSON.stringify(v.description)}, },`);
    text = `{\n${lines.join('\n')}\n}`;
  } else {
    text = JSON.stringify(Object.fromEntries(entries), null, 2);
  }
  if (b.fences) text = `\`\`\`json\n${text}\n\`\`\``;
  if (b.prose) text = `Sure! Here are the titles and descriptions for the clusters:\n\n${text}\n\nLet me know if you would like any changes.`;
  return text;
}

function promptOf(body) {
  const messages = Array.isArray(body?.messages) ? body.messages : [];
  return messages.map((m) => (typeof m?.content === 'string' ? m.content : '')).join('\n\n');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the server on 127.0.0.1 (port 0 = a free one); options as in openai-test-server.d.mts. */
export async function startOpenAiTestServer(options = {}) {
  const { port = 0, host = '127.0.0.1', ...initial } = options;
  let behaviour = { ...DEFAULTS, ...initial };
  const requests = [];
  let chatCount = 0;
  let failuresLeft = behaviour.failTimes ?? (behaviour.failOnce ? 1 : 0);

  const server = createServer(async (req, res) => {
    let gone = false; // the client went away (abort, timeout) before the answer
    res.on('close', () => {
      if (!res.writableEnded) gone = true;
    });
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', `http://${host}`);
    const rec = { method: req.method ?? '', path: url.pathname, headers: { ...req.headers }, body: undefined, ids: [], status: 0, answer: undefined, time: Date.now() };
    if (req.method !== 'OPTIONS') requests.push(rec);
    let b = behaviour;
    const override = req.headers['x-test-behaviour'];
    if (typeof override === 'string') {
      try {
        b = { ...behaviour, ...JSON.parse(override) };
      } catch {
        /* ignored */
      }
    }
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : '*';
    const cors = {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, x-test-behaviour',
      'access-control-max-age': '600',
      vary: 'origin',
    };
    const reply = (status, body) => {
      rec.status = status;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { ...cors, 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
      res.end(text);
    };
    const error = (status, message, extra = {}) => reply(status, { error: { code: status, message, type: extra.type ?? 'invalid_request_error', ...extra } });

    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    if (b.apiKey && req.headers.authorization !== `Bearer ${b.apiKey}`) return error(401, 'Invalid API key provided.', { type: 'authentication_error' });
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/v1/models') {
      return reply(200, {
        object: 'list',
        data: b.models.map((id) => ({ id, object: 'model', owned_by: 'constellate-tests', ...(b.contextTokens && b.listContext !== false ? { context_length: b.contextTokens } : {}) })),
      });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return error(404, `File Not Found: ${url.pathname}`, { type: 'not_found_error' });

    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(400, 'Request body is not valid JSON.');
    }
    rec.body = body;
    const n = chatCount++;
    const prompt = promptOf(body);
    const clusters = clustersInPrompt(prompt);
    rec.ids = clusters.map((c) => c.id);
    if (b.delayMs) await sleep(b.delayMs);
    if (gone) {
      rec.status = -1; // the client went away (abort/timeout)
      return;
    }
    if (!b.models.includes(body.model)) return error(404, `model '${body.model}' not found`, { type: 'not_found_error' });
    if (b.rejectJsonMode && body.response_format) return error(400, "'response_format' of type 'json_object' is not supported", { param: 'response_format' });
    if (failuresLeft > 0) {
      failuresLeft--;
      return error(500, 'Internal server error: the model crashed (test).', { type: 'server_error' });
    }
    const promptTokens = Math.ceil(prompt.length / 4);
    if (b.contextChars !== undefined && prompt.length > b.contextChars) {
      const nCtx = b.contextTokens ?? Math.floor(b.contextChars / 4);
      if (b.errorStyle === 'openai') {
        return error(400, `This model's maximum context length is ${nCtx} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`, { code: 'context_length_exceeded', param: 'messages' });
      }
      return error(400, 'the request exceeds the available context size, try increasing it', { type: 'exceed_context_size_error', n_prompt_tokens: promptTokens, n_ctx: nCtx });
    }

    // ClusterFusion and pseudo-label prompts (src/core/methods) get the method responder's answer.
    const methodAnswer = clusters.length === 0 ? answerMethodPrompt(body.messages ?? []) : null;
    rec.kind = methodAnswer !== null ? methodPromptKind(prompt) : clusters.length > 0 ? 'naming' : 'other';
    let text = clusters.length > 0 ? answerText(clusters, b) : methodAnswer ?? b.freeText ?? 'Hello from the Constellate test LLM.';
    // A model that ignores the format: chatty prose, no JSON at all.
    if (b.nonsense) text = "Sure! These texts seem to be about many different things, it's hard to say. Let me know if you need anything else.";
    let finish = 'stop';
    if (b.honourMaxTokens && typeof body.max_tokens === 'number' && text.length > body.max_tokens * 4) {
      text = text.slice(0, body.max_tokens * 4);
      finish = 'length';
    }
    rec.answer = text;
    const completionTokens = Math.ceil(text.length / 4);
    const answer = {
      id: `chatcmpl-test-${n}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
    if (b.timings) answer.timings = { prompt_n: promptTokens, predicted_n: completionTokens, predicted_per_second: b.timings };
    return reply(200, answer);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const origin = `http://${host}:${actualPort}`;
  return {
    origin,
    url: `${origin}/v1`,
    port: actualPort,
    requests,
    /** Chat-completion requests only. */
    chats: () => requests.filter((r) => r.path.replace(/\/+$/, '') === '/v1/chat/completions'),
    /** Replaces the behaviour (and re-arms failOnce / failTimes). */
    configure(next) {
      behaviour = { ...DEFAULTS, ...next };
      failuresLeft = behaviour.failTimes ?? (behaviour.failOnce ? 1 : 0);
    },
    reset() {
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function parseArgs(argv) {
  const o = { port: 8089 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--port':
        o.port = Number(next());
        break;
      case '--host':
        o.host = next();
        break;
      case '--model':
        o.models = [...(o.models ?? []), next()];
        break;
      case '--fences':
        o.fences = true;
        break;
      case '--prose':
        o.prose = true;
        break;
      case '--trailing-commas':
        o.trailingCommas = true;
        break;
      case '--missing-ids':
        o.missingIds = 'last';
        break;
      case '--prefixed-ids':
        o.prefixedIds = true;
        break;
      case '--fail-once':
        o.failOnce = true;
        break;
      case '--reject-json-mode':
        o.rejectJsonMode = true;
        break;
      case '--context-chars':
        o.contextChars = Number(next());
        break;
      case '--delay-ms':
        o.delayMs = Number(next());
        break;
      case '--api-key':
        o.apiKey = next();
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = parseArgs(process.argv.slice(2));
  const srv = await startOpenAiTestServer(o);
  console.log(`OpenAI-compatible test LLM at ${srv.url} (model ${(o.models ?? DEFAULTS.models).join(', ')}); Ctrl-C stops it.`);
  console.log(`In the page: OpenAI-compatible endpoint, base URL ${srv.url}; CLI: --llm openai:${srv.url}#${(o.models ?? DEFAULTS.models)[0]}`);
  const stop = async () => {
    await srv.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
