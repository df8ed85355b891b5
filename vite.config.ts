// Builds the Node library and the CLI (`dist/`), inlining the WGSL sources.
import { chmodSync } from 'node:fs';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist',
    // First of the builds (package.json): a clean dist, so no stale chunk is packed.
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
  plugins: [{
    name: 'executable-cli',
    // `npx synthloop` runs dist/cli.js itself, so it must be executable.
    writeBundle(options) {
      chmodSync(`${options.dir}/cli.js`, 0o755);
    },
  }],
});
