import { defineConfig } from 'vitest/config';
import { REAL_SERVER_TESTS } from './test-support/real-server-tier.js';

/**
 * `npm run test:real`: the tests against real servers, listed in test-support/real-server-tier.ts.
 * A server that is missing fails its tests (the test support says how to install it); nothing
 * here is skipped, and .ci/run fails the tier if anything is.
 */
export default defineConfig({
  test: {
    include: REAL_SERVER_TESTS.flatMap((tests) => tests.include),
    exclude: ['node_modules', 'dist'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each test starts its own server processes; two files at a time keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
