import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import defaultTier from '../vitest.config.js';
import realTier from '../vitest.real.config.js';
import { REAL_SERVER_TESTS, REAL_TEST_SUFFIX } from './real-server-tier.js';

/**
 * The two tiers split the tests without a gap: `npm test` needs only Node and npm, and every test
 * against a real server runs in `npm run test:real`, none falls between them.
 */
const REPO = fileURLToPath(new URL('../', import.meta.url));

function testFiles(dir = REPO): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(full));
    else if (entry.name.endsWith('.test.ts')) out.push(relative(REPO, full));
  }
  return out.sort();
}

const matchesAny = (globs: string[] | undefined, file: string): boolean => picomatch(globs ?? [])(file);
const inDefaultTier = (file: string): boolean =>
  matchesAny(defaultTier.test?.include, file) && !matchesAny(defaultTier.test?.exclude, file);
const inRealTier = (file: string): boolean => matchesAny(realTier.test?.include, file);

const files = testFiles();
const realFiles = files.filter((file) => file.endsWith(REAL_TEST_SUFFIX));

describe('test tiers', () => {
  it('finds the real-server tests it splits off', () => {
    expect(realFiles).toContain('connectors/sftp/sftp.real.test.ts');
  });

  it('runs every *.real.test.ts in the real tier and none in npm test', () => {
    expect(realFiles.filter((file) => !inRealTier(file) || inDefaultTier(file))).toEqual([]);
  });

  it('runs every other test file in npm test', () => {
    expect(files.filter((file) => !file.endsWith(REAL_TEST_SUFFIX) && !inDefaultTier(file))).toEqual([]);
  });

  it.each(REAL_SERVER_TESTS.map((tests) => [tests.server, tests] as const))('the %s entry finds its test files', (_, tests) => {
    expect(files.filter((file) => matchesAny(tests.include, file))).not.toEqual([]);
  });

  it("says so on the README's first screen: the two commands, then npm run test:real and what it needs", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const [, commands, after] = /```sh\n([\s\S]*?)```\n(.*)\n/.exec(readme) ?? [];
    expect(commands).toBe('npm install && npx keel run examples/omnichannel\nnpm test\n');
    expect(after).toContain('`npm run test:real`');
    expect(after).toContain('sshd');
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['test:real']).toContain('vitest run --config vitest.real.config.ts');
  });

  it('keeps tests that start a real server out of npm test', () => {
    const helpers = REAL_SERVER_TESTS.flatMap((tests) => tests.helpers.map((helper) => basename(helper, '.ts')));
    const startsServer = (file: string): boolean => {
      const source = readFileSync(join(REPO, file), 'utf8');
      return helpers.some((helper) => new RegExp(`from '[./]*(?:test-support/)?${helper}\\.js'`).test(source));
    };
    expect(files.filter((file) => inDefaultTier(file) && startsServer(file))).toEqual([]);
    expect(realFiles.filter(startsServer)).not.toEqual([]);
  });
});
