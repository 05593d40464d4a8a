import { KeelError } from '../errors.js';
import type { InFlightMark, LedgerEntry, StateStore } from '../state/state-store.js';

/** How long an accepted effect may wait for company before it is written alone. */
const ACCEPTED_GROUP_MS = 5;

/**
 * Records the progress of a batch as it happens, in small group commits beside the batch's own
 * commit: sends about to start (a connector awaits these before the request leaves) and effects
 * a target accepted. A send waits for the next turn of the event loop, so what arrived in the
 * same turn shares one transaction; an accepted effect alone waits at most ACCEPTED_GROUP_MS.
 *
 * Why: the cursor still moves once per batch, but a record the target accepted is in the ledger
 * milliseconds after its answer, so a crash later in the batch sends again only what was in
 * flight; and a send is known before it happens, so what a crash left in doubt can be counted.
 */
export class EffectJournal {
  private marks: InFlightMark[] = [];
  private accepted: LedgerEntry[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The group commit under way: the next waits for it, so entries land in the order they came. */
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly store: StateStore,
    private readonly pipeline: string,
    private readonly runId: number,
  ) {}

  /** Resolves once the marks are in the state store: only then may the send start. */
  sending(marks: readonly InFlightMark[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failed());
    this.marks.push(...marks);
    const written = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.immediate ??= setImmediate(() => void this.writeGroup());
    return written;
  }

  acceptedEffect(entry: LedgerEntry): void {
    if (this.failure !== undefined) return;
    this.accepted.push(entry);
    this.timer ??= setTimeout(() => void this.writeGroup(), ACCEPTED_GROUP_MS);
  }

  /** Writes what is waiting and returns when every group is written; throws if one failed. */
  async flush(): Promise<void> {
    await this.writeGroup();
    if (this.failure !== undefined) throw this.failed();
  }

  private writeGroup(): Promise<void> {
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    const marks = this.marks;
    const accepted = this.accepted;
    const waiters = this.waiters;
    this.marks = [];
    this.accepted = [];
    this.waiters = [];
    this.writing = this.writing.then(async () => {
      if (marks.length === 0 && accepted.length === 0) {
        for (const waiter of waiters) waiter.resolve();
        return;
      }
      try {
        if (this.failure !== undefined) throw this.failure;
        await this.store.recordProgress(this.pipeline, this.runId, { sending: marks, accepted });
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        this.failure ??= error;
        for (const waiter of waiters) waiter.reject(this.failed());
      }
    });
    return this.writing;
  }

  private failed(): KeelError {
    const cause = this.failure;
    return new KeelError('fatal', `could not record delivery progress in the state store: ${cause instanceof Error ? cause.message : String(cause)}`, {
      code: 'state_write_failed',
      stage: 'state',
      cause,
    });
  }
}
