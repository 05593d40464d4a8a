import { isAbsolute, relative, resolve, sep } from 'node:path';
import { KeelError } from '../../core/errors.js';

/** The connection's root folder, absolute; relative roots resolve against the project. */
export function resolveRoot(projectDir: string, root: string): string {
  return resolve(projectDir, root);
}

/**
 * Joins a relative path onto the root and refuses anything that would leave it
 * (`../`, absolute paths, NUL bytes): configured paths and templates cannot escape the root.
 */
export function insideRoot(root: string, path: string): string {
  if (path.includes('\0') || isAbsolute(path)) {
    throw new KeelError('config', `path "${path}" must be relative to the connection root`, { code: 'path_outside_root', stage: 'file' });
  }
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new KeelError('config', `path "${path}" leaves the connection root ${root}; keep paths inside it`, {
      code: 'path_outside_root',
      stage: 'file',
    });
  }
  return full;
}

export function toPosix(path: string): string {
  return path.split(sep).join('/');
}
