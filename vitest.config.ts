import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Dawn's native addon segfaults under worker threads; each file gets its own process.
    pool: 'forks',
    setupFiles: ['test/helpers/quiet-native.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
