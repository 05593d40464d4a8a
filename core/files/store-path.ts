import { posix } from 'node:path';
import { KeelError } from '../errors.js';

/**
 * Normalises a path from configuration or a template into a store path (relative, `/`-separated)
 * and refuses anything that would leave the root: `..`, absolute paths, NUL bytes, backslashes.
 * `''` (the root itself) is allowed only where `allowRoot` says so.
 */
export function storePath(path: string, rootLabel: string, allowRoot = false): string {
  if (path.includes('\0') || path.includes('\\') || path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    throw new KeelError('config', `path "${path}" must be relative to the connection root`, { code: 'path_outside_root', stage: 'files' });
  }
  const normal = posix.normalize(path).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../') || (normal === '.' && !allowRoot)) {
    throw new KeelError('config', `path "${path}" leaves the connection root${rootLabel === '' ? '' : ` ${rootLabel}`}; keep paths inside it`, {
      code: 'path_outside_root',
      stage: 'files',
    });
  }
  return normal === '.' ? '' : normal;
}

/** Joins a listed entry name onto its folder; names a hostile server could send (`..`, `a/b`) are refused. */
export function childPath(dir: string, name: string): string | undefined {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0')) return undefined;
  return dir === '' ? name : `${dir}/${name}`;
}

/** The folder part of a store path ('' for the root). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
