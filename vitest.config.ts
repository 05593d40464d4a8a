import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'connectors/**/*.test.ts', 'cli/**/*.test.ts', 'mappings/**/*.test.ts', 'test-support/**/*.test.ts'],
    exclude: ['node_modules', 'dist'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child-process tests (crash, signals) are heavy on 2 cores; run files in parallel but not too many.
    maxWorkers: 2,
  },
});
