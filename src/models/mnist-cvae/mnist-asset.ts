/**
 * Reads an asset in Node (package.json maps #mnist-asset here by default; mnist-asset.browser.ts under
 * the `browser` condition). The assets ship in the package's assets/ folder: the package root is the
 * nearest folder above this module that holds a package.json — the checkout when run from sources
 * (src/models/mnist-cvae/), the installed package when bundled (dist/, dist/chunks/).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssetName } from './asset-name.js';

export function assetPath(name: AssetName): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'assets', name);
    if (dirname(dir) === dir) throw new Error(`assets/${name}: no package.json above ${here} to find the package's assets/ folder in`);
  }
}

export async function readAsset(name: AssetName): Promise<Uint8Array> {
  const path = assetPath(name);
  if (!existsSync(path)) throw new Error(`assets/${name} is missing: ${path} does not exist (it is committed in the repository and listed in package.json files)`);
  return new Uint8Array(await readFile(path));
}
