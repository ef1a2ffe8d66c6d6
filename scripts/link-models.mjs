#!/usr/bin/env node
// Links every model folder under ../shared/models (transformers.js layout: <org>/<name>/config.json)
// into public/models/<org>/<name>, so the page's same-origin model source can serve them offline.
// public/models is git-ignored. A no-op with one line of output when there are none.
//   node scripts/link-models.mjs [sharedModelsDir]
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SHARED = resolve(ROOT, '../shared/models');
export const PUBLIC_MODELS = join(ROOT, 'public/models');

function dirs(path) {
  try {
    return readdirSync(path, { withFileTypes: true }).filter((d) => d.isDirectory() || d.isSymbolicLink()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** Returns the model ids linked ("org/name"); logs one line per link, or one line when none. */
export function linkModels({ shared = DEFAULT_SHARED, target = PUBLIC_MODELS, log = console.log } = {}) {
  const linked = [];
  for (const org of dirs(shared)) {
    for (const name of dirs(join(shared, org))) {
      const src = join(shared, org, name);
      if (!existsSync(join(src, 'config.json'))) continue;
      const dest = join(target, org, name);
      mkdirSync(dirname(dest), { recursive: true });
      // A relative link keeps working if the checkout and shared/ move together.
      const rel = relative(dirname(dest), src);
      let stat = null;
      try {
        stat = lstatSync(dest);
      } catch {
        /* not there yet */
      }
      if (stat?.isSymbolicLink()) {
        if (readlinkSync(dest) === rel) {
          linked.push(`${org}/${name}`);
          continue;
        }
        unlinkSync(dest);
      } else if (stat) {
        log(`Skipped ${org}/${name}: ${dest} exists and is not a link.`);
        continue;
      }
      symlinkSync(rel, dest, 'dir');
      linked.push(`${org}/${name}`);
      log(`Linked ${org}/${name} → ${dest}`);
    }
  }
  if (linked.length === 0) log(`No models under ${shared} (expected <org>/<name>/config.json); nothing linked.`);
  return linked;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  linkModels(process.argv[2] ? { shared: resolve(process.argv[2]) } : {});
}
