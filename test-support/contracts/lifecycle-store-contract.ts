import { describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../core/lifecycle/lifecycle-event.js';
import type { LifecycleStore } from '../../core/lifecycle/lifecycle-store.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

const T0 = Date.parse('2026-12-01T09:00:00Z');

const event = (order_key: string, event_id: string, more: Partial<LifecycleEvent> = {}): Omit<LifecycleEvent, 'seq'> => ({
  order_key,
  event_id,
  type: 'shipped',
  at: T0,
  recorded_at: T0 + 1000,
  source: { kind: 'location', id: 'wh-a' },
  data: { part_id: 'p1', tracking: { carrier: 'dhl', number: 'JD0001' } },
  fingerprint: `fp-${event_id}`,
  flags: [],
  note: undefined,
  ...more,
});

/** Appends `next` unconditionally and answers the events `decide` saw. */
const appendSeeing = (store: LifecycleStore, next: Omit<LifecycleEvent, 'seq'>): Promise<number> =>
  store.append(next.order_key, (events) => ({ append: next, result: events.length }));

/** The promises every lifecycle store keeps, whatever it keeps events in. */
export function testLifecycleStore(openStore: () => Promise<ReopenableStore<LifecycleStore>>): void {
  describe('lifecycle store contract', () => {
    const open = openPerTest(openStore);

    it('keeps an order its events in the order they were appended, numbered from 1, as they were given', async () => {
      const { store } = await open();
      const first = event('shop:1001', 'e1', { type: 'received', data: { lines: [{ line_id: 'l1', sku: 'TEE', quantity: 2 }] }, source: { kind: 'channel', id: 'shop' } });
      const second = event('shop:1001', 'e2', { flags: ['out_of_order'], note: 'shipped before claimed' });
      await appendSeeing(store, first);
      await appendSeeing(store, second);
      expect(await store.events('shop:1001')).toEqual([{ ...first, seq: 1 }, { ...second, seq: 2 }]);
      expect(await store.events('shop:1002')).toEqual([]);
    });

    it('lets decide see every earlier event of the order, and only of that order', async () => {
      const { store } = await open();
      await appendSeeing(store, event('shop:1001', 'e1'));
      await appendSeeing(store, event('shop:1002', 'e1'));
      expect(await appendSeeing(store, event('shop:1001', 'e2'))).toBe(1);
      const seen = await store.append('shop:1001', (events) => ({ append: undefined, result: events.map((item) => `${item.seq}:${item.event_id}`) }));
      expect(seen).toEqual(['1:e1', '2:e2']);
    });

    it('writes nothing when decide appends nothing, or throws', async () => {
      const { store } = await open();
      expect(await store.append('shop:1001', () => ({ append: undefined, result: 'refused' }))).toBe('refused');
      await expect(
        store.append('shop:1001', () => {
          throw new Error('decided badly');
        }),
      ).rejects.toThrow('decided badly');
      expect(await store.events('shop:1001')).toEqual([]);
    });

    it('never appends an event id of an order twice', async () => {
      const { store } = await open();
      await appendSeeing(store, event('shop:1001', 'e1'));
      await expect(appendSeeing(store, event('shop:1001', 'e1', { data: { part_id: 'p2' } }))).rejects.toThrow();
      await appendSeeing(store, event('mall:1001', 'e1'));
      expect((await store.events('shop:1001')).map((item) => item.data)).toEqual([event('shop:1001', 'e1').data]);
    });

    it('refuses an event of another order than the one appended to', async () => {
      const { store } = await open();
      await expect(store.append('shop:1001', () => ({ append: event('shop:1002', 'e1'), result: 1 }))).rejects.toThrow(/shop:1002/);
      expect(await store.events('shop:1002')).toEqual([]);
    });

    it('finds orders by their external id across channels', async () => {
      const { store } = await open();
      await appendSeeing(store, event('shop:1001', 'e1'));
      await appendSeeing(store, event('mall:1001', 'e1'));
      await appendSeeing(store, event('shop:10011', 'e1'));
      expect(await store.ordersByExternalId('1001')).toEqual(['mall:1001', 'shop:1001']);
      expect(await store.ordersByExternalId('999')).toEqual([]);
    });

    it('keeps events across a restart, and a second connection decides on what the first wrote', async () => {
      const { store, reopen } = await open();
      await appendSeeing(store, event('shop:1001', 'e1'));
      const other = await reopen();
      expect(await appendSeeing(other, event('shop:1001', 'e2'))).toBe(1);
      expect(await appendSeeing(store, event('shop:1001', 'e3'))).toBe(2);
      await store.close();
      const again = await reopen();
      expect((await again.events('shop:1001')).map((item) => [item.seq, item.event_id])).toEqual([[1, 'e1'], [2, 'e2'], [3, 'e3']]);
    });

    it('can be closed twice', async () => {
      const { store } = await open();
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
