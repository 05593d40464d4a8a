import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FileEntry, FileStore } from './file-store.js';
import { listMatchingFiles } from './list-files.js';
import { batchFileName, recordFileName } from './output-names.js';
import { storePath } from './store-path.js';

/** A store whose listings say whatever a hostile server might say. */
function listingStore(dirs: Record<string, FileEntry[]>): FileStore & { listed: string[] } {
  const listed: string[] = [];
  return {
    label: 'mem://root',
    listed,
    list: async (dir) => {
      listed.push(dir);
      return dirs[dir] ?? [];
    },
    openRead: async () => Readable.from([]),
    writeAtomic: async () => undefined,
    move: async () => undefined,
    remove: async () => undefined,
    close: async () => undefined,
  };
}

const file = (name: string, type: FileEntry['type'] = 'file'): FileEntry => ({ name, type, size: 1, mtimeMs: 1000 });

describe('shared file handling', () => {
  it('skips listed names that would leave their folder, dot-files and symlinks', async () => {
    const store = listingStore({
      '': [file('../../etc/x'), file('..', 'directory'), file('a/b.csv'), file('.part.csv'), file('link.csv', 'symlink'), file('ok.csv'), file('sub', 'directory')],
      sub: [file('../x.csv'), file('deep.csv')],
    });
    expect((await listMatchingFiles(store, '**/*.csv')).map((entry) => entry.name)).toEqual(['ok.csv', 'sub/deep.csv']);
    expect(store.listed).toEqual(['', 'sub']);
  });

  it('lists only the folder a glob can reach, and refuses globs that climb out of the root', async () => {
    const store = listingStore({ orders: [file('a.json')], other: [file('b.json')] });
    expect((await listMatchingFiles(store, 'orders/*.json')).map((entry) => entry.name)).toEqual(['orders/a.json']);
    expect(store.listed).toEqual(['orders']);
    for (const glob of ['../*', 'orders/../../x', '/etc/*', './x', 'a\\..\\b']) {
      await expect(listMatchingFiles(store, glob)).rejects.toThrow('must stay inside the connection root mem://root');
    }
  });

  it('normalises configured paths and refuses the ones that leave the root', () => {
    expect(storePath('a/./b//c.csv', 'R')).toBe('a/b/c.csv');
    expect(storePath('a/../b.csv', 'R')).toBe('b.csv');
    expect(() => storePath('a/../../b.csv', 'R')).toThrow('path "a/../../b.csv" leaves the connection root R; keep paths inside it');
    expect(() => storePath('/etc/passwd', 'R')).toThrow('must be relative to the connection root');
    expect(() => storePath('.', 'R')).toThrow('leaves the connection root');
  });

  it('names output files from the batch number and, per record, from the record key', () => {
    expect(batchFileName('out/ORDER_{seq}.xml', 7, 'abcdef0123456789ffff')).toBe('out/ORDER_000007.xml');
    expect(batchFileName('{key}.json', 1, 'abcdef0123456789ffff')).toBe('abcdef0123456789.json');
    const batch = [
      { key: 'k:0', data: {} },
      { key: 'k:2', data: {} },
    ];
    // A retry of records 1 and 3 of a batch writes them under the names they had the first time.
    expect([0, 1].map((position) => recordFileName('out/O.xml', 'k', batch, position))).toEqual(['out/O-1.xml', 'out/O-3.xml']);
    // A batch of one has the same shape, so a retry of one record keeps its first name.
    expect(recordFileName('out/O.xml', 'k', [{ key: 'k:0', data: {} }], 0)).toBe('out/O-1.xml');
    expect(recordFileName('out/noext', 'k', batch, 1)).toBe('out/noext-3');
  });
});
