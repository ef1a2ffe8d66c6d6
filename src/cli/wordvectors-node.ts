/** Loads the compact word-vector asset from disk for the CLI, building it first when missing. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseWordVectors, type WordVectors } from '../core/embed/wordvectors';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_WORD_VECTORS_PATH = join(ROOT, 'public/assets/generated/glove-sif-100d.bin');

interface BuildModule {
  buildGloveAsset(opts: { out?: string; quiet?: boolean }): Promise<unknown>;
}

export async function loadWordVectorsNode(path: string = DEFAULT_WORD_VECTORS_PATH): Promise<WordVectors> {
  if (!existsSync(path)) {
    // The build script is plain ESM JavaScript shared with `npm run assets`; imported by URL so
    // TypeScript does not need its types.
    const script = pathToFileURL(join(ROOT, 'scripts/build-glove-asset.mjs')).href;
    const mod = (await import(script)) as BuildModule;
    await mod.buildGloveAsset({ out: path, quiet: true });
  }
  const bytes = await readFile(path);
  // Copy into a fresh ArrayBuffer: Node's Buffer may sit at an unaligned offset of a shared pool.
  const buf = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buf).set(bytes);
  return parseWordVectors(buf);
}
