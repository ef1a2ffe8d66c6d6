import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { directiveSources, sourcesAllow } from '../../src/app/csp';
import { addConnectSources, excludedOutput, excludedPublicFile, shellManifest } from '../../scripts/offline-build.mjs';

const HTML = readFileSync(join(import.meta.dirname, '../../index.html'), 'utf8');
const POLICY = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(HTML)![1];
const PAGE = new URL('https://someone.github.io/constellate/');

function allowed(url: string, policy = POLICY, page = PAGE): boolean {
  return sourcesAllow(directiveSources(policy, 'connect-src'), new URL(url), page);
}

describe("index.html's connect-src, read back by the page", () => {
  test('allows the page origin, the Hugging Face hub and its CDNs, WebLLM libraries, local servers', () => {
    for (const u of [
      'https://someone.github.io/constellate/assets/x.bin',
      'https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/config.json',
      'https://cdn-lfs.huggingface.co/repos/x',
      'https://cas-bridge.xethub.hf.co/xet-bridge-us/x',
      'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/x.wasm',
      'http://127.0.0.1:8080/v1/chat/completions',
      'http://localhost:11434/v1/models',
      'https://localhost:1234/v1/models',
    ]) {
      expect(allowed(u), u).toBe(true);
    }
  });

  test('refuses everything else', () => {
    for (const u of [
      'https://api.openai.com/v1/chat/completions',
      'https://someone-else.github.io/x',
      'http://someone.github.io/constellate/', // a downgrade of the page's own scheme
      'https://evilhuggingface.co/x',
      'https://huggingface.co.evil.example/x',
      'http://huggingface.co/x',
      'http://127.0.0.2:8080/v1',
      'http://192.168.1.5:8080/v1',
      'https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/ort.wasm',
    ]) {
      expect(allowed(u), u).toBe(false);
    }
  });

  test('falls back to default-src, and allows everything without a policy', () => {
    expect(directiveSources("default-src 'self'; img-src data:", 'connect-src')).toEqual(["'self'"]);
    expect(directiveSources("img-src data:", 'connect-src')).toBeNull();
    expect(allowed('https://anywhere.example/', '')).toBe(true);
    expect(allowed('https://anywhere.example/', "default-src 'none'")).toBe(false);
  });

  test('host sources: schemes, upgrades, ports, wildcards and paths', () => {
    const p = 'connect-src https: http://a.example *.b.example:* https://c.example/v1/ https://d.example/exact';
    expect(allowed('https://any.example/', p)).toBe(true); // https: allows every https URL
    expect(allowed('https://a.example/', p)).toBe(true); // http source, upgraded
    expect(allowed('http://a.example:8080/', 'connect-src http://a.example')).toBe(false); // default port only
    expect(allowed('https://x.y.b.example:9/', p)).toBe(true); // no scheme: the page's (https)
    expect(allowed('https://b.example/', 'connect-src *.b.example')).toBe(false); // * needs a subdomain
    expect(allowed('http://x.b.example/', 'connect-src *.b.example')).toBe(false); // page is https
    expect(allowed('https://c.example/v1/models', 'connect-src https://c.example/v1/')).toBe(true);
    expect(allowed('https://c.example/v2/models', 'connect-src https://c.example/v1/')).toBe(false);
    expect(allowed('https://d.example/exact', 'connect-src https://d.example/exact')).toBe(true);
    expect(allowed('https://d.example/exact/more', 'connect-src https://d.example/exact')).toBe(false);
    expect(allowed('https://a.example/', "connect-src 'unsafe-inline'")).toBe(false);
  });
});

describe('build helpers', () => {
  test('CONSTELLATE_CONNECT_SRC origins join connect-src, and nothing else changes', () => {
    const out = addConnectSources(HTML, ' https://llm.example.org  http://10.0.0.5:8080 ');
    const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(out)![1];
    expect(directiveSources(policy, 'connect-src')!.slice(0, 3)).toEqual(['https://llm.example.org', 'http://10.0.0.5:8080', "'self'"]);
    expect(out.replace(' https://llm.example.org http://10.0.0.5:8080', '')).toBe(HTML);
    expect(() => addConnectSources(HTML, '*')).toThrow(/origins/);
    expect(() => addConnectSources(HTML, "https://a.example; script-src 'unsafe-inline'")).toThrow(/origins/);
    expect(() => addConnectSources('<html></html>', 'https://a.example')).toThrow(/no Content-Security-Policy/);
  });

  test('the precache list leaves out maps, sw.js, models and notes; its version follows the contents', () => {
    expect(excludedOutput('assets/index-abc.js.map')).toBe(true);
    expect(excludedOutput('sw.js')).toBe(true);
    expect(excludedOutput('assets/index-abc.js')).toBe(false);
    expect(excludedPublicFile('models/org/name/config.json')).toBe(true);
    expect(excludedPublicFile('samples/README.md')).toBe(true);
    expect(excludedPublicFile('.well-known/x')).toBe(true);
    expect(excludedPublicFile('samples/support-tickets.jsonl')).toBe(false);
    const a = shellManifest(new Map<string, string | Uint8Array>([['b.js', 'x'], ['a.bin', new Uint8Array([1, 2])]]));
    expect(a.list).toEqual(['a.bin', 'b.js']);
    expect(shellManifest(new Map<string, string | Uint8Array>([['a.bin', new Uint8Array([1, 2])], ['b.js', 'x']])).version).toBe(a.version);
    expect(shellManifest(new Map<string, string | Uint8Array>([['a.bin', new Uint8Array([1, 3])], ['b.js', 'x']])).version).not.toBe(a.version);
  });
});
