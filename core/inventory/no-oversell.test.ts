import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ONE_UNIT_INVENTORY } from '../../test-support/one-unit-inventory.js';
import { runNodeScript } from '../../test-support/run-node-script.js';
import type { Order } from '../model/order.js';
import { profileVersion } from '../routing/load-profile.js';
import type { RoutingProfile } from '../routing/profile-schema.js';
import { RoutingEngine } from '../routing/routing-engine.js';
import { SqliteRoutingStore } from '../routing/sqlite-routing.js';
import type { InventoryConfig } from './inventory-config.js';
import { InventoryEngine, orderVersion } from './inventory-engine.js';
import { SqliteInventoryStore } from './sqlite-inventory.js';

const T0 = new Date('2026-11-23T09:00:00Z');
const HOUR = 3600_000;
const PROFILE: RoutingProfile = { name: 'nearest', strategies: [{ name: 'nearest', ratings: { distance: 1 } }] };

let dir: string | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function open(config: InventoryConfig = ONE_UNIT_INVENTORY, profile: RoutingProfile = PROFILE): { inventory: InventoryEngine; routing: RoutingEngine; path: string } {
  dir ??= mkdtempSync(join(tmpdir(), 'keel-oversell-'));
  const path = join(dir, 'state.db');
  const inventoryStore = new SqliteInventoryStore(path);
  const routingStore = new SqliteRoutingStore(path);
  closers.push(() => routingStore.close(), () => inventoryStore.close());
  const inventory = new InventoryEngine(config, inventoryStore, dir);
  const routing = new RoutingEngine({ section: { profile: 'p.yaml' }, profile: { profile, version: profileVersion(profile) }, skus: new Map(), postalCentroid: undefined }, inventory, routingStore);
  return { inventory, routing, path };
}

async function count(inventory: InventoryEngine, rows: [string, string, number][], at = T0.getTime() - HOUR): Promise<void> {
  await inventory.store.applySnapshots(rows.map(([sku, location_id, on_hand]) => ({ sku, location_id, on_hand, at, source: 'test' })));
}

function callCentreOrder(id: string, sku: string, quantity: number, channel = 'callcenter'): Order {
  return {
    channel,
    external_id: id,
    status: 'received',
    currency: 'EUR',
    created_at: T0.toISOString(),
    shipping_address: { country_code: 'DE', coordinates: { lat: 52.5, lon: 13.4 } },
    lines: [{ line_id: '1', sku, quantity }],
  };
}

describe('a unit is free, reserved or held, never two of them', () => {
  it('a web order reserved at intake keeps its unit: a call-centre order routed next is held, the web order is routed to it', async () => {
    const { inventory, routing } = open();
    await count(inventory, [['TEE', 'wh-a', 1]]);
    expect((await inventory.reserve('web:W1', 'web', [{ sku: 'TEE', quantity: 1, line_id: '1' }], T0)).status).toBe('reserved');
    const cc = await routing.route(callCentreOrder('C1', 'TEE', 1), T0);
    expect(cc).toMatchObject({ status: 'held', hold: { code: 'no_stock' } });
    const web = await routing.route(callCentreOrder('W1', 'TEE', 1, 'web'), T0);
    expect(web.status === 'allocated' && web.requests.map((request) => request.location_id)).toEqual(['wh-a']);
    // Routing turned the reservation into units held at wh-a: counted once, not twice.
    const rows = (await inventory.store.reservations('web:W1')).map((row) => `${row.status} ${row.location_id ?? '-'} ${row.quantity}`).sort();
    expect(rows).toEqual(['active wh-a 1', 'replaced - 1']);
    const shown = await inventory.availability('TEE', 'web', T0);
    expect([shown.quantity, shown.explain.map((step) => step.detail)]).toEqual([0, ['on hand 1 − 1 held for routed orders = 0']]);
  });

  it('a call-centre order routed first holds the unit: the web order reserved next is refused, naming the figures', async () => {
    const { inventory, routing } = open();
    await count(inventory, [['TEE', 'wh-a', 1]]);
    expect((await routing.route(callCentreOrder('C1', 'TEE', 1), T0)).status).toBe('allocated');
    expect(await inventory.reserve('web:W1', 'web', [{ sku: 'TEE', quantity: 1, line_id: '1' }], T0)).toEqual({
      status: 'insufficient',
      sku: 'TEE',
      wanted: 1,
      available: 0,
      detail: '0 in stock; web shows 0 (out of stock)',
    });
  });

  it('charges a reservation against the locations its channel counts, not against every location', async () => {
    // web sells from wh-a only; the marketplace from wh-b only; the call centre from both.
    const config: InventoryConfig = {
      locations: [
        { location_id: 'wh-a', name: 'A', type: 'warehouse', channels: ['web', 'callcenter'], coordinates: { lat: 52.5, lon: 13.4 } },
        { location_id: 'wh-b', name: 'B', type: 'warehouse', channels: ['market', 'callcenter'], coordinates: { lat: 48.1, lon: 11.6 } },
      ],
      channels: { web: {}, market: {}, callcenter: {} },
    };
    const { inventory, routing } = open(config);
    await count(inventory, [['MUG', 'wh-a', 1], ['MUG', 'wh-b', 1]]);
    expect((await inventory.reserve('callcenter:R1', 'callcenter', [{ sku: 'MUG', quantity: 1 }], T0)).status).toBe('reserved');
    // The call centre's unit may come from either: one of the two is spoken for, either can be shown.
    expect([(await inventory.availability('MUG', 'web', T0)).quantity, (await inventory.availability('MUG', 'market', T0)).quantity]).toEqual([1, 1]);
    expect((await inventory.reserve('web:W1', 'web', [{ sku: 'MUG', quantity: 1 }], T0)).status).toBe('reserved');
    // Now the call centre's unit must be wh-b's: the marketplace may show nothing, and a routed order cannot take it.
    expect([(await inventory.availability('MUG', 'web', T0)).quantity, (await inventory.availability('MUG', 'market', T0)).quantity]).toEqual([0, 0]);
    expect(await routing.route(callCentreOrder('C2', 'MUG', 1), T0)).toMatchObject({ status: 'held' });
    expect((await inventory.reserve('market:M1', 'market', [{ sku: 'MUG', quantity: 1 }], T0)).status).toBe('insufficient');
  });

  it('never gives one unit to a reservation and a routed order racing from real processes, in either order', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-oversell-race-'));
    const path = join(dir, 'state.db');
    const rounds = 8;
    const seed = new SqliteInventoryStore(path);
    await seed.applySnapshots(Array.from({ length: rounds }, (_, round) => ({ sku: `LAST-${round}`, location_id: 'wh-a', on_hand: 1, at: T0.getTime(), source: 'test' })));
    await seed.close();
    const script = fileURLToPath(new URL('../../dist/test-support/claim-once.js', import.meta.url));
    const outcomes: string[][] = [];
    for (let round = 0; round < rounds; round += 1) {
      const start = Date.now() + 300;
      // Two of each path per unit; the order of arrival is whatever the machine makes of it.
      outcomes.push(
        await Promise.all([
          runNodeScript(script, [path, 'reserve', `w1-${round}`, `LAST-${round}`, String(start)]),
          runNodeScript(script, [path, 'route', `c1-${round}`, `LAST-${round}`, String(start)]),
          runNodeScript(script, [path, 'reserve', `w2-${round}`, `LAST-${round}`, String(start)]),
          runNodeScript(script, [path, 'route', `c2-${round}`, `LAST-${round}`, String(start)]),
        ]),
      );
    }
    for (const [round, results] of outcomes.entries()) {
      const winners = results.filter((result) => result === 'reserved' || result === 'allocated wh-a');
      expect({ round, results, winners: winners.length }).toEqual({ round, results, winners: 1 });
    }
    // The ledger agrees: one unit claimed per SKU, reserved or held.
    const check = new SqliteInventoryStore(path);
    closers.push(() => check.close());
    for (let round = 0; round < rounds; round += 1) {
      const stock = await check.stock(`LAST-${round}`, Date.now());
      expect(stock.reserved + (stock.levels[0]?.held ?? 0)).toBe(1);
    }
  }, 180_000);
});

describe('what a channel shows beyond stock can be ordered', () => {
  const config = (rules: InventoryConfig['channels']): InventoryConfig => ({
    locations: [{ location_id: 'wh-a', name: 'A', type: 'warehouse', channels: Object.keys(rules), coordinates: { lat: 52.5, lon: 13.4 } }],
    channels: rules,
  });

  it('a pre-order takes incoming stock: 20 shown, an order for 5 is reserved and 15 are left; the order is routed when the stock arrives', async () => {
    const { inventory, routing } = open(config({ web: { preorder: { horizon_days: 30 } } }));
    await inventory.store.setIncoming([{ sku: 'NEW', location_id: 'wh-a', quantity: 20, expected_at: '2026-12-01', source: 'erp' }]);
    expect(await inventory.availability('NEW', 'web', T0)).toMatchObject({ quantity: 20, status: 'preorder', available_from: '2026-12-01' });
    expect((await inventory.reserve('web:P1', 'web', [{ sku: 'NEW', quantity: 5, line_id: '1' }], T0)).status).toBe('reserved');
    expect((await inventory.store.reservations('web:P1')).map((row) => row.kind)).toEqual(['preorder']);
    expect(await inventory.availability('NEW', 'web', T0)).toMatchObject({ quantity: 15, status: 'preorder' });
    expect(await inventory.reserve('web:P2', 'web', [{ sku: 'NEW', quantity: 16 }], T0)).toMatchObject({
      status: 'insufficient',
      detail: '0 in stock, 15 on preorder; web shows 15 (preorder)',
    });
    // Routed before the stock is there: held. Once it arrives, routed; the pre-order becomes units held there.
    expect(await routing.route(callCentreOrder('P1', 'NEW', 5, 'web'), T0)).toMatchObject({ status: 'held' });
    await count(inventory, [['NEW', 'wh-a', 20]], T0.getTime() + HOUR);
    const retried = await routing.retryHeld(new Date(T0.getTime() + 2 * HOUR));
    expect(retried).toEqual({ retried: 1, allocated: 1 });
    expect((await inventory.store.reservations('web:P1')).filter((row) => row.status === 'active').map((row) => `${row.kind} ${row.location_id}`)).toEqual(['stock wh-a']);
  });

  it('a backorder channel showing 5 takes an order for 2 and then shows 3', async () => {
    const { inventory } = open(config({ web: { backorder: { units: 5 } } }));
    await count(inventory, [['OLD', 'wh-a', 0]]);
    expect(await inventory.availability('OLD', 'web', T0)).toMatchObject({ quantity: 5, status: 'backorder' });
    expect((await inventory.reserve('web:B1', 'web', [{ sku: 'OLD', quantity: 2 }], T0)).status).toBe('reserved');
    expect(await inventory.availability('OLD', 'web', T0)).toMatchObject({ quantity: 3, status: 'backorder' });
    expect(await inventory.reserve('web:B2', 'web', [{ sku: 'OLD', quantity: 4 }], T0)).toMatchObject({ status: 'insufficient', detail: '0 in stock, 3 on backorder; web shows 3 (backorder)' });
  });

  // Sold beyond stock, then the stock comes: the customers who waited are served first. Both
  // channels count wh-a; only the web shop sells beyond stock.
  const twoChannels = (web: InventoryConfig['channels'][string]): InventoryConfig => ({
    locations: [{ location_id: 'wh-a', name: 'A', type: 'warehouse', channels: ['web', 'callcenter'], coordinates: { lat: 52.5, lon: 13.4 } }],
    channels: { web, callcenter: {} },
  });

  it('a pre-order whose goods arrived keeps its units: 20 arrive for 5 pre-ordered, 15 are left for everyone else', async () => {
    const { inventory, routing } = open(twoChannels({ preorder: { horizon_days: 30 } }));
    await inventory.store.setIncoming([{ sku: 'NEW', location_id: 'wh-a', quantity: 20, expected_at: '2026-12-01', source: 'erp' }]);
    expect((await inventory.reserve('web:P1', 'web', [{ sku: 'NEW', quantity: 5, line_id: '1' }], T0)).status).toBe('reserved');
    // The goods arrive: the warehouse counts 20, the ERP closes the purchase order.
    await count(inventory, [['NEW', 'wh-a', 20]], T0.getTime() + HOUR);
    await inventory.store.setIncoming([{ sku: 'NEW', location_id: 'wh-a', quantity: 0, expected_at: '2026-12-01', source: 'erp' }]);
    const later = new Date(T0.getTime() + 2 * HOUR);
    expect(await inventory.availability('NEW', 'web', later)).toMatchObject({ quantity: 15, status: 'in_stock' });
    expect(await inventory.availability('NEW', 'callcenter', later)).toMatchObject({ quantity: 15, status: 'in_stock' });
    // Publishing reads stock its own way (a compact image of many SKUs): the same 15.
    const published = [];
    for await (const page of inventory.changes('web', 'full', later)) published.push(...page.values.map((value) => `${value.sku} ${value.quantity} ${value.status}`));
    expect(published).toEqual(['NEW 15 in_stock']);
    expect(await routing.route(callCentreOrder('C16', 'NEW', 16), later)).toMatchObject({ status: 'held' });
    expect(await routing.route(callCentreOrder('C15', 'NEW', 15), later)).toMatchObject({ status: 'allocated' });
    // The pre-order is routed to the 5 left for it.
    expect(await routing.route(callCentreOrder('P1', 'NEW', 5, 'web'), later)).toMatchObject({ status: 'allocated' });
    expect(await inventory.availability('NEW', 'web', later)).toMatchObject({ quantity: 0 });
  });

  it('a backorder is served by the first units to arrive: 2 on backorder, 3 arrive, 1 is left for everyone else', async () => {
    const { inventory, routing } = open(twoChannels({ backorder: { units: 5 } }));
    await count(inventory, [['OLD', 'wh-a', 0]]);
    expect((await inventory.reserve('web:B1', 'web', [{ sku: 'OLD', quantity: 2, line_id: '1' }], T0)).status).toBe('reserved');
    expect((await inventory.store.reservations('web:B1')).map((row) => row.kind)).toEqual(['backorder']);
    await count(inventory, [['OLD', 'wh-a', 3]], T0.getTime() + HOUR);
    const later = new Date(T0.getTime() + 2 * HOUR);
    expect(await inventory.availability('OLD', 'web', later)).toMatchObject({ quantity: 1, status: 'in_stock' });
    expect(await inventory.availability('OLD', 'callcenter', later)).toMatchObject({ quantity: 1, status: 'in_stock' });
    expect(await routing.route(callCentreOrder('C2', 'OLD', 2), later)).toMatchObject({ status: 'held' });
    expect(await routing.route(callCentreOrder('C1', 'OLD', 1), later)).toMatchObject({ status: 'allocated' });
    expect(await routing.route(callCentreOrder('B1', 'OLD', 2, 'web'), later)).toMatchObject({ status: 'allocated' });
  });
});

describe('an order that changes', () => {
  const v = (at: string, lines: [string, number][]) => orderVersion(Date.parse(at), lines.map(([sku, quantity], index) => ({ sku, quantity, line_id: `${index + 1}` })));
  const lines = (pairs: [string, number][]) => pairs.map(([sku, quantity], index) => ({ sku, quantity, line_id: `${index + 1}` }));

  it('a newer version adjusts the reservation, an older or equal one changes nothing, one that cannot be had is refused and leaves it', async () => {
    const { inventory } = open();
    await count(inventory, [['TEE', 'wh-a', 6]]);
    const reserve = (at: string, pairs: [string, number][]) => inventory.reserve('web:O1', 'web', lines(pairs), T0, v(at, pairs));
    expect((await reserve('2026-11-23T08:00:00Z', [['TEE', 3]])).status).toBe('reserved');
    expect((await reserve('2026-11-23T08:30:00Z', [['TEE', 5]])).status).toBe('adjusted');
    expect((await inventory.store.stock('TEE', T0.getTime())).reserved).toBe(5);
    expect((await reserve('2026-11-23T08:00:00Z', [['TEE', 3]])).status).toBe('stale');
    expect((await reserve('2026-11-23T08:30:00Z', [['TEE', 5]])).status).toBe('duplicate');
    expect(await reserve('2026-11-23T08:45:00Z', [['TEE', 7]])).toMatchObject({ status: 'insufficient', wanted: 7, available: 6 });
    expect((await inventory.store.stock('TEE', T0.getTime())).reserved).toBe(5);
    // Cancelled and given back: a later version reserves again.
    await inventory.store.release('web:O1', T0.getTime());
    expect((await reserve('2026-11-23T09:00:00Z', [['TEE', 2]])).status).toBe('reserved');
    expect((await inventory.store.stock('TEE', T0.getTime())).reserved).toBe(2);
  });

  it('a change to an order already routed is refused with the reason, not applied silently', async () => {
    const { inventory, routing } = open();
    await count(inventory, [['TEE', 'wh-a', 6]]);
    expect((await inventory.reserve('web:O2', 'web', lines([['TEE', 1]]), T0, v('2026-11-23T08:00:00Z', [['TEE', 1]]))).status).toBe('reserved');
    expect((await routing.route(callCentreOrder('O2', 'TEE', 1, 'web'), T0)).status).toBe('allocated');
    expect(await inventory.reserve('web:O2', 'web', lines([['TEE', 2]]), T0, v('2026-11-23T08:30:00Z', [['TEE', 2]]))).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('it is routed already (units held at wh-a)') as unknown as string,
    });
  });
});
