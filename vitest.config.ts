import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Forks, not threads: PGlite's WASM heap and pg sockets are per process, and a crash in one
    // test file must not take the others down.
    pool: 'forks',
  },
});
