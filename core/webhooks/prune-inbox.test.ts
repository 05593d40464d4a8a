import { describe, expect, it } from 'vitest';
import { tempStatePerTest } from '../../test-support/temp-state.js';
import { pruneInbox } from './prune-inbox.js';

const opened = tempStatePerTest();

describe('pruning the webhook inbox', () => {
  it('forgets what came more than keep-days ago, keeps the rest, and then takes a pruned delivery again', async () => {
    const store = opened();
    const now = Date.parse('2026-12-08T12:00:00Z');
    const event = (id: string, receivedAt: string) => ({ connection: 'shop', topic: 'orders/create', deliveryId: id, receivedAt, body: Buffer.from(`{"id":"${id}"}`), headers: {} });
    await store.webhooks.append(event('eight-days', '2026-11-30T12:00:00.000Z'));
    await store.webhooks.append(event('seven-days-less-a-minute', '2026-12-01T12:01:00.000Z'));
    await store.webhooks.append(event('today', '2026-12-08T11:00:00.000Z'));
    expect(await pruneInbox(store.webhooks, 7, now)).toBe(1);
    const kept = await store.webhooks.list({ connection: 'shop', afterSeq: 0, limit: 10 });
    expect(kept.map((stored) => stored.deliveryId)).toEqual(['seven-days-less-a-minute', 'today']);
    // Forgotten: the same delivery is an event again (the age check is what stops such a replay).
    expect((await store.webhooks.append(event('eight-days', '2026-12-08T12:00:00.000Z'))).stored).toBe(true);
  });
});
