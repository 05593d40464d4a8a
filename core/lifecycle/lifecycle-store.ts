/**
 * What the lifecycle keeps: each order's events, append-only, in the order they were recorded.
 * SQLite implements it in the project's state file.
 */
import type { LifecycleEvent } from './lifecycle-event.js';

/** What `append`'s decision returns: the event to append (without its seq), or nothing, and the answer. */
export interface AppendDecision<Result> {
  append: Omit<LifecycleEvent, 'seq'> | undefined;
  result: Result;
}

export interface LifecycleStore {
  /** The order's events, in the order they were recorded (by `seq`, from 1). */
  events(order_key: string): Promise<LifecycleEvent[]>;
  /**
   * Reads the order's events and appends what `decide` says, atomically: no other event of the
   * order is recorded in between, by this process or another. `decide` is pure and may run again.
   * An event whose (order, event id) is recorded already is never appended twice.
   */
  append<Result>(order_key: string, decide: (events: readonly LifecycleEvent[]) => AppendDecision<Result>): Promise<Result>;
  /** Orders whose key ends with `:external_id` (an order named without its channel). */
  ordersByExternalId(external_id: string): Promise<string[]>;
  close(): Promise<void>;
}
