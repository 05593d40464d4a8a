/**
 * The shop's point bucket as every process of the project sees it: in the state store's rate
 * ledger (core/state/rate-ledger.ts). Each process keeps its own copy (cost-bucket.ts) for order
 * and concurrency; before a query goes out it also takes its requested points from the ledger,
 * gives back what Shopify refunded (requested − actual, or all of it when THROTTLED), and raises
 * the ledger's level to what Shopify says is spent, which counts other processes' queries too.
 * The bucket's size and restore rate, once an answer has said them, are kept in the connection's
 * state, so a process that starts while another is draining the bucket paces its first query too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonValue } from '../../core/json.js';
import type { ConnectorState } from '../../core/sdk/connector.js';
import type { RateBucket, RateLedger } from '../../core/state/rate-ledger.js';
import type { QueryCost } from './cost-bucket.js';

/** What a query took from the ledger: give it to `settle` once the answer is in. */
export interface SharedTake {
  points: number;
  bucket: RateBucket;
}

const SHAPE_KEY = 'shopify-point-bucket';

export class SharedPoints {
  /** The bucket shape last stored in the connection's state by this process. */
  private stored: string | undefined;

  constructor(
    private readonly ledger: RateLedger,
    private readonly account: string,
    private readonly state: ConnectorState | undefined,
  ) {}

  /**
   * Waits until the ledger's bucket holds `points`, then takes them. `known` is the bucket as this
   * process's answers said it; without it the shape another process stored is used, and without
   * that (the very first query of the project) nothing is taken.
   */
  async take(points: number, known: RateBucket | undefined, signal: AbortSignal): Promise<SharedTake | undefined> {
    const bucket = known ?? shapeOf(await this.state?.get(SHAPE_KEY));
    if (bucket === undefined) return undefined;
    for (;;) {
      const waitMs = await this.ledger.take(this.account, bucket, Date.now(), points);
      if (waitMs === 0) return { points: Math.min(points, bucket.capacity), bucket };
      await sleep(waitMs, undefined, { signal });
    }
  }

  /** The answer is in: refund what Shopify did not charge, follow what it says is spent, keep the bucket's shape. */
  async settle(taken: SharedTake | undefined, reported: QueryCost | undefined, throttled: boolean): Promise<void> {
    const status = reported?.throttleStatus;
    if (status !== undefined) await this.remember({ capacity: status.maximumAvailable, leakPerMs: Math.max(status.restoreRate, 0.001) / 1000 });
    if (taken === undefined) return;
    const now = Date.now();
    const actual = throttled ? 0 : (reported?.actualQueryCost ?? taken.points);
    if (actual < taken.points) await this.ledger.refund(this.account, taken.bucket, taken.points - actual, now);
    if (status !== undefined) await this.ledger.report(this.account, taken.bucket, { level: status.maximumAvailable - status.currentlyAvailable }, now);
  }

  /** Keeps the bucket's shape for processes that have not had an answer yet (written when it changes). */
  private async remember(bucket: RateBucket): Promise<void> {
    if (this.state === undefined) return;
    const text = JSON.stringify(bucket);
    if (text === this.stored) return;
    this.stored = text;
    await this.state.set(SHAPE_KEY, { capacity: bucket.capacity, leakPerMs: bucket.leakPerMs });
  }
}

function shapeOf(value: JsonValue | undefined): RateBucket | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { capacity, leakPerMs } = value;
  return typeof capacity === 'number' && typeof leakPerMs === 'number' && capacity > 0 && leakPerMs > 0 ? { capacity, leakPerMs } : undefined;
}

const SHARED = new WeakMap<RateLedger, Map<string, SharedPoints>>();

/** One per ledger and shop, so the shape is written once per process and change, not per query. */
export function sharedPointsFor(ledger: RateLedger, account: string, state: ConnectorState | undefined): SharedPoints {
  let byAccount = SHARED.get(ledger);
  if (byAccount === undefined) {
    byAccount = new Map();
    SHARED.set(ledger, byAccount);
  }
  let shared = byAccount.get(account);
  if (shared === undefined) {
    shared = new SharedPoints(ledger, account, state);
    byAccount.set(account, shared);
  }
  return shared;
}
