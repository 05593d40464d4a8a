/**
 * The request budget of each external account, kept where every process of the project sees it:
 * in the state store. Two `keel run` processes against one shop then share one leaky bucket
 * instead of each assuming the whole rate. A PostgreSQL store shares it across machines.
 *
 * Times are ms since the epoch, passed in (`now`) so a test can step through time; a store keeps
 * a bucket's time from going backwards when two machines' clocks (or two slow calls) disagree.
 */
export interface RateLedger {
  /**
   * Atomically: leaks the account's bucket to `now`; when a pause is in force or one more request
   * would overflow it, answers how long to wait (ms) and counts nothing; else counts the request
   * and answers 0. Keep it one short transaction: every request of a rate-limited account takes one.
   * `cost` is what the request takes from the bucket (default 1; an API that limits by points, say
   * Shopify's GraphQL, asks for the points a query requests; a cost above capacity counts as capacity).
   */
  take(account: string, bucket: RateBucket, now: number, cost?: number): Promise<number>;
  /**
   * Gives back part of what this process took and did not spend (points refunded down to a query's
   * actual cost, or a query the vendor refused unrun): the level falls by `amount`, never below 0.
   */
  refund(account: string, bucket: RateBucket, amount: number, now: number): Promise<void>;
  /**
   * What the vendor said in a response: the bucket is at least `level` full (a call-limit header,
   * a 429), or requests must wait until `pausedUntil` (Retry-After, a remaining/reset header).
   * Neither lowers what the ledger holds: another process may have requests in flight.
   */
  report(account: string, bucket: RateBucket, said: VendorSaid, now: number): Promise<void>;
  /**
   * Every account's bucket as of `now`, for metrics: what is used of it (leaked at the rate the
   * last caller gave), its capacity (undefined: unlimited, or not known for buckets stored before
   * shapes were kept) and the end of a pause the vendor asked for.
   */
  budgets(now: number): Promise<AccountBudget[]>;
}

export interface AccountBudget {
  account: string;
  used: number;
  capacity: number | undefined;
  /** ms since the epoch; 0: no pause. */
  pausedUntil: number;
}

/** The bucket as the caller knows it: `capacity` requests, leaking `leakPerMs`. Either may be infinite. */
export interface RateBucket {
  capacity: number;
  leakPerMs: number;
}

export interface VendorSaid {
  level?: number | undefined;
  pausedUntil?: number | undefined;
}

/** An account's bucket as a store keeps it: the level at `levelAt`, and the end of a pause (0: none). */
export interface BucketState {
  level: number;
  levelAt: number;
  pausedUntil: number;
}

const EMPTY: BucketState = { level: 0, levelAt: 0, pausedUntil: 0 };

/**
 * The bucket at `now`. Time never runs backwards for a bucket: a `now` before its `levelAt` (a
 * call that waited for the lock behind a later one) leaks nothing and keeps `levelAt`, so no
 * stretch of time is leaked twice.
 */
export function leakTo(state: BucketState | undefined, bucket: RateBucket, now: number): BucketState {
  const from = state ?? EMPTY;
  const levelAt = Math.max(from.levelAt, now);
  const elapsed = levelAt - from.levelAt;
  const level = Number.isFinite(bucket.leakPerMs) ? Math.max(0, from.level - elapsed * bucket.leakPerMs) : 0;
  return { level, levelAt, pausedUntil: from.pausedUntil };
}

/** What `take` decides: the wait (ms, 0 when granted) and the state to store when granted. */
export function takeFrom(state: BucketState | undefined, bucket: RateBucket, now: number, cost = 1): { waitMs: number; next: BucketState } {
  const leaked = leakTo(state, bucket, now);
  const taken = Math.min(Math.max(cost, 0), bucket.capacity);
  let waitMs = leaked.pausedUntil - now;
  if (waitMs <= 0 && leaked.level + taken > bucket.capacity) waitMs = (leaked.level + taken - bucket.capacity) / bucket.leakPerMs;
  // Whole milliseconds, at least 1: a wait of 0.3 ms must not read as "granted".
  if (waitMs > 0) return { waitMs: Math.max(1, Math.ceil(waitMs)), next: leaked };
  return { waitMs: 0, next: { ...leaked, level: leaked.level + taken } };
}

/** What `refund` stores: the level lowered by what was given back, not below empty. */
export function refundTo(state: BucketState | undefined, bucket: RateBucket, amount: number, now: number): BucketState {
  const leaked = leakTo(state, bucket, now);
  return { ...leaked, level: Math.max(0, leaked.level - Math.max(amount, 0)) };
}

/** What `report` stores: the level raised to what the vendor counted, the pause extended. */
export function reportTo(state: BucketState | undefined, bucket: RateBucket, said: VendorSaid, now: number): BucketState {
  const leaked = leakTo(state, bucket, now);
  const reported = Math.min(said.level ?? 0, bucket.capacity);
  return { level: Math.max(leaked.level, reported), levelAt: leaked.levelAt, pausedUntil: Math.max(leaked.pausedUntil, said.pausedUntil ?? 0) };
}
