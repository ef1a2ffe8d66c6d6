// The pure WebLLM model filter and default pick, on a slice of WebLLM 0.2.86's prebuilt model list
// (records as they appear there, integrity hashes left out), and on the real list from the
// installed package.
import { describe, expect, it } from 'vitest';
import { adapterFacts, familyOf, filterWebLlmModels, needsShaderF16, pickDefaultWebLlmModel, quantOf, webLlmChoiceLabel, type AdapterFacts, type WebLlmModelRecord } from '../../src/core/llm/webllm-models';

const LIB = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/';
const SLICE: (WebLlmModelRecord & { model_lib: string })[] = [
  { model: 'https://huggingface.co/mlc-ai/Llama-3.2-1B-Instruct-q4f32_1-MLC', model_id: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', model_lib: `${LIB}v0_2_86/base/Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm`, vram_required_MB: 1128.82, low_resource_required: true, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC', model_id: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', model_lib: `${LIB}v0_2_86/base/Llama-3.2-1B-Instruct-q4f16_1_cs1k-webgpu.wasm`, vram_required_MB: 879.04, low_resource_required: true, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/Llama-3.1-8B-Instruct-q4f16_1-MLC', model_id: 'Llama-3.1-8B-Instruct-q4f16_1-MLC', model_lib: `${LIB}v0_2_86/base/Llama-3_1-8B-Instruct-q4f16_1_cs1k-webgpu.wasm`, vram_required_MB: 5001, low_resource_required: false, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/DeepSeek-R1-Distill-Qwen-7B-q4f32_1-MLC', model_id: 'DeepSeek-R1-Distill-Qwen-7B-q4f32_1-MLC', model_lib: `${LIB}v0_2_86/base/Qwen2-7B-Instruct-q4f32_1_cs1k-webgpu.wasm`, low_resource_required: false, vram_required_MB: 5900.09, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/Hermes-2-Pro-Mistral-7B-q4f16_1-MLC', model_id: 'Hermes-2-Pro-Mistral-7B-q4f16_1-MLC', model_lib: `${LIB}v0_2_86/base/Mistral-7B-Instruct-v0.3-q4f16_1_cs1k-webgpu.wasm`, vram_required_MB: 4033.28, low_resource_required: false, required_features: ['shader-f16'], overrides: {context_window_size: 4096, sliding_window_size: -1} },
  { model: 'https://huggingface.co/mlc-ai/Phi-3.5-vision-instruct-q4f32_1-MLC', model_id: 'Phi-3.5-vision-instruct-q4f32_1-MLC', model_lib: `${LIB}v0_2_86/base/Phi-3.5-vision-instruct-q4f32_1_cs4k-webgpu.wasm`, vram_required_MB: 7050.65, low_resource_required: false, overrides: {context_window_size: 4096}, model_type: 2 },
  { model: 'https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f16_1-MLC', model_id: 'SmolLM2-360M-Instruct-q4f16_1-MLC', model_lib: `${LIB}v0_2_86/base/SmolLM2-360M-Instruct-q4f16_1_cs1k-webgpu.wasm`, vram_required_MB: 376.06, low_resource_required: true, required_features: ['shader-f16'], overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC', model_id: 'SmolLM2-360M-Instruct-q4f32_1-MLC', model_lib: `${LIB}v0_2_86/base/SmolLM2-360M-Instruct-q4f32_1_cs1k-webgpu.wasm`, vram_required_MB: 579.61, low_resource_required: true, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/SmolLM2-135M-Instruct-q0f32-MLC', model_id: 'SmolLM2-135M-Instruct-q0f32-MLC', model_lib: `${LIB}v0_2_86/base/SmolLM2-135M-Instruct-q0f32_cs1k-webgpu.wasm`, vram_required_MB: 719.38, low_resource_required: true, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/gemma-2-2b-it-q4f16_1-MLC', model_id: 'gemma-2-2b-it-q4f16_1-MLC-1k', model_lib: `${LIB}v0_2_86/base/gemma-2-2b-it-q4f16_1_cs1k-webgpu.wasm`, vram_required_MB: 1583.3, low_resource_required: true, required_features: ['shader-f16'], overrides: {context_window_size: 1024} },
  { model: 'https://huggingface.co/mlc-ai/gemma-2-2b-it-q4f32_1-MLC', model_id: 'gemma-2-2b-it-q4f32_1-MLC-1k', model_lib: `${LIB}v0_2_86/base/gemma-2-2b-it-q4f32_1_cs1k-webgpu.wasm`, vram_required_MB: 1884.75, low_resource_required: true, overrides: {context_window_size: 1024} },
  { model: 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC', model_id: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', model_lib: `${LIB}v0_2_86/base/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm`, low_resource_required: true, vram_required_MB: 1060.2, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q0f16-MLC', model_id: 'Qwen2.5-0.5B-Instruct-q0f16-MLC', model_lib: `${LIB}v0_2_86/base/Qwen2-0.5B-Instruct-q0f16_cs1k-webgpu.wasm`, low_resource_required: true, vram_required_MB: 1624.12, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/Qwen2.5-1.5B-Instruct-q4f16_1-MLC', model_id: 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC', model_lib: `${LIB}v0_2_86/base/Qwen2-1.5B-Instruct-q4f16_1_cs1k-webgpu.wasm`, low_resource_required: true, vram_required_MB: 1629.75, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/Qwen2.5-1.5B-Instruct-q4f32_1-MLC', model_id: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC', model_lib: `${LIB}v0_2_86/base/Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm`, low_resource_required: true, vram_required_MB: 1888.97, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/Llama-3.1-70B-Instruct-q3f16_1-MLC', model_id: 'Llama-3.1-70B-Instruct-q3f16_1-MLC', model_lib: `${LIB}v0_2_86/base/Llama-3_1-70B-Instruct-q3f16_1_cs1k-webgpu.wasm`, vram_required_MB: 31153.13, low_resource_required: false, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/gemma-2b-it-q4f32_1-MLC', model_id: 'gemma-2b-it-q4f32_1-MLC', model_lib: `${LIB}v0_2_86/base/gemma-2b-it-q4f32_1_cs1k-webgpu.wasm`, vram_required_MB: 1750.66, low_resource_required: false, buffer_size_required_bytes: 262144000, overrides: {context_window_size: 4096} },
  { model: 'https://huggingface.co/mlc-ai/snowflake-arctic-embed-s-q0f32-MLC', model_id: 'snowflake-arctic-embed-s-q0f32-MLC-b4', model_lib: `${LIB}v0_2_86/base/snowflake-arctic-embed-s-q0f32-ctx512_cs512_batch4-webgpu.wasm`, vram_required_MB: 238.71, model_type: 1 },
];

/** SwiftShader in headless Chromium: no shader-f16, 128 MiB storage bindings. */
const SWIFTSHADER: AdapterFacts = { features: ['bgra8unorm-storage', 'depth32float-stencil8', 'float32-filterable', 'texture-compression-bc'], maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456, vendor: 'google', architecture: 'swiftshader' };
/** A discrete GPU with f16 shaders and 1 GiB bindings. */
const DISCRETE: AdapterFacts = { features: ['shader-f16', 'subgroups', 'float32-filterable'], maxStorageBufferBindingSize: 1073741824, maxBufferSize: 4294967296 };

const ids = (r: { offered: { id: string }[] }): string[] => r.offered.map((c) => c.id);

describe('model ids', () => {
  it('reads quantisation and family', () => {
    expect(quantOf('Qwen2.5-1.5B-Instruct-q4f16_1-MLC')).toBe('q4f16_1');
    expect(quantOf('SmolLM2-135M-Instruct-q0f32-MLC')).toBe('q0f32');
    expect(quantOf('gemma-2-2b-it-q4f32_1-MLC-1k')).toBe('q4f32_1');
    expect(quantOf('Llama-3.1-70B-Instruct-q3f16_1-MLC')).toBe('q3f16_1');
    expect(quantOf('custom-model')).toBe('');
    expect(familyOf('gemma-2-2b-it-q4f32_1-MLC-1k')).toBe('gemma-2-2b-it');
    expect(familyOf('Qwen2.5-0.5B-Instruct-q0f16-MLC')).toBe('Qwen2.5-0.5B-Instruct');
  });

  it('knows f16 models need shader-f16 even where the record does not say so', () => {
    const rec = (id: string): WebLlmModelRecord => SLICE.find((r) => r.model_id === id) as WebLlmModelRecord;
    expect(rec('Qwen2.5-1.5B-Instruct-q4f16_1-MLC').required_features).toBeUndefined();
    expect(needsShaderF16(rec('Qwen2.5-1.5B-Instruct-q4f16_1-MLC'))).toBe(true);
    expect(needsShaderF16(rec('Qwen2.5-0.5B-Instruct-q0f16-MLC'))).toBe(true);
    expect(needsShaderF16(rec('Hermes-2-Pro-Mistral-7B-q4f16_1-MLC'))).toBe(true);
    expect(needsShaderF16(rec('Qwen2.5-1.5B-Instruct-q4f32_1-MLC'))).toBe(false);
  });
});

describe('filterWebLlmModels', () => {
  it('offers only f32 chat models without shader-f16, and says why each other one was dropped', () => {
    const r = filterWebLlmModels(SLICE, SWIFTSHADER);
    expect(ids(r)).toEqual([
      'Llama-3.2-1B-Instruct-q4f32_1-MLC',
      'DeepSeek-R1-Distill-Qwen-7B-q4f32_1-MLC',
      'SmolLM2-360M-Instruct-q4f32_1-MLC',
      'SmolLM2-135M-Instruct-q0f32-MLC',
      'gemma-2-2b-it-q4f32_1-MLC-1k',
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
      'Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
    ]);
    expect(r.offered.every((c) => !c.f16 && /f32/.test(c.quant))).toBe(true);
    const why = Object.fromEntries(r.dropped.map((d) => [d.id, d.reason]));
    expect(why['Qwen2.5-1.5B-Instruct-q4f16_1-MLC']).toMatch(/shader-f16/);
    expect(why['Phi-3.5-vision-instruct-q4f32_1-MLC']).toBe('vision model');
    expect(why['snowflake-arctic-embed-s-q0f32-MLC-b4']).toBe('embedding model');
    expect(why['gemma-2b-it-q4f32_1-MLC']).toMatch(/262144000 bytes; the adapter allows 134217728/);
    expect(r.offered.length + r.dropped.length).toBe(SLICE.length);
    const gemma = r.offered.find((c) => c.id.startsWith('gemma'));
    expect(gemma).toMatchObject({ family: 'gemma-2-2b-it', quant: 'q4f32_1', contextTokens: 1024, vramMB: 1884.75, lowResource: true });
    expect(webLlmChoiceLabel(gemma!)).toBe('gemma-2-2b-it · q4f32_1 · 1.8 GB · 1k context');
    expect(webLlmChoiceLabel(r.offered.find((c) => c.id === 'SmolLM2-360M-Instruct-q4f32_1-MLC')!)).toBe('SmolLM2-360M-Instruct · q4f32_1 · 580 MB · 4k context');
  });

  it('offers f16 and f32 variants with shader-f16, and drops what needs more VRAM than known', () => {
    const all = filterWebLlmModels(SLICE, DISCRETE);
    expect(ids(all)).toContain('Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
    expect(ids(all)).toContain('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
    expect(ids(all)).toContain('Llama-3.1-70B-Instruct-q3f16_1-MLC');
    expect(ids(all)).toContain('gemma-2b-it-q4f32_1-MLC');
    const small = filterWebLlmModels(SLICE, { ...DISCRETE, vramMB: 1700 });
    expect(small.offered.every((c) => (c.vramMB ?? 0) <= 1700)).toBe(true);
    expect(ids(small)).toContain('Qwen2.5-1.5B-Instruct-q4f16_1-MLC'); // 1629.75 MB
    expect(ids(small)).not.toContain('Qwen2.5-1.5B-Instruct-q4f32_1-MLC'); // 1888.97 MB
    expect(small.dropped.find((d) => d.id === 'Llama-3.1-70B-Instruct-q3f16_1-MLC')?.reason).toMatch(/31153 MB of GPU memory; about 1700 MB/);
  });

  it('drops models needing another feature the adapter lacks', () => {
    const rec: WebLlmModelRecord = { model_id: 'X-1B-Instruct-q4f32_1-MLC', required_features: ['subgroups'] };
    expect(filterWebLlmModels([rec], SWIFTSHADER).dropped[0].reason).toMatch(/'subgroups'/);
    expect(filterWebLlmModels([rec], DISCRETE).offered).toHaveLength(1);
  });
});

describe('pickDefaultWebLlmModel', () => {
  it('takes the preferred family, f16 where it can run, else f32', () => {
    expect(pickDefaultWebLlmModel(filterWebLlmModels(SLICE, DISCRETE).offered)?.id).toBe('Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
    expect(pickDefaultWebLlmModel(filterWebLlmModels(SLICE, SWIFTSHADER).offered)?.id).toBe('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
  });

  it('moves down the preference list when the first family is not offered', () => {
    const noQwen15 = filterWebLlmModels(SLICE, SWIFTSHADER).offered.filter((c) => c.family !== 'Qwen2.5-1.5B-Instruct');
    expect(pickDefaultWebLlmModel(noQwen15)?.id).toBe('Llama-3.2-1B-Instruct-q4f32_1-MLC');
  });

  it('falls back to the smallest instruction model, never a reasoning one, and to nothing on an empty list', () => {
    const offered = filterWebLlmModels(SLICE, SWIFTSHADER).offered;
    const pick = pickDefaultWebLlmModel(offered, ['No-Such-Family']);
    expect(pick?.id).toBe('SmolLM2-360M-Instruct-q4f32_1-MLC');
    const onlyR1 = offered.filter((c) => c.id.startsWith('DeepSeek') || c.id.startsWith('SmolLM2-360M'));
    expect(pickDefaultWebLlmModel(onlyR1, [])?.id).toBe('SmolLM2-360M-Instruct-q4f32_1-MLC');
    expect(pickDefaultWebLlmModel([])).toBeUndefined();
  });
});

describe('adapterFacts', () => {
  it('reads a GPUAdapter-like object into plain facts', () => {
    const facts = adapterFacts({ features: new Set(['timestamp-query', 'shader-f16']), limits: { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 }, info: { vendor: 'google', architecture: 'swiftshader' } });
    expect(facts).toEqual({ features: ['shader-f16', 'timestamp-query'], maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28, vramMB: undefined, vendor: 'google', architecture: 'swiftshader' });
  });
});

describe('the installed WebLLM list', () => {
  it('still has the shape the filter reads, and a default for both adapters', async () => {
    const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
    const list = prebuiltAppConfig.model_list as WebLlmModelRecord[];
    expect(list.length).toBeGreaterThan(50);
    const sw = filterWebLlmModels(list, SWIFTSHADER);
    expect(sw.offered.length).toBeGreaterThan(10);
    expect(sw.offered.every((c) => /^q\d+f32/.test(c.quant))).toBe(true);
    expect(pickDefaultWebLlmModel(sw.offered)?.quant).toMatch(/^q4f32/);
    const gpu = filterWebLlmModels(list, DISCRETE);
    expect(gpu.offered.length).toBeGreaterThan(sw.offered.length);
    expect(pickDefaultWebLlmModel(gpu.offered)?.f16).toBe(true);
  });
});
