import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'engines/**/*.test.ts', 'connectors/**/*.test.ts', 'cli/**/*.test.ts', 'mappings/**/*.test.ts', 'pipelines/**/*.test.ts', 'test-support/**/*.test.ts'],
    // Tests against real servers (*.real.test.ts) are the second tier, vitest.real.config.ts:
    // `npm test` needs nothing but Node 20 and npm.
    exclude: ['node_modules', 'dist', '**/*.real.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child-process tests (crash, signals) are heavy on 2 cores; run files in parallel but not too many.
    maxWorkers: 2,
  },
});
