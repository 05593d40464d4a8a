import picomatch from 'picomatch';
import { KeelError } from '../errors.js';
import { childPath, storePath } from './store-path.js';
import type { FileEntry, FileStore } from './file-store.js';

/** A file found by a listing, with the fingerprint that tells new content from content already read. */
export interface ListedFile {
  name: string;
  size: number;
  mtimeMs: number;
  fingerprint: string;
}

export interface ListOptions {
  /** Folders not to descend into (the archive and error folders). */
  skipDirs?: readonly string[];
  /** Names of entries in each listed folder, for marker look-ups: path → entry. */
  seen?: Map<string, FileEntry>;
  /** Filled with the symbolic links the glob names or would descend into: they are skipped, and the caller says so. */
  links?: string[];
}

const MAX_DEPTH = 16;

/**
 * Files under the root whose path matches the glob, in name order. Dot-files (temp files of atomic
 * writers, ours included) and symlinks are skipped: a link could point out of the root. Only the
 * folders the glob can reach are listed, and a glob that climbs out of the root is refused.
 */
export async function listMatchingFiles(store: FileStore, glob: string, options: ListOptions = {}): Promise<ListedFile[]> {
  checkGlob(glob, store.label);
  const matches = picomatch(glob, { dot: false });
  const scan = picomatch.scan(glob);
  // The fixed folder in front of the first wildcard: no need to list the whole root.
  const base = scan.isGlob ? storePath(scan.base === '' ? '.' : scan.base, store.label, true) : storePath(glob, store.label).split('/').slice(0, -1).join('/');
  const recursive = scan.isGlob && glob.includes('**');
  const skip = new Set(options.skipDirs ?? []);
  const out: ListedFile[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await store.list(dir)) {
      const path = childPath(dir, entry.name);
      if (path === undefined || entry.name.startsWith('.')) continue;
      options.seen?.set(path, entry);
      const descends = recursive || glob.split('/').length > path.split('/').length;
      if (entry.type === 'directory') {
        if (depth < MAX_DEPTH && !skip.has(path) && descends) await walk(path, depth + 1);
        continue;
      }
      if (entry.type === 'symlink' && (matches(path) || descends)) options.links?.push(path);
      if (entry.type !== 'file' || !matches(path)) continue;
      out.push({ name: path, size: entry.size, mtimeMs: entry.mtimeMs, fingerprint: `${entry.size}:${Math.trunc(entry.mtimeMs)}` });
    }
  };
  await walk(base, 0);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Refuses a glob that could climb out of the root: `..`, `.`, a leading `/`, backslashes, NUL. */
export function checkGlob(glob: string, rootLabel: string): void {
  if (glob.startsWith('/') || glob.includes('\\') || glob.includes('\0') || glob.split('/').some((part) => part === '..' || part === '.')) {
    throw new KeelError('config', `path "${glob}" must stay inside the connection root${rootLabel === '' ? '' : ` ${rootLabel}`}: no "..", "." or leading "/"`, {
      code: 'path_outside_root',
      stage: 'files',
    });
  }
}
