/**
 * One request budget per external account, shared by every pipeline in the process and, through
 * the state store's rate ledger, by every process of the project.
 *
 * The model is a leaky bucket (Shopify's shape: a bucket of `burst` requests leaking
 * `per_second`), kept in step with what the vendor reports: a call-limit header
 * (`X-Shopify-Shop-Api-Call-Limit: 32/40`), a rate header (`x-amzn-RateLimit-Limit: 0.5`, the
 * rate the vendor applies to this caller), remaining/reset headers, and `Retry-After` on 429 or
 * 503. Waiting requests are served by priority (order and stock traffic first), then in order.
 *
 * With a ledger (core/state/rate-ledger.ts) the bucket lives in the state store: each grant is a
 * `take` there, and what the vendor says is `report`ed there, so two processes together stay
 * under the account's limit. The waiting queue, the priorities and `concurrency` stay per
 * process. Without one (a client used on its own) the bucket is kept here, in memory.
 */
import type { RateBucket, RateLedger } from '../state/rate-ledger.js';
import { retryAfterMs } from './retry-after.js';

export type Priority = 'high' | 'normal' | 'low';
const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export interface RateLimitSettings {
  /** Requests the bucket holds before it must leak. */
  burst?: number;
  /** Requests the bucket leaks per second: the sustained rate. */
  per_second?: number;
  /** Requests in flight at once on this account, in this process. */
  concurrency?: number;
  /** Header carrying "used/limit" after each call, e.g. X-Shopify-Shop-Api-Call-Limit. */
  call_limit_header?: string;
  /**
   * Header carrying the sustained rate the vendor applies, in requests per second, e.g. Amazon
   * SP-API's x-amzn-RateLimit-Limit: the bucket leaks at that rate from the first answer that has it.
   */
  rate_header?: string;
}

export type HeaderReader = (name: string) => string | undefined;

/** The ledger that keeps an account's bucket, and the account's name in it. */
export interface SharedBucket {
  ledger: RateLedger;
  account: string;
}

/** What a response said about the budget. */
interface VendorSignal {
  /** "used/limit" of the call-limit header. */
  used?: number;
  limit?: number;
  /** The rate header: requests per second. */
  perSecond?: number;
  /** No request before this time (Retry-After, remaining 0 with a reset). */
  pausedUntil?: number;
}

interface Waiter {
  rank: number;
  order: number;
  grant: (release: () => void) => void;
  fail: (error: Error) => void;
}

export class RateBudget {
  private capacity: number;
  private leakPerMs: number;
  private readonly concurrency: number;
  private readonly callLimitHeader: string | undefined;
  private readonly rateHeader: string | undefined;
  /** Where the bucket lives when it is shared; undefined: in the fields below. */
  private readonly shared: SharedBucket | undefined;
  private level = 0;
  private levelAt = Date.now();
  private pausedUntil = 0;
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  private counter = 0;
  private timer: NodeJS.Timeout | undefined;
  /** A shared pump is awaiting the ledger; a pump asked for meanwhile runs when it is done. */
  private pumping = false;
  private pumpAgain = false;
  /** Requests granted and 429s seen: what tests and `--json` summaries report. */
  readonly stats = { granted: 0, limited: 0 };

  constructor(settings: RateLimitSettings, shared?: SharedBucket) {
    this.capacity = settings.burst ?? Number.POSITIVE_INFINITY;
    this.leakPerMs = (settings.per_second ?? Number.POSITIVE_INFINITY) / 1000;
    this.concurrency = settings.concurrency ?? 8;
    this.callLimitHeader = settings.call_limit_header?.toLowerCase();
    this.rateHeader = settings.rate_header?.toLowerCase();
    // An account without a limit has nothing to share but its concurrency, which is per process:
    // its requests cost no ledger transaction.
    const limited = Number.isFinite(this.capacity) || Number.isFinite(this.leakPerMs) || this.callLimitHeader !== undefined || this.rateHeader !== undefined;
    this.shared = limited ? shared : undefined;
  }

  /** Waits for a slot; the returned function must be called when the response (or failure) is in. */
  acquire(priority: Priority = 'normal', signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortError());
        return;
      }
      const waiter: Waiter = {
        rank: PRIORITY_RANK[priority],
        order: this.counter++,
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        // Nobody left to wake: a long pause's timer must not keep a stopping process alive.
        if (this.waiting.length === 0 && this.timer !== undefined) {
          clearTimeout(this.timer);
          this.timer = undefined;
        }
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Sorted insert: by priority, then first come first served.
      let at = this.waiting.length;
      while (at > 0 && (this.waiting[at - 1] as Waiter).rank > waiter.rank) at -= 1;
      this.waiting.splice(at, 0, waiter);
      this.pump();
    });
  }

  /**
   * Brings the model in line with what the vendor said in a response. In memory this is done
   * when the call returns; a shared bucket is reported to the ledger, which the promise awaits.
   */
  async observe(status: number, header: HeaderReader, now: number = Date.now()): Promise<void> {
    const said = this.signalOf(status, header, now);
    if (said.limit !== undefined) this.capacity = said.limit;
    // The vendor applied its rate all along: the time since the last leak is leaked at it too.
    if (said.perSecond !== undefined) this.leakPerMs = said.perSecond / 1000;
    // The server counted the calls it has seen (this one's slot is already released); ours still in flight come on top.
    let level = said.used !== undefined ? Math.min(this.capacity, said.used + this.inFlight) : undefined;
    if (status === 429) {
      this.stats.limited += 1;
      if (Number.isFinite(this.capacity)) level = this.capacity;
    }
    try {
      if (this.shared !== undefined) {
        // Only ever raised there: the other processes' requests in flight are not in `used` yet.
        if (level !== undefined || said.pausedUntil !== undefined) {
          await this.shared.ledger.report(this.shared.account, this.bucket(), { level, pausedUntil: said.pausedUntil }, now);
        }
      } else {
        this.leak(now);
        if (level !== undefined) this.level = level;
        if (said.pausedUntil !== undefined) this.pausedUntil = Math.max(this.pausedUntil, said.pausedUntil);
      }
    } finally {
      this.pump();
    }
  }

  private signalOf(status: number, header: HeaderReader, now: number): VendorSignal {
    const said: VendorSignal = {};
    const pause = (until: number): void => {
      said.pausedUntil = Math.max(said.pausedUntil ?? 0, until);
    };
    if (this.callLimitHeader !== undefined) {
      const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(header(this.callLimitHeader) ?? '');
      if (match !== null) {
        said.used = Number(match[1]);
        said.limit = Number(match[2]);
      }
    }
    if (this.rateHeader !== undefined) {
      const rate = Number(header(this.rateHeader));
      if (Number.isFinite(rate) && rate > 0) said.perSecond = rate;
    }
    const remaining = header('x-ratelimit-remaining') ?? header('ratelimit-remaining');
    if (remaining !== undefined && Number(remaining) <= 0) {
      const reset = Number(header('x-ratelimit-reset') ?? header('ratelimit-reset'));
      // Small numbers are seconds from now, large ones a Unix time.
      if (Number.isFinite(reset) && reset > 0) pause(reset > 1e9 ? reset * 1000 : now + reset * 1000);
    }
    if (status === 429 || status === 503) {
      const wait = retryAfterMs(header('retry-after'), now);
      if (wait !== undefined) pause(now + wait);
      else if (status === 429) pause(now + 1000);
    }
    return said;
  }

  /** The sustained rate the bucket leaks at now, in requests per second (Infinity: no limit). */
  get perSecond(): number {
    return this.leakPerMs * 1000;
  }

  private bucket(): RateBucket {
    return { capacity: this.capacity, leakPerMs: this.leakPerMs };
  }

  private leak(now: number): void {
    if (Number.isFinite(this.leakPerMs)) this.level = Math.max(0, this.level - (now - this.levelAt) * this.leakPerMs);
    else this.level = 0;
    this.levelAt = now;
  }

  private pump(): void {
    if (this.shared === undefined) this.pumpLocal();
    else void this.pumpShared(this.shared);
  }

  /** The bucket in memory: decided at once, a timer for the next leak or the end of a pause. */
  private pumpLocal(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.waiting.length > 0 && this.inFlight < this.concurrency) {
      const now = Date.now();
      this.leak(now);
      let wait = this.pausedUntil - now;
      if (wait <= 0 && this.level + 1 > this.capacity) wait = Math.ceil((this.level + 1 - this.capacity) / this.leakPerMs);
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        return;
      }
      this.level += 1;
      this.grantNext();
    }
  }

  /**
   * The bucket in the ledger: one pump at a time, each grant a `take` there. While a wait's timer
   * runs nothing asks the ledger again: the wait holds for the whole account, and the timer pumps.
   */
  private async pumpShared(shared: SharedBucket): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    if (this.timer !== undefined) return;
    this.pumping = true;
    try {
      while (this.waiting.length > 0 && this.inFlight < this.concurrency) {
        const wait = await shared.ledger.take(shared.account, this.bucket(), Date.now());
        if (wait > 0) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, wait);
          return;
        }
        // A request that gave up during the take stays counted though never sent: the safe side.
        if (this.waiting.length > 0) this.grantNext();
      }
    } catch (error) {
      // The state store failed (closed, locked too long): the requests waiting fail with it.
      for (const waiter of this.waiting.splice(0)) waiter.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.pumping = false;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.pump();
      }
    }
  }

  private grantNext(): void {
    const waiter = this.waiting.shift() as Waiter;
    this.inFlight += 1;
    this.stats.granted += 1;
    let released = false;
    waiter.grant(() => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.pump();
    });
  }
}

function abortError(): Error {
  const error = new Error('stopped before the request was sent');
  error.name = 'AbortError';
  return error;
}

const BUDGETS = new Map<string, RateBudget>();
const SHARED_BUDGETS = new WeakMap<RateLedger, Map<string, RateBudget>>();

/**
 * The budget of one external account: every client naming the same account shares it, so two
 * pipelines against one shop together stay under its limit. The first caller's settings win.
 * With a ledger (the run's state store) the bucket is shared with every other process on it
 * too; without one it is this process's alone.
 */
export function rateBudgetFor(account: string, settings: RateLimitSettings, ledger?: RateLedger): RateBudget {
  let budgets = BUDGETS;
  if (ledger !== undefined) {
    budgets = SHARED_BUDGETS.get(ledger) ?? new Map<string, RateBudget>();
    SHARED_BUDGETS.set(ledger, budgets);
  }
  let budget = budgets.get(account);
  if (budget === undefined) {
    budget = new RateBudget(settings, ledger === undefined ? undefined : { ledger, account });
    budgets.set(account, budget);
  }
  return budget;
}
