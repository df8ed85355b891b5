// A Rolldown plugin for the engine's `import text from './x.wgsl?raw'` (the file's text, as Vite
// does), shared by the browser build (scripts/build-browser.mjs) and the GPU bench bundle
// (scripts/gpu-bench-bundle.mjs).
import { readFile } from 'node:fs/promises';

export const rawText = {
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
