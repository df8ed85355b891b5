#!/usr/bin/env node
// Builds the package's browser modules (dist/browser): the library (index.js), <synthloop-chart>
// (chart.js) and the chart's engine worker (worker.js) in one Rolldown build, so all three share
// one copy of the engine (chunks beside them). Dependencies stay imports for the user's bundler;
// #node-gpu resolves to its browser stub (package.json `imports`), so no Dawn or node:* code is in.
// Not Vite's library mode: it would inline the worker (a second engine); here the chart keeps
// `new Worker(new URL('./worker.js', import.meta.url))`, which the user's bundler follows.
import { readFile } from 'node:fs/promises';
import { build } from 'rolldown';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const dependencies = Object.keys(pkg.dependencies ?? {});
const isDependency = (id) => dependencies.some((name) => id === name || id.startsWith(`${name}/`));

/** `import text from './x.wgsl?raw'`: the file's text, as Vite does. */
const rawText = {
  name: 'raw-text',
  async resolveId(source, importer) {
    if (!source.endsWith('?raw')) return null;
    const resolved = await this.resolve(source.slice(0, -'?raw'.length), importer, { skipSelf: true });
    return resolved && `${resolved.id}?raw`;
  },
  async load(id) {
    if (!id.endsWith('?raw')) return null;
    return `export default ${JSON.stringify(await readFile(id.slice(0, -'?raw'.length), 'utf8'))};`;
  },
};

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

await build({
  input: { index: 'src/index.ts', chart: 'src/chart/index.ts', worker: 'src/chart/worker.ts' },
  platform: 'browser',
  external: isDependency,
  plugins: [rawText, builtWorkerUrl],
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
