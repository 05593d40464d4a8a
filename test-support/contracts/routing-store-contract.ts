import { describe, expect, it } from 'vitest';
import type { RoutedPart, RoutingReceipt } from '../../core/routing/receipt.js';
import type { DecisionWrite, OutboxMessage, RouteRequest, RoutedOrderRow, RoutingStore } from '../../core/routing/routing-store.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z');
const at = (minutes: number): number => T0 + minutes * MINUTE;

const routedOrder = (order_key: string, more: Partial<RoutedOrderRow> = {}): RoutedOrderRow => ({
  order_key,
  channel: order_key.split(':')[0] ?? 'shop',
  external_id: order_key.split(':')[1] ?? order_key,
  order: { external_id: order_key, lines: [{ sku: 'TEE', quantity: 2 }] },
  rejected: [],
  routed_at: at(0),
  updated_at: at(0),
  ...more,
});

const part = (location_id: string): RoutedPart => ({
  location_id,
  lines: [{ line: 0, line_id: 'l1', sku: 'TEE', quantity: 2 }],
  source: 'stock',
  score: 12.5,
  ratings: { distance: { raw: 4.2, weighted: 4.2 } },
});

const request = (request_id: string, order_key: string, more: Partial<RouteRequest> = {}): RouteRequest => ({
  request_id,
  order_key,
  group_id: request_id,
  kind: 'fulfil',
  location_id: 'wh-a',
  status: 'open',
  part: undefined,
  note: undefined,
  created_at: at(0),
  expires_at: undefined,
  updated_at: at(0),
  ...more,
});

const receipt = (order_key: string, decided_at: number): RoutingReceipt => ({
  order_key,
  profile: { name: 'default', version: 'abc123' },
  decided_at: new Date(decided_at).toISOString(),
  lines: [{ line: 0, sku: 'TEE', quantity: 2 }],
  strategies: [{ strategy: 'ship-from-warehouse', outcome: 'chosen' }],
});

const message = (request_id: string, location_id: string, kind: OutboxMessage['kind'] = 'fulfil', created_at = at(0)): Omit<OutboxMessage, 'message_id'> => ({
  location_id,
  kind,
  request_id,
  body: { request_id, kind, lines: [{ sku: 'TEE', quantity: 2 }] },
  created_at,
});

const decision = (order: RoutedOrderRow, more: Partial<DecisionWrite> = {}): DecisionWrite => ({
  order,
  receipt: undefined,
  requests: [],
  updates: [],
  messages: [],
  capacity: [],
  penalties: [],
  ...more,
});

/**
 * What every RoutingStore promises (core/routing/routing-store.ts), as one suite each
 * implementation runs in one line: `testRoutingStore(async () => ({ store, reopen, cleanup }))`,
 * an empty store per test and `reopen` for another on the same data. Which decisions are taken
 * is the router's, tested beside it; this is what is kept of them.
 */
export function testRoutingStore(open: () => Promise<ReopenableStore<RoutingStore>>): void {
  describe('RoutingStore contract', () => {
    const opened = openPerTest(open);
    const ids = (messages: OutboxMessage[]): string[] => messages.map((one) => `${one.kind} ${one.request_id}@${one.location_id}`);

    describe('orders by customer and requests by location', () => {
      const ofCustomer = (order_key: string, customer: Record<string, string | number>, routed: number): RoutedOrderRow =>
        routedOrder(order_key, { order: { external_id: order_key, customer, lines: [{ sku: 'TEE', quantity: 1 }] }, routed_at: at(routed), updated_at: at(routed) });

      it("finds a customer's orders on every channel by email in any case, or by customer id, last routed first", async () => {
        const { store } = await opened();
        await store.write(decision(ofCustomer('shop:1', { email: 'Ada@Example.org', external_id: 'c-7' }, 0)));
        await store.write(decision(ofCustomer('market:9', { email: 'ada@example.org ' }, 5)));
        await store.write(decision(ofCustomer('shop:2', { email: 'bob@example.org', external_id: 7 }, 3)));
        await store.write(decision(routedOrder('pos:3')));
        expect((await store.ordersOfCustomer({ email: 'ADA@example.org' }, 10)).map((row) => row.order_key)).toEqual(['market:9', 'shop:1']);
        expect((await store.ordersOfCustomer({ email: 'ada@example.org' }, 1)).map((row) => row.order_key)).toEqual(['market:9']);
        expect((await store.ordersOfCustomer({ customerId: 'c-7' }, 10)).map((row) => row.order_key)).toEqual(['shop:1']);
        expect((await store.ordersOfCustomer({ customerId: '7' }, 10)).map((row) => row.order_key)).toEqual(['shop:2']);
        expect(await store.ordersOfCustomer({ email: 'nobody@example.org' }, 10)).toEqual([]);
        expect((await store.ordersOfCustomer({ email: 'bob@example.org' }, 10))[0]?.order).toMatchObject({ customer: { email: 'bob@example.org' } });
      });

      it('lists the requests at one location in the statuses asked, oldest first', async () => {
        const { store } = await opened();
        await store.write(
          decision(routedOrder('shop:1'), {
            requests: [
              request('r2', 'shop:1', { kind: 'offer', location_id: 'store-a', created_at: at(2) }),
              request('r1', 'shop:1', { kind: 'offer', location_id: 'store-a', created_at: at(1), status: 'claimed' }),
              request('r3', 'shop:1', { kind: 'offer', location_id: 'store-b', created_at: at(0) }),
              request('r4', 'shop:1', { kind: 'offer', location_id: 'store-a', created_at: at(0), status: 'withdrawn' }),
            ],
          }),
        );
        expect((await store.requestsAtLocation('store-a', ['open', 'claimed'], 10)).map((one) => one.request_id)).toEqual(['r1', 'r2']);
        expect((await store.requestsAtLocation('store-a', ['open'], 10)).map((one) => one.request_id)).toEqual(['r2']);
        expect((await store.requestsAtLocation('store-a', ['open', 'claimed', 'withdrawn'], 2)).map((one) => one.request_id)).toEqual(['r4', 'r1']);
        expect(await store.requestsAtLocation('store-c', ['open'], 10)).toEqual([]);
      });
    });

    describe('orders and receipts', () => {
      it('knows no order before its first decision, keeps it as routed, and finds it by its external id', async () => {
        const { store } = await opened();
        expect(await store.order('shop:1001')).toBeUndefined();
        expect(await store.orderKeysByExternalId('1001')).toEqual([]);
        const shop = routedOrder('shop:1001', { order: { external_id: '1001', lines: [{ sku: 'TEE', quantity: 2 }], note: 'ring twice' } });
        await store.write(decision(shop));
        await store.write(decision(routedOrder('market:1001')));
        await store.write(decision(routedOrder('shop:1002')));
        expect(await store.order('shop:1001')).toEqual(shop);
        expect(await store.orderKeysByExternalId('1001')).toEqual(['market:1001', 'shop:1001']);
      });

      it('updates the order and the locations that gave it back on each decision, keeping when it was first routed', async () => {
        const { store } = await opened();
        await store.write(decision(routedOrder('shop:1')));
        const changed = { external_id: 'shop:1', lines: [{ sku: 'TEE', quantity: 3 }] };
        await store.write(decision(routedOrder('shop:1', { order: changed, rejected: ['store-a'], routed_at: at(30), updated_at: at(30) })));
        expect(await store.order('shop:1')).toEqual(routedOrder('shop:1', { order: changed, rejected: ['store-a'], routed_at: at(0), updated_at: at(30) }));
      });

      it('numbers the receipts of each order in the order they were decided; a decision without one adds none', async () => {
        const { store } = await opened();
        await store.write(decision(routedOrder('shop:1'), { receipt: { order_key: 'shop:1', decided_at: at(0), cause: 'new order', receipt: receipt('shop:1', at(0)) } }));
        await store.write(decision(routedOrder('shop:1', { updated_at: at(5) })));
        await store.write(decision(routedOrder('shop:2'), { receipt: { order_key: 'shop:2', decided_at: at(6), cause: 'new order', receipt: receipt('shop:2', at(6)) } }));
        await store.write(
          decision(routedOrder('shop:1', { updated_at: at(10) }), {
            receipt: { order_key: 'shop:1', decided_at: at(10), cause: 'unclaimed by store-a: no staff', receipt: receipt('shop:1', at(10)) },
          }),
        );
        expect(await store.receipts('shop:1')).toEqual([
          { order_key: 'shop:1', seq: 1, decided_at: at(0), cause: 'new order', receipt: receipt('shop:1', at(0)) },
          { order_key: 'shop:1', seq: 2, decided_at: at(10), cause: 'unclaimed by store-a: no staff', receipt: receipt('shop:1', at(10)) },
        ]);
        expect((await store.receipts('shop:2')).map((one) => one.seq)).toEqual([1]);
        expect(await store.receipts('shop:3')).toEqual([]);
      });
    });

    describe('requests', () => {
      it('keeps each request sent to a location, in the order they were made, and moves it through its statuses', async () => {
        const { store } = await opened();
        const fulfil = request('r2', 'shop:1', { part: part('wh-a'), created_at: at(1), updated_at: at(1) });
        const offer = request('r1', 'shop:1', { kind: 'offer', location_id: 'store-a', group_id: 'g1', part: part('store-a'), created_at: at(1), expires_at: at(16), updated_at: at(1) });
        const hold = request('r0', 'shop:1', { kind: 'hold', location_id: '', status: 'held', note: 'no_stock', created_at: at(0) });
        await store.write(decision(routedOrder('shop:1'), { requests: [fulfil, offer, hold] }));
        await store.write(decision(routedOrder('shop:2'), { requests: [request('r9', 'shop:2')] }));
        expect(await store.requests('shop:1')).toEqual([hold, offer, fulfil]);

        await store.write(
          decision(routedOrder('shop:1', { updated_at: at(7) }), {
            updates: [
              { request_id: 'r1', status: 'claimed' },
              { request_id: 'r0', status: 'released', note: 'routed after all' },
            ],
          }),
        );
        const after = await store.requests('shop:1');
        expect(after.find((one) => one.request_id === 'r1')).toEqual({ ...offer, status: 'claimed', updated_at: at(7) });
        expect(after.find((one) => one.request_id === 'r0')).toEqual({ ...hold, status: 'released', note: 'routed after all', updated_at: at(7) });
        expect(after.find((one) => one.request_id === 'r2')).toEqual(fulfil);
        expect(await store.requests('shop:3')).toEqual([]);
      });

      it('finds the open offers that expired, soonest first, and no other request', async () => {
        const { store } = await opened();
        const offer = (id: string, expiresAt: number, more: Partial<RouteRequest> = {}): RouteRequest =>
          request(id, 'shop:1', { kind: 'offer', location_id: `store-${id}`, expires_at: expiresAt, ...more });
        await store.write(
          decision(routedOrder('shop:1'), {
            requests: [
              offer('late', at(20)),
              offer('due', at(10)),
              offer('earlier', at(5)),
              offer('claimed', at(5), { status: 'claimed' }),
              request('fulfil', 'shop:1', { expires_at: at(5) }),
            ],
          }),
        );
        expect((await store.expiredOffers(at(10))).map((one) => one.request_id)).toEqual(['earlier', 'due']);
        expect(await store.expiredOffers(at(4))).toEqual([]);
        await store.write(decision(routedOrder('shop:1', { updated_at: at(11) }), { updates: [{ request_id: 'earlier', status: 'timed_out' }] }));
        expect((await store.expiredOffers(at(30))).map((one) => one.request_id)).toEqual(['due', 'late']);
      });

      it('lists the requests held at the moment, oldest first, up to a limit', async () => {
        const { store } = await opened();
        const hold = (id: string, order: string, createdAt: number): RouteRequest => request(id, order, { kind: 'hold', location_id: '', status: 'held', note: 'no_stock', created_at: createdAt });
        await store.write(decision(routedOrder('shop:1'), { requests: [hold('h3', 'shop:1', at(3)), request('f1', 'shop:1')] }));
        await store.write(decision(routedOrder('shop:2'), { requests: [hold('h1', 'shop:2', at(1))] }));
        await store.write(decision(routedOrder('shop:3'), { requests: [hold('h2', 'shop:3', at(2))] }));
        expect((await store.held(2)).map((one) => one.request_id)).toEqual(['h1', 'h2']);
        await store.write(decision(routedOrder('shop:2', { updated_at: at(4) }), { updates: [{ request_id: 'h1', status: 'released' }] }));
        expect((await store.held(10)).map((one) => one.request_id)).toEqual(['h2', 'h3']);
      });

      it('counts the orders with a part held, and since when the oldest hold', async () => {
        const { store } = await opened();
        expect(await store.heldTotals()).toEqual({ orders: 0, oldestAt: undefined });
        const hold = (id: string, order: string, createdAt: number): RouteRequest => request(id, order, { kind: 'hold', location_id: '', status: 'held', note: 'no_stock', created_at: createdAt });
        await store.write(decision(routedOrder('shop:1'), { requests: [hold('a1', 'shop:1', at(5)), hold('a2', 'shop:1', at(6)), request('f1', 'shop:1')] }));
        await store.write(decision(routedOrder('shop:2'), { requests: [hold('b1', 'shop:2', at(2))] }));
        expect(await store.heldTotals()).toEqual({ orders: 2, oldestAt: at(2) });
        await store.write(decision(routedOrder('shop:2', { updated_at: at(7) }), { updates: [{ request_id: 'b1', status: 'released' }] }));
        expect(await store.heldTotals()).toEqual({ orders: 1, oldestAt: at(5) });
      });
    });

    describe('the outbox', () => {
      it('gives out unsent messages in order, for the locations asked, a page at a time, until they are marked sent', async () => {
        const { store } = await opened();
        await store.write(
          decision(routedOrder('shop:1'), {
            requests: [request('r1', 'shop:1'), request('r2', 'shop:1', { location_id: 'wh-b' }), request('r3', 'shop:1')],
            messages: [message('r1', 'wh-a', 'fulfil', at(1)), message('r2', 'wh-b'), message('r3', 'wh-a')],
          }),
        );
        const all = await store.outbox(0, undefined, 10);
        expect(ids(all)).toEqual(['fulfil r1@wh-a', 'fulfil r2@wh-b', 'fulfil r3@wh-a']);
        expect(all[0]).toEqual({ message_id: expect.any(Number), ...message('r1', 'wh-a', 'fulfil', at(1)) });
        expect(all.map((one) => one.message_id)).toEqual([...all.map((one) => one.message_id)].sort((a, b) => a - b));
        expect(new Set(all.map((one) => one.message_id)).size).toBe(3);
        expect(ids(await store.outbox(0, new Set(['wh-a']), 10))).toEqual(['fulfil r1@wh-a', 'fulfil r3@wh-a']);
        expect(ids(await store.outbox(0, undefined, 1))).toEqual(['fulfil r1@wh-a']);
        expect(ids(await store.outbox(all[0]?.message_id ?? 0, undefined, 10))).toEqual(['fulfil r2@wh-b', 'fulfil r3@wh-a']);

        await store.markSent([all[0]?.message_id ?? -1, all[1]?.message_id ?? -1], at(2));
        await store.markSent([all[0]?.message_id ?? -1], at(3));
        expect(ids(await store.outbox(0, undefined, 10))).toEqual(['fulfil r3@wh-a']);
      });

      it('fills a page for one location however many messages for others come before it', async () => {
        const { store } = await opened();
        const busy = Array.from({ length: 12 }, (_, index) => `busy-${index}`);
        await store.write(
          decision(routedOrder('shop:1'), {
            requests: [...busy.map((id) => request(id, 'shop:1', { location_id: 'wh-busy' })), request('quiet', 'shop:1', { location_id: 'wh-quiet' })],
            messages: [...busy.map((id) => message(id, 'wh-busy')), message('quiet', 'wh-quiet')],
          }),
        );
        expect(ids(await store.outbox(0, new Set(['wh-quiet']), 1))).toEqual(['fulfil quiet@wh-quiet']);
      });

      it('never sends an offer given back, withdrawn or cancelled before it went out, nor what follows it; a cancelled fulfilment request likewise', async () => {
        const { store } = await opened();
        const offer = (id: string): RouteRequest => request(id, 'shop:1', { kind: 'offer', location_id: `store-${id}`, group_id: 'g1', expires_at: at(15) });
        await store.write(
          decision(routedOrder('shop:1'), {
            requests: [offer('won'), offer('lost'), request('f-cancelled', 'shop:1'), request('f-open', 'shop:1', { location_id: 'wh-b' })],
            messages: [message('won', 'store-won', 'offer'), message('lost', 'store-lost', 'offer'), message('f-cancelled', 'wh-a'), message('f-open', 'wh-b')],
          }),
        );
        // store-won claims before anything went out: store-lost is withdrawn, and the fulfilment request at wh-a cancelled.
        await store.write(
          decision(routedOrder('shop:1', { updated_at: at(1) }), {
            updates: [
              { request_id: 'won', status: 'claimed' },
              { request_id: 'lost', status: 'withdrawn' },
              { request_id: 'f-cancelled', status: 'cancelled' },
            ],
            messages: [message('lost', 'store-lost', 'withdraw'), message('f-cancelled', 'wh-a', 'cancel')],
          }),
        );
        const sent = await store.outbox(0, undefined, 10);
        expect(ids(sent)).toEqual(['offer won@store-won', 'fulfil f-open@wh-b']);
        // The withdrawal and the cancellation come after the last message sent: not sent on their own later either.
        expect(await store.outbox(sent.at(-1)?.message_id ?? 0, undefined, 10)).toEqual([]);
        expect(ids(await store.outbox(0, undefined, 10))).toEqual(['offer won@store-won', 'fulfil f-open@wh-b']);
      });
    });

    describe('capacity and reliability', () => {
      it('adds up the parts each location took per day', async () => {
        const { store } = await opened();
        await store.write(decision(routedOrder('shop:1'), { capacity: [{ location_id: 'store-a', day: '2026-11-23', parts: 1 }] }));
        await store.write(
          decision(routedOrder('shop:2'), {
            capacity: [
              { location_id: 'store-a', day: '2026-11-23', parts: 2 },
              { location_id: 'store-b', day: '2026-11-23', parts: 1 },
              { location_id: 'store-a', day: '2026-11-24', parts: 1 },
            ],
          }),
        );
        expect(await store.capacityUsed('2026-11-23')).toEqual(new Map([['store-a', 3], ['store-b', 1]]));
        expect(await store.capacityUsed('2026-11-24')).toEqual(new Map([['store-a', 1]]));
        expect(await store.capacityUsed('2026-11-25')).toEqual(new Map());
      });

      it("keeps each location's latest penalty, counting its unclaims and timeouts", async () => {
        const { store } = await opened();
        expect(await store.penalties()).toEqual(new Map());
        await store.write(decision(routedOrder('shop:1'), { penalties: [{ location_id: 'store-a', state: { penalty: 1, at: at(1) }, kind: 'unclaim' }] }));
        await store.write(
          decision(routedOrder('shop:2'), {
            penalties: [
              { location_id: 'store-a', state: { penalty: 1.75, at: at(9) }, kind: 'timeout' },
              { location_id: 'store-b', state: { penalty: 0.5, at: at(9) }, kind: 'unclaim' },
            ],
          }),
        );
        await store.write(decision(routedOrder('shop:3'), { penalties: [{ location_id: 'store-a', state: { penalty: 2.5, at: at(12) }, kind: 'unclaim' }] }));
        expect(await store.penalties()).toEqual(
          new Map([
            ['store-a', { penalty: 2.5, at: at(12), unclaims: 2, timeouts: 1 }],
            ['store-b', { penalty: 0.5, at: at(9), unclaims: 1, timeouts: 0 }],
          ]),
        );
      });
    });

    describe('decisions', () => {
      it('writes a decision all or nothing: one that fails leaves none of its order, receipt, updates, requests, messages, capacity or penalties', async () => {
        const { store } = await opened();
        await store.write(
          decision(routedOrder('shop:1'), {
            receipt: { order_key: 'shop:1', decided_at: at(0), cause: 'new order', receipt: receipt('shop:1', at(0)) },
            requests: [request('r1', 'shop:1', { kind: 'offer', location_id: 'store-a', expires_at: at(15) })],
            messages: [message('r1', 'store-a', 'offer')],
            capacity: [{ location_id: 'store-a', day: '2026-11-23', parts: 1 }],
          }),
        );
        // A request id that exists already: the write fails, and nothing of it may remain.
        const failing = decision(routedOrder('shop:1', { rejected: ['store-a'], updated_at: at(5) }), {
          receipt: { order_key: 'shop:1', decided_at: at(5), cause: 'unclaimed by store-a', receipt: receipt('shop:1', at(5)) },
          updates: [{ request_id: 'r1', status: 'unclaimed', note: 'no staff' }],
          requests: [request('r2', 'shop:1', { location_id: 'wh-b' }), request('r1', 'shop:1')],
          messages: [message('r2', 'wh-b')],
          capacity: [{ location_id: 'wh-b', day: '2026-11-23', parts: 1 }],
          penalties: [{ location_id: 'store-a', state: { penalty: 1, at: at(5) }, kind: 'unclaim' }],
        });
        await expect(store.write(failing)).rejects.toThrow();
        expect(await store.order('shop:1')).toEqual(routedOrder('shop:1'));
        expect((await store.receipts('shop:1')).map((one) => one.seq)).toEqual([1]);
        expect((await store.requests('shop:1')).map((one) => `${one.request_id} ${one.status}`)).toEqual(['r1 open']);
        expect(ids(await store.outbox(0, undefined, 10))).toEqual(['offer r1@store-a']);
        expect(await store.capacityUsed('2026-11-23')).toEqual(new Map([['store-a', 1]]));
        expect(await store.penalties()).toEqual(new Map());
      });
    });

    describe('lifetime', () => {
      it('keeps everything over a close and reopen, and shows another store on the same state what one wrote', async () => {
        const { store, reopen } = await opened();
        const other = await reopen();
        const offer = request('r1', 'shop:1', { kind: 'offer', location_id: 'store-a', part: part('store-a'), expires_at: at(15) });
        await store.write(
          decision(routedOrder('shop:1'), {
            receipt: { order_key: 'shop:1', decided_at: at(0), cause: 'new order', receipt: receipt('shop:1', at(0)) },
            requests: [offer],
            messages: [message('r1', 'store-a', 'offer')],
            capacity: [{ location_id: 'store-a', day: '2026-11-23', parts: 1 }],
            penalties: [{ location_id: 'store-b', state: { penalty: 1, at: at(0) }, kind: 'timeout' }],
          }),
        );
        expect(await other.requests('shop:1')).toEqual([offer]);
        await store.close();
        await other.close();

        const again = await reopen();
        expect(await again.order('shop:1')).toEqual(routedOrder('shop:1'));
        expect((await again.receipts('shop:1')).map((one) => one.cause)).toEqual(['new order']);
        expect(await again.requests('shop:1')).toEqual([offer]);
        expect(ids(await again.outbox(0, undefined, 10))).toEqual(['offer r1@store-a']);
        expect(await again.capacityUsed('2026-11-23')).toEqual(new Map([['store-a', 1]]));
        expect(await again.penalties()).toEqual(new Map([['store-b', { penalty: 1, at: at(0), unclaims: 0, timeouts: 1 }]]));
        expect((await again.expiredOffers(at(15))).map((one) => one.request_id)).toEqual(['r1']);
      });

      it('closes twice without error', async () => {
        const { store } = await opened();
        await store.write(decision(routedOrder('shop:1')));
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
