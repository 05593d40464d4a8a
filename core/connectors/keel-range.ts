import semver from 'semver';
import { KeelError } from '../errors.js';

/**
 * A plugin says which Keel it was built for as its `keel` peer dependency. One whose range leaves
 * this Keel out is refused before it is imported: its SDK calls may no longer mean what it expects.
 * A package without a `keel` peer is let through (a plain local module, or an old package).
 */
export function checkKeelRange(pkg: string, peerDependencies: unknown, version: string): KeelError | undefined {
  const range = typeof peerDependencies === 'object' && peerDependencies !== null ? (peerDependencies as Record<string, unknown>)['keel'] : undefined;
  if (range === undefined) return undefined;
  const fix = `install a version of ${pkg} made for keel ${version} (npm install ${pkg}@latest, and see its changelog), or a keel that ${pkg} supports`;
  if (typeof range !== 'string' || semver.validRange(range) === null) {
    return new KeelError('config', `package ${pkg} declares the keel peer range ${JSON.stringify(range)}, which is no semver range; ${fix}`, { code: 'connector_range_invalid', stage: 'discover' });
  }
  // Prereleases of this Keel count: a plugin for ^0.4.0 works with 0.4.1-rc.1 as npm would install it.
  if (semver.satisfies(version, range, { includePrerelease: true })) return undefined;
  return new KeelError('config', `package ${pkg} supports keel ${range} (its peerDependencies), but this is keel ${version}; ${fix}`, {
    code: 'connector_incompatible',
    stage: 'discover',
  });
}
