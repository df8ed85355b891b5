// Builds the interactive demo (demo/dist): the page (index.html) and the embeddable element as one
// self-contained module, synthloop-chart.js (engine, charts and its worker inlined).
// The engine's Node adapter (#node-gpu: Dawn) resolves to its browser stub here by package.json's
// `browser` condition: a page without navigator.gpu has no adapter, and runs fall back to the CPU twin.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
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
  plugins: [devEmbedScript()],
  // The worker is inlined (a blob: URL), so it must be one file: no chunks to import.
  worker: { format: 'es', rollupOptions: { output: { codeSplitting: false } } },
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
