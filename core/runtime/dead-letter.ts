import type { DecodeReject } from '../sdk/connector.js';
import type { DeadLetterInput } from '../state/state-store.js';
import { originOf, payloadOf, type ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';

/** Where and why a record's way ended: what a dead letter says besides the record. */
export interface RecordFailure {
  /** `decode`, `step:<n>:<type>` or `target:<name>`. */
  stage: string;
  code: string;
  reason: string;
  target?: string;
  recordKey?: string;
}

/**
 * Makes a dead letter, from a record the run held (its payload is the record as the source gave
 * it, so that it can be replayed, and a replayed one replaces its own dead letter) or from the
 * text a decoder refused. Reason and payload are redacted here, once, so no secret reaches the
 * store or a dry run's list.
 */
export function deadLetter(scope: SourceContext, failed: ItemInFlight | DecodeReject, failure: RecordFailure): DeadLetterInput {
  const { redactor } = scope;
  let origin: string | undefined;
  let payload: string;
  let replaces: number | undefined;
  if ('raw' in failed) {
    origin = failed.origin;
    payload = failed.raw;
  } else {
    origin = originOf(failed);
    payload = payloadOf(failed.original);
    replaces = failed.deadLetterId;
  }
  return {
    source: scope.source.name,
    stage: failure.stage,
    target: failure.target,
    recordKey: failure.recordKey,
    origin,
    code: failure.code,
    reason: redactor.redact(failure.reason),
    payload: redactor.redact(payload),
    replaces,
  };
}
