import { createReadStream } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { KeelError } from '../../core/errors.js';
import { temporaryName, type FileEntry, type FileStore } from '../../core/files/file-store.js';

/**
 * A FileStore on a local folder. Every path is checked twice: by name (no `..`), and by where it
 * really is: the deepest part of it that exists is resolved through symbolic links and must lie
 * inside the root's real path, so a linked folder inside the root cannot lead reads or writes out.
 */
export class LocalFileStore implements FileStore {
  readonly label: string;
  private realRoot: string | undefined;

  constructor(private readonly root: string) {
    this.label = root;
  }

  async list(dir: string): Promise<FileEntry[]> {
    const full = await this.inside(dir, true);
    let entries;
    try {
      entries = await readdir(full, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: FileEntry[] = [];
    for (const entry of entries) {
      // Symlinks are reported, not followed: a link could point outside the root.
      const type = entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : entry.isSymbolicLink() ? 'symlink' : 'other';
      if (type !== 'file') {
        out.push({ name: entry.name, type, size: 0, mtimeMs: 0 });
        continue;
      }
      const info = await stat(join(full, entry.name));
      out.push({ name: entry.name, type, size: info.size, mtimeMs: info.mtimeMs });
    }
    return out;
  }

  async openRead(path: string): Promise<Readable> {
    return createReadStream(await this.inside(path), { highWaterMark: 256 * 1024 });
  }

  async writeAtomic(path: string, body: string): Promise<void> {
    const full = await this.inside(path);
    await mkdir(dirname(full), { recursive: true });
    const temp = await this.inside(temporaryName(path));
    await writeFile(temp, body);
    await rename(temp, full);
  }

  async move(from: string, to: string): Promise<void> {
    const source = await this.inside(from);
    const target = await this.inside(to);
    await mkdir(dirname(target), { recursive: true });
    await rename(source, target);
  }

  async remove(path: string): Promise<void> {
    await rm(await this.inside(path), { force: true });
  }

  async close(): Promise<void> {}

  /** The path on disk, once both checks passed; else a config error naming the path. */
  private async inside(path: string, allowRoot = false): Promise<string> {
    const full = resolve(this.root, path);
    const rel = relative(this.root, full);
    if ((rel === '' && !allowRoot) || rel.startsWith('..') || isAbsolute(rel)) throw this.outside(path);
    const root = await this.rootReal();
    // No root folder yet: nothing in it can lead out.
    if (root === undefined) return full;
    const real = (await realExisting(full)) ?? root;
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) throw this.outside(path, ` (through a symbolic link, it is ${real})`);
    return full;
  }

  private async rootReal(): Promise<string | undefined> {
    if (this.realRoot === undefined) {
      try {
        this.realRoot = await realpath(this.root);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    }
    return this.realRoot;
  }

  private outside(path: string, how = ''): KeelError {
    return new KeelError('config', `path "${path}" leaves the connection root ${this.root}${how}; keep paths inside it`, { code: 'path_outside_root', stage: 'file' });
  }
}

/** The real path of `path`, or of its deepest ancestor that exists (undefined when none does). */
async function realExisting(path: string): Promise<string | undefined> {
  for (let current = path; ; current = dirname(current)) {
    try {
      return await realpath(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
      if (dirname(current) === current) return undefined;
    }
  }
}
