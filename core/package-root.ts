import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder of Keel's own package, found by walking up from this module: the same answer
 * whether Keel runs from its TypeScript sources (tests) or from dist/ (the CLI, an installed package).
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'keel') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the keel package folder');
    dir = parent;
  }
}

/** This Keel's version, from its package.json: what plugins' `keel` peer ranges must include. */
export function keelVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** `keel:shopify/order.to-canonical.json` names a mapping shipped with Keel; anything else is a path, relative to `baseDir` unless absolute. */
export function resolveMappingPath(reference: string, baseDir: string): string {
  if (reference.startsWith('keel:')) return join(packageRoot(), 'mappings', reference.slice('keel:'.length));
  return resolve(baseDir, reference);
}
