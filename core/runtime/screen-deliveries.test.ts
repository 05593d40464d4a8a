import { describe, expect, it } from 'vitest';
import type { OnChange } from '../sdk/connector.js';
import type { KeyRecall } from '../state/state-store.js';
import { CHANGED_AFTER_DELIVERY, versionOf } from './changed-version.js';
import type { ItemInFlight } from './item-in-flight.js';
import { screenAgainstLedger, type Candidate } from './screen-deliveries.js';

const RUN = 9;

function candidate(index: number, data: Record<string, string | number>, replayCode?: string): Candidate {
  const item: ItemInFlight = { data, original: data, unit: undefined, mark: ':', at: undefined, replayOrigin: undefined, replayCode };
  const version = versionOf(data, true);
  if (!('hash' in version)) throw new Error('unhashable');
  return { item, index, key: `order-${data['id']}`, version };
}

function delivered(data: Record<string, string | number>, more: Partial<NonNullable<KeyRecall['delivered']>> = {}): KeyRecall {
  const version = versionOf(data, true);
  if (!('hash' in version)) throw new Error('unhashable');
  return { delivered: { hash: version.hash, content: version.content, ref: 'r1', at: '2026-01-02T03:04:05.000Z', unsettledRun: undefined, unsettledResent: false, ...more } };
}

const screen = (candidates: Candidate[], recall: [string, KeyRecall][], onChange: OnChange = 'dead_letter') =>
  screenAgainstLedger(candidates, new Map(recall), { onChange, runId: RUN });
const sent = (result: ReturnType<typeof screen>) => result.send.map(({ candidate: c, idempotencyKey }) => `${c.index}:${idempotencyKey}`);

describe('screening a batch against the effect ledger', () => {
  it('sends a new key, skips one delivered with the same content, and holds back a changed one with what went out', () => {
    const result = screen([candidate(0, { id: 1, qty: 1 }), candidate(1, { id: 2, qty: 1 }), candidate(2, { id: 3, qty: 5 })], [
      ['order-2', delivered({ id: 2, qty: 1 })],
      ['order-3', delivered({ id: 3, qty: 4 })],
    ]);
    expect(sent(result)).toEqual(['0:order-1']);
    expect(result.duplicates).toBe(1);
    expect(result.heldBack.map(({ candidate: c, earlier }) => [c.index, earlier])).toEqual([[2, { content: '{"id":3,"qty":4}', at: '2026-01-02T03:04:05.000Z' }]]);
  });

  it('follows on_change: skip drops the change as a duplicate; send delivers it under a key of its own version', () => {
    const batch = [candidate(0, { id: 3, qty: 5 })];
    const recall: [string, KeyRecall][] = [['order-3', delivered({ id: 3, qty: 4 })]];
    expect(screen(batch, recall, 'skip')).toMatchObject({ send: [], duplicates: 1, heldBack: [] });
    const update = screen(batch, recall, 'send');
    expect(sent(update)).toEqual([`0:order-3#${batch[0]?.version?.hash.slice(0, 16)}`]);
  });

  it('treats a key repeated in the batch like one delivered: the first goes; with send only the last version', () => {
    const batch = [candidate(0, { id: 1, qty: 1 }), candidate(1, { id: 1, qty: 1 }), candidate(2, { id: 1, qty: 2 })];
    const held = screen(batch, []);
    expect(sent(held)).toEqual(['0:order-1']);
    expect(held.duplicates).toBe(1);
    expect(held.heldBack.map(({ candidate: c, earlier }) => [c.index, earlier.at])).toEqual([[2, undefined]]);
    const send = screen(batch, [], 'send');
    expect(sent(send)).toEqual(['2:order-1']);
    expect(send.duplicates).toBe(2);
  });

  it('sends a changed record whose dead letter a person replays, whatever on_change says', () => {
    const result = screen([candidate(0, { id: 3, qty: 5 }, CHANGED_AFTER_DELIVERY)], [['order-3', delivered({ id: 3, qty: 4 })]]);
    expect(result.send).toHaveLength(1);
    expect(result.heldBack).toEqual([]);
  });

  it('counts as written, not as a duplicate, what a killed run delivered before its batch committed, and what it left in doubt as re-sent', () => {
    const result = screen(
      [candidate(0, { id: 1 }), candidate(1, { id: 2 }), candidate(2, { id: 3 }), candidate(3, { id: 4 }), candidate(4, { id: 5 })],
      [
        ['order-1', delivered({ id: 1 }, { unsettledRun: 7 })],
        ['order-2', delivered({ id: 2 }, { unsettledRun: 7, unsettledResent: true })],
        ['order-3', { inDoubtSince: 7 }],
        ['order-4', { inDoubtSince: RUN }],
        ['order-5', delivered({ id: 5 }, { unsettledRun: RUN })],
      ],
    );
    expect(result.recovered.map((c) => c.index)).toEqual([0, 1]);
    expect(sent(result)).toEqual(['2:order-3', '3:order-4']);
    expect(result.resent).toBe(2);
    expect(result.duplicates).toBe(1);
  });

  it('takes an entry without a content hash (recorded before hashes were kept) as the same content', () => {
    const result = screen([candidate(0, { id: 1, qty: 9 })], [['order-1', { delivered: { hash: undefined, content: undefined, ref: undefined, at: 'x', unsettledRun: undefined, unsettledResent: false } }]]);
    expect(result).toMatchObject({ send: [], duplicates: 1 });
  });
});
