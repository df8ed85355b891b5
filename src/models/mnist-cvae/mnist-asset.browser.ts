/**
 * Reads an asset in a page or a worker (package.json maps #mnist-asset here under the `browser`
 * condition). Each URL is a literal `new URL('…', import.meta.url)`, the form bundlers follow: Vite
 * emits the file and rewrites the URL. scripts/build-browser.mjs rewrites the path for dist/browser/
 * (two folders below the package root, where assets/ ships), so the user's bundler finds it there.
 *
 * A worker started from a blob: URL (the demo's stand-alone embed inlines its worker) has no base
 * to resolve those URLs against; the page that starts it resolves them in its own context
 * (`assetUrls`, where this module's URL is the page's script) and hands them over (`useAssetUrls`).
 */
import type { AssetName } from './asset-name.js';

const URLS: Record<AssetName, () => URL> = {
  'mnist-digits.bin': () => new URL('../../../assets/mnist-digits.bin', import.meta.url),
  'mnist-classifier.bin': () => new URL('../../../assets/mnist-classifier.bin', import.meta.url),
};

/** URLs resolved elsewhere (by the page, for its worker): used in place of this module's own. */
const given: Partial<Record<AssetName, string>> = {};

export function assetPath(name: AssetName): string {
  return given[name] ?? URLS[name]().href;
}

/** Every asset's absolute URL as resolved in this context; an asset whose URL cannot be resolved here is left out. */
export function assetUrls(): Partial<Record<AssetName, string>> {
  const urls: Partial<Record<AssetName, string>> = {};
  for (const name of Object.keys(URLS) as AssetName[]) {
    try {
      urls[name] = URLS[name]().href;
    } catch {
      // A blob: module: nothing to resolve against.
    }
  }
  return urls;
}

/** Fetch the assets from these absolute URLs (what `assetUrls` gave in the page that started this worker); unknown names are ignored. */
export function useAssetUrls(urls: Partial<Record<string, string>>): void {
  for (const name of Object.keys(URLS) as AssetName[]) {
    const url = urls[name];
    if (typeof url === 'string') given[name] = new URL(url).href;
  }
}

export async function readAsset(name: AssetName): Promise<Uint8Array> {
  let url: URL;
  try {
    url = given[name] !== undefined ? new URL(given[name]) : URLS[name]();
  } catch {
    // A worker started from a blob: URL (Vite's `?worker&inline`) has no base to resolve the asset against.
    throw new Error(`assets/${name}: its URL cannot be resolved against this module's URL (${import.meta.url}); a worker inlined as a blob: URL `
      + 'fetches the assets only from URLs its page hands it (useAssetUrls; <synthloop-chart> does)');
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
