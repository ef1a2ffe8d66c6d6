/**
 * An OpenAI-compatible chat-completions engine: a local llama.cpp server, Ollama, LM Studio, vLLM,
 * or a cloud endpoint the user points at. Opt-in, never the default (texts leave the page).
 *
 * - JSON mode via `response_format: {type: 'json_object'}`; a server that rejects it (HTTP 400/422
 *   naming response_format) gets the request again without it, and later requests skip it.
 * - Errors say what to fix: unreachable server or CORS, 401/403 key, 404 model or endpoint, 429,
 *   5xx, timeout. HTTP 400/413 context-length errors become ContextOverflowError, and the context
 *   size the server names (llama.cpp's n_ctx, "maximum context length is N tokens") is kept in
 *   `contextTokens`, so later prompts are sized before they are sent.
 * - Usage tokens from the answer; tokens/s from the server's own timings (llama.cpp) or from the
 *   completion tokens over the request time.
 *
 * The API key lives only in this object's memory: it is never logged, never put in an error
 * message and never persisted. Uses the global fetch: browser, worker and Node ≥ 18 alike.
 */
import type { ProgressFn } from '../types';
import {
  ContextOverflowError,
  estimateMessagesTokens,
  estimateTokens,
  throwIfAborted,
  type ChatMessage,
  type GenerateOptions,
  type GenerateResult,
  type LlmEngine,
} from './engine';

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface OpenAiConnection {
  /** e.g. `http://127.0.0.1:8080/v1`; a bare origin (`http://localhost:11434`) gets `/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; kept in memory only. */
  apiKey?: string;
  /** Injected for tests; default the global fetch. */
  fetch?: FetchFn;
  /** Per-request limit; default 120 s (a small local model on a CPU can take a minute). */
  timeoutMs?: number;
}

export interface OpenAiEngineOptions extends OpenAiConnection {
  model: string;
  /** Context window when known (prompt + answer); otherwise learnt from the server. */
  contextTokens?: number;
  /** 'auto' (default): response_format, dropped if the server rejects it; 'off': never sent. */
  jsonMode?: 'auto' | 'off';
  onLoadProgress?: ProgressFn;
}

export type OpenAiErrorKind = 'unreachable' | 'timeout' | 'auth' | 'not-found' | 'model' | 'rate-limit' | 'bad-request' | 'server' | 'bad-answer';

/** Any failure talking to the server other than a context overflow or an abort. */
export class OpenAiError extends Error {
  override readonly name = 'OpenAiError';
  constructor(
    message: string,
    readonly kind: OpenAiErrorKind,
    /** HTTP status; 0 when no answer came. */
    readonly status = 0,
  ) {
    super(message);
  }
}

export interface ServerModel {
  id: string;
  ownedBy?: string;
  /** Context window, when the server says (LM Studio, OpenRouter, llama.cpp). */
  contextTokens?: number;
}

/** `http://host:port` → `http://host:port/v1`; trailing slashes and a pasted `/chat/completions` go. */
export function normalizeBaseUrl(baseUrl: string): string {
  let s = baseUrl.trim();
  if (!/^https?:\/\//i.test(s)) throw new OpenAiError(`"${baseUrl}" is not an http(s) URL; write it like http://127.0.0.1:8080/v1`, 'bad-request');
  s = s.replace(/\/+$/, '').replace(/\/chat\/completions$/i, '').replace(/\/models$/i, '');
  const u = new URL(s);
  if (u.pathname === '/' || u.pathname === '') s = `${u.origin}/v1`;
  return s;
}

function withTimeout(signal: AbortSignal | undefined, ms: number): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, ms);
  const onAbort = (): void => ctl.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ctl.signal,
    timedOut: () => timedOut,
    done: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** The server's own error text from a JSON or plain body, cut short. */
function serverMessage(body: string): string {
  let msg = body.trim();
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = j.error;
    if (typeof e === 'string') msg = e;
    else if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') msg = (e as { message: string }).message;
    else if (typeof j.message === 'string') msg = j.message;
    else if (typeof j.detail === 'string') msg = j.detail;
  } catch {
    /* plain text */
  }
  msg = msg.replace(/\s+/g, ' ');
  return msg.length > 300 ? `${msg.slice(0, 299)}…` : msg;
}

const CONTEXT_ERROR = /context[ _-]?(?:length|size|window)|maximum context|exceed_context|context_length_exceeded|n_ctx|too many tokens|prompt is too long|input is too long|reduce the length/i;
const JSON_MODE_ERROR = /response_format|json_object|json mode|json_schema/i;

/** Context size named in a server's overflow error, if any. */
export function contextFromError(body: string): number | undefined {
  try {
    const j = JSON.parse(body) as { error?: { n_ctx?: unknown } };
    const n = j.error?.n_ctx;
    if (typeof n === 'number' && n > 0) return n;
  } catch {
    /* not JSON */
  }
  const m =
    /maximum context length is (\d+)/i.exec(body) ??
    /context (?:length|size|window) of (?:only )?(\d+)/i.exec(body) ??
    /n_ctx(?:_slot)?\s*[=:]\s*(\d+)/i.exec(body) ??
    /available context size \((\d+) tokens?\)/i.exec(body);
  return m ? Number(m[1]) : undefined;
}

function promptTokensFromError(body: string): number | undefined {
  try {
    const j = JSON.parse(body) as { error?: { n_prompt_tokens?: unknown } };
    const n = j.error?.n_prompt_tokens;
    if (typeof n === 'number' && n > 0) return n;
  } catch {
    /* not JSON */
  }
  const m = /(?:resulted in|requested|you requested) (\d+) tokens/i.exec(body);
  return m ? Number(m[1]) : undefined;
}

interface Requester {
  baseUrl: string;
  headers: Record<string, string>;
  fetch: FetchFn;
  timeoutMs: number;
}

function requester(c: OpenAiConnection): Requester {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (c.apiKey) headers.authorization = `Bearer ${c.apiKey}`;
  const f = c.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
  return { baseUrl: normalizeBaseUrl(c.baseUrl), headers, fetch: f, timeoutMs: c.timeoutMs ?? 120_000 };
}

/** One HTTP call with timeout and abort; network failures become 'unreachable'/'timeout' errors. */
async function send(r: Requester, path: string, init: RequestInit, signal: AbortSignal | undefined): Promise<{ res: Response; body: string; ms: number }> {
  throwIfAborted(signal);
  const url = `${r.baseUrl}${path}`;
  const t = withTimeout(signal, r.timeoutMs);
  const t0 = Date.now();
  try {
    const res = await r.fetch(url, { ...init, headers: { ...r.headers, ...(init.headers as Record<string, string> | undefined) }, signal: t.signal });
    const body = await res.text();
    return { res, body, ms: Date.now() - t0 };
  } catch (e) {
    throwIfAborted(signal);
    if (t.timedOut()) throw new OpenAiError(`The LLM server at ${r.baseUrl} gave no answer within ${Math.round(r.timeoutMs / 1000)} s.`, 'timeout');
    const detail = e instanceof Error ? e.message : String(e);
    throw new OpenAiError(
      `Could not reach the LLM server at ${url} (${detail}). Is it running, and is the address right? ` +
        'A page can only call a server that allows cross-origin requests (CORS): llama.cpp does by default, ' +
        'Ollama needs OLLAMA_ORIGINS set, LM Studio needs "Enable CORS".',
      'unreachable',
    );
  } finally {
    t.done();
  }
}

/** The error for a non-2xx answer (context overflows are handled by the caller first). */
function httpError(r: Requester, status: number, body: string, model?: string): OpenAiError {
  const msg = serverMessage(body);
  const said = msg ? `: ${msg}` : '';
  if (status === 401 || status === 403) {
    return new OpenAiError(`The LLM server refused the request (${status}${said}). Check the API key.`, 'auth', status);
  }
  if (status === 404) {
    if (model !== undefined && /model/i.test(msg)) return new OpenAiError(`The LLM server has no model "${model}" (404${said}). Pick one it lists.`, 'model', status);
    return new OpenAiError(`Nothing at ${r.baseUrl} answers OpenAI requests (404${said}). Check the base URL; it usually ends in /v1.`, 'not-found', status);
  }
  if (status === 429) return new OpenAiError(`The LLM server is rate-limiting requests (429${said}).`, 'rate-limit', status);
  if (status >= 500) return new OpenAiError(`The LLM server failed (${status}${said}).`, 'server', status);
  if (model !== undefined && /model/i.test(msg) && /not (?:found|exist|available|loaded)|unknown|invalid/i.test(msg)) {
    return new OpenAiError(`The LLM server has no model "${model}" (${status}${said}). Pick one it lists.`, 'model', status);
  }
  return new OpenAiError(`The LLM server rejected the request (${status}${said}).`, 'bad-request', status);
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined;
}

/** The ids of the models the server offers (GET <base>/models), for the page's model picker. */
export async function listModels(c: OpenAiConnection, signal?: AbortSignal): Promise<string[]> {
  return (await listServerModels(c, signal)).map((m) => m.id);
}

/** GET <base>/models with what the server says about each model (context size where listed). */
export async function listServerModels(c: OpenAiConnection, signal?: AbortSignal): Promise<ServerModel[]> {
  const r = requester(c);
  const { res, body } = await send(r, '/models', { method: 'GET' }, signal);
  if (!res.ok) throw httpError(r, res.status, body);
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    throw new OpenAiError(`The LLM server's model list is not JSON: ${body.slice(0, 80)}`, 'bad-answer', res.status);
  }
  const data = (j as { data?: unknown; models?: unknown }).data ?? (j as { models?: unknown }).models;
  if (!Array.isArray(data)) return [];
  const out: ServerModel[] = [];
  for (const m of data) {
    if (!m || typeof m !== 'object') continue;
    const o = m as Record<string, unknown>;
    const id = typeof o.id === 'string' ? o.id : typeof o.name === 'string' ? o.name : typeof o.model === 'string' ? o.model : undefined;
    if (!id) continue;
    const meta = (o.meta && typeof o.meta === 'object' ? o.meta : {}) as Record<string, unknown>;
    const ctx = positiveInt(o.context_length) ?? positiveInt(o.max_context_length) ?? positiveInt(o.context_window) ?? positiveInt(meta.n_ctx) ?? positiveInt(meta.n_ctx_train);
    out.push({ id, ownedBy: typeof o.owned_by === 'string' ? o.owned_by : undefined, contextTokens: ctx });
  }
  return out;
}

interface ChatAnswer {
  choices?: { message?: { content?: unknown; reasoning_content?: unknown }; text?: unknown; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  timings?: { predicted_per_second?: unknown; predicted_n?: unknown };
}

export class OpenAiEngine implements LlmEngine {
  readonly id = 'openai';
  readonly model: string;
  /** Normalised base URL (…/v1). */
  readonly baseUrl: string;
  /** Whether response_format is still sent (false after the server rejected it). */
  jsonMode: boolean;
  private ctx: number;
  private readonly r: Requester;

  constructor(opts: OpenAiEngineOptions) {
    if (!opts.model.trim()) throw new OpenAiError('No model name given for the LLM server.', 'bad-request');
    this.r = requester(opts);
    this.baseUrl = this.r.baseUrl;
    this.model = opts.model.trim();
    this.ctx = opts.contextTokens ?? 0;
    this.jsonMode = opts.jsonMode !== 'off';
  }

  /**
   * Builds the engine after checking the server answers: GET /models, which also gives the
   * context size where the server lists one. A server without /models (404) is accepted; one
   * that lists models but not this one is told so.
   */
  static async connect(opts: OpenAiEngineOptions, signal?: AbortSignal): Promise<OpenAiEngine> {
    const engine = new OpenAiEngine(opts);
    opts.onLoadProgress?.({ stage: 'llm', done: 0, total: 1, message: `connecting to ${engine.baseUrl}` });
    let models: ServerModel[] = [];
    try {
      models = await listServerModels(opts, signal);
    } catch (e) {
      if (!(e instanceof OpenAiError && (e.kind === 'not-found' || e.kind === 'bad-answer'))) throw e;
    }
    const found = models.find((m) => m.id === engine.model);
    // Ollama lists "qwen2.5:latest" for "qwen2.5"; some proxies list none at all.
    const loose = found ?? models.find((m) => m.id.split(':')[0] === engine.model.split(':')[0]);
    if (models.length > 0 && !loose) {
      const names = models.slice(0, 8).map((m) => m.id).join(', ');
      throw new OpenAiError(`The LLM server has no model "${engine.model}"; it lists ${names}${models.length > 8 ? ', …' : ''}.`, 'model', 404);
    }
    if (!opts.contextTokens && loose?.contextTokens) engine.ctx = loose.contextTokens;
    opts.onLoadProgress?.({ stage: 'llm', done: 1, total: 1, message: `${engine.model} at ${engine.baseUrl}` });
    return engine;
  }

  /** Context window in tokens; 0 until known (given, listed by the server, or named in an overflow). */
  get contextTokens(): number {
    return this.ctx;
  }

  async generate(messages: ChatMessage[], opts: GenerateOptions = {}): Promise<GenerateResult> {
    const wantJson = opts.json === true && this.jsonMode;
    const request: Record<string, unknown> = {
      model: this.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      stream: false,
    };
    if (opts.maxTokens !== undefined) request.max_tokens = Math.max(1, Math.floor(opts.maxTokens));
    if (opts.temperature !== undefined) request.temperature = opts.temperature;
    if (wantJson) request.response_format = { type: 'json_object' };

    let { res, body, ms } = await this.post(request, opts.signal);
    if (!res.ok && wantJson && (res.status === 400 || res.status === 422 || res.status === 501) && JSON_MODE_ERROR.test(body) && !CONTEXT_ERROR.test(body)) {
      // This server does not do JSON mode: ask again without it; the prompt itself asks for JSON.
      this.jsonMode = false;
      delete request.response_format;
      ({ res, body, ms } = await this.post(request, opts.signal));
    }
    if (!res.ok) {
      if ((res.status === 400 || res.status === 413 || res.status === 422) && CONTEXT_ERROR.test(body)) {
        const ctx = contextFromError(body);
        if (ctx) this.ctx = ctx;
        throw new ContextOverflowError(`The prompt does not fit the model's context: ${serverMessage(body)}`, promptTokensFromError(body) ?? estimateMessagesTokens(messages), ctx ?? (this.ctx || undefined));
      }
      throw httpError(this.r, res.status, body, this.model);
    }

    let j: ChatAnswer;
    try {
      j = JSON.parse(body) as ChatAnswer;
    } catch {
      throw new OpenAiError(`The LLM server's answer is not JSON: ${body.slice(0, 120)}`, 'bad-answer', res.status);
    }
    const choice = j.choices?.[0];
    const content = choice?.message?.content ?? choice?.text;
    if (typeof content !== 'string') throw new OpenAiError('The LLM server answered without a message.', 'bad-answer', res.status);
    const promptTokens = positiveInt(j.usage?.prompt_tokens);
    const completionTokens = positiveInt(j.usage?.completion_tokens) ?? positiveInt(j.timings?.predicted_n);
    const serverRate = j.timings?.predicted_per_second;
    const tokensPerSecond =
      typeof serverRate === 'number' && serverRate > 0 ? serverRate : ms > 0 ? ((completionTokens ?? estimateTokens(content)) * 1000) / ms : undefined;
    return { text: content, promptTokens, completionTokens, tokensPerSecond };
  }

  private post(request: Record<string, unknown>, signal?: AbortSignal): Promise<{ res: Response; body: string; ms: number }> {
    return send(this.r, '/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) }, signal);
  }
}
