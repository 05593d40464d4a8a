import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runNodeScript } from '../../test-support/run-node-script.js';
import { computeAvailability, type SkuStock } from './availability.js';
import { checkInventoryConfig, type ChannelRules, type InventoryConfig } from './inventory-config.js';
import { RecordRejection } from '../errors.js';
import { InventoryEngine, type StockInput } from './inventory-engine.js';
import { SqliteInventoryStore } from './sqlite-inventory.js';

const NOW = new Date('2026-11-23T12:00:00Z');

const CONFIG: InventoryConfig = {
  locations: [
    { location_id: 'wh-a', name: 'A', type: 'warehouse', channels: ['shop', 'market'], safety_stock: 2 },
    { location_id: 'wh-b', name: 'B', type: 'warehouse', channels: ['shop', 'market'] },
    { location_id: 'store', name: 'Store', type: 'store', channels: ['shop', 'till'], safety_stock: 1, sellable_online: false },
  ],
  channels: {
    shop: { buffer: { percent: 10 } },
    market: { buffer: { units: 3 }, max_quantity: 20, show_zero_below: 2 },
    till: { online: false },
  },
  bundles: { KIT: { TEE: 1, MUG: 2 } },
};

let dir: string | undefined;
const opened: SqliteInventoryStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function engine(config: InventoryConfig = CONFIG): { service: InventoryEngine; store: SqliteInventoryStore; path: string } {
  dir = mkdtempSync(join(tmpdir(), 'keel-inventory-'));
  const path = join(dir, 'state.db');
  const store = new SqliteInventoryStore(path);
  opened.push(store);
  return { service: new InventoryEngine(config, store, dir), store, path };
}

function parsed(service: InventoryEngine, record: Record<string, unknown>): StockInput {
  const result = service.parseStock(record as never);
  if (result instanceof RecordRejection) throw new Error(result.reason);
  return result;
}

const count = (sku: string, location_id: string, on_hand: number | string, updated_at: string) => ({ sku, location_id, on_hand, updated_at, source: 'wms' });
const move = (movement_id: string, sku: string, location_id: string, delta: number, occurred_at: string) => ({ movement_id, sku, location_id, delta, occurred_at, reason: 'sale', source: 'pos' });

describe('channel availability', () => {
  const stock = (levels: [string, number][], reserved = 0): SkuStock => ({ sku: 'TEE', levels: levels.map(([location_id, on_hand]) => ({ location_id, on_hand })), reserved, incoming: [] });
  const locations = CONFIG.locations;
  const rules = (more: ChannelRules): ChannelRules => more;

  it('takes safety stock per location, never counting a location below zero, then reservations and a percentage buffer rounded down', () => {
    const result = computeAvailability(stock([['wh-a', 10], ['wh-b', -4], ['store', 5]], 3), 'shop', rules({ buffer: { percent: 10 } }), locations, NOW);
    // (10-2) + max(0,-4) + (5-1) = 12; − 3 reserved = 9; − 10% = 8.1 → 8
    expect(result).toMatchObject({ quantity: 8, status: 'in_stock' });
    expect(result.explain.map((step) => step.quantity)).toEqual([8, 8, 12, 9, 8]);
    expect(result.explain[1]?.detail).toBe('on hand -4 (below zero counts as 0) = 0');
  });

  it('shows zero below the threshold, caps at the maximum, and offers backorders or dated pre-orders when nothing is left', () => {
    expect(computeAvailability(stock([['wh-a', 3]]), 'x', rules({ show_zero_below: 2 }), locations, NOW).quantity).toBe(0);
    expect(computeAvailability(stock([['wh-a', 90]]), 'x', rules({ max_quantity: 20 }), locations, NOW).quantity).toBe(20);
    expect(computeAvailability(stock([['wh-a', 2]]), 'x', rules({ backorder: { units: 5 } }), locations, NOW)).toMatchObject({ quantity: 5, status: 'backorder' });
    const incoming: SkuStock = {
      ...stock([['wh-a', 1]]),
      incoming: [
        { location_id: 'wh-b', quantity: 7, expected_at: '2026-12-01' },
        { location_id: 'wh-a', quantity: 4, expected_at: '2026-11-28' },
        { location_id: 'wh-a', quantity: 50, expected_at: '2027-03-01' }, // beyond the horizon
      ],
    };
    expect(computeAvailability(incoming, 'x', rules({ preorder: { horizon_days: 30 } }), locations, NOW)).toMatchObject({
      quantity: 11,
      status: 'preorder',
      available_from: '2026-11-28',
    });
  });

  it('refuses rules that contradict each other or name what is not declared', () => {
    const broken: InventoryConfig = {
      locations: [CONFIG.locations[0] as never, { location_id: 'wh-a', name: 'again', type: 'warehouse', channels: ['nowhere'] }],
      channels: { shop: { locations: ['ghost'], backorder: { units: 1 }, preorder: { horizon_days: 3 } } },
      bundles: { KIT: { KIT: 1 } },
    };
    expect(checkInventoryConfig(broken).map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'locations.1.location_id: location "wh-a" is declared twice',
      'locations.0.channels.1: channel "market" has no rules under inventory.channels; add it there',
      'locations.1.channels.0: channel "nowhere" has no rules under inventory.channels; add it there',
      'channels.shop.locations.0: location "ghost" is not declared under inventory.locations',
      'channels.shop: a channel sells either backorders or pre-orders when stock runs out, not both; remove one',
      'bundles.KIT.KIT: bundle "KIT" cannot contain itself',
    ]);
  });
});

describe('stock ledger', () => {
  it('never lets an older count overwrite a newer one, and applies each movement once', async () => {
    const { service, store } = engine();
    const input = (record: Record<string, unknown>) => parsed(service, record);
    expect(await service.ingest([input(count('TEE', 'wh-a', 10, '2026-11-23T10:00:00Z'))])).toEqual(['applied']);
    expect(await service.ingest([input(count('TEE', 'wh-a', 99, '2026-11-23T09:00:00Z'))])).toEqual(['stale']);
    expect(await service.ingest([input(count('TEE', 'wh-a', 10, '2026-11-23T10:00:00Z'))])).toEqual(['duplicate']);
    // A sale after the count counts; the same sale reported twice counts once; one before the count is in it already.
    expect(await service.ingest([input(move('s1', 'TEE', 'wh-a', -3, '2026-11-23T10:30:00Z')), input(move('s1', 'TEE', 'wh-a', -3, '2026-11-23T10:30:00Z'))])).toEqual([
      'applied',
      'duplicate',
    ]);
    expect(await service.ingest([input(move('s0', 'TEE', 'wh-a', -1, '2026-11-23T09:30:00Z'))])).toEqual(['stale']);
    expect((await store.stock('TEE', NOW.getTime())).levels).toEqual([{ location_id: 'wh-a', on_hand: 7 }]);
    // A newer count arriving after a later sale: the sale (after the count) still applies on top.
    await service.ingest([input(move('s2', 'TEE', 'wh-a', -2, '2026-11-23T11:30:00Z'))]);
    await service.ingest([input(count('TEE', 'wh-a', 20, '2026-11-23T11:00:00Z'))]);
    expect((await store.stock('TEE', NOW.getTime())).levels).toEqual([{ location_id: 'wh-a', on_hand: 18 }]);
  });

  it('takes a feed of mixed records: counts by column, movements and incoming stock as inputs, rejections in place', async () => {
    const { service, store } = engine();
    const outcomes = await service.ingestRecords([
      count('TEE', 'wh-a', 10, '2026-11-23T10:00:00Z'),
      move('s1', 'TEE', 'wh-a', -3, '2026-11-23T10:30:00Z'),
      count('TEE', 'wh-x', 5, '2026-11-23T10:00:00Z'),
      { sku: 'TEE', location_id: 'wh-b', quantity: 4, expected_at: '2026-12-01', source: 'erp' },
      count('TEE', 'wh-a', 9, '2026-11-23T09:00:00Z'),
      move('s1', 'TEE', 'wh-a', -3, '2026-11-23T10:30:00Z'),
    ]);
    expect(outcomes.map((outcome) => (outcome instanceof RecordRejection ? outcome.code : outcome))).toEqual([
      'applied',
      'applied',
      'location_unknown',
      'applied',
      'stale',
      'duplicate',
    ]);
    const stock = await store.stock('TEE', NOW.getTime());
    expect(stock.levels).toEqual([{ location_id: 'wh-a', on_hand: 7 }]);
    expect(stock.incoming).toEqual([{ location_id: 'wh-b', quantity: 4, expected_at: '2026-12-01' }]);
  });

  it.each([
    [count('TEE', 'wh-x', 5, '2026-11-23T10:00:00Z'), 'location_unknown', 'unknown location "wh-x": declare it under inventory.locations in keel.yaml (known: wh-a, wh-b, store)'],
    [count('TEE', 'wh-a', -5, '2026-11-23T10:00:00Z'), 'quantity_negative', 'on_hand must not be negative, got -5'],
    [count('TEE', 'wh-a', 'twelve', '2026-11-23T10:00:00Z'), 'quantity_invalid', 'on_hand must be a whole number, got "twelve"'],
    [count('TEE', 'wh-a', '', '2026-11-23T10:00:00Z'), 'quantity_missing', 'on_hand is missing; a missing count is not a zero'],
    [count('TEE', 'wh-a', 2.5, '2026-11-23T10:00:00Z'), 'quantity_invalid', 'on_hand must be a whole number, got 2.5'],
    [count('TEE', 'wh-a', 5, 'yesterday'), 'timestamp_invalid', 'updated_at must be an ISO 8601 timestamp, got "yesterday"'],
    [{ ...move('m', 'TEE', 'wh-a', 1, '2026-11-23T10:00:00Z'), movement_id: undefined }, 'movement_id_missing', 'movement_id is missing: movements are applied once per id'],
  ])('rejects bad input with the reason (%#)', (record, code, reason) => {
    const { service } = engine();
    expect(service.parseStock(record as never)).toMatchObject({ kind: 'record', code, reason });
    expect(service.parseStock(record as never)).toBeInstanceOf(RecordRejection);
  });

  it('rejects SKUs missing from the catalog when there is one', () => {
    const { service } = engine();
    const withCatalog = new InventoryEngine({ ...CONFIG, catalog: { file: 'catalog.csv' } }, service.store, fileURLToPath(new URL('./fixtures/', import.meta.url)));
    expect(withCatalog.parseStock(count('NOPE', 'wh-a', 1, '2026-11-23T10:00:00Z') as never)).toMatchObject({
      code: 'sku_unknown',
      field: 'sku',
      hint: 'add it there or fix the source',
      reason: 'unknown SKU "NOPE": it is not in the catalog (inventory.catalog); add it there or fix the source',
    });
    expect(withCatalog.parseStock(count('TEE', 'wh-a', 1, '2026-11-23T10:00:00Z') as never)).toMatchObject({ kind: 'snapshot' });
  });
});

describe('reservations', () => {
  it('reserve all lines or none, release on cancel, take stock out on fulfilment, and lapse when they expire', async () => {
    const { service, store } = engine({ ...CONFIG, reservations: { ttl_minutes: 60 } });
    await service.ingest([parsed(service, count('TEE', 'wh-a', 5, '2026-11-23T10:00:00Z')), parsed(service, count('MUG', 'wh-b', 1, '2026-11-23T10:00:00Z'))]);
    // TEE: 5 − 2 safety = 3 reservable on the shop.
    expect(await service.reserve('shop:1', 'shop', [{ sku: 'TEE', quantity: 2 }, { sku: 'MUG', quantity: 2 }], NOW)).toEqual({
      status: 'insufficient',
      sku: 'MUG',
      wanted: 2,
      available: 1,
      detail: '1 in stock; shop shows 0 (out of stock)',
    });
    expect((await store.stock('TEE', NOW.getTime())).reserved).toBe(0);
    expect(await service.reserve('shop:1', 'shop', [{ sku: 'TEE', quantity: 2 }], NOW)).toEqual({ status: 'reserved' });
    expect(await service.reserve('shop:1', 'shop', [{ sku: 'TEE', quantity: 2 }], NOW)).toEqual({ status: 'duplicate' });
    expect(await service.reserve('shop:2', 'market', [{ sku: 'TEE', quantity: 2 }], NOW)).toMatchObject({ status: 'insufficient', available: 1 });
    expect((await service.availability('TEE', 'shop', NOW)).quantity).toBe(0); // 3 − 2 reserved = 1, − 10% → 0

    expect(await store.release('shop:1', NOW.getTime())).toBe(1);
    expect(await service.reserve('shop:3', 'shop', [{ sku: 'KIT', quantity: 1 }, { sku: 'TEE', quantity: 1 }], NOW)).toMatchObject({ status: 'insufficient', sku: 'MUG' });
    expect(await service.reserve('shop:4', 'shop', [{ sku: 'TEE', quantity: 3 }], NOW)).toEqual({ status: 'reserved' });
    expect(await store.fulfil('shop:4', 'wh-a', NOW.getTime())).toBe(1);
    expect(await store.stock('TEE', NOW.getTime())).toMatchObject({ levels: [{ location_id: 'wh-a', on_hand: 2 }], reserved: 0 });
    expect(await store.fulfil('shop:4', 'wh-a', NOW.getTime())).toBe(0); // reported twice: taken out once

    await service.ingest([parsed(service, count('TEE', 'wh-b', 10, '2026-11-23T10:00:00Z'))]);
    expect(await service.reserve('shop:5', 'shop', [{ sku: 'TEE', quantity: 10 }], NOW)).toEqual({ status: 'reserved' });
    const later = NOW.getTime() + 61 * 60_000;
    expect((await store.stock('TEE', later)).reserved).toBe(0);
    expect(await store.expire(later)).toBe(1);
    expect((await store.reservations('shop:5'))[0]?.status).toBe('expired');
  });

  it('never promises the last unit twice when two processes reserve it at the same moment', async () => {
    const { service, path } = engine();
    const rounds = 20;
    // One SKU per round with exactly one unit left.
    await service.ingest(Array.from({ length: rounds }, (_, round) => parsed(service, count(`LAST-${round}`, 'wh-b', 1, '2026-11-23T10:00:00Z'))));
    const script = fileURLToPath(new URL('../../dist/test-support/reserve-once.js', import.meta.url));
    const runChild = (order: string, sku: string, at: number): Promise<string> => runNodeScript(script, [path, order, sku, String(at)]);
    const outcomes: string[][] = [];
    for (let round = 0; round < rounds; round += 1) {
      // A shop order and a marketplace order for the same last unit, started at the same moment.
      const start = Date.now() + 300;
      outcomes.push(await Promise.all([runChild(`shop:${round}`, `LAST-${round}`, start), runChild(`market:${round}`, `LAST-${round}`, start)]));
    }
    expect(outcomes.map((pair) => [...pair].sort())).toEqual(Array.from({ length: rounds }, () => ['insufficient', 'reserved']));
  }, 120_000);
});
