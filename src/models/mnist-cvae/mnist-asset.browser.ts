/**
 * Reads an asset in a page or a worker (package.json maps #mnist-asset here under the `browser`
 * condition). Each URL is a literal `new URL('…', import.meta.url)`, the form bundlers follow: Vite
 * emits the file and rewrites the URL. scripts/build-browser.mjs rewrites the path for dist/browser/
 * (two folders below the package root, where assets/ ships), so the user's bundler finds it there.
 */
import type { AssetName } from './asset-name.js';

const URLS: Record<AssetName, () => URL> = {
  'mnist-digits.bin': () => new URL('../../../assets/mnist-digits.bin', import.meta.url),
  'mnist-classifier.bin': () => new URL('../../../assets/mnist-classifier.bin', import.meta.url),
};

export function assetPath(name: AssetName): string {
  return URLS[name]().href;
}

export async function readAsset(name: AssetName): Promise<Uint8Array> {
  let url: URL;
  try {
    url = URLS[name]();
  } catch {
    // A worker started from a blob: URL (Vite's `?worker&inline`) has no base to resolve the asset against.
    throw new Error(`assets/${name}: its URL cannot be resolved against this module's URL (${import.meta.url}); a worker inlined as a blob: URL cannot fetch the assets`);
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`assets/${name}: fetching ${url.href} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new Error(`assets/${name}: fetching ${url.href} answered HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
