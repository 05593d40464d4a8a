import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * Installs a Debian package when `path` (a file it provides) is missing and we are root; else
 * says how. Never skips: the real-server tier (npm run test:real) fails on a missing server.
 */
export function ensureDebianPackage(path: string, pkg: string): void {
  if (existsSync(path)) return;
  if (process.getuid?.() !== 0) throw new Error(`${path} is missing and this is not root: install it with "apt-get install -y ${pkg}"`);
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', pkg]]) {
    const result = spawnSync('apt-get', args, { encoding: 'utf8', timeout: 900_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed; install ${pkg} by hand:\n${result.error?.message ?? result.stderr}`);
  }
  if (!existsSync(path)) throw new Error(`${pkg} is installed but ${path} is missing`);
}
