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

const AT = Date.parse('2026-11-23T06:00:00Z');
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('stock image', () => {
  it('holds what stockRange holds, as a row of counts per SKU in the given location order', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-stock-image-'));
    store = new SqliteInventoryStore(join(dir, 'state.db'));
    const odd = 'odd\u001fid'; // a location id holding the separator the compact read joins ids with
    const counts: [string, string, number][] = [
      ['A', 'wh-a', 5],
      ['A', 'wh-b', 7],
      ['A', 'gone', 9], // a location no longer declared: left out
      ['B', 'wh-b', 0],
      ['C', odd, 3],
      ['C', 'wh-a', 1],
      ['D', 'wh-a', 4],
    ];
    await store.applySnapshots(counts.map(([sku, location_id, on_hand]) => ({ sku, location_id, on_hand, at: AT, source: 'wms' })));
    await store.applyMovements([{ movement_id: 'pos:1', sku: 'A', location_id: 'wh-a', delta: -2, at: AT + 1, source: 'pos' }]);
    await store.reserve(
      { order_key: 'shop:1', channel: 'shop', lines: [{ sku: 'B', quantity: 0 }, { sku: 'A', quantity: 2 }], version: { at: undefined, content: 'v1' }, now: NOW, ttlMs: 60_000 },
      () => ({ kind: 'stock' }),
    );
    await store.setIncoming([{ sku: 'B', location_id: 'wh-b', quantity: 6, expected_at: '2026-12-01', source: 'erp' }]);

    const locations = ['wh-b', 'wh-a', odd];
    const image = await store.stockImage({ first: 'A', last: 'C' }, locations, NOW);
    expect(image.skus).toEqual(['A', 'B', 'C']);
    expect([...image.onHand]).toEqual([7, 3, 0, 0, 0, 0, 0, 1, 3]);
    expect(image.reserved).toEqual(new Map([['A', new Map([['shop', 2]])]]));
    expect(image.incoming).toEqual(new Map([['B', [{ location_id: 'wh-b', quantity: 6, expected_at: '2026-12-01' }]]]));

    // A delta's list of SKUs, in any order, some unknown: the same rows for those it names.
    const listed = await store.stockImage({ skus: ['C', 'Z', 'A'] }, locations, NOW);
    expect(listed.skus).toEqual(['A', 'C']);
    expect([...listed.onHand]).toEqual([7, 3, 0, 0, 1, 3]);
    expect(listed.reserved).toEqual(new Map([['A', new Map([['shop', 2]])]]));
    expect(listed.incoming).toEqual(new Map());

    // The same numbers as the full read.
    const range = await store.stockRange('A', 'C', NOW);
    image.skus.forEach((sku, row) => {
      const levels = new Map(range.get(sku)?.levels.map((level) => [level.location_id, level.on_hand]));
      expect(locations.map((location) => levels.get(location) ?? 0)).toEqual([...image.onHand.subarray(row * 3, row * 3 + 3)]);
    });
  });
});

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
