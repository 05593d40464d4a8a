import { KeelError } from '../errors.js';
import type { WriteResult } from '../sdk/connector.js';
import type { DeadLetterInput, LedgerEntry } from '../state/state-store.js';
import { deadLetter } from './dead-letter.js';
import type { ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';
import type { Candidate } from './screen-deliveries.js';
import type { TargetRuntime } from './target-runtime.js';

/** What one target did with its share of a batch: committed with the batch. */
export interface DeliveryResult {
  deliveries: LedgerEntry[];
  deadLetters: DeadLetterInput[];
  written: number;
  duplicates: number;
  resent: number;
  outcomes: Record<string, number>;
  sequence: { target: string; value: number } | undefined;
  /** Files the target wrote (a file or SFTP target), with their records; written again in a retry, a file counts once. */
  files: Map<string, number>;
}

const OUTCOME_LABEL = /^[a-z][a-z0-9_-]{0,39}$/;
/** Labels that mean the target already had the record: counted as duplicates, not as written. */
const NOT_WRITTEN = new Set(['duplicate', 'stale']);

/**
 * Where each record of one target's share of a batch ended: written (under its outcome label,
 * and as a ledger entry), a duplicate, or a dead letter naming the target. The screen and the
 * retry loop decide; this only counts and remembers.
 */
export class TargetTally {
  readonly result: DeliveryResult = { deliveries: [], deadLetters: [], written: 0, duplicates: 0, resent: 0, outcomes: {}, sequence: undefined, files: new Map() };
  private readonly stage: string;

  constructor(
    private readonly scope: SourceContext,
    private readonly target: TargetRuntime,
  ) {
    this.stage = `target:${target.plan.name}`;
  }

  /** The target took the record. An entry recorded as the answer arrived is settled by the batch commit as it is. */
  accepted(candidate: Candidate, answer: Extract<WriteResult, { status: 'ok' }>, recorded: boolean): void {
    const label = answer.outcome;
    if (label !== undefined) {
      if (!OUTCOME_LABEL.test(label)) {
        throw new KeelError('fatal', `target ${this.target.plan.name} labelled a result "${label.slice(0, 60)}"; labels are lower-case words (a-z, 0-9, _ and -, at most 40); the connector is broken`, {
          code: 'connector_contract',
          stage: this.stage,
        });
      }
      this.result.outcomes[label] = (this.result.outcomes[label] ?? 0) + 1;
    }
    if (label !== undefined && NOT_WRITTEN.has(label)) this.result.duplicates += 1;
    else this.result.written += 1;
    if (this.target.ledgerScope !== undefined && !recorded) this.result.deliveries.push(this.entryOf(candidate, answer.ref, label));
  }

  /** Accepted by a run killed before its batch committed: written, and settled with this batch. */
  recovered(candidate: Candidate, ref: string | undefined): void {
    this.result.written += 1;
    this.result.deliveries.push(this.entryOf(candidate, ref));
  }

  /** The record goes no further to this target. */
  refused(item: ItemInFlight, code: string, reason: string, recordKey?: string): void {
    this.result.deadLetters.push(deadLetter(this.scope, item, { stage: this.stage, target: this.target.plan.name, recordKey, code, reason }));
  }

  /** The ledger entry of an accepted record. */
  entryOf(candidate: Candidate, ref: string | undefined, label?: string): LedgerEntry {
    return {
      target: this.target.ledgerScope ?? this.target.plan.name,
      key: candidate.key,
      ref,
      // A stale answer: the target holds a newer version than this one, so the ledger keeps what it knew.
      hash: label === 'stale' ? undefined : candidate.version?.hash,
      content: label === 'stale' ? undefined : candidate.version?.content,
      resent: candidate.resent,
    };
  }
}
