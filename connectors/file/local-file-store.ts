import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { KeelError } from '../../core/errors.js';
import { temporaryName, type FileEntry, type FileStore } from '../../core/files/file-store.js';

/** A FileStore on a local folder. */
export class LocalFileStore implements FileStore {
  readonly label: string;

  constructor(private readonly root: string) {
    this.label = root;
  }

  async list(dir: string): Promise<FileEntry[]> {
    const full = this.resolve(dir, true);
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
    return createReadStream(this.resolve(path), { highWaterMark: 256 * 1024 });
  }

  async writeAtomic(path: string, body: string): Promise<void> {
    const full = this.resolve(path);
    await mkdir(dirname(full), { recursive: true });
    const temp = this.resolve(temporaryName(path));
    await writeFile(temp, body);
    await rename(temp, full);
  }

  async move(from: string, to: string): Promise<void> {
    const target = this.resolve(to);
    await mkdir(dirname(target), { recursive: true });
    await rename(this.resolve(from), target);
  }

  async remove(path: string): Promise<void> {
    await rm(this.resolve(path), { force: true });
  }

  async close(): Promise<void> {}

  /** Second line of defence behind storePath: nothing resolves outside the root. */
  private resolve(path: string, allowRoot = false): string {
    const full = resolve(this.root, path);
    const rel = relative(this.root, full);
    if ((rel === '' && !allowRoot) || rel.startsWith('..') || isAbsolute(rel)) {
      throw new KeelError('config', `path "${path}" leaves the connection root ${this.root}; keep paths inside it`, { code: 'path_outside_root', stage: 'file' });
    }
    return full;
  }
}
