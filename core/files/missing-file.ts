import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { suggest } from '../config/schema-check.js';

/**
 * Why a file a user named cannot be read, when it does not exist: which part of its path is
 * missing, and the name in that folder it was probably meant to be. Undefined when it exists.
 */
export function missingFile(path: string, display: string = path): string | undefined {
  if (existsSync(path)) return undefined;
  let folder = dirname(path);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  if (folder !== dirname(path)) return `${display} does not exist: there is no folder ${join(folder, relativeMissing(folder, dirname(path)))}`;
  let names: string[] = [];
  try {
    names = readdirSync(folder).filter((name) => !name.startsWith('.'));
  } catch {
    return `${display} does not exist`;
  }
  const hint = suggest(basename(path), names);
  return `${display} does not exist${hint !== undefined ? `; did you mean ${join(dirname(display), hint)}?` : ''}`;
}

function relativeMissing(existing: string, wanted: string): string {
  return wanted.slice(existing.length).replace(/^[\\/]+/, '').split(/[\\/]/)[0] ?? '';
}
