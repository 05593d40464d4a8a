import { mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);

/** TypeScript's compiler, as Keel is built with it. */
export const TSC = join(dirname(require.resolve('typescript/package.json')), 'bin/tsc');

/**
 * What `npm install` gives a partner package, offline: keel (this build, linked), TypeScript and
 * Node's types from Keel's own node_modules, and tsc where npm scripts find it. No TypeBox: a
 * partner package must not need its own.
 */
export function linkDevDependencies(dir: string): void {
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(REPO, join(dir, 'node_modules/keel'), 'dir');
  symlinkSync(dirname(dirname(TSC)), join(dir, 'node_modules/typescript'), 'dir');
  symlinkSync(dirname(require.resolve('@types/node/package.json')), join(dir, 'node_modules/@types/node'), 'dir');
  symlinkSync(TSC, join(dir, 'node_modules/.bin/tsc'));
}
