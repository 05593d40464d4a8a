/**
 * Whether an external host is down, per account, shared by every client and pipeline in the
 * process: a host that has answered no request for `downAfterMs` (connection refused or reset,
 * timeouts, 5xx) is down. Requests to a host that is down fail at once instead of retrying each on
 * its own, so a run reports the outage in bounded time; one request every `probeEveryMs` still
 * goes through, to see it come back.
 */
export class OutageWatch {
  private failingSince: number | undefined;
  private lastFailure = '';
  private lastFailureAt = 0;
  private lastProbe = Number.NEGATIVE_INFINITY;

  constructor(
    readonly downAfterMs: number,
    private readonly probeEveryMs: number = Math.max(1000, Math.min(30_000, downAfterMs / 4)),
  ) {}

  /** The host answered (any status below 500): it is up. */
  answered(): void {
    this.failingSince = undefined;
  }

  failed(reason: string, now: number = Date.now()): void {
    this.failingSince ??= now;
    this.lastFailure = reason;
    this.lastFailureAt = now;
  }

  /**
   * Undefined when a request may go out (the host is up, or a probe is due); else since when it
   * has been failing and the last failure.
   */
  refuse(now: number = Date.now()): { sinceMs: number; reason: string } | undefined {
    if (this.failingSince === undefined || now - this.failingSince < this.downAfterMs) return undefined;
    // A probe is due, or nothing was asked for a while (a run starting later): the host gets its chance.
    if (now - this.lastProbe >= this.probeEveryMs || now - this.lastFailureAt >= this.probeEveryMs) {
      this.lastProbe = now;
      return undefined;
    }
    return { sinceMs: now - this.failingSince, reason: this.lastFailure };
  }
}

const WATCHES = new Map<string, OutageWatch>();

/** The watch of one account (by default a base URL's origin); the first caller's limit wins. */
export function outageWatchFor(account: string, downAfterMs: number): OutageWatch {
  let watch = WATCHES.get(account);
  if (watch === undefined) {
    watch = new OutageWatch(downAfterMs);
    WATCHES.set(account, watch);
  }
  return watch;
}
