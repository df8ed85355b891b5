#!/usr/bin/env node
// Builds the package's browser modules (dist/browser): the library (index.js), <synthloop-chart>
// (chart.js) and the chart's engine worker (worker.js) in one Rolldown build, so all three share
// one copy of the engine (chunks beside them). Dependencies stay imports for the user's bundler;
// #node-gpu resolves to its browser stub (package.json `imports`), so no Dawn or node:* code is in.
// Not Vite's library mode: it would inline the worker (a second engine); here the chart keeps
// `new Worker(new URL('./worker.js', import.meta.url))`, which the user's bundler follows.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'rolldown';
import { rawText } from './raw-text.mjs';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const dependencies = Object.keys(pkg.dependencies ?? {});
const isDependency = (id) => dependencies.some((name) => id === name || id.startsWith(`${name}/`));


/** The chart's worker URL names the source (for Vite in the demo); here it names the built file. */
const builtWorkerUrl = {
  name: 'built-worker-url',
  transform(code, id) {
    if (!/[\\/]src[\\/]chart[\\/]element\.ts$/.test(id)) return null;
    const rewritten = code.replace("new URL('./worker.ts', import.meta.url)", "new URL('./worker.js', import.meta.url)");
    if (rewritten === code) throw new Error(`${id}: the worker URL to rewrite was not found`);
    return rewritten;
  },
};

/**
 * The mnist-cvae assets are fetched from `new URL('../../../assets/<name>', import.meta.url)`, a path
 * from src/models/mnist-cvae/; from the flat dist/browser/ chunks the package's assets/ (shipped by
 * `files`) is two folders up. Rolldown leaves such URLs as they are; the user's bundler (Vite) then
 * follows the rewritten one into node_modules/synthloop/assets/ and emits the file.
 */
const packageAssetUrls = {
  name: 'package-asset-urls',
  transform(code, id) {
    if (!/[\\/]src[\\/]models[\\/]mnist-cvae[\\/]mnist-asset\.browser\.ts$/.test(id)) return null;
    const urls = [...code.matchAll(/new URL\('\.\.\/\.\.\/\.\.\/assets\/([\w.-]+)', import\.meta\.url\)/g)];
    if (urls.length === 0) throw new Error(`${id}: no asset URL to rewrite was found`);
    for (const [, name] of urls) {
      if (!pkg.files.includes(`assets/${name}`) || !existsSync(new URL(`../assets/${name}`, import.meta.url))) {
        throw new Error(`${id}: assets/${name} must exist and be in package.json files`);
      }
    }
    return code.replaceAll("new URL('../../../assets/", "new URL('../../assets/");
  },
};

await build({
  input: { index: 'src/index.ts', chart: 'src/chart/index.ts', worker: 'src/chart/worker.ts' },
  platform: 'browser',
  external: isDependency,
  plugins: [rawText, builtWorkerUrl, packageAssetUrls],
  logLevel: 'warn',
  output: {
    dir: 'dist/browser',
    format: 'es',
    // Flat: the worker URL is relative to the chunk that holds the element.
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    cleanDir: true,
  },
});
