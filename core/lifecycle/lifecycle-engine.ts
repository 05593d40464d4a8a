import { Type, type Static } from '@sinclair/typebox';
import type { RecordRejection } from '../errors.js';
import { decideEvent } from './decide-event.js';
import { checkEvent, type LifecycleEvent } from './lifecycle-event.js';
import type { LifecycleStore } from './lifecycle-store.js';
import { deriveOrderState, type OrderState } from './order-state.js';

/** keel.yaml `lifecycle:`: `{}` turns it on; the events' rules are Keel's, not the project's. */
export const LifecycleSection = Type.Object({}, { additionalProperties: false, description: "each order's events (received … refunded), append-only, and its state derived from them" });
export type LifecycleSection = Static<typeof LifecycleSection>;

/**
 * What recording an event came to. `refused` (an impossible transition, or an event that is not
 * one) carries the rejection a connector stream dead-letters: `writeResultFor(result.rejection)`.
 */
export type RecordOutcome =
  | { outcome: 'recorded'; event: LifecycleEvent; state: OrderState }
  | { outcome: 'duplicate'; event: LifecycleEvent; state: OrderState }
  | { outcome: 'refused'; rejection: RecordRejection; state: OrderState | undefined };

export interface OrderTimeline {
  order_key: string;
  events: LifecycleEvent[];
  state: OrderState;
}

/** The order lifecycle: records events from any channel, location or ops, and answers what each order is. */
export class LifecycleEngine {
  constructor(
    readonly store: LifecycleStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records one event (as reported, unchecked): idempotent, and safe from several processes at once. */
  async record(input: unknown): Promise<RecordOutcome> {
    const event = checkEvent(input);
    if (!('fingerprint' in event)) return { outcome: 'refused', rejection: event, state: undefined };
    return this.store.append<RecordOutcome>(event.order_key, (recorded) => {
      const decision = decideEvent(recorded, event);
      if (decision.kind === 'refuse') return { append: undefined, result: { outcome: 'refused', rejection: decision.rejection, state: deriveOrderState(event.order_key, recorded) } };
      if (decision.kind === 'duplicate') return { append: undefined, result: { outcome: 'duplicate', event: decision.of, state: deriveOrderState(event.order_key, recorded) } };
      const appended: LifecycleEvent = { ...event, seq: (recorded.at(-1)?.seq ?? 0) + 1, recorded_at: this.clock(), flags: decision.flags, note: decision.note };
      return { append: appended, result: { outcome: 'recorded', event: appended, state: deriveOrderState(event.order_key, [...recorded, appended]) } };
    });
  }

  /**
   * The order's events and state. `order` is `channel:external_id`, or the external id alone when
   * one channel has it; undefined when no event names it.
   */
  async timeline(order: string): Promise<OrderTimeline | undefined> {
    const keys = order.includes(':') ? [order] : await this.store.ordersByExternalId(order);
    if (keys.length > 1) throw new AmbiguousOrder(order, keys);
    const order_key = keys[0];
    if (order_key === undefined) return undefined;
    const events = await this.store.events(order_key);
    return events.length === 0 ? undefined : { order_key, events, state: deriveOrderState(order_key, events) };
  }
}

/** An external id several channels use: the caller names the channel. */
export class AmbiguousOrder extends Error {
  constructor(
    readonly order: string,
    readonly keys: string[],
  ) {
    super(`order ${order} is known on several channels (${keys.join(', ')}); name it as channel:external_id`);
    this.name = 'AmbiguousOrder';
  }
}
