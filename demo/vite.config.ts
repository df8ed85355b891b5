// Builds the interactive demo (demo/dist): the page (index.html) and the embeddable element as one
// self-contained module, synthloop-chart.js (engine, charts and its worker inlined).
// The engine's Node adapter source (src/gpu/node-gpu.ts: Dawn's `webgpu`, node:fs) is replaced by a
// stub: a page without navigator.gpu has no adapter, and the engine falls back to the CPU twin.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const NODE_GPU = /[\\/]src[\\/]gpu[\\/]node-gpu\.(ts|js)$/;

function browserOnly(): Plugin {
  return {
    name: 'synthloop-browser-only',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !/node-gpu(\.js)?$/.test(source)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved && NODE_GPU.test(resolved.id) ? here('./src/node-gpu-stub.ts') : null;
    },
  };
}

/** In the dev server, /synthloop-chart.js (the embed snippet's script) is the element's source. */
function devEmbedScript(): Plugin {
  return {
    name: 'synthloop-dev-embed-script',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        if (req.url === '/synthloop-chart.js') req.url = '/src/embed.ts';
        next();
      });
    },
  };
}

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: here('./public'),
  plugins: [browserOnly(), devEmbedScript()],
  // The worker is inlined (a blob: URL), so it must be one file: no chunks to import.
  worker: { format: 'es', plugins: () => [browserOnly()], rollupOptions: { output: { codeSplitting: false } } },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { index: here('./index.html'), 'synthloop-chart': here('./src/embed.ts') },
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (chunk.name === 'synthloop-chart' ? 'synthloop-chart.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
