import { describe, expect, it } from 'vitest';
import { RecordRejection } from '../errors.js';
import { decideEvent, type EventDecision } from './decide-event.js';
import { checkEvent, MAX_DATA_CHARS, type LifecycleEvent } from './lifecycle-event.js';
import { deriveOrderState } from './order-state.js';

type Input = { type: string; data?: Record<string, unknown>; event_id?: string; source?: { kind: string; id: string } };

const ORDER = 'shop:1001';
let minute = 0;
const envelope = (input: Input): Record<string, unknown> => ({
  order: ORDER,
  at: new Date(Date.UTC(2026, 11, 1, 9, minute++)).toISOString(),
  source: input.source ?? { kind: 'channel', id: 'shop' },
  ...input,
});

/** Plays events through the lifecycle's own rules, in memory: what the store does, minus the disk. */
function play(...inputs: Input[]): { events: LifecycleEvent[]; decisions: EventDecision[] } {
  const events: LifecycleEvent[] = [];
  const decisions: EventDecision[] = [];
  for (const input of inputs) {
    const checked = checkEvent(envelope(input));
    if (checked instanceof RecordRejection) throw checked;
    const decision = decideEvent(events, checked);
    decisions.push(decision);
    if (decision.kind === 'record') events.push({ ...checked, seq: events.length + 1, recorded_at: 0, flags: decision.flags, note: decision.note });
  }
  return { events, decisions };
}

const stateOf = (...inputs: Input[]) => deriveOrderState(ORDER, play(...inputs).events);
const last = (...inputs: Input[]): EventDecision => play(...inputs).decisions.at(-1) as EventDecision;

const received: Input = { type: 'received', data: { lines: [{ line_id: 'l1', sku: 'TEE', quantity: 3 }, { line_id: 'l2', sku: 'CAP', quantity: 1 }] } };
const routed: Input = {
  type: 'routed',
  data: { parts: [{ part_id: 'p1', location_id: 'wh-a', lines: [{ line_id: 'l1', quantity: 3 }] }, { part_id: 'p2', location_id: 'store-b', lines: [{ line_id: 'l2', quantity: 1 }] }] },
};
const offered2: Input = { type: 'offered', data: { part_id: 'p2', location_id: 'store-b' } };
const claimed2: Input = { type: 'claimed', data: { part_id: 'p2', location_id: 'store-b' } };
const shipped1: Input = { type: 'shipped', data: { part_id: 'p1', tracking: { carrier: 'dhl', number: 'JD0001' } }, source: { kind: 'location', id: 'wh-a' } };
const shipped2: Input = { type: 'shipped', data: { part_id: 'p2', tracking: { number: 'JD0002' } }, source: { kind: 'location', id: 'store-b' } };
const cancelWhole: Input = { type: 'cancelled', data: { reason: 'customer asked' } };
const returnReceived = (quantity: number, return_id = 'r1'): Input => ({ type: 'return_received', data: { return_id, location_id: 'store-b', lines: [{ line_id: 'l1', quantity }] } });
const refund = (quantity: number, refund_id = 'f1'): Input => ({ type: 'refunded', data: { refund_id, lines: [{ line_id: 'l1', quantity }], amount: { value: '19.90', currency: 'EUR' } } });

describe('an order state follows its events', () => {
  it('received: lines ordered, nothing else', () => {
    const state = stateOf(received);
    expect(state.status).toBe('received');
    expect(state.lines.map((line) => [line.line_id, line.sku, line.ordered, line.shipped])).toEqual([['l1', 'TEE', 3, 0], ['l2', 'CAP', 1, 0]]);
  });

  it('reserved, routed, offered and claimed move it on; parts carry their location', () => {
    expect(stateOf(received, { type: 'reserved' }).status).toBe('reserved');
    expect(stateOf(received, routed).parts.map((part) => [part.part_id, part.location_id, part.status])).toEqual([['p1', 'wh-a', 'routed'], ['p2', 'store-b', 'routed']]);
    expect(stateOf(received, routed, offered2).status).toBe('offered');
    const claimed = stateOf(received, routed, offered2, claimed2);
    expect(claimed.status).toBe('claimed');
    expect(claimed.parts[1]?.status).toBe('claimed');
  });

  it('shipped per part: the part routed lines count as shipped, with the tracking', () => {
    const partly = stateOf(received, routed, shipped1);
    expect(partly.status).toBe('partly_shipped');
    expect(partly.lines[0]?.shipped).toBe(3);
    expect(partly.parts[0]?.tracking).toEqual([{ carrier: 'dhl', number: 'JD0001' }]);
    expect(stateOf(received, routed, offered2, claimed2, shipped1, shipped2).status).toBe('shipped');
  });

  it('delivered: of one part, then of all', () => {
    const one = stateOf(received, routed, offered2, claimed2, shipped1, shipped2, { type: 'delivered', data: { part_id: 'p1' } });
    expect(one.status).toBe('shipped');
    expect(one.parts[0]?.status).toBe('delivered');
    expect(stateOf(received, routed, offered2, claimed2, shipped1, shipped2, { type: 'delivered' }).status).toBe('delivered');
  });

  it('cancelled per line: the rest still ships, and the order is partly cancelled', () => {
    const state = stateOf(received, routed, { type: 'cancelled', data: { lines: [{ line_id: 'l2', quantity: 1 }] } }, shipped1);
    expect(state.cancelled).toBe('partly');
    expect(state.lines[1]?.cancelled).toBe(1);
    expect(state.status).toBe('shipped');
  });

  it('cancelled whole: every open unit is cancelled, also of lines received later', () => {
    const state = stateOf(received, cancelWhole);
    expect([state.status, state.cancelled]).toEqual(['cancelled', 'whole']);
    expect(state.lines.map((line) => line.cancelled)).toEqual([3, 1]);
    const early = stateOf(cancelWhole, received);
    expect(early.lines.map((line) => line.cancelled)).toEqual([3, 1]);
    expect(early.status).toBe('cancelled');
  });

  it('a whole cancellation after a part shipped cancels what is left', () => {
    const state = stateOf(received, routed, shipped1, cancelWhole);
    expect([state.status, state.cancelled]).toEqual(['shipped', 'partly']);
    expect(state.lines.map((line) => [line.shipped, line.cancelled])).toEqual([[3, 0], [0, 1]]);
  });

  it('returns: announced, then received in part, then all; refunds close it', () => {
    const shipped = [received, routed, offered2, claimed2, shipped1, shipped2];
    const announce: Input = { type: 'return_announced', data: { return_id: 'r1', lines: [{ line_id: 'l1', quantity: 2 }] } };
    expect(stateOf(...shipped, announce).status).toBe('return_announced');
    expect(stateOf(...shipped, announce, returnReceived(2)).status).toBe('partly_returned');
    const all = [...shipped, returnReceived(3), { type: 'return_received', data: { return_id: 'r2', location_id: 'wh-a', lines: [{ line_id: 'l2', quantity: 1 }] } }];
    expect(stateOf(...all).status).toBe('returned');
    expect(stateOf(...all, refund(3), { type: 'refunded', data: { refund_id: 'f2', lines: [{ line_id: 'l2', quantity: 1 }] } }).status).toBe('refunded');
    const partly = stateOf(...shipped, returnReceived(2), refund(2));
    expect(partly.status).toBe('partly_returned');
    expect([partly.lines[0]?.returned, partly.lines[0]?.refunded]).toEqual([2, 2]);
  });

  it('a cancelled line can be refunded without a return', () => {
    const state = stateOf(received, { type: 'cancelled', data: { lines: [{ line_id: 'l1', quantity: 1 }] } }, refund(1));
    expect(state.lines[0]?.refunded).toBe(1);
  });
});

describe('the same event twice changes nothing', () => {
  it('by event id', () => {
    const { events, decisions } = play(received, routed, { ...shipped1, event_id: 'evt-9' }, { ...shipped1, event_id: 'evt-9' });
    expect(decisions[3]?.kind).toBe('duplicate');
    expect(events).toHaveLength(3);
    expect(deriveOrderState(ORDER, events).lines[0]?.shipped).toBe(3);
  });

  it('by type, part and content, under another id, whatever the key order', () => {
    const reordered: Input = { type: 'shipped', data: { tracking: { number: 'JD0001', carrier: 'dhl' }, part_id: 'p1' }, event_id: 'poll-2' };
    const { events, decisions } = play(received, routed, { ...shipped1, event_id: 'hook-1' }, reordered);
    expect(decisions[3]).toMatchObject({ kind: 'duplicate', of: { event_id: 'hook-1' } });
    expect(events).toHaveLength(3);
  });

  it('but two refunds with their own ids are two refunds', () => {
    const state = stateOf(received, routed, shipped1, returnReceived(2), refund(1, 'f1'), refund(1, 'f2'));
    expect(state.lines[0]?.refunded).toBe(2);
  });

  it('an event id used again with other data is refused, naming both', () => {
    const decision = last(received, { ...shipped1, event_id: 'evt-9' }, { ...shipped2, event_id: 'evt-9' });
    expect(decision.kind).toBe('refuse');
    if (decision.kind === 'refuse') expect(decision.rejection.message).toMatch(/event id evt-9 was recorded already as shipped with other data/);
  });
});

describe('out-of-order events are recorded and flagged', () => {
  it('shipped before claimed', () => {
    const decision = last(received, routed, offered2, shipped2);
    expect(decision).toEqual({ kind: 'record', flags: ['out_of_order'], note: 'shipped before claimed' });
    const state = stateOf(received, routed, offered2, shipped2);
    expect(state.parts[1]?.status).toBe('shipped');
    expect(state.out_of_order).toBe(1);
  });

  it('a claim arriving after the shipment does not move the part back', () => {
    const state = stateOf(received, routed, offered2, shipped2, claimed2);
    expect(state.parts[1]?.status).toBe('shipped');
    expect(last(received, routed, offered2, shipped2, claimed2)).toMatchObject({ note: 'claimed after shipped' });
  });

  it('anything before received, and received late', () => {
    expect(last(shipped1)).toMatchObject({ kind: 'record', note: 'shipped before received' });
    expect(last(shipped1, received)).toMatchObject({ kind: 'record', note: 'received after shipped' });
  });

  it('shipped of a part nobody routed, and delivered before shipped', () => {
    expect(last(received, shipped1)).toMatchObject({ flags: ['out_of_order'], note: 'shipped before part p1 was routed or claimed' });
    expect(last(received, routed, { type: 'delivered', data: { part_id: 'p1' } })).toMatchObject({ note: 'delivered before part p1 shipped' });
    expect(last(received, routed, { type: 'delivered' })).toMatchObject({ note: 'delivered before shipped' });
  });

  it('in order, nothing is flagged', () => {
    const { decisions } = play(received, { type: 'reserved' }, routed, offered2, claimed2, shipped1, shipped2, { type: 'delivered' });
    expect(decisions.map((decision) => (decision.kind === 'record' ? decision.flags : decision.kind))).toEqual(Array(8).fill([]));
  });
});

describe('impossible transitions are refused, naming both states', () => {
  const refusal = (...inputs: Input[]): string => {
    const decision = last(...inputs);
    if (decision.kind !== 'refuse') throw new Error(`expected a refusal, got ${decision.kind}`);
    expect(decision.rejection.code).toBe('lifecycle_transition_refused');
    expect(decision.rejection.kind).toBe('record');
    return decision.rejection.message;
  };

  it('shipped after the whole order was cancelled', () => {
    expect(refusal(received, routed, cancelWhole, shipped1)).toMatch(/^order shop:1001 is cancelled: shipped \(part p1\) cannot follow \(the whole order was cancelled\)/);
    expect(refusal(received, cancelWhole, claimed2)).toMatch(/is cancelled: claimed \(part p2\) cannot follow/);
  });

  it('refunded more than was returned', () => {
    expect(refusal(received, routed, shipped1, returnReceived(1), refund(2))).toMatch(
      /^order shop:1001 is partly_returned: refunded \(lines l1×2\) cannot follow \(refunding 2 of line l1, 1 left: returned 1, cancelled 0, refunded 0\)/,
    );
    expect(refusal(received, routed, shipped1, refund(1))).toMatch(/is partly_shipped: refunded .* 0 left: returned 0/);
  });

  it('returned more than was shipped, shipped or cancelled more than is open', () => {
    expect(refusal(received, routed, shipped1, returnReceived(4))).toMatch(/receiving a return of 4 of line l1, 3 left: shipped 3, returned 0/);
    expect(refusal(received, { type: 'cancelled', data: { lines: [{ line_id: 'l1', quantity: 2 }] } }, routed, shipped1)).toMatch(/shipping 3 of line l1, 1 left: ordered 3, cancelled 2/);
    expect(refusal(received, { type: 'cancelled', data: { lines: [{ line_id: 'l1', quantity: 4 }] } })).toMatch(/is received: cancelled \(lines l1×4\) cannot follow \(cancelling 4 of line l1, 3 left/);
    expect(refusal(received, { type: 'cancelled', data: { lines: [{ line_id: 'l9', quantity: 1 }] } })).toMatch(/the order has no line l9/);
  });

  it('cancelling a cancelled or fully shipped order, receiving an order twice', () => {
    expect(refusal(received, cancelWhole, { type: 'cancelled', data: { reason: 'again' } })).toMatch(/the whole order was cancelled already/);
    expect(refusal(received, routed, shipped1, shipped2, cancelWhole)).toMatch(/is shipped: cancelled \(whole order\) cannot follow \(nothing is left to cancel/);
    expect(refusal(received, { type: 'received', data: { lines: [{ line_id: 'l1', sku: 'TEE', quantity: 9 }] } })).toMatch(/received already/);
  });
});

describe('events from outside are checked first', () => {
  it('names the field that is wrong', () => {
    const missing = checkEvent(envelope({ type: 'shipped', data: { tracking: { number: 'x' } } }));
    expect(missing).toBeInstanceOf(RecordRejection);
    expect((missing as RecordRejection).message).toMatch(/shipped for shop:1001: data must have required property 'part_id'/);
    const badType = checkEvent(envelope({ type: 'teleported' }));
    expect((badType as RecordRejection).field).toBe('type');
    expect((checkEvent({ ...envelope(received), order: 'no-channel' }) as RecordRejection).message).toMatch(/order must match/);
    expect((checkEvent({ ...envelope(received), at: 'yesterday' }) as RecordRejection).message).toMatch(/at must match format/);
  });

  it('refuses data too large or too deep to keep in an order log forever', () => {
    const large = checkEvent(envelope({ type: 'reserved', data: { note: 'x'.repeat(MAX_DATA_CHARS) } }));
    expect((large as RecordRejection).message).toMatch(/^lifecycle event reserved for shop:1001: data is \d+ characters as JSON, more than 65536/);
    let deep: Record<string, unknown> = {};
    for (let level = 0; level < 10_000; level += 1) deep = { deeper: deep };
    expect((checkEvent(envelope({ type: 'reserved', data: deep })) as RecordRejection).message).toMatch(/data is nested deeper than 16 levels/);
    expect(checkEvent(envelope({ type: 'reserved', data: { note: 'x'.repeat(1000) } }))).not.toBeInstanceOf(RecordRejection);
  });

  it('keeps __proto__ keys in data as plain data', () => {
    const checked = checkEvent(JSON.parse(JSON.stringify(envelope({ type: 'reserved' })).replace('"type"', '"data":{"__proto__":{"polluted":true}},"type"')) as unknown);
    expect(checked).not.toBeInstanceOf(RecordRejection);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
