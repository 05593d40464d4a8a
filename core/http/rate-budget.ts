/**
 * One request budget per external account, shared by every pipeline in the process.
 *
 * The model is a leaky bucket (Shopify's shape: a bucket of `burst` requests leaking
 * `per_second`), kept in step with what the vendor reports: a call-limit header
 * (`X-Shopify-Shop-Api-Call-Limit: 32/40`), remaining/reset headers, and `Retry-After` on 429
 * or 503. Waiting requests are served by priority (order and stock traffic first), then in order.
 */
import { retryAfterMs } from './retry-after.js';

export type Priority = 'high' | 'normal' | 'low';
const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export interface RateLimitSettings {
  /** Requests the bucket holds before it must leak. */
  burst?: number;
  /** Requests the bucket leaks per second: the sustained rate. */
  per_second?: number;
  /** Requests in flight at once on this account. */
  concurrency?: number;
  /** Header carrying "used/limit" after each call, e.g. X-Shopify-Shop-Api-Call-Limit. */
  call_limit_header?: string;
}

export type HeaderReader = (name: string) => string | undefined;

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
  private level = 0;
  private levelAt = Date.now();
  private pausedUntil = 0;
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  private counter = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Requests granted and 429s seen: what tests and `--json` summaries report. */
  readonly stats = { granted: 0, limited: 0 };

  constructor(settings: RateLimitSettings) {
    this.capacity = settings.burst ?? Number.POSITIVE_INFINITY;
    this.leakPerMs = (settings.per_second ?? Number.POSITIVE_INFINITY) / 1000;
    this.concurrency = settings.concurrency ?? 8;
    this.callLimitHeader = settings.call_limit_header?.toLowerCase();
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
        fail: reject,
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
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

  /** Brings the model in line with what the vendor said in a response. */
  observe(status: number, header: HeaderReader, now: number = Date.now()): void {
    this.leak(now);
    if (this.callLimitHeader !== undefined) {
      const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(header(this.callLimitHeader) ?? '');
      if (match !== null) {
        const used = Number(match[1]);
        this.capacity = Number(match[2]);
        // The server counted the calls it has seen (this one's slot is already released); ours still in flight come on top.
        this.level = Math.min(this.capacity, used + this.inFlight);
      }
    }
    const remaining = header('x-ratelimit-remaining') ?? header('ratelimit-remaining');
    if (remaining !== undefined && Number(remaining) <= 0) {
      const reset = Number(header('x-ratelimit-reset') ?? header('ratelimit-reset'));
      if (Number.isFinite(reset) && reset > 0) {
        // Small numbers are seconds from now, large ones a Unix time.
        const until = reset > 1e9 ? reset * 1000 : now + reset * 1000;
        this.pausedUntil = Math.max(this.pausedUntil, until);
      }
    }
    if (status === 429 || status === 503) {
      const wait = retryAfterMs(header('retry-after'), now);
      if (status === 429) {
        this.stats.limited += 1;
        if (Number.isFinite(this.capacity)) this.level = this.capacity;
      }
      if (wait !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + wait);
      else if (status === 429) this.pausedUntil = Math.max(this.pausedUntil, now + 1000);
    }
    this.pump();
  }

  private leak(now: number): void {
    if (Number.isFinite(this.leakPerMs)) this.level = Math.max(0, this.level - (now - this.levelAt) * this.leakPerMs);
    else this.level = 0;
    this.levelAt = now;
  }

  private pump(): void {
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
      const waiter = this.waiting.shift() as Waiter;
      this.level += 1;
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
}

function abortError(): Error {
  const error = new Error('stopped before the request was sent');
  error.name = 'AbortError';
  return error;
}

const BUDGETS = new Map<string, RateBudget>();

/**
 * The budget of one external account: every client naming the same account shares it, so two
 * pipelines against one shop together stay under its limit. The first caller's settings win.
 */
export function rateBudgetFor(account: string, settings: RateLimitSettings): RateBudget {
  let budget = BUDGETS.get(account);
  if (budget === undefined) {
    budget = new RateBudget(settings);
    BUDGETS.set(account, budget);
  }
  return budget;
}
