import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeelError, toKeelError } from '../../core/errors.js';
import type { FileStore } from '../../core/files/file-store.js';
import { listMatchingFiles } from '../../core/files/list-files.js';
import { openPerTest, type OpenedStore } from './open-per-test.js';

export interface OpenedFileStore extends OpenedStore<FileStore> {
  /**
   * The store's root as a folder on this machine (for SFTP, the folder the test server serves),
   * where the suite lays out files and links and looks at what the store did behind its back.
   * It may not exist yet.
   */
  root: string;
}

/**
 * What every FileStore promises (core/files/file-store.ts), as one suite each implementation
 * runs in one line: `testFileStore(async () => ({ store, root, cleanup }))`, a store on an empty
 * root per test.
 */
export function testFileStore(open: () => Promise<OpenedFileStore>): void {
  describe('FileStore contract', () => {
    const opened = openPerTest(open);
    /** Folders outside every root, for links that lead out; removed after each test. */
    const outsideFolders: string[] = [];
    afterEach(() => {
      for (const dir of outsideFolders.splice(0)) rmSync(dir, { recursive: true, force: true });
    });
    const outsideFolder = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'keel-outside-'));
      outsideFolders.push(dir);
      writeFileSync(join(dir, 'secret.csv'), 'id\nsecret\n');
      return dir;
    };
    const put = (root: string, files: Record<string, string | Buffer>): void => {
      for (const [name, body] of Object.entries(files)) {
        mkdirSync(dirname(join(root, name)), { recursive: true });
        writeFileSync(join(root, name), body);
      }
    };
    /** Opens and reads a file to its end: a failure may come from openRead or from the stream. */
    const readAll = async (store: FileStore, path: string): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      for await (const chunk of await store.openRead(path)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    const failure = async (promise: Promise<unknown>, what: string): Promise<unknown> =>
      promise.then(
        () => {
          throw new Error(`expected ${what} to fail`);
        },
        (error: unknown) => error,
      );
    /** Each attempt fails as a config error `path_outside_root` that names the store's root. */
    const refusedAsOutside = async (store: FileStore, attempts: Record<string, () => Promise<unknown>>): Promise<void> => {
      for (const [what, attempt] of Object.entries(attempts)) {
        const error = await failure(attempt(), what);
        expect(error, what).toBeInstanceOf(KeelError);
        expect(error, what).toMatchObject({ kind: 'config', code: 'path_outside_root' });
        expect((error as Error).message, what).toContain(`leaves the connection root ${store.label}`);
      }
    };

    it('lists a folder: files with size and modification time, folders as folders; a folder that does not exist lists as empty', async () => {
      const { store, root } = await opened();
      put(root, { 'a.csv': 'id\n1\n', 'sub/b.csv': 'id\n2\n3\n' });
      const at = new Date('2026-01-02T03:04:05Z');
      utimesSync(join(root, 'a.csv'), at, at);
      const entries = (await store.list('')).sort((x, y) => (x.name < y.name ? -1 : 1));
      expect(entries.map(({ name, type }) => ({ name, type }))).toEqual([
        { name: 'a.csv', type: 'file' },
        { name: 'sub', type: 'directory' },
      ]);
      expect(entries[0]).toEqual({ name: 'a.csv', type: 'file', size: 5, mtimeMs: at.getTime() });
      expect(await store.list('sub')).toEqual([expect.objectContaining({ name: 'b.csv', type: 'file', size: 7 })]);
      expect(await store.list('missing')).toEqual([]);
      expect(await store.list('missing/deeper/still')).toEqual([]);
    });

    it('reports symbolic links as links without following them', async () => {
      const { store, root } = await opened();
      const outside = outsideFolder();
      mkdirSync(root, { recursive: true });
      symlinkSync(join(outside, 'secret.csv'), join(root, 'link.csv'));
      symlinkSync(outside, join(root, 'linked-dir'), 'dir');
      const entries = (await store.list('')).sort((x, y) => (x.name < y.name ? -1 : 1));
      expect(entries.map(({ name, type }) => ({ name, type }))).toEqual([
        { name: 'link.csv', type: 'symlink' },
        { name: 'linked-dir', type: 'symlink' },
      ]);
    });

    it('finds the files a glob names through its listings, in subfolders and name order, without temp files and links; a changed file gets a new fingerprint', async () => {
      const { store, root } = await opened();
      const outside = outsideFolder();
      put(root, { 'b.csv': 'id\n1\n', 'a.csv': 'id\n2\n', 'in/2026/c.csv': 'id\n3\n', 'in/.c.csv.123.tmp': 'id\n', 'in/notes.txt': 'x' });
      symlinkSync(join(outside, 'secret.csv'), join(root, 'in', 'link.csv'));
      const links: string[] = [];
      const found = await listMatchingFiles(store, '**/*.csv', { links });
      expect(found.map((file) => file.name)).toEqual(['a.csv', 'b.csv', 'in/2026/c.csv']);
      expect(links).toEqual(['in/link.csv']);
      expect((await listMatchingFiles(store, 'in/*/*.csv')).map((file) => file.name)).toEqual(['in/2026/c.csv']);
      const before = found.find((file) => file.name === 'b.csv')?.fingerprint;
      put(root, { 'b.csv': 'id\n1\n2\n' });
      const after = (await listMatchingFiles(store, '*.csv')).find((file) => file.name === 'b.csv')?.fingerprint;
      expect(after).not.toBe(before);
    });

    it("reads a file's bytes exactly, an empty file as nothing", async () => {
      const { store, root } = await opened();
      // Larger than a read chunk, every byte value, not valid UTF-8.
      const body = Buffer.alloc(700 * 1024, 0);
      for (let index = 0; index < body.length; index += 1) body[index] = (index * 7 + (index >> 11)) % 256;
      put(root, { 'data/blob.bin': body, 'empty.csv': '' });
      expect((await readAll(store, 'data/blob.bin')).equals(body)).toBe(true);
      expect((await readAll(store, 'empty.csv')).length).toBe(0);
    });

    it('fails to read a missing file, naming it, and not as something to retry', async () => {
      const { store, root } = await opened();
      mkdirSync(root, { recursive: true });
      for (const path of ['missing.csv', 'nowhere/missing.csv']) {
        const error = await failure(readAll(store, path), `reading ${path}`);
        expect((error as Error).message).toContain('missing.csv');
        expect(toKeelError(error, 'files').retryable).toBe(false);
      }
    });

    it('writes a file whole, creating its folders, and replaces one that exists, leaving no temporary file', async () => {
      const { store, root } = await opened();
      await store.writeAtomic('out/2026/orders-000001.ndjson', '{"id":"1"}\n{"id":"2"}\n');
      expect(readFileSync(join(root, 'out/2026/orders-000001.ndjson'), 'utf8')).toBe('{"id":"1"}\n{"id":"2"}\n');
      await store.writeAtomic('out/2026/orders-000001.ndjson', 'short\n');
      expect(readFileSync(join(root, 'out/2026/orders-000001.ndjson'), 'utf8')).toBe('short\n');
      await store.writeAtomic('top.txt', 'ü€😀');
      expect(readFileSync(join(root, 'top.txt'), 'utf8')).toBe('ü€😀');
      expect(readdirSync(join(root, 'out/2026'))).toEqual(['orders-000001.ndjson']);
      expect(readdirSync(root).sort()).toEqual(['out', 'top.txt']);
    });

    it('never shows a partly written file under its final name: the bytes go to a hidden name, then a rename', async () => {
      const { store, root } = await opened();
      mkdirSync(root, { recursive: true });
      const body = 'x'.repeat(4 * 1024 * 1024);
      // What happens in the folder, from the kernel (inotify): every create, write and rename is
      // queued for us, so nothing is missed however slow this process is.
      const events: string[] = [];
      const watcher = watch(root, (type, name) => events.push(`${type} ${name ?? ''}`));
      try {
        await store.writeAtomic('big.txt', body);
        await store.writeAtomic('big.txt', body);
        // A marker written last: once its event is in, every earlier one is too.
        writeFileSync(join(root, '.events-end'), '');
        await vi.waitFor(() => expect(events).toContain('rename .events-end'), { timeout: 30_000, interval: 20 });
        rmSync(join(root, '.events-end'));
      } finally {
        watcher.close();
      }
      // The bytes go to hidden names only; under its final name the file arrives whole, by a rename.
      const writes = events.filter((event) => event.startsWith('change '));
      expect(writes).not.toEqual([]);
      expect(writes.filter((event) => !event.startsWith('change .'))).toEqual([]);
      // (A server without posix-rename removes the old file first: for a moment there is none, never a partial one.)
      const underFinalName = events.filter((event) => event.endsWith(' big.txt'));
      expect(underFinalName).toContain('rename big.txt');
      expect(underFinalName.filter((event) => event !== 'rename big.txt')).toEqual([]);
      expect(readdirSync(root)).toEqual(['big.txt']);
      expect(readFileSync(join(root, 'big.txt'), 'utf8').length).toBe(body.length);
    });

    it("moves a file, creating the target's folders and replacing a file there", async () => {
      const { store, root } = await opened();
      put(root, { 'in/a.csv': 'a', 'in/b.csv': 'b' });
      await store.move('in/a.csv', 'done/2026/a.csv');
      expect(existsSync(join(root, 'in/a.csv'))).toBe(false);
      expect(readFileSync(join(root, 'done/2026/a.csv'), 'utf8')).toBe('a');
      await store.move('in/b.csv', 'done/2026/a.csv');
      expect(readFileSync(join(root, 'done/2026/a.csv'), 'utf8')).toBe('b');
      expect(readdirSync(join(root, 'in'))).toEqual([]);
      expect(readdirSync(join(root, 'done/2026'))).toEqual(['a.csv']);
    });

    it('fails to move a file that is not there, and never harms a file at the target', async () => {
      const { store, root } = await opened();
      put(root, { 'done/a.csv': 'kept' });
      await expect(store.move('in/a.csv', 'done/b.csv')).rejects.toThrow();
      expect(existsSync(join(root, 'done/b.csv'))).toBe(false);
      // With a file at the target this may also be a retry of a move whose answer was lost: it
      // may succeed as done already, but the file there stays as it is.
      await store.move('in/a.csv', 'done/a.csv').catch(() => undefined);
      expect(readFileSync(join(root, 'done/a.csv'), 'utf8')).toBe('kept');
    });

    it('removes a file; one that is already gone is not an error', async () => {
      const { store, root } = await opened();
      put(root, { 'in/a.csv.ok': '', 'in/b.csv': 'b' });
      await store.remove('in/a.csv.ok');
      await store.remove('in/a.csv.ok');
      await store.remove('nowhere/x.ok');
      expect(readdirSync(join(root, 'in'))).toEqual(['b.csv']);
    });

    it('refuses every path that leaves the root, naming the root, and writes nothing outside it', async () => {
      const { store, root } = await opened();
      put(root, { 'in/a.csv': 'a' });
      const parent = dirname(root);
      for (const path of ['../escaped.csv', 'in/../../escaped.csv', join(parent, 'escaped-absolute.csv')]) {
        await refusedAsOutside(store, {
          [`listing ${path}`]: () => store.list(path),
          [`reading ${path}`]: () => readAll(store, path),
          [`writing ${path}`]: () => store.writeAtomic(path, 'x'),
          [`moving in/a.csv to ${path}`]: () => store.move('in/a.csv', path),
          [`moving ${path} into the root`]: () => store.move(path, 'in/b.csv'),
          [`removing ${path}`]: () => store.remove(path),
        });
      }
      expect(readdirSync(parent).filter((name) => name.startsWith('escaped'))).toEqual([]);
      expect(readdirSync(join(root, 'in'))).toEqual(['a.csv']);
    });

    it('refuses to list, read, write, move or remove through a symbolic link that leads out of the root', async () => {
      const { store, root } = await opened();
      const outside = outsideFolder();
      put(root, { 'in/a.csv': 'a' });
      symlinkSync(outside, join(root, 'linked-dir'), 'dir');
      symlinkSync(join(outside, 'secret.csv'), join(root, 'link.csv'));
      await refusedAsOutside(store, {
        'listing a linked folder': () => store.list('linked-dir'),
        'reading in a linked folder': () => readAll(store, 'linked-dir/secret.csv'),
        'reading a linked file': () => readAll(store, 'link.csv'),
        'writing into a linked folder': () => store.writeAtomic('linked-dir/new.csv', 'x'),
        'writing below a linked folder': () => store.writeAtomic('linked-dir/deeper/new.csv', 'x'),
        'moving into a linked folder': () => store.move('in/a.csv', 'linked-dir/a.csv'),
        'moving out of a linked folder': () => store.move('linked-dir/secret.csv', 'in/secret.csv'),
        'removing in a linked folder': () => store.remove('linked-dir/secret.csv'),
      });
      expect(readdirSync(outside)).toEqual(['secret.csv']);
      expect(readFileSync(join(outside, 'secret.csv'), 'utf8')).toBe('id\nsecret\n');
      expect(readdirSync(join(root, 'in'))).toEqual(['a.csv']);
    });

    it('closes twice without error', async () => {
      const { store } = await opened();
      await store.list('');
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
