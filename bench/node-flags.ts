import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './paths.js';

/**
 * The node flags the `keel` launcher runs with, read from its shebang line, so the runner is
 * measured as users run it and the flags are written down in one place only.
 */
export function launcherNodeFlags(): string[] {
  const shebang = readFileSync(resolve(REPO_ROOT, 'bin', 'keel.js'), 'utf8').split('\n')[0] ?? '';
  const match = /^#!.*?\bnode\b(.*)$/.exec(shebang);
  return (match?.[1] ?? '').trim().split(/\s+/).filter((flag) => flag.startsWith('--'));
}
