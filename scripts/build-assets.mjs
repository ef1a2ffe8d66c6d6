#!/usr/bin/env node
// Generated, git-ignored assets the page needs: the compact GloVe word vectors (built from the npm
// package) and links to any model folders in ../shared/models. Fast when already up to date.
import { buildGloveAsset } from './build-glove-asset.mjs';
import { linkModels } from './link-models.mjs';

await buildGloveAsset({});
await linkModels();
