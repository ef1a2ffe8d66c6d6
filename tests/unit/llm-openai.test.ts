// The OpenAI-compatible engine over real HTTP in Node, against tests/support/openai-test-server.mjs:
// JSON mode and its fallback, usage and tokens/s, error mapping (unreachable, 401, 404 model and
// endpoint, 500, context-length 400 → ContextOverflowError with the server's n_ctx), timeout and
// abort; then nameClusters end to end over HTTP with the server misbehaving.
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContextOverflowError, isAbortError, type ChatMessage } from '../../src/core/llm/engine';
import { nameClusters } from '../../src/core/llm/naming';
import { OpenAiEngine, OpenAiError, contextFromError, listModels, listServerModels, normalizeBaseUrl } from '../../src/core/llm/openai';
import { buildNamingPrompt, idsInPrompt, type ClusterForNaming } from '../../src/core/llm/prompts';
import { DEFAULT_MODEL, clustersInPrompt, startOpenAiTestServer, type TestServer } from '../support/openai-test-server.mjs';

let srv: TestServer;
beforeAll(async () => {
  srv = await startOpenAiTestServer();
});
afterAll(async () => {
  await srv.close();
});
afterEach(() => {
  srv.configure({});
  srv.reset();
});

const THEMES: [string[], string[]][] = [
  [['refund', 'card', 'payment'], ['I want a refund for my card payment', 'The card payment was charged twice, please refund', 'Refund the payment to my card']],
  [['password', 'login', 'reset'], ['I cannot login, reset my password', 'Password reset email never arrived', 'Login fails after the password change']],
  [['delivery', 'parcel', 'late'], ['My parcel delivery is late', 'Where is my parcel? The delivery is a week late', 'Late delivery again']],
  [['weather', 'rain', 'sunny'], ['Will it rain tomorrow?', 'Sunny weather all week', 'The weather turned to rain']],
];
const FILLER = ' More details about this case follow here.'.repeat(4);
/**
 * n clusters cycling through the themes. With keywords, samples carry filler so that prompts grow
 * with the batch; without, the samples are the themes' own sentences (titles come from them).
 */
function clusters(n: number, withKeywords = true): ClusterForNaming[] {
  return Array.from({ length: n }, (_, i) => {
    const [kw, samples] = THEMES[i % THEMES.length];
    return { id: `c${i}`, size: 20 + i, keywords: withKeywords ? kw : [], samples: samples.map((s) => (withKeywords ? `${s}.${FILLER}` : s)) };
  });
}
const themeOf = (id: string): string[] => THEMES[Number(id.slice(1)) % THEMES.length][0];

const HELLO: ChatMessage[] = [{ role: 'user', content: 'Say hello.' }];
const engine = (extra: Partial<ConstructorParameters<typeof OpenAiEngine>[0]> = {}): OpenAiEngine => new OpenAiEngine({ baseUrl: srv.url, model: DEFAULT_MODEL, ...extra });

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('test server reads the prompt as the app writes it', () => {
  it('finds the same ids as idsInPrompt, with keywords and samples', () => {
    const p = buildNamingPrompt(clusters(5));
    const text = p.messages.map((m) => m.content).join('\n\n');
    const found = clustersInPrompt(text);
    expect(found.map((c) => c.id)).toEqual(idsInPrompt(text));
    expect(found.map((c) => c.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(found[1].keywords).toEqual(['password', 'login', 'reset']);
    expect(found[2].samples[0]).toMatch(/^My parcel delivery is late/);
  });
});

describe('OpenAiEngine over HTTP', () => {
  it('normalises base URLs', () => {
    expect(normalizeBaseUrl('http://localhost:11434')).toBe('http://localhost:11434/v1');
    expect(normalizeBaseUrl('http://127.0.0.1:8080/v1/')).toBe('http://127.0.0.1:8080/v1');
    expect(normalizeBaseUrl(' https://api.example.com/v1/chat/completions ')).toBe('https://api.example.com/v1');
    expect(normalizeBaseUrl('http://host/proxy/openai/v1')).toBe('http://host/proxy/openai/v1');
    expect(() => normalizeBaseUrl('localhost:8080')).toThrow(/not an http/);
  });

  it('sends the chat request with JSON mode, max_tokens and temperature, and reads usage', async () => {
    const p = buildNamingPrompt(clusters(2));
    const r = await engine().generate(p.messages, { json: true, maxTokens: 300, temperature: 0.2 });
    const [req] = srv.chats();
    expect(req.body?.model).toBe(DEFAULT_MODEL);
    expect(req.body?.response_format).toEqual({ type: 'json_object' });
    expect(req.body?.max_tokens).toBe(300);
    expect(req.body?.temperature).toBe(0.2);
    expect(req.body?.messages).toEqual(p.messages);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBeUndefined();
    const answer = JSON.parse(r.text) as Record<string, { title: string }>;
    expect(Object.keys(answer)).toEqual(['c0', 'c1']);
    expect(answer.c0.title).toBe('Refund, Card and Payment');
    const promptChars = p.messages.map((m) => m.content).join('\n\n').length;
    expect(r.promptTokens).toBe(Math.ceil(promptChars / 4));
    expect(r.completionTokens).toBe(Math.ceil(r.text.length / 4));
    expect(r.tokensPerSecond).toBeGreaterThan(0);
  });

  it('does not send response_format without json, and sends the API key as a bearer token', async () => {
    srv.configure({ apiKey: 'sk-test-123' });
    await engine({ apiKey: 'sk-test-123' }).generate(HELLO, { maxTokens: 10 });
    const [req] = srv.chats();
    expect(req.body?.response_format).toBeUndefined();
    expect(req.headers.authorization).toBe('Bearer sk-test-123');
  });

  it("uses the server's own decode speed when it reports timings (llama.cpp)", async () => {
    srv.configure({ timings: 42.5 });
    const r = await engine().generate(HELLO);
    expect(r.tokensPerSecond).toBe(42.5);
  });

  it('falls back without response_format when the server rejects JSON mode, and remembers it', async () => {
    srv.configure({ rejectJsonMode: true });
    const e = engine();
    const p = buildNamingPrompt(clusters(1));
    const r = await e.generate(p.messages, { json: true });
    expect(JSON.parse(r.text)).toHaveProperty('c0');
    expect(e.jsonMode).toBe(false);
    await e.generate(p.messages, { json: true });
    const chats = srv.chats();
    expect(chats.map((c) => c.status)).toEqual([400, 200, 200]);
    expect(chats.map((c) => c.body?.response_format !== undefined)).toEqual([true, false, false]);
  });

  it('maps a context-length 400 to ContextOverflowError and learns n_ctx (llama.cpp style)', async () => {
    srv.configure({ contextChars: 500, contextTokens: 1024 });
    const e = engine();
    expect(e.contextTokens).toBe(0);
    const err = await e.generate(buildNamingPrompt(clusters(3)).messages, { json: true }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ContextOverflowError);
    expect((err as ContextOverflowError).contextTokens).toBe(1024);
    expect((err as ContextOverflowError).promptTokens).toBeGreaterThan(125);
    expect(e.contextTokens).toBe(1024);
    // Short prompts still go through.
    await expect(e.generate(HELLO)).resolves.toHaveProperty('text');
  });

  it('maps an OpenAI-style context_length_exceeded 400 as well', async () => {
    srv.configure({ contextChars: 400, contextTokens: 2048, errorStyle: 'openai' });
    const e = engine();
    const err = await e.generate(buildNamingPrompt(clusters(2)).messages).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ContextOverflowError);
    expect(e.contextTokens).toBe(2048);
    expect(contextFromError('{"error":{"message":"This model\'s maximum context length is 8192 tokens."}}')).toBe(8192);
    expect(contextFromError('the model is loaded with context length of only 4096 tokens')).toBe(4096);
  });

  it('says what is wrong: 401, 404 model, 404 endpoint, 500', async () => {
    srv.configure({ apiKey: 'right' });
    await expect(engine({ apiKey: 'wrong' }).generate(HELLO)).rejects.toMatchObject({ name: 'OpenAiError', kind: 'auth', status: 401, message: expect.stringMatching(/API key/) });
    srv.configure({});
    await expect(engine({ model: 'no-such-model' }).generate(HELLO)).rejects.toMatchObject({ kind: 'model', status: 404, message: expect.stringContaining('"no-such-model"') });
    await expect(new OpenAiEngine({ baseUrl: `${srv.origin}/api`, model: DEFAULT_MODEL }).generate(HELLO)).rejects.toMatchObject({ kind: 'not-found', message: expect.stringMatching(/ends in \/v1/) });
    srv.configure({ failOnce: true });
    const e = engine();
    await expect(e.generate(HELLO)).rejects.toMatchObject({ kind: 'server', status: 500, message: expect.stringMatching(/failed \(500/) });
    await expect(e.generate(HELLO)).resolves.toHaveProperty('text'); // only once
  });

  it('never puts the API key in an error message', async () => {
    srv.configure({ apiKey: 'right' });
    const err = (await engine({ apiKey: 'sk-secret-value' }).generate(HELLO).catch((x: unknown) => x)) as Error;
    expect(err).toBeInstanceOf(OpenAiError);
    expect(err.message).not.toContain('sk-secret-value');
  });

  it('reports an unreachable server with a CORS hint', async () => {
    const port = await closedPort();
    const err = await new OpenAiEngine({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'x' }).generate(HELLO).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(OpenAiError);
    expect((err as OpenAiError).kind).toBe('unreachable');
    expect((err as Error).message).toMatch(/Could not reach .*127\.0\.0\.1:\d+\/v1\/chat\/completions/);
    expect((err as Error).message).toMatch(/CORS/);
  });

  it('times out a slow server', async () => {
    srv.configure({ delayMs: 400 });
    const t0 = Date.now();
    const err = await engine({ timeoutMs: 100 }).generate(HELLO).catch((x: unknown) => x);
    expect(err).toMatchObject({ name: 'OpenAiError', kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(350);
  });

  it('aborts a request in flight with the signal’s reason, and refuses an aborted signal up front', async () => {
    srv.configure({ delayMs: 500 });
    const ctl = new AbortController();
    const t0 = Date.now();
    const pending = engine().generate(HELLO, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    const err = await pending.catch((x: unknown) => x);
    expect(isAbortError(err)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(400);
    const before = srv.requests.length;
    await expect(engine().generate(HELLO, { signal: AbortSignal.abort() })).rejects.toSatisfy(isAbortError);
    expect(srv.requests.length).toBe(before);
  });

  it('lists the server models; connect() checks the model and takes the listed context', async () => {
    srv.configure({ models: ['alpha', 'beta:latest'], contextTokens: 3000 });
    expect(await listModels({ baseUrl: srv.url })).toEqual(['alpha', 'beta:latest']);
    expect((await listServerModels({ baseUrl: srv.url }))[0]).toEqual({ id: 'alpha', ownedBy: 'constellate-tests', contextTokens: 3000 });
    const progress: number[] = [];
    const e = await OpenAiEngine.connect({ baseUrl: srv.url, model: 'alpha', onLoadProgress: (p) => progress.push(p.done) });
    expect(e.contextTokens).toBe(3000);
    expect(progress).toEqual([0, 1]);
    // Ollama-style tags: "beta" finds "beta:latest".
    await expect(OpenAiEngine.connect({ baseUrl: srv.url, model: 'beta' })).resolves.toBeInstanceOf(OpenAiEngine);
    await expect(OpenAiEngine.connect({ baseUrl: srv.url, model: 'gamma' })).rejects.toMatchObject({ kind: 'model', message: expect.stringContaining('alpha, beta:latest') });
  });
});

describe('nameClusters over HTTP', () => {
  it('names every cluster from a well-behaved server, titles from each cluster’s keywords', async () => {
    const cs = clusters(10);
    const { names, log } = await nameClusters(cs, engine(), { batchSize: 4, backoffMs: 0 });
    expect(log.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(srv.chats().map((c) => c.ids.length)).toEqual([4, 4, 2]);
    for (const c of cs) {
      const n = names.get(c.id);
      expect(n?.source).toBe('llm');
      for (const kw of themeOf(c.id)) expect(n?.title.toLowerCase()).toContain(kw);
    }
    expect(log.every((e) => (e.promptTokens ?? 0) > 0 && (e.completionTokens ?? 0) > 0)).toBe(true);
  });

  it('repairs fences, prose and trailing commas; re-asks for missing ids; rides out a 500', async () => {
    srv.configure({ fences: true, prose: true, trailingCommas: true, missingIds: 'last', failOnce: true });
    const cs = clusters(7, false); // no keywords: titles come from the sample words
    const { names, log } = await nameClusters(cs, engine(), { batchSize: 4, backoffMs: 0, maxRetries: 3 });
    expect(names.size).toBe(7);
    expect([...names.values()].every((n) => n.source === 'llm')).toBe(true);
    expect(log[0].outcome).toBe('error');
    expect(log[0].error).toMatch(/500/);
    expect(log.some((e) => e.outcome === 'partial')).toBe(true);
    const notes = log.flatMap((e) => e.notes);
    expect(notes).toContain('removed markdown code fence');
    expect(notes).toContain('ignored text around the JSON');
    expect(notes).toContain('answer was not strict JSON: parsed leniently');
    // Every id the server dropped was asked for again, and got its name.
    const asked = srv.chats().flatMap((c) => c.ids);
    for (const c of cs) expect(asked.filter((id) => id === c.id).length).toBeGreaterThanOrEqual(1);
    expect(names.get('c1')?.title.toLowerCase()).toMatch(/password|login|reset/);
    expect(names.get('c2')?.title.toLowerCase()).toMatch(/parcel|delivery|late/);
  });

  it('shrinks batches when the server says the prompt is over its context', async () => {
    // A prompt for all 8 clusters is over 5,000 characters, smaller batches are under.
    srv.configure({ contextChars: 5000 });
    const cs = clusters(8);
    const { names, log } = await nameClusters(cs, engine(), { batchSize: 8, backoffMs: 0 });
    expect(names.size).toBe(8);
    expect([...names.values()].every((n) => n.source === 'llm')).toBe(true);
    const overflows = log.filter((e) => e.outcome === 'overflow');
    expect(overflows.length).toBeGreaterThan(0);
    const sent = srv.chats();
    const okSizes = sent.filter((c) => c.status === 200).map((c) => c.ids.length);
    const tooBig = sent.filter((c) => c.status === 400).map((c) => c.ids.length);
    expect(Math.max(...okSizes)).toBeLessThan(Math.min(...tooBig));
    for (const c of sent) {
      const chars = (c.body?.messages ?? []).map((m) => m.content).join('\n\n').length;
      expect(c.status === 400).toBe(chars > 5000);
    }
  });
});
