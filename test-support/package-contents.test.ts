import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../', import.meta.url));
/** A ready-made pipeline's own test suites: copied by keel init --from with the project, so they ship. */
const READY_MADE_SUITE = /^pipelines\/[^/]+\/pipelines\/[^/]+\.test\.yaml$/;

/** What `npm publish` would ship, without building first (the test tier built dist/ already). */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  return (pack?.files ?? []).map((file) => file.path);
}

describe('the published package', () => {
  it('holds the engine, its connectors, engines, mappings and conformance kit, and no tests (TypeScript or YAML suites, which read the samples), test helpers, benches or public sample files', () => {
    const files = packedFiles();
    // keel/testing (the conformance kit) and the require() entry that explains Keel is an ES module ship too.
    for (const needed of ['bin/keel.js', 'dist/core/index.js', 'dist/core/conformance/index.js', 'dist/core/conformance/index.d.ts', 'dist/core/esm-only.cjs', 'dist/cli/main.js', 'dist/engines/inventory/index.js', 'dist/connectors/file/index.js', 'mappings/shopify/order.to-canonical.json', 'ops-page/index.html', 'ops-page/ops.js', 'ops-page/ops.css']) {
      expect(files).toContain(needed);
    }
    const unwanted = files.filter((file) => !READY_MADE_SUITE.test(file) && (/^dist\/(bench|test-support)\//.test(file) || /\.test\.|\/samples\/|test-helpers|test-fixtures/.test(file)));
    expect(unwanted).toEqual([]);
  });

  it('holds every ready-made pipeline whole, for keel init --from: keel.yaml, pipelines, their test suites, sample data and README', () => {
    const files = packedFiles();
    const readyMade = readdirSync(join(REPO, 'pipelines'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(readyMade.length).toBeGreaterThanOrEqual(4);
    for (const { name } of readyMade) {
      const inRepo = execFileSync('git', ['ls-files', `pipelines/${name}`], { cwd: REPO, encoding: 'utf8' }).split('\n').filter((file) => file !== '');
      expect(inRepo.filter((file) => !files.includes(file))).toEqual([]);
      expect(inRepo.some((file) => READY_MADE_SUITE.test(file))).toBe(true);
    }
    expect(files).toContain('pipelines/README.md');
    expect(files.filter((file) => /^pipelines\/[^/]+\.test\.ts$/.test(file))).toEqual([]);
  });
});
