import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteInventoryStore } from './sqlite-inventory.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Another process writing to the state file: it takes the write lock, says so, and commits a moment later. */
const OTHER_WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('journal_mode = WAL');
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT INTO inv_meta (key, value) VALUES ('other', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1").run();
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);
`;

let dir: string | undefined;
let store: SqliteInventoryStore | undefined;
afterEach(async () => {
  await store?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

// What every inventory store promises is the InventoryStore contract (sqlite-inventory.contract.test.ts);
// this is what only SQLite needs: waiting for another process's write lock.
describe('recording what a channel was sent', () => {
  it('waits for another writer and then records, instead of failing with "database is locked"', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-sqlite-inventory-'));
    const path = join(dir, 'state.db');
    store = new SqliteInventoryStore(path);
    const other = spawn(process.execPath, ['-e', OTHER_WRITER, path], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(other.stdout, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('locked\n');
    // A read first, then writes: in a deferred transaction the other commit in between would make
    // the write fail at once (SQLITE_BUSY_SNAPSHOT); an immediate one waits for the lock.
    const values = Array.from({ length: 250 }, (_, index) => ({ sku: `SKU-${index}`, quantity: index, revision: 1 }));
    await store.markPublished('shop', values, Date.now());
    await once(other, 'close');
    const published = await store.published('shop', { first: 'SKU-0', last: 'SKU-99' });
    expect(published.get('SKU-42')).toEqual({ sku: 'SKU-42', quantity: 42, revision: 1 });
    expect(published.size).toBe(values.filter((value) => value.sku <= 'SKU-99').length);
  });
});
