import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runNodeScript } from '../../test-support/run-node-script.js';
import type { InventoryConfig } from '../inventory/inventory-config.js';
import { InventoryEngine } from '../inventory/inventory-engine.js';
import { SqliteInventoryStore } from '../inventory/sqlite-inventory.js';
import type { Logger, LogFields } from '../logger.js';
import type { Order } from '../model/order.js';
import { strategyLocations } from './explain-receipt.js';
import { profileVersion } from './load-profile.js';
import type { RoutingProfile } from './profile-schema.js';
import type { RoutingSection } from './routing-config.js';
import { RoutingEngine } from './routing-engine.js';
import { SqliteRoutingStore } from './sqlite-routing.js';

const T0 = new Date('2026-11-23T09:00:00Z');
const minutes = (n: number): Date => new Date(T0.getTime() + n * 60_000);
const HOUR = 3600_000;

// Customer in Berlin-Mitte; store-a in Berlin (≈1 km), store-b in Potsdam (≈27 km), store-c in Leipzig.
const INVENTORY: InventoryConfig = {
  locations: [
    { location_id: 'wh-north', name: 'Hamburg DC', type: 'warehouse', coordinates: { lat: 53.55, lon: 9.99 }, capabilities: ['ship'], channels: ['shop'], safety_stock: 1 },
    { location_id: 'wh-south', name: 'Munich DC', type: 'warehouse', coordinates: { lat: 48.14, lon: 11.58 }, capabilities: ['ship'], channels: ['shop'] },
    { location_id: '3pl-east', name: '3PL Poznan', type: '3pl', coordinates: { lat: 52.41, lon: 16.93 }, capabilities: ['ship'], channels: ['shop'] },
    { location_id: 'drop-acme', name: 'Acme drop-ship', type: 'drop_shipper', coordinates: { lat: 50.94, lon: 6.96 }, capabilities: ['ship'], channels: ['shop'] },
    { location_id: 'store-a', name: 'Berlin store', type: 'store', coordinates: { lat: 52.52, lon: 13.4 }, capabilities: ['ship', 'pickup'], channels: ['shop', 'till'] },
    { location_id: 'store-b', name: 'Potsdam store', type: 'store', coordinates: { lat: 52.39, lon: 13.06 }, capabilities: ['ship', 'pickup'], channels: ['shop'] },
    { location_id: 'store-c', name: 'Leipzig store', type: 'store', coordinates: { lat: 51.34, lon: 12.37 }, capabilities: ['ship', 'pickup'], channels: ['shop'] },
  ],
  channels: { shop: {}, till: { online: false } },
  bundles: { KIT: { TEE: 1, MUG: 2 } },
};

const PROFILE: RoutingProfile = {
  name: 'test',
  hold: 'backorder',
  strategies: [{ name: 'nearest', ratings: { distance: 1, reliability: 100 }, split: { allowed: true, max_parts: 2 } }],
  locations: { 'wh-south': { daily_capacity: 1 } },
};

const SECTION: RoutingSection = { profile: 'profile.yaml', offers: { timeout_minutes: 30 }, reliability: { half_life_hours: 24, unclaim_penalty: 0.2, timeout_penalty: 0.3 } };

let dir: string | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A routing service on a real state file; a second call opens a second connection to the same file. */
function open(section: RoutingSection = SECTION, profile: RoutingProfile = PROFILE, logger?: Logger): { routing: RoutingEngine; inventory: InventoryEngine } {
  dir ??= mkdtempSync(join(tmpdir(), 'keel-routing-'));
  const path = join(dir, 'state.db');
  const inventoryStore = new SqliteInventoryStore(path);
  const routingStore = new SqliteRoutingStore(path);
  closers.push(() => routingStore.close(), () => inventoryStore.close());
  const inventory = new InventoryEngine(INVENTORY, inventoryStore, dir);
  const routing = new RoutingEngine({ section, profile: { profile, version: profileVersion(profile) }, skus: new Map(), postalCentroid: undefined }, inventory, routingStore, logger);
  return { routing, inventory };
}

async function stock(inventory: InventoryEngine, rows: [string, string, number][]): Promise<void> {
  await inventory.store.applySnapshots(rows.map(([sku, location_id, on_hand]) => ({ sku, location_id, on_hand, at: T0.getTime() - HOUR, source: 'test' })));
}

let next = 0;
function order(lines: [string, number][], extra: Partial<Order> = {}): Order {
  next += 1;
  return {
    channel: 'shop',
    external_id: `o-${next}`,
    status: 'received',
    currency: 'EUR',
    created_at: T0.toISOString(),
    shipping_address: { country_code: 'DE', postal_code: '10117', coordinates: { lat: 52.517, lon: 13.389 } },
    lines: lines.map(([sku, quantity], index) => ({ line_id: `l${index + 1}`, sku, quantity, unit_price: { amount: '10.00', currency: 'EUR' } })),
    ...extra,
  };
}

const held = async (inventory: InventoryEngine, key: string) =>
  (await inventory.store.reservations(key)).filter((row) => row.status === 'active').map((row) => `${row.sku}@${row.location_id}×${row.quantity}`);

describe('routing service: orders routed over live stock', () => {
  it('holds the units at the chosen warehouse, queues one fulfilment request, and routes an order only once', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['TEE', 'wh-north', 5]]);
    const first = order([['TEE', 2]]);
    // Reserved on the channel when the order came in, then routed: the reservation moves to the location.
    expect((await inventory.reserve('shop:' + first.external_id, 'shop', [{ sku: 'TEE', quantity: 2, line_id: 'l1' }], T0)).status).toBe('reserved');
    const outcome = await routing.route(first, T0);
    expect(outcome.status).toBe('allocated');
    expect(await held(inventory, `shop:${first.external_id}`)).toEqual(['TEE@wh-north×2']);
    // The channel still counts the units once: 5 − 1 safety − 2 held.
    expect((await inventory.availability('TEE', 'shop', T0)).quantity).toBe(2);
    const messages = await routing.outbox(0, undefined, 10);
    expect(messages.map((message) => [message.location_id, message.kind])).toEqual([['wh-north', 'fulfil']]);
    const body = messages[0]?.body as unknown as Order;
    expect(body.lines.map((line) => [line.sku, line.quantity])).toEqual([['TEE', 2]]);
    expect(body.extensions?.['fulfilment']).toMatchObject({ kind: 'fulfil', location_id: 'wh-north', location_type: 'warehouse', source: 'stock' });
    expect((await routing.route(first, T0)).status).toBe('already_routed');
    expect(await routing.outbox(0, undefined, 10)).toHaveLength(1);
  });

  it('warns when the allocation search runs out of steps, and ships the best allocation it found', async () => {
    const warnings: [string, LogFields | undefined][] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (message, fields) => warnings.push([message, fields]), error: () => undefined, child: () => logger };
    const { routing, inventory } = open(SECTION, { ...PROFILE, max_search_steps: 3 }, logger);
    await stock(inventory, [['TEE', 'wh-north', 5], ['MUG', 'wh-south', 5], ['MUG', '3pl-east', 5]]);
    const outcome = await routing.route(order([['TEE', 1], ['MUG', 1]]), T0);
    expect(outcome.status === 'allocated' && outcome.requests.map((request) => request.location_id)).toEqual(['3pl-east', 'wh-north']);
    expect(warnings).toEqual([[expect.stringContaining('the allocation search ran out of its 3 steps for shop:o-'), expect.objectContaining({ status: 'allocated', max_search_steps: 3 })]]);
    const receipt = (await routing.explain(outcome.order_key)).receipts[0]?.receipt;
    expect(receipt?.allocation).toMatchObject({ method: 'heuristic', explored: 3, max_steps: 3 });
    // Enough steps: exact, and nothing to say.
    const roomy = open(SECTION, PROFILE, logger);
    await stock(roomy.inventory, [['CAP', 'wh-north', 5]]);
    expect((await roomy.routing.route(order([['CAP', 1]]), T0)).status).toBe('allocated');
    expect(warnings).toHaveLength(1);
  });

  it('takes units held at a location off the channels that count it, and only those', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['CUP', 'wh-north', 10], ['CUP', 'store-a', 4]]);
    const before = [(await inventory.availability('CUP', 'shop', T0)).quantity, (await inventory.availability('CUP', 'till', T0)).quantity];
    expect(before).toEqual([13, 4]); // shop: (10 − 1 safety) + 4; till: the store's 4
    // Channel-level reservation first: nobody knows yet where it ships from, but the shop's 3 can
    // come from the warehouse's 9, so the till (the store alone) keeps its 4.
    const placed = order([['CUP', 3]], { shipping_address: { country_code: 'DE', coordinates: { lat: 53.55, lon: 9.99 } } });
    await inventory.reserve(`shop:${placed.external_id}`, 'shop', [{ sku: 'CUP', quantity: 3, line_id: 'l1' }], T0);
    expect([(await inventory.availability('CUP', 'shop', T0)).quantity, (await inventory.availability('CUP', 'till', T0)).quantity]).toEqual([10, 4]);
    // Routed to the Hamburg warehouse: the till gets its 4 back, the shop still counts 3 less.
    const outcome = await routing.route(placed, T0);
    expect(outcome.status === 'allocated' && outcome.requests.map((request) => request.location_id)).toEqual(['wh-north']);
    const shop = await inventory.availability('CUP', 'shop', T0);
    expect([shop.quantity, (await inventory.availability('CUP', 'till', T0)).quantity]).toEqual([10, 4]);
    expect(shop.explain.map((step) => step.detail)).toContain('on hand 10 − safety stock 1 − 3 held for routed orders = 6');
    // Publishing reads whole ranges into a stock image: the same figures come out of it.
    const published = new Map<string, number>();
    for await (const page of inventory.changes('shop', 'full', T0)) for (const value of page.values) published.set(`shop ${value.sku}`, value.quantity);
    for await (const page of inventory.changes('till', 'full', T0)) for (const value of page.values) published.set(`till ${value.sku}`, value.quantity);
    expect([published.get('shop CUP'), published.get('till CUP')]).toEqual([10, 4]);
  });

  it('never gives two orders the same units at a location: the second goes where stock is left', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['MUG', 'wh-north', 3], ['MUG', 'wh-south', 5]]); // wh-north: 3 − 1 safety = 2 routable
    const a = await routing.route(order([['MUG', 2]]), T0);
    const b = await routing.route(order([['MUG', 2]]), T0);
    expect(a.status === 'allocated' && a.requests.map((request) => request.location_id)).toEqual(['wh-north']);
    expect(b.status === 'allocated' && b.requests.map((request) => request.location_id)).toEqual(['wh-south']);
    // The hold itself checks the location: a stale decision for wh-north is refused.
    const late = await inventory.store.assign({
      order_key: 'shop:late',
      channel: 'shop',
      assignments: [{ sku: 'MUG', location_id: 'wh-north', quantity: 1 }],
      replacing: 'order',
      floor: () => 1,
      cover: inventory.cover,
      now: T0.getTime(),
      ttlMs: HOUR,
    });
    expect(late).toEqual({ status: 'insufficient', sku: 'MUG', location_id: 'wh-north', wanted: 1, available: 0 });
  });

  it('consumes daily capacity across runs: the second order of the day goes elsewhere, the next day it is back', async () => {
    const first = open();
    await stock(first.inventory, [['CAP', 'wh-south', 10], ['CAP', 'drop-acme', 10]]);
    const customer = { country_code: 'DE', postal_code: '80331', coordinates: { lat: 48.14, lon: 11.57 } };
    const a = await first.routing.route(order([['CAP', 1]], { shipping_address: customer }), T0);
    const second = open(); // another process, same state file
    const b = await second.routing.route(order([['CAP', 1]], { shipping_address: customer }), minutes(60));
    const c = await second.routing.route(order([['CAP', 1]], { shipping_address: customer }), minutes(24 * 60));
    const where = (outcome: typeof a) => (outcome.status === 'allocated' ? outcome.requests.map((request) => request.location_id) : outcome.status);
    expect([where(a), where(b), where(c)]).toEqual([['wh-south'], ['drop-acme'], ['wh-south']]);
    const explained = await second.routing.explain(`shop:${(b as { order_key: string }).order_key.split(':')[1]}`);
    const trial = explained.receipts[0]?.receipt.strategies[0];
    const fenced = trial !== undefined ? strategyLocations(trial).find((candidate) => candidate.location_id === 'wh-south') : undefined;
    expect(fenced?.excluded?.code).toBe('capacity_exhausted');
  });

  it('holds an order no location can serve, with the reason, and routes it when stock arrives', async () => {
    const { routing, inventory } = open();
    const waiting = order([['RARE', 1]]);
    const outcome = await routing.route(waiting, T0);
    expect(outcome.status).toBe('held');
    const requests = (await routing.explain(String(waiting.external_id))).requests;
    expect(requests.map((request) => [request.kind, request.status])).toEqual([['hold', 'held']]);
    expect(requests[0]?.note).toMatch(/^backorder /);
    expect(await routing.retryHeld(minutes(1))).toEqual({ retried: 1, allocated: 0 });
    await stock(inventory, [['RARE', '3pl-east', 1]]);
    expect(await routing.retryHeld(minutes(2))).toEqual({ retried: 1, allocated: 1 });
    const after = (await routing.explain(String(waiting.external_id))).requests.map((request) => [request.kind, request.location_id, request.status]);
    expect(after).toEqual([
      ['hold', '', 'released'],
      ['fulfil', '3pl-east', 'open'],
    ]);
    expect(await held(inventory, `shop:${waiting.external_id}`)).toEqual(['RARE@3pl-east×1']);
  });

  it('routes a kit to a location that has all its components and holds the components there', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['TEE', 'store-a', 5], ['MUG', 'store-a', 1], ['TEE', 'wh-south', 3], ['MUG', 'wh-south', 4]]);
    const kit = order([['KIT', 2]]);
    const outcome = await routing.route(kit, T0);
    expect(outcome.status === 'allocated' && outcome.requests.map((request) => request.location_id)).toEqual(['wh-south']);
    expect((await held(inventory, `shop:${kit.external_id}`)).sort()).toEqual(['MUG@wh-south×4', 'TEE@wh-south×2']);
  });

  it('cancels what is open, tells the location, and frees the units', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['TEE', 'wh-north', 5]]);
    const placed = order([['TEE', 3]]);
    await routing.route(placed, T0);
    expect(await held(inventory, `shop:${placed.external_id}`)).toHaveLength(1);
    expect((await routing.route({ ...placed, status: 'cancelled' }, minutes(5))).status).toBe('cancelled');
    expect(await held(inventory, `shop:${placed.external_id}`)).toEqual([]);
    // The request had not gone out yet: the warehouse hears of neither the order nor its cancellation.
    expect(await routing.outbox(0, undefined, 10)).toEqual([]);

    // Sent first, then cancelled: the warehouse is told.
    const sent = order([['TEE', 1]]);
    await routing.route(sent, minutes(10));
    const fulfil = await routing.outbox(0, undefined, 10);
    expect(fulfil.map((message) => message.kind)).toEqual(['fulfil']);
    await routing.store.markSent(fulfil.map((message) => message.message_id), minutes(11).getTime());
    await routing.cancel(`shop:${sent.external_id}`, minutes(12));
    expect((await routing.outbox(0, undefined, 10)).map((message) => `${message.kind}:${message.location_id}`)).toEqual(['cancel:wh-north']);
  });
});

describe('routing service: two processes on one state file', () => {
  it('never routes the last unit of a location to two orders routed at the same moment', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-routing-race-'));
    const path = join(dir, 'state.db');
    const store = new SqliteInventoryStore(path);
    const rounds = 10;
    // One SKU per round: one unit at the nearer warehouse, one at the farther.
    await store.applySnapshots(
      Array.from({ length: rounds }, (_, round) => [
        { sku: `LAST-${round}`, location_id: 'wh-a', on_hand: 1, at: T0.getTime(), source: 'test' },
        { sku: `LAST-${round}`, location_id: 'wh-b', on_hand: 1, at: T0.getTime(), source: 'test' },
      ]).flat(),
    );
    await store.close();
    const script = fileURLToPath(new URL('../../dist/test-support/route-once.js', import.meta.url));
    const runChild = (order: string, sku: string, at: number): Promise<string> => runNodeScript(script, [path, order, sku, String(at)]);
    const outcomes: string[][] = [];
    for (let round = 0; round < rounds; round += 1) {
      const start = Date.now() + 300;
      outcomes.push(await Promise.all([runChild(`a-${round}`, `LAST-${round}`, start), runChild(`b-${round}`, `LAST-${round}`, start)]));
    }
    // Both want the nearer wh-a; whoever holds second finds it taken and goes to wh-b.
    expect(outcomes.map((pair) => [...pair].sort())).toEqual(Array.from({ length: rounds }, () => ['allocated wh-a', 'allocated wh-b']));
  }, 120_000);
});

describe('routing service: store offers, claims and reliability', () => {
  it('offers a store part; a claim confirms it, an unclaim re-routes it without that store and costs reliability', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['TEE', 'store-a', 2], ['TEE', 'store-b', 2], ['TEE', 'wh-north', 9]]);
    const placed = order([['TEE', 1]]);
    const outcome = await routing.route(placed, T0);
    expect(outcome.status === 'allocated' && outcome.requests.map((request) => [request.kind, request.location_id])).toEqual([['offer', 'store-a']]);
    expect((await routing.claim(String(placed.external_id), 'store-a', minutes(1))).status).toBe('claimed');
    await expect(routing.claim(String(placed.external_id), 'store-a', minutes(2))).rejects.toThrow(/store-a cannot claim order shop:o-\d+: its request there is claimed/);

    const back = await routing.unclaim(String(placed.external_id), 'store-a', 'shelf empty', minutes(3));
    expect(back.status === 'rerouted' && back.outcome.status === 'allocated' && back.outcome.requests.map((request) => request.location_id)).toEqual(['store-b']);
    const key = `shop:${placed.external_id}`;
    expect(await held(inventory, key)).toEqual(['TEE@store-b×1']);
    // Daily capacity: the part store-a gave back no longer counts there; store-b took one.
    expect(Object.fromEntries(await routing.store.capacityUsed('2026-11-23'))).toEqual({ 'store-a': 0, 'store-b': 1 });
    const explained = await routing.explain(key);
    expect(explained.receipts.map((receipt) => receipt.cause)).toEqual(['new order', 'unclaimed by store-a: shelf empty']);
    const second = explained.receipts[1]?.receipt.strategies[0];
    const fence = second !== undefined ? strategyLocations(second).find((candidate) => candidate.location_id === 'store-a')?.excluded : undefined;
    expect(fence?.code).toBe('rejected_order');
    const scores = await routing.reliability(minutes(3));
    expect(scores.find((score) => score.location_id === 'store-a')).toMatchObject({ score: expect.closeTo(0.8, 5), unclaims: 1 });
    // The store is told its offer is gone only through the re-route; the new store gets an offer.
    expect((await routing.outbox(0, new Set(['store-b']), 10)).map((message) => message.kind)).toEqual(['offer']);
  });

  it('lowers a store that unclaims until others win, and lets the penalty fade over the half-life', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['SOCK', 'store-a', 50], ['SOCK', 'store-b', 50]]);
    const routeOne = async (at: Date) => {
      const outcome = await routing.route(order([['SOCK', 1]]), at);
      if (outcome.status !== 'allocated') throw new Error('not allocated');
      return outcome;
    };
    // store-a is ~1 km away, store-b ~27 km: 100 points per unit of reliability lost.
    for (let round = 0; round < 2; round += 1) {
      const outcome = await routeOne(minutes(round * 10));
      expect(outcome.requests[0]?.location_id).toBe('store-a');
      await routing.unclaim(outcome.order_key, 'store-a', 'no staff', minutes(round * 10 + 1));
    }
    // Two penalties of 0.2: score ≈ 0.6, 40 points against 26 km: store-b now.
    expect((await routeOne(minutes(30))).requests[0]?.location_id).toBe('store-b');
    // Two half-lives later the penalty is a quarter (≈0.1, 10 points): store-a again.
    const later = new Date(T0.getTime() + 48 * HOUR);
    const score = (await routing.reliability(later)).find((entry) => entry.location_id === 'store-a')?.score ?? 0;
    expect(score).toBeGreaterThan(0.89);
    expect(score).toBeLessThan(0.91);
    expect((await routeOne(later)).requests[0]?.location_id).toBe('store-a');
  });

  it('re-routes an offer nobody answered in time, with the timeout penalty', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['CAP', 'store-a', 1], ['CAP', 'wh-north', 4]]);
    const placed = order([['CAP', 1]]);
    await routing.route(placed, T0);
    expect(await routing.expireOffers(minutes(29))).toEqual({ timed_out: 0, rerouted: 0 });
    expect(await routing.expireOffers(minutes(30))).toEqual({ timed_out: 1, rerouted: 1 });
    const requests = (await routing.explain(String(placed.external_id))).requests.map((request) => [request.kind, request.location_id, request.status]);
    expect(requests).toEqual([
      ['offer', 'store-a', 'timed_out'],
      ['fulfil', 'wh-north', 'open'],
    ]);
    expect((await routing.reliability(minutes(30))).find((entry) => entry.location_id === 'store-a')).toMatchObject({ score: expect.closeTo(0.7, 5), timeouts: 1 });
    await expect(routing.claim(String(placed.external_id), 'store-a', minutes(31))).rejects.toThrow(/timed_out/);
  });

  it('broadcasts an offer to several stores: the first claim wins, the others are withdrawn, the units move to the winner', async () => {
    const { routing, inventory } = open({ ...SECTION, offers: { timeout_minutes: 30, broadcast: 3 } });
    await stock(inventory, [['BAG', 'store-a', 1], ['BAG', 'store-b', 1], ['BAG', 'store-c', 1]]);
    const placed = order([['BAG', 1]]);
    const outcome = await routing.route(placed, T0);
    expect(outcome.status === 'allocated' && outcome.requests.map((request) => request.location_id)).toEqual(['store-a', 'store-b', 'store-c']);
    const key = `shop:${placed.external_id}`;
    expect(await held(inventory, key)).toEqual(['BAG@store-a×1']);
    // store-a turns it down; the others still hold the offer, so nothing is routed again yet.
    expect(await routing.unclaim(key, 'store-a', 'broken', minutes(1))).toEqual({ status: 'waiting', order_key: key, open: ['store-b', 'store-c'] });
    await routing.claim(key, 'store-c', minutes(2));
    expect(await held(inventory, key)).toEqual(['BAG@store-c×1']);
    // Nothing was sent yet: offers given back or withdrawn meanwhile are dropped, not sent stale,
    // and so are their withdrawals (store-b never heard of the offer). A dry read settles nothing.
    const messages = async (settle: boolean): Promise<string[]> =>
      (await routing.outbox(0, undefined, 20, settle)).map((message) => `${message.kind}:${message.location_id}`);
    expect(await messages(false)).toEqual(['offer:store-c']);
    expect(await messages(true)).toEqual(['offer:store-c']);
    // Settled for good: read again from the start, only the offer that goes out is still there.
    expect(await messages(true)).toEqual(['offer:store-c']);
    await expect(routing.claim(key, 'store-b', minutes(3))).rejects.toThrow(/withdrawn \(store-c claimed first\)/);
  });

  it('sends a click-and-collect order to the chosen store even when another is nearer', async () => {
    const { routing, inventory } = open();
    await stock(inventory, [['TEE', 'store-a', 3], ['TEE', 'store-c', 3]]);
    const pickup = order([['TEE', 1]], { pickup_location_id: 'store-c' });
    const outcome = await routing.route(pickup, T0);
    expect(outcome.status === 'allocated' && outcome.requests.map((request) => [request.kind, request.location_id])).toEqual([['offer', 'store-c']]);
  });
});
