import { describe, expect, it } from 'vitest';
import type { SkuStock } from '../../core/inventory/availability.js';
import type {
  AssignRequest,
  InventoryStore,
  LocationAssignment,
  MovementInput,
  ReserveDecision,
  ReserveLine,
  ReserveRequest,
  SnapshotInput,
} from '../../core/inventory/inventory-store.js';
import { ReservationCover } from '../../core/inventory/reservation-cover.js';
import { packSnapshots } from '../../core/inventory/snapshot-columns.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

const HOUR = 3_600_000;
const DAY_START = Date.parse('2026-11-23T00:00:00Z');
/** That day at `hours` o'clock. */
const T = (hours: number): number => DAY_START + hours * HOUR;
const AT = T(6);
const NOW = T(12);
const TTL = HOUR;

const count = (sku: string, location_id: string, on_hand: number, at = AT): SnapshotInput => ({ sku, location_id, on_hand, at, source: 'wms' });
const movement = (movement_id: string, sku: string, location_id: string, delta: number, at: number): MovementInput => ({ movement_id, sku, location_id, delta, at, source: 'pos' });
const incoming = (sku: string, location_id: string, quantity: number, expected_at: string) => ({ sku, location_id, quantity, expected_at, source: 'erp' });
const IN_STOCK = (): ReserveDecision => ({ kind: 'stock' });
const reserveRequest = (order_key: string, lines: ReserveLine[], more: Partial<ReserveRequest> = {}): ReserveRequest => ({
  order_key,
  channel: 'web',
  lines,
  version: { at: undefined, content: JSON.stringify(lines) },
  now: NOW,
  ttlMs: TTL,
  ...more,
});
/** Both channels count both warehouses. */
const EVERYWHERE = new ReservationCover(
  new Map([
    ['web', ['wh-a', 'wh-b']],
    ['callcenter', ['wh-a', 'wh-b']],
  ]),
);
const assignRequest = (order_key: string, assignments: LocationAssignment[], more: Partial<AssignRequest> = {}): AssignRequest => ({
  order_key,
  channel: 'callcenter',
  assignments,
  replacing: 'order',
  floor: () => 0,
  cover: EVERYWHERE,
  now: NOW,
  ttlMs: TTL,
  ...more,
});
const onHand = (stock: SkuStock): number => stock.levels.reduce((sum, level) => sum + level.on_hand, 0);

/**
 * What every InventoryStore promises (core/inventory/inventory-store.ts), as one suite each
 * implementation runs in one line: `testInventoryStore(async () => ({ store, reopen, cleanup }))`,
 * an empty store per test and `reopen` for another on the same data. Availability arithmetic and
 * channel rules are the service's, tested beside it; this is the ledger underneath.
 */
export function testInventoryStore(open: () => Promise<ReopenableStore<InventoryStore>>): void {
  describe('InventoryStore contract', () => {
    const opened = openPerTest(open);
    /** The order's active reservations as `SKU units location kind`, sorted. */
    const holding = async (store: InventoryStore, orderKey: string): Promise<string[]> =>
      (await store.reservations(orderKey))
        .filter((row) => row.status === 'active')
        .map((row) => `${row.sku} ${row.quantity} ${row.location_id ?? '-'} ${row.kind}`)
        .sort();

    describe('the stock ledger', () => {
      it('applies the newest count of each SKU and location, and says stale or duplicate of the others', async () => {
        const { store } = await opened();
        expect(await store.applySnapshots([count('TEE', 'wh-b', 7), count('TEE', 'wh-a', 5)])).toEqual(['applied', 'applied']);
        expect(await store.applySnapshots([count('TEE', 'wh-a', 1, AT - HOUR), count('TEE', 'wh-b', 7), count('TEE', 'wh-a', 9, AT + HOUR)])).toEqual([
          'stale',
          'duplicate',
          'applied',
        ]);
        // Within one batch too, the newest count of a SKU and location wins.
        expect(await store.applySnapshots([count('MUG', 'wh-a', 3, AT + 2 * HOUR), count('MUG', 'wh-a', 4, AT + HOUR)])).toEqual(['applied', 'stale']);
        expect(await store.applySnapshots([])).toEqual([]);
        expect((await store.stock('TEE', NOW)).levels).toEqual([
          { location_id: 'wh-a', on_hand: 9 },
          { location_id: 'wh-b', on_hand: 7 },
        ]);
        expect((await store.stock('MUG', NOW)).levels).toEqual([{ location_id: 'wh-a', on_hand: 3 }]);
        expect(await store.stock('NONE', NOW)).toEqual({ sku: 'NONE', levels: [], reserved: 0, incoming: [] });
      });

      it('takes counts by column the same way', async () => {
        const { store } = await opened();
        const counts = [count('TEE', 'wh-a', 5), count('TEE', 'wh-b', 0), { ...count('MUG', 'wh-a', 12), source: 'erp' }];
        expect(await store.applySnapshotColumns(packSnapshots(counts))).toEqual(['applied', 'applied', 'applied']);
        expect(await store.applySnapshotColumns(packSnapshots([count('TEE', 'wh-a', 1, AT - HOUR), count('MUG', 'wh-a', 12), count('TEE', 'wh-b', 4, AT + HOUR)]))).toEqual([
          'stale',
          'duplicate',
          'applied',
        ]);
        expect((await store.stock('TEE', NOW)).levels).toEqual([
          { location_id: 'wh-a', on_hand: 5 },
          { location_id: 'wh-b', on_hand: 4 },
        ]);
        expect((await store.stock('MUG', NOW)).levels).toEqual([{ location_id: 'wh-a', on_hand: 12 }]);
      });

      it('applies each movement once, on top of the count it came after; a later count keeps the movements after it', async () => {
        const { store } = await opened();
        expect(await store.applySnapshots([count('TEE', 'wh-a', 10, T(10))])).toEqual(['applied']);
        expect(await store.applyMovements([movement('s1', 'TEE', 'wh-a', -3, T(10.5)), movement('s1', 'TEE', 'wh-a', -3, T(10.5))])).toEqual(['applied', 'duplicate']);
        // A sale before the count is in the count already.
        expect(await store.applyMovements([movement('s0', 'TEE', 'wh-a', -1, T(9.5))])).toEqual(['stale']);
        expect((await store.stock('TEE', NOW)).levels).toEqual([{ location_id: 'wh-a', on_hand: 7 }]);
        // A newer count arriving after a later sale: the sale (after the count) still applies on top.
        expect(await store.applyMovements([movement('s2', 'TEE', 'wh-a', -2, T(11.5))])).toEqual(['applied']);
        expect(await store.applySnapshots([count('TEE', 'wh-a', 20, T(11))])).toEqual(['applied']);
        expect((await store.stock('TEE', NOW)).levels).toEqual([{ location_id: 'wh-a', on_hand: 18 }]);
        expect(await store.applySnapshots([count('TEE', 'wh-a', 30, T(10.75)), count('TEE', 'wh-a', 20, T(11))])).toEqual(['stale', 'duplicate']);
        // A movement where nothing was counted yet starts from zero; the first count there keeps it if it came after.
        expect(await store.applyMovements([movement('r1', 'TEE', 'wh-b', 4, T(8))])).toEqual(['applied']);
        expect((await store.stock('TEE', NOW)).levels).toContainEqual({ location_id: 'wh-b', on_hand: 4 });
        expect(await store.applySnapshots([count('TEE', 'wh-b', 6, T(7))])).toEqual(['applied']);
        expect((await store.stock('TEE', NOW)).levels).toEqual([
          { location_id: 'wh-a', on_hand: 18 },
          { location_id: 'wh-b', on_hand: 10 },
        ]);
      });

      it('keeps incoming stock per SKU, location and date, drops it at zero, and finds what falls due', async () => {
        const { store } = await opened();
        await store.setIncoming([incoming('TEE', 'wh-b', 4, '2026-12-01'), incoming('TEE', 'wh-a', 6, '2026-11-28'), incoming('MUG', 'wh-a', 2, '2026-12-01')]);
        expect((await store.stock('TEE', NOW)).incoming).toEqual([
          { location_id: 'wh-a', quantity: 6, expected_at: '2026-11-28' },
          { location_id: 'wh-b', quantity: 4, expected_at: '2026-12-01' },
        ]);
        await store.setIncoming([incoming('TEE', 'wh-b', 9, '2026-12-01'), incoming('TEE', 'wh-a', 0, '2026-11-28')]);
        expect((await store.stock('TEE', NOW)).incoming).toEqual([{ location_id: 'wh-b', quantity: 9, expected_at: '2026-12-01' }]);
        // From `after` (exclusive) to `until` (inclusive).
        expect(await store.incomingDue(Date.parse('2026-11-30'), Date.parse('2026-12-01'))).toEqual(['MUG', 'TEE']);
        expect(await store.incomingDue(Date.parse('2026-12-01'), Date.parse('2026-12-31'))).toEqual([]);
        expect(await store.incomingDue(0, Date.parse('2026-11-30'))).toEqual([]);
      });

      it('knows its SKUs, and which changed after a sequence: writes that change nothing mark nothing, a reservation marks its SKU', async () => {
        const { store } = await opened();
        expect([await store.allSkus(), await store.skuCount(), await store.hasSku('TEE')]).toEqual([[], 0, false]);
        expect((await store.changedSince(0)).skus).toEqual([]);
        await store.applySnapshots([count('TEE', 'wh-a', 5), count('MUG', 'wh-a', 1)]);
        const first = await store.changedSince(0);
        expect(first.skus).toEqual(['MUG', 'TEE']);
        expect([await store.allSkus(), await store.skuCount(), await store.hasSku('TEE'), await store.hasSku('CAP')]).toEqual([['MUG', 'TEE'], 2, true, false]);

        await store.applySnapshots([count('TEE', 'wh-a', 5), count('TEE', 'wh-a', 9, AT - HOUR)]);
        expect(await store.changedSince(first.through)).toEqual({ skus: [], through: first.through });

        await store.applyMovements([movement('m1', 'MUG', 'wh-a', -1, AT + HOUR)]);
        const second = await store.changedSince(first.through);
        expect(second.skus).toEqual(['MUG']);
        expect(second.through).toBeGreaterThan(first.through);
        await store.applyMovements([movement('m1', 'MUG', 'wh-a', -1, AT + HOUR)]);
        expect((await store.changedSince(second.through)).skus).toEqual([]);

        await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 1 }]), IN_STOCK);
        await store.setIncoming([incoming('CAP', 'wh-a', 3, '2026-12-01')]);
        expect((await store.changedSince(second.through)).skus).toEqual(['CAP', 'TEE']);
        expect(await store.allSkus()).toEqual(['CAP', 'MUG', 'TEE']);
      });
    });

    describe('reading stock', () => {
      it('reads a range of SKUs (inclusive) as stock() reads each: levels, held units, reservations and incoming stock', async () => {
        const { store } = await opened();
        await store.applySnapshots([count('A', 'wh-a', 5), count('A', 'wh-b', 7), count('B', 'wh-b', 2), count('C', 'wh-a', 1), count('D', 'wh-a', 4)]);
        await store.setIncoming([incoming('B', 'wh-b', 6, '2026-12-01')]);
        await store.reserve(reserveRequest('web:1', [{ sku: 'A', quantity: 2 }]), IN_STOCK);
        expect(await store.assign(assignRequest('cc:1', [{ sku: 'C', location_id: 'wh-a', quantity: 1 }]))).toEqual({ status: 'assigned' });
        expect(await store.stock('A', NOW)).toMatchObject({ reserved: 2, reservedByChannel: new Map([['web', 2]]) });
        expect((await store.stock('C', NOW)).levels).toEqual([{ location_id: 'wh-a', on_hand: 1, held: 1 }]);

        const range = await store.stockRange('A', 'C', NOW);
        expect([...range.keys()].sort()).toEqual(['A', 'B', 'C']);
        for (const sku of ['A', 'B', 'C']) expect(range.get(sku), sku).toEqual(await store.stock(sku, NOW));
        expect([...(await store.stockRange('B', 'B', NOW)).keys()]).toEqual(['B']);
        expect((await store.stockRange('X', 'Z', NOW)).size).toBe(0);
      });

      it('holds in a stock image what stockRange holds, as a row of counts per SKU in the given location order', async () => {
        const { store } = await opened();
        const odd = 'odd\u001fid'; // a location id holding a character a compact read might join ids with
        const counts: [string, string, number][] = [
          ['A', 'wh-a', 5],
          ['A', 'wh-b', 7],
          ['A', 'gone', 9], // a location not asked for: left out
          ['B', 'wh-b', 0],
          ['C', odd, 3],
          ['C', 'wh-a', 1],
          ['D', 'wh-a', 4],
        ];
        await store.applySnapshots(counts.map(([sku, location_id, on_hand]) => count(sku, location_id, on_hand)));
        await store.applyMovements([movement('pos:1', 'A', 'wh-a', -2, AT + 1)]);
        await store.reserve(reserveRequest('shop:1', [{ sku: 'B', quantity: 0 }, { sku: 'A', quantity: 2 }], { channel: 'shop' }), IN_STOCK);
        await store.setIncoming([incoming('B', 'wh-b', 6, '2026-12-01')]);
        // Units held for a routed order are off the count of their location.
        await store.assign(assignRequest('cc:1', [{ sku: 'C', location_id: 'wh-a', quantity: 1 }], { cover: new ReservationCover(new Map()) }));

        const locations = ['wh-b', 'wh-a', odd];
        const image = await store.stockImage({ first: 'A', last: 'C' }, locations, NOW);
        expect(image.skus).toEqual(['A', 'B', 'C']);
        expect([...image.onHand]).toEqual([7, 3, 0, 0, 0, 0, 0, 0, 3]);
        expect(image.reserved).toEqual(new Map([['A', new Map([['shop', 2]])]]));
        expect(image.incoming).toEqual(new Map([['B', [{ location_id: 'wh-b', quantity: 6, expected_at: '2026-12-01' }]]]));

        // A delta's list of SKUs, in any order, some unknown: the same rows for those it names.
        const listed = await store.stockImage({ skus: ['C', 'Z', 'A'] }, locations, NOW);
        expect(listed.skus).toEqual(['A', 'C']);
        expect([...listed.onHand]).toEqual([7, 3, 0, 0, 0, 3]);
        expect(listed.reserved).toEqual(new Map([['A', new Map([['shop', 2]])]]));
        expect(listed.incoming).toEqual(new Map());

        // The same numbers as the full read.
        const range = await store.stockRange('A', 'C', NOW);
        image.skus.forEach((sku, row) => {
          const free = new Map(range.get(sku)?.levels.map((level) => [level.location_id, level.on_hand - (level.held ?? 0)]));
          expect(locations.map((location) => free.get(location) ?? 0)).toEqual([...image.onHand.subarray(row * 3, row * 3 + 3)]);
        });
      });

      it("leaves one order's own reservations and holds out when asked", async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 10)]);
        await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }]), IN_STOCK);
        await store.reserve(reserveRequest('web:2', [{ sku: 'TEE', quantity: 1 }]), IN_STOCK);
        await store.assign(assignRequest('cc:1', [{ sku: 'TEE', location_id: 'wh-a', quantity: 3 }]));
        expect((await store.stock('TEE', NOW)).reserved).toBe(3);
        expect((await store.stock('TEE', NOW, 'web:1')).reserved).toBe(1);
        expect(await store.heldAt('TEE', NOW)).toEqual(new Map([['wh-a', 3]]));
        expect(await store.heldAt('TEE', NOW, 'cc:1')).toEqual(new Map());
        expect((await store.stock('TEE', NOW, 'cc:1')).levels).toEqual([{ location_id: 'wh-a', on_hand: 10 }]);
      });
    });

    describe('reservations', () => {
      it("reserves every line of an order or none, judging each SKU's units summed over its lines", async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 5), count('MUG', 'wh-b', 1)]);
        const asked: [string, number, number][] = [];
        const decide = (sku: string, wanted: number, stock: SkuStock): ReserveDecision => {
          asked.push([sku, wanted, onHand(stock)]);
          return sku === 'MUG' ? { status: 'insufficient', available: 1, detail: '1 in stock' } : { kind: 'stock' };
        };
        const lines = [
          { sku: 'TEE', quantity: 1, line_id: 'l1' },
          { sku: 'MUG', quantity: 2, line_id: 'l2' },
          { sku: 'TEE', quantity: 2, line_id: 'l3' },
        ];
        expect(await store.reserve(reserveRequest('web:1', lines), decide)).toEqual({ status: 'insufficient', sku: 'MUG', wanted: 2, available: 1, detail: '1 in stock' });
        expect(asked).toContainEqual(['TEE', 3, 5]);
        expect(await store.reservations('web:1')).toEqual([]);
        expect((await store.stock('TEE', NOW)).reserved).toBe(0);

        const fits = [lines[0] as ReserveLine, lines[2] as ReserveLine, { sku: 'CAP', quantity: 0 }];
        expect(await store.reserve(reserveRequest('web:1', fits), IN_STOCK)).toEqual({ status: 'reserved' });
        const rows = await store.reservations('web:1');
        expect(rows.map(({ order_key, channel, sku, quantity, status, kind, location_id, created_at, expires_at }) => ({ order_key, channel, sku, quantity, status, kind, location_id, created_at, expires_at })).sort((a, b) => a.quantity - b.quantity)).toEqual([
          { order_key: 'web:1', channel: 'web', sku: 'TEE', quantity: 1, status: 'active', kind: 'stock', location_id: null, created_at: NOW, expires_at: NOW + TTL },
          { order_key: 'web:1', channel: 'web', sku: 'TEE', quantity: 2, status: 'active', kind: 'stock', location_id: null, created_at: NOW, expires_at: NOW + TTL },
        ]);
        expect(new Set(rows.map((row) => row.reservation_id)).size).toBe(2);
        expect((await store.stock('TEE', NOW)).reserved).toBe(3);
      });

      it('tells a repeated version of an order from a newer one and an older one; a newer one that cannot be had leaves what it holds', async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 10)]);
        const version = (hours: number, content: string) => ({ version: { at: T(hours), content } });
        expect(await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }], version(1, 'TEE×2')), IN_STOCK)).toEqual({ status: 'reserved' });
        expect(await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }], version(1, 'TEE×2')), IN_STOCK)).toEqual({ status: 'duplicate' });
        expect(await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }], version(2, 'TEE×2')), IN_STOCK)).toEqual({ status: 'duplicate' });
        expect(await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 5 }], version(0, 'TEE×5')), IN_STOCK)).toEqual({ status: 'stale' });
        expect(await holding(store, 'web:1')).toEqual(['TEE 2 - stock']);

        // The newer version is judged on the stock without what the order holds now.
        let reservedSeen: number | undefined;
        const adjusted = await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 5, line_id: 'l9' }], version(3, 'TEE×5')), (_sku, _wanted, stock) => {
          reservedSeen = stock.reserved;
          return { kind: 'stock' };
        });
        expect(adjusted).toEqual({ status: 'adjusted' });
        expect(reservedSeen).toBe(0);
        expect(await holding(store, 'web:1')).toEqual(['TEE 5 - stock']);
        expect((await store.stock('TEE', NOW)).reserved).toBe(5);
        expect(await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }], version(2, 'TEE×2')), IN_STOCK)).toEqual({ status: 'stale' });

        const refused = await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 50 }], version(4, 'TEE×50')), () => ({ status: 'insufficient', available: 10, detail: 'no' }));
        expect(refused).toMatchObject({ status: 'insufficient', sku: 'TEE', wanted: 50 });
        expect(await holding(store, 'web:1')).toEqual(['TEE 5 - stock']);
      });

      it('records the kind decide gave each SKU: stock, backorder or pre-order', async () => {
        const { store } = await opened();
        const kinds: Record<string, 'stock' | 'backorder' | 'preorder'> = { TEE: 'stock', MUG: 'backorder', NEW: 'preorder' };
        const lines = Object.keys(kinds).map((sku) => ({ sku, quantity: 2 }));
        expect(await store.reserve(reserveRequest('web:1', lines), (sku) => ({ kind: kinds[sku] ?? 'stock' }))).toEqual({ status: 'reserved' });
        expect(await holding(store, 'web:1')).toEqual(['MUG 2 - backorder', 'NEW 2 - preorder', 'TEE 2 - stock']);
        expect((await store.stock('MUG', NOW)).backordered).toEqual(new Map([['web', 2]]));
      });

      it('refuses to change an order that is routed or shipped, saying why', async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 10)]);
        await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }]), IN_STOCK);
        await store.assign(assignRequest('web:1', [{ sku: 'TEE', location_id: 'wh-a', quantity: 2 }], { channel: 'web' }));
        const routed = await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 3 }]), IN_STOCK);
        expect(routed).toMatchObject({ status: 'refused', reason: expect.stringContaining('wh-a') });
        await store.fulfil('web:1', 'wh-a', NOW);
        expect(await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 4 }]), IN_STOCK)).toMatchObject({ status: 'refused', reason: expect.stringContaining('shipped') });
      });

      it('lets reservations lapse: past their expiry they hold nothing, and expire() marks them expired once', async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 10)]);
        await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }]), IN_STOCK);
        await store.reserve(reserveRequest('web:2', [{ sku: 'TEE', quantity: 1 }], { ttlMs: 10 * TTL }), IN_STOCK);
        const later = NOW + TTL + 1;
        expect((await store.stock('TEE', later)).reserved).toBe(1);
        expect(await store.expire(later)).toBe(1);
        expect((await store.reservations('web:1')).map((row) => row.status)).toEqual(['expired']);
        expect(await store.expire(later)).toBe(0);
        expect(await holding(store, 'web:2')).toEqual(['TEE 1 - stock']);
      });

      it('totals the active reservations not expired per channel, kind and whether held at a location', async () => {
        const { store } = await opened();
        expect(await store.reservationTotals(NOW)).toEqual([]);
        await store.applySnapshots([count('TEE', 'wh-a', 10), count('MUG', 'wh-a', 10)]);
        await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }, { sku: 'MUG', quantity: 1 }]), IN_STOCK);
        await store.reserve(reserveRequest('web:2', [{ sku: 'TEE', quantity: 3 }], { ttlMs: 10 * TTL }), IN_STOCK);
        await store.assign(assignRequest('cc:1', [{ sku: 'MUG', location_id: 'wh-a', quantity: 4 }], { channel: 'callcenter' }));
        await store.reserve(reserveRequest('web:3', [{ sku: 'TEE', quantity: 1 }]), IN_STOCK);
        await store.release('web:3', NOW);
        expect(await store.reservationTotals(NOW)).toEqual([
          { channel: 'callcenter', kind: 'stock', atLocation: true, reservations: 1, units: 4 },
          { channel: 'web', kind: 'stock', atLocation: false, reservations: 3, units: 6 },
        ]);
        expect(await store.reservationTotals(NOW + TTL + 1)).toEqual([{ channel: 'web', kind: 'stock', atLocation: false, reservations: 1, units: 3 }]);
      });
    });

    describe('units held for routed orders', () => {
      it("holds an order's units at locations all or nothing, after safety stock and what other orders hold there", async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 5), count('MUG', 'wh-b', 1)]);
        const floor = (location: string): number => (location === 'wh-a' ? 1 : 0);
        expect(await store.assign(assignRequest('cc:1', [{ sku: 'TEE', location_id: 'wh-a', quantity: 3 }], { floor }))).toEqual({ status: 'assigned' });
        expect(await holding(store, 'cc:1')).toEqual(['TEE 3 wh-a stock']);
        expect(await store.heldAt('TEE', NOW)).toEqual(new Map([['wh-a', 3]]));
        expect((await store.stock('TEE', NOW)).levels).toEqual([{ location_id: 'wh-a', on_hand: 5, held: 3 }]);

        // 5 − 1 safety stock − 3 held for cc:1 leaves 1.
        expect(await store.assign(assignRequest('cc:2', [{ sku: 'TEE', location_id: 'wh-a', quantity: 2 }], { floor }))).toEqual({
          status: 'insufficient',
          sku: 'TEE',
          location_id: 'wh-a',
          wanted: 2,
          available: 1,
        });
        const partly = await store.assign(
          assignRequest('cc:2', [{ sku: 'TEE', location_id: 'wh-a', quantity: 1 }, { sku: 'MUG', location_id: 'wh-b', quantity: 2 }], { floor }),
        );
        expect(partly).toMatchObject({ status: 'insufficient', sku: 'MUG', location_id: 'wh-b' });
        expect(await store.reservations('cc:2')).toEqual([]);
        expect(await store.heldAt('TEE', NOW)).toEqual(new Map([['wh-a', 3]]));
      });

      it('assigning the same order again changes nothing', async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 5)]);
        const request = assignRequest('cc:1', [{ sku: 'TEE', location_id: 'wh-a', quantity: 3 }]);
        expect(await store.assign(request)).toEqual({ status: 'assigned' });
        expect(await store.assign(request)).toEqual({ status: 'assigned' });
        expect(await holding(store, 'cc:1')).toEqual(['TEE 3 wh-a stock']);
        expect(await store.heldAt('TEE', NOW)).toEqual(new Map([['wh-a', 3]]));
      });

      it("replaces the order's reservations without a location by the units it holds, and on a re-route only what one location held", async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 5), count('TEE', 'wh-b', 5), count('TEE', 'wh-c', 5), count('MUG', 'wh-a', 5)]);
        const lines = [
          { sku: 'TEE', quantity: 1, line_id: 'l1' },
          { sku: 'TEE', quantity: 1, line_id: 'l2' },
          { sku: 'MUG', quantity: 1, line_id: 'l3' },
        ];
        await store.reserve(reserveRequest('web:1', lines), IN_STOCK);
        const routed = [
          { sku: 'TEE', location_id: 'wh-a', quantity: 1, line_id: 'l1' },
          { sku: 'TEE', location_id: 'wh-b', quantity: 1, line_id: 'l2' },
          { sku: 'MUG', location_id: 'wh-a', quantity: 1, line_id: 'l3' },
        ];
        expect(await store.assign(assignRequest('web:1', routed, { channel: 'web' }))).toEqual({ status: 'assigned' });
        expect(await holding(store, 'web:1')).toEqual(['MUG 1 wh-a stock', 'TEE 1 wh-a stock', 'TEE 1 wh-b stock']);
        expect((await store.stock('TEE', NOW)).reserved).toBe(0);
        expect((await store.reservations('web:1')).filter((row) => row.status === 'replaced').map((row) => row.sku).sort()).toEqual(['MUG', 'TEE', 'TEE']);

        // wh-a gave its TEE back: it goes to wh-c; the TEE held at wh-b and the MUG (a SKU not re-routed) stay.
        const reroute = assignRequest('web:1', [{ sku: 'TEE', location_id: 'wh-c', quantity: 1, line_id: 'l1' }], { channel: 'web', replacing: { location_id: 'wh-a' } });
        expect(await store.assign(reroute)).toEqual({ status: 'assigned' });
        expect(await holding(store, 'web:1')).toEqual(['MUG 1 wh-a stock', 'TEE 1 wh-b stock', 'TEE 1 wh-c stock']);
      });

      it('will not hold units that reservations without a location need where their channel counts', async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 2), count('TEE', 'wh-b', 5)]);
        // The web shop counts only wh-a, where its 2 reserved units are.
        const cover = new ReservationCover(
          new Map([
            ['web', ['wh-a']],
            ['callcenter', ['wh-a', 'wh-b']],
          ]),
        );
        await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }]), IN_STOCK);
        expect(await store.assign(assignRequest('cc:1', [{ sku: 'TEE', location_id: 'wh-a', quantity: 1 }], { cover }))).toMatchObject({
          status: 'insufficient',
          sku: 'TEE',
          location_id: 'wh-a',
          available: 0,
        });
        expect(await store.assign(assignRequest('cc:1', [{ sku: 'TEE', location_id: 'wh-b', quantity: 1 }], { cover }))).toEqual({ status: 'assigned' });
      });

      it("releases an order's reservations, or only those held at one location", async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 5), count('TEE', 'wh-b', 5)]);
        await store.assign(assignRequest('cc:1', [{ sku: 'TEE', location_id: 'wh-a', quantity: 1, line_id: 'l1' }, { sku: 'TEE', location_id: 'wh-b', quantity: 2, line_id: 'l2' }]));
        expect(await store.release('cc:1', NOW, 'wh-a')).toBe(1);
        expect(await store.heldAt('TEE', NOW)).toEqual(new Map([['wh-b', 2]]));
        expect(await store.release('cc:1', NOW)).toBe(1);
        expect(await store.release('cc:1', NOW)).toBe(0);
        expect(await store.heldAt('TEE', NOW)).toEqual(new Map());
        expect((await store.reservations('cc:1')).map((row) => row.status)).toEqual(['released', 'released']);
      });

      it('fulfils what a location holds (and what is held nowhere yet) once, taking the units out there', async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 5), count('TEE', 'wh-b', 5)]);
        await store.assign(assignRequest('cc:1', [{ sku: 'TEE', location_id: 'wh-a', quantity: 2 }]));
        expect(await store.fulfil('cc:1', 'wh-a', NOW)).toBe(1);
        expect(await store.fulfil('cc:1', 'wh-a', NOW)).toBe(0);
        expect((await store.stock('TEE', NOW)).levels).toEqual([
          { location_id: 'wh-a', on_hand: 3 },
          { location_id: 'wh-b', on_hand: 5 },
        ]);
        expect((await store.reservations('cc:1')).map((row) => `${row.status} ${row.location_id}`)).toEqual(['fulfilled wh-a']);

        await store.reserve(reserveRequest('web:2', [{ sku: 'TEE', quantity: 1 }]), IN_STOCK);
        expect(await store.fulfil('web:2', 'wh-b', NOW)).toBe(1);
        expect((await store.stock('TEE', NOW)).levels).toEqual([
          { location_id: 'wh-a', on_hand: 3 },
          { location_id: 'wh-b', on_hand: 4 },
        ]);
        expect((await store.reservations('web:2')).map((row) => `${row.status} ${row.location_id}`)).toEqual(['fulfilled wh-b']);
      });
    });

    describe('publishing', () => {
      it('remembers what each channel was sent, with its status and date, by range or list of SKUs', async () => {
        const { store } = await opened();
        await store.markPublished(
          'shop',
          [
            { sku: 'A', quantity: 3, revision: 1, status: 'in_stock' },
            { sku: 'B', quantity: 5, revision: 2, status: 'preorder', available_from: '2026-12-01' },
            { sku: 'C', quantity: 2 ** 31, revision: 1 },
          ],
          NOW,
        );
        expect(await store.published('shop', { first: 'A', last: 'B' })).toEqual(
          new Map([
            ['A', { sku: 'A', quantity: 3, revision: 1, status: 'in_stock' }],
            ['B', { sku: 'B', quantity: 5, revision: 2, status: 'preorder', available_from: '2026-12-01' }],
          ]),
        );
        expect(await store.published('shop', { skus: ['C', 'Z'] })).toEqual(new Map([['C', { sku: 'C', quantity: 2 ** 31, revision: 1 }]]));
        expect(await store.published('market', { first: 'A', last: 'Z' })).toEqual(new Map());
      });

      it('replaces a value sent again, and never moves its revision back', async () => {
        const { store } = await opened();
        await store.markPublished('shop', [{ sku: 'A', quantity: 5, revision: 3, status: 'preorder', available_from: '2026-12-01' }], NOW);
        await store.markPublished('shop', [{ sku: 'A', quantity: 2, revision: 2, status: 'in_stock' }], NOW + 1);
        expect((await store.published('shop', { skus: ['A'] })).get('A')).toEqual({ sku: 'A', quantity: 2, revision: 3, status: 'in_stock' });
      });

      it("keeps each channel's publish state", async () => {
        const { store } = await opened();
        expect(await store.publishState('shop')).toEqual({ through: 0, at: 0, rules: 0 });
        await store.setPublishState('shop', { through: 42, at: NOW, rules: 123456789 });
        expect(await store.publishState('shop')).toEqual({ through: 42, at: NOW, rules: 123456789 });
        expect(await store.publishState('market')).toEqual({ through: 0, at: 0, rules: 0 });
      });

      it('records drift as what the channel shows, marking the SKU changed, and forgets it once the SKU is published again', async () => {
        const { store } = await opened();
        await store.markPublished('shop', [{ sku: 'A', quantity: 5, revision: 2, status: 'in_stock' }], NOW);
        const before = (await store.changedSince(0)).through;
        await store.recordDrift('shop', [{ sku: 'A', shown: 3, expected: 5 }], NOW + 1);
        expect(await store.drift('shop')).toEqual([{ sku: 'A', shown: 3, expected: 5, at: NOW + 1 }]);
        expect(await store.drift('market')).toEqual([]);
        expect((await store.published('shop', { skus: ['A'] })).get('A')).toEqual({ sku: 'A', quantity: 3, revision: 2, status: 'in_stock' });
        expect((await store.changedSince(before)).skus).toEqual(['A']);
        await store.markPublished('shop', [{ sku: 'A', quantity: 5, revision: 3, status: 'in_stock' }], NOW + 2);
        expect(await store.drift('shop')).toEqual([]);
      });

      it('totals the drift per channel: SKUs apart and units apart', async () => {
        const { store } = await opened();
        expect(await store.driftTotals()).toEqual([]);
        await store.recordDrift('shop', [{ sku: 'A', shown: 3, expected: 5 }, { sku: 'B', shown: 9, expected: 1 }], NOW);
        await store.recordDrift('market', [{ sku: 'A', shown: 0, expected: 1 }], NOW);
        expect(await store.driftTotals()).toEqual([
          { channel: 'market', skus: 1, units: 1 },
          { channel: 'shop', skus: 2, units: 10 },
        ]);
      });
    });

    describe('lifetime', () => {
      it('keeps the ledger, reservations and publish records over a close and reopen, and shows another store on the same state what one wrote', async () => {
        const { store, reopen } = await opened();
        const other = await reopen();
        await store.applySnapshots([count('TEE', 'wh-a', 5)]);
        await store.applyMovements([movement('m1', 'TEE', 'wh-a', -1, AT + HOUR)]);
        await store.setIncoming([incoming('TEE', 'wh-b', 4, '2026-12-01')]);
        await store.reserve(reserveRequest('web:1', [{ sku: 'TEE', quantity: 2 }]), IN_STOCK);
        await store.markPublished('shop', [{ sku: 'TEE', quantity: 2, revision: 1, status: 'in_stock' }], NOW);
        await store.setPublishState('shop', { through: 3, at: NOW, rules: 7 });
        const expected = await store.stock('TEE', NOW);
        expect(expected).toMatchObject({ levels: [{ location_id: 'wh-a', on_hand: 4 }], reserved: 2 });
        expect(await other.stock('TEE', NOW)).toEqual(expected);
        // What the other store reserves, this one sees: one ledger.
        await other.reserve(reserveRequest('web:2', [{ sku: 'TEE', quantity: 1 }]), IN_STOCK);
        expect((await store.stock('TEE', NOW)).reserved).toBe(3);
        await store.close();
        await other.close();

        const again = await reopen();
        expect(await again.stock('TEE', NOW)).toMatchObject({ levels: [{ location_id: 'wh-a', on_hand: 4 }], reserved: 3, incoming: [{ location_id: 'wh-b', quantity: 4, expected_at: '2026-12-01' }] });
        expect(await again.applyMovements([movement('m1', 'TEE', 'wh-a', -1, AT + HOUR)])).toEqual(['duplicate']);
        expect(await holding(again, 'web:1')).toEqual(['TEE 2 - stock']);
        expect((await again.published('shop', { skus: ['TEE'] })).get('TEE')).toEqual({ sku: 'TEE', quantity: 2, revision: 1, status: 'in_stock' });
        expect(await again.publishState('shop')).toEqual({ through: 3, at: NOW, rules: 7 });
      });

      it('closes twice without error', async () => {
        const { store } = await opened();
        await store.applySnapshots([count('TEE', 'wh-a', 5)]);
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
