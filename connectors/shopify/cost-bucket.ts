/**
 * Shopify's GraphQL Admin API limits an app on a shop by points, not requests: a leaky bucket of
 * `maximumAvailable` points refilling at `restoreRate` per second. A query may start only when
 * the bucket holds its requested cost; the difference to its actual cost is refunded afterwards.
 * Every response reports the bucket in `extensions.cost.throttleStatus`.
 *
 * This is the client's copy of that bucket. A request waits here until the copy holds the
 * points its operation requested last time, so requests spend points instead of being answered
 * THROTTLED. The copy follows the server: after each response it takes the server's
 * `currentlyAvailable`, less what requests still in flight have reserved (counting them twice
 * errs on the side of waiting). Answers can arrive out of order: a request let out later may be
 * answered first, and Shopify may have charged it after the level an older answer reports. So an
 * answer's level is also lowered by the actual cost of every request let out after it that is
 * already answered (again erring on the side of waiting). Until the first response says how big
 * the bucket is, one request at a time goes out.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost?: number | null;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

interface Waiter {
  cost: number;
  resolve: (ticket: Ticket) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export interface Ticket {
  readonly reserved: number;
  /** The order in which requests were let out. */
  readonly sequence: number;
}

export class CostBucket {
  private available = 0;
  private maximum: number | undefined;
  private restorePerMs = 0;
  private at = Date.now();
  private reserved = 0;
  private inFlight = 0;
  private letOut = 0;
  /** Sequence numbers of the requests in flight. */
  private readonly flying = new Set<number>();
  /** Answered requests that an older answer still to come may not have seen charged: sequence and actual cost. */
  private answered: { sequence: number; actual: number }[] = [];
  private readonly waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Requested cost per operation name, as Shopify last reported it. */
  private readonly learned = new Map<string, number>();
  /** For tests and the run log: how often and how long requests waited, and THROTTLED answers seen. */
  readonly stats = { waits: 0, waitedMs: 0, throttled: 0 };

  /** What an operation will ask for: Shopify's last figure for it, else the caller's estimate. */
  costOf(operation: string, estimate: number): number {
    return this.learned.get(operation) ?? estimate;
  }

  /** Waits until the bucket holds `cost` points, then reserves them. First come, first served. */
  take(cost: number, signal?: AbortSignal): Promise<Ticket> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(stoppedError());
        return;
      }
      const waiter: Waiter = {
        cost,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(stoppedError());
          this.pump();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /** The request is answered: give back its reservation and follow what Shopify says the bucket holds. */
  settle(ticket: Ticket, operation: string, cost: QueryCost | undefined): void {
    this.release(ticket);
    if (typeof cost?.requestedQueryCost === 'number') this.learned.set(operation, cost.requestedQueryCost);
    if (cost?.throttleStatus !== undefined) {
      const laterAnswered = this.answered.reduce((sum, other) => (other.sequence > ticket.sequence ? sum + other.actual : sum), 0);
      this.follow(cost.throttleStatus, laterAnswered);
    }
    this.remember(ticket, typeof cost?.actualQueryCost === 'number' ? cost.actualQueryCost : 0);
    this.pump();
  }

  /** The request failed without an answer about points (network, 5xx): give back its reservation. */
  cancel(ticket: Ticket): void {
    this.release(ticket);
    this.pump();
  }

  /** Answered THROTTLED: the points were not there; the next take of this request waits for them to restore. */
  throttled(ticket: Ticket, operation: string, cost: QueryCost | undefined): void {
    this.stats.throttled += 1;
    this.settle(ticket, operation, cost);
  }

  /** The bucket's size and restore rate once an answer has said them, in the rate ledger's terms. */
  shape(): { capacity: number; leakPerMs: number } | undefined {
    return this.maximum === undefined ? undefined : { capacity: this.maximum, leakPerMs: this.restorePerMs };
  }

  /** Milliseconds until `cost` points are there, by the copy (0 when they are). */
  waitMs(cost: number, now: number = Date.now()): number {
    this.restore(now);
    if (this.maximum === undefined) return 0;
    const needed = Math.min(cost, this.maximum) - (this.available - this.reserved);
    return needed <= 0 ? 0 : Math.ceil(needed / this.restorePerMs);
  }

  private follow(status: ThrottleStatus, laterAnswered: number): void {
    const now = Date.now();
    this.maximum = status.maximumAvailable;
    this.restorePerMs = Math.max(status.restoreRate, 0.001) / 1000;
    this.available = Math.min(status.maximumAvailable, status.currentlyAvailable) - laterAnswered;
    this.at = now;
  }

  /** Keeps an answered request's cost while an older request is still in flight: its answer may predate the charge. */
  private remember(ticket: Ticket, actual: number): void {
    const oldest = Math.min(...this.flying);
    if (actual > 0 && ticket.sequence > oldest) this.answered.push({ sequence: ticket.sequence, actual });
    this.answered = this.answered.filter((other) => other.sequence > oldest);
  }

  private restore(now: number): void {
    if (this.maximum === undefined) return;
    this.available = Math.min(this.maximum, this.available + (now - this.at) * this.restorePerMs);
    this.at = now;
  }

  private release(ticket: Ticket): void {
    this.reserved = Math.max(0, this.reserved - ticket.reserved);
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.flying.delete(ticket.sequence);
  }

  private pump(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.waiting.length > 0) {
      const waiter = this.waiting[0] as Waiter;
      // Bucket size unknown: one probe at a time until an answer tells it.
      if (this.maximum === undefined && this.inFlight > 0) return;
      const wait = this.waitMs(waiter.cost);
      if (wait > 0) {
        this.stats.waits += 1;
        this.stats.waitedMs += wait;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.waiting.shift();
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      // A query dearer than the whole bucket goes out when the bucket is full (Shopify then says MAX_COST_EXCEEDED).
      const reserved = this.maximum === undefined ? 0 : Math.min(waiter.cost, this.maximum);
      this.reserved += reserved;
      this.inFlight += 1;
      this.letOut += 1;
      this.flying.add(this.letOut);
      waiter.resolve({ reserved, sequence: this.letOut });
    }
  }
}

function stoppedError(): Error {
  const error = new Error('stopped while waiting for Shopify API points');
  error.name = 'AbortError';
  return error;
}

const BUCKETS = new Map<string, CostBucket>();

/** One bucket per app and shop (Shopify's unit): every connection to the same API root shares it. */
export function costBucketFor(apiRoot: string): CostBucket {
  let bucket = BUCKETS.get(apiRoot);
  if (bucket === undefined) {
    bucket = new CostBucket();
    BUCKETS.set(apiRoot, bucket);
  }
  return bucket;
}
