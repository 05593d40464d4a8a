import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linkDevDependencies, TSC } from '../../test-support/partner-package.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { scaffoldConnectorPackage } from '../scaffold/scaffold-connector.js';
import { fencedBlocks } from './fenced-blocks.js';

/**
 * The root README's TypeScript for partners (```ts file=<path>) is a package's files: put into a
 * package that `keel connector new` wrote, they compile with `tsc --declaration` against this
 * build of keel, with no TypeBox of the package's own.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const files = Object.fromEntries(
  fencedBlocks(README)
    .filter((block) => block.lang === 'ts' && block.attributes['file'] !== undefined)
    .map((block) => [block.attributes['file'] as string, block.body]),
);

let temp: TempProject | undefined;
afterEach(() => temp?.remove());

describe("the README's TypeScript for partners", () => {
  it('shows a connector, steps and the conformance test, the last as the scaffold writes it', () => {
    expect(Object.keys(files).sort()).toEqual(['src/index.ts', 'src/steps.ts', 'test/conformance.test.ts']);
    temp = tempProject();
    const dir = temp.path('acme');
    scaffoldConnectorPackage('acme', { dir, cwd: temp.dir });
    expect(files['test/conformance.test.ts']).toBe(readFileSync(join(dir, 'test/conformance.test.ts'), 'utf8'));
  });

  it('compiles with tsc --declaration in a fresh package, and what it declares names keel, not TypeBox', () => {
    temp = tempProject();
    const dir = temp.path('acme');
    scaffoldConnectorPackage('acme', { dir, cwd: temp.dir });
    for (const [file, body] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), body);
    }
    linkDevDependencies(dir);
    const compiled = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json', '--declaration'], { cwd: dir, encoding: 'utf8' });
    expect(`${compiled.stdout}${compiled.stderr}`).toBe('');
    expect(compiled.status).toBe(0);
    const declared = readFileSync(join(dir, 'dist/src/index.d.ts'), 'utf8');
    expect(declared).toContain('import("keel").ConnectorDefinition<import("keel").TObject<{');
    expect(declared).not.toContain('@sinclair/typebox');
    expect(readFileSync(join(dir, 'dist/src/steps.d.ts'), 'utf8')).not.toContain('@sinclair/typebox');
  }, 120_000);
});
