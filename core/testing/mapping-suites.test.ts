import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTests } from './run-tests.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every *.test.yaml shipped with the mappings, the examples and the ready-made pipelines is part
 * of the test suite: the mappings are tested against the real public samples, and integrators'
 * docs stay true.
 */
describe('shipped *.test.yaml suites', () => {
  it('keel test at the repository root: every suite it collects passes, and it collects those of mappings/, examples/ and pipelines/', async () => {
    const results = await runTests('.', REPO);
    const failures = results.filter((result) => !result.passed).map((result) => `${result.file}:${result.line} ${result.name}\n${result.detail ?? ''}`);
    expect(failures).toEqual([]);
    const folders = new Set(results.map((result) => result.file.split('/')[0]));
    expect([...folders].sort()).toEqual(['examples', 'mappings', 'pipelines']);
    expect(results.filter((result) => result.file.startsWith('mappings/')).length).toBeGreaterThan(3);
  });
});

describe('keel test', () => {
  it('does not collect the suites that fail on purpose (*.failing.yaml) when searching a folder', async () => {
    expect(await runTests('core/testing', REPO)).toEqual([]);
  });

  it('reports a failing expectation with its file and line', async () => {
    const results = await runTests('core/testing/fixtures/wrong-expectation.failing.yaml', REPO);
    expect(results).toEqual([
      expect.objectContaining({ file: 'core/testing/fixtures/wrong-expectation.failing.yaml', line: 5, name: 'a wrong expectation', passed: false }),
      expect.objectContaining({ line: 10, name: 'a right expectation', passed: true }),
    ]);
    expect(results[0]?.detail).toBe('output differs (- expected, + actual):\n  {\n-   "b": "2"\n+   "b": "1"\n  }');
  });

  it('reports every wrong expectation of a routing backtest', async () => {
    const [result] = await runTests('core/testing/fixtures/wrong-backtest-expectations.failing.yaml', REPO);
    expect(result?.passed).toBe(false);
    expect(result?.detail?.split('\n')).toEqual([
      'held is 0, expected 1',
      'split_rate is 0.2, expected ≥ 0.5',
      'parts_per_location: expected {"store-hamburg":1} within {"mfg-porto":1,"store-berlin-mitte":1,"store-muenchen":1,"wh-berlin":2,"wh-hamburg":1}',
      expect.stringMatching(/^figure speed does not exist \(figures: profile, version, orders, /),
      'order callcenter:CC-2003 went store-muenchen:NH-TEE-BLK-M×1, expected wh-berlin:NH-TEE-BLK-M×1',
      'order callcenter:CC-9999 is not among the replayed orders',
      'expect_changed needs route_plan.against',
    ]);
  });
});
