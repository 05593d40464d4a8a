import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteInventoryStore } from './sqlite-inventory.js';

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
    await store.reserve({ order_key: 'shop:1', channel: 'shop', lines: [{ sku: 'B', quantity: 0 }, { sku: 'A', quantity: 2 }], now: NOW, ttlMs: 60_000 }, () => 100);
    await store.setIncoming([{ sku: 'B', location_id: 'wh-b', quantity: 6, expected_at: '2026-12-01', source: 'erp' }]);

    const locations = ['wh-b', 'wh-a', odd];
    const image = await store.stockImage({ first: 'A', last: 'C' }, locations, NOW);
    expect(image.skus).toEqual(['A', 'B', 'C']);
    expect([...image.onHand]).toEqual([7, 3, 0, 0, 0, 0, 0, 1, 3]);
    expect(image.reserved).toEqual(new Map([['A', 2]]));
    expect(image.incoming).toEqual(new Map([['B', [{ location_id: 'wh-b', quantity: 6, expected_at: '2026-12-01' }]]]));

    // A delta's list of SKUs, in any order, some unknown: the same rows for those it names.
    const listed = await store.stockImage({ skus: ['C', 'Z', 'A'] }, locations, NOW);
    expect(listed.skus).toEqual(['A', 'C']);
    expect([...listed.onHand]).toEqual([7, 3, 0, 0, 1, 3]);
    expect(listed.reserved).toEqual(new Map([['A', 2]]));
    expect(listed.incoming).toEqual(new Map());

    // The same numbers as the full read.
    const range = await store.stockRange('A', 'C', NOW);
    image.skus.forEach((sku, row) => {
      const levels = new Map(range.get(sku)?.levels.map((level) => [level.location_id, level.on_hand]));
      expect(locations.map((location) => levels.get(location) ?? 0)).toEqual([...image.onHand.subarray(row * 3, row * 3 + 3)]);
    });
  });
});
