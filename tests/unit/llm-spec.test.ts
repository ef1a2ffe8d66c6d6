// The --llm ENGINE:MODEL parser, its inverse, secret-free copies, errors that cross workers, and
// createEngine for the engines that need no model files ('none', 'openai' over real HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextOverflowError } from '../../src/core/llm/engine';
import { OpenAiEngine } from '../../src/core/llm/openai';
import { DEFAULT_TRANSFORMERS_LLM, createEngine, formatEngineSpec, parseEngineSpec, publicEngineSpec, reviveLlmError, type EngineSpec } from '../../src/core/llm/spec';
import { startOpenAiTestServer, type TestServer } from '../support/openai-test-server.mjs';

describe('parseEngineSpec', () => {
  it('reads none, webllm with and without a model', () => {
    expect(parseEngineSpec('none')).toEqual({ kind: 'none' });
    expect(parseEngineSpec(' NONE ')).toEqual({ kind: 'none' });
    expect(parseEngineSpec('webllm')).toEqual({ kind: 'webllm', model: '' });
    expect(parseEngineSpec('webllm:Qwen2.5-1.5B-Instruct-q4f32_1-MLC')).toEqual({ kind: 'webllm', model: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
  });

  it('reads transformers with model, dtype and the caller’s defaults', () => {
    expect(parseEngineSpec('transformers:onnx-community/Qwen2.5-0.5B-Instruct')).toEqual({
      kind: 'transformers',
      model: 'onnx-community/Qwen2.5-0.5B-Instruct',
      dtype: 'q4',
      device: 'auto',
      source: { kind: 'hub' },
    });
    expect(parseEngineSpec('transformers')).toMatchObject({ model: DEFAULT_TRANSFORMERS_LLM, dtype: 'q4' });
    const s = parseEngineSpec('transformers:org/tiny-llm@FP32', { source: { kind: 'same-origin', baseUrl: '/models' }, device: 'wasm' });
    expect(s).toEqual({ kind: 'transformers', model: 'org/tiny-llm', dtype: 'fp32', device: 'wasm', source: { kind: 'same-origin', baseUrl: '/models' } });
    expect(parseEngineSpec('transformers:org/m', { dtype: 'q8' })).toMatchObject({ dtype: 'q8' });
  });

  it('reads openai with the model after the last #, and the API key only from the caller', () => {
    expect(parseEngineSpec('openai:http://127.0.0.1:8080/v1#qwen2.5')).toEqual({ kind: 'openai', baseUrl: 'http://127.0.0.1:8080/v1', model: 'qwen2.5' });
    expect(parseEngineSpec('openai:http://localhost:11434/v1#llama3.2:3b')).toEqual({ kind: 'openai', baseUrl: 'http://localhost:11434/v1', model: 'llama3.2:3b' });
    expect(parseEngineSpec('openai:https://api.example.com/v1')).toEqual({ kind: 'openai', baseUrl: 'https://api.example.com/v1', model: '' });
    expect(parseEngineSpec('openai:http://h:1/v1#m', { apiKey: 'sk-1' })).toEqual({ kind: 'openai', baseUrl: 'http://h:1/v1', model: 'm', apiKey: 'sk-1' });
  });

  it('refuses what it cannot read, saying what it takes', () => {
    expect(() => parseEngineSpec('gpt4')).toThrow(/unknown LLM engine "gpt4"[\s\S]*openai:BASE_URL#MODEL/);
    expect(() => parseEngineSpec('')).toThrow(/unknown LLM engine/);
    expect(() => parseEngineSpec('none:foo')).toThrow(/takes no model/);
    expect(() => parseEngineSpec('openai')).toThrow(/needs the server address/);
    expect(() => parseEngineSpec('openai:localhost:8080#m')).toThrow(/not an http\(s\) address/);
    expect(() => parseEngineSpec('transformers:org/m@q3')).toThrow(/unknown dtype "q3"/);
    expect(() => parseEngineSpec('transformers:not a model')).toThrow(/not a model id/);
  });

  it('formats back to the same text (without the key), and round-trips', () => {
    const texts = ['none', 'webllm', 'webllm:SmolLM2-360M-Instruct-q4f32_1-MLC', 'transformers:org/m@q8', 'openai:http://127.0.0.1:8080/v1#qwen2.5', 'openai:http://127.0.0.1:8080/v1'];
    for (const t of texts) {
      const spec = parseEngineSpec(t);
      expect(formatEngineSpec(spec)).toBe(t);
      expect(parseEngineSpec(formatEngineSpec(spec))).toEqual(spec);
    }
    const withKey: EngineSpec = { kind: 'openai', baseUrl: 'http://h/v1', model: 'm', apiKey: 'sk-secret' };
    expect(formatEngineSpec(withKey)).not.toContain('sk-secret');
    expect(publicEngineSpec(withKey)).toEqual({ kind: 'openai', baseUrl: 'http://h/v1', model: 'm' });
    expect(withKey.apiKey).toBe('sk-secret'); // the original is left alone
  });
});

describe('reviveLlmError', () => {
  it('turns a ContextOverflowError that lost its class in postMessage back into one', () => {
    const cloned = Object.assign(new Error('prompt of 5000 tokens > 4096'), { name: 'ContextOverflowError' });
    const revived = reviveLlmError(cloned);
    expect(revived).toBeInstanceOf(ContextOverflowError);
    expect((revived as Error).message).toBe('prompt of 5000 tokens > 4096');
    const other = new Error('boom');
    expect(reviveLlmError(other)).toBe(other);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(reviveLlmError(abort)).toBe(abort);
  });
});

describe('createEngine', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startOpenAiTestServer({ models: ['first-model', 'second-model'] });
  });
  afterAll(async () => {
    await srv.close();
  });

  it("gives null for 'none'", async () => {
    expect(await createEngine({ kind: 'none' })).toBeNull();
  });

  it("connects an 'openai' spec, taking the server's first model when none is named", async () => {
    const progress: string[] = [];
    const e = await createEngine(parseEngineSpec(`openai:${srv.url}`), { onLoadProgress: (p) => progress.push(`${p.stage}:${p.done}/${p.total}`) });
    expect(e).toBeInstanceOf(OpenAiEngine);
    expect(e?.model).toBe('first-model');
    expect(progress).toEqual(['llm:0/1', 'llm:1/1']);
    const named = await createEngine(parseEngineSpec(`openai:${srv.url}#second-model`));
    expect(named?.model).toBe('second-model');
    const r = await named?.generate([{ role: 'user', content: 'hi' }]);
    expect(r?.text).toMatch(/Hello/);
    await expect(createEngine(parseEngineSpec(`openai:${srv.url}#third`))).rejects.toThrow(/no model "third"/);
  });
});
