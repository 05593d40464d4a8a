import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTests } from './run-tests.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every *.test.yaml shipped with the mappings and examples is part of the test suite: the
 * mappings are tested against the real public samples, and integrators' docs stay true.
 */
describe('shipped *.test.yaml suites', () => {
  it.each(['mappings', 'examples'])('%s: every test passes', async (folder) => {
    const results = await runTests(folder, REPO);
    const failures = results.filter((result) => !result.passed).map((result) => `${result.file}:${result.line} ${result.name}\n${result.detail ?? ''}`);
    expect(failures).toEqual([]);
    if (folder === 'mappings') expect(results.length).toBeGreaterThan(3);
  });
});

describe('keel test', () => {
  it('reports a failing expectation with its file and line', async () => {
    const results = await runTests('core/testing/fixtures/failing.test.yaml', REPO);
    expect(results).toEqual([
      expect.objectContaining({ file: 'core/testing/fixtures/failing.test.yaml', line: 2, name: 'a wrong expectation', passed: false }),
      expect.objectContaining({ line: 7, name: 'a right expectation', passed: true }),
    ]);
    expect(results[0]?.detail).toBe('output differs (- expected, + actual):\n  {\n-   "b": "2"\n+   "b": "1"\n  }');
  });
});
