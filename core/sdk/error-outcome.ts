import { KeelError, type ErrorKind } from '../errors.js';
import type { WriteRecord, WriteResult } from './connector.js';

/** A record's result when its write failed. */
export type FailedWrite = Exclude<WriteResult, { status: 'ok' }>;

/**
 * What a write does with an error of each kind, the same in every target:
 * - `permanent`: the record is bad; it is dead-lettered with the error's code and the run goes on;
 * - `retryable`: the record is sent again after a backoff (after `retryAfterMs` when the target said);
 * - `stop`: nothing else would go better (configuration, credentials, a broken target); the error
 *   is thrown and the run stops with its state saved, the batch uncommitted.
 */
export const WRITE_RESULT_BY_KIND: Readonly<Record<ErrorKind, FailedWrite['status'] | 'stop'>> = Object.freeze({
  record: 'permanent',
  transient: 'retryable',
  rate_limited: 'retryable',
  config: 'stop',
  auth: 'stop',
  fatal: 'stop',
});

/**
 * The result of a record whose write threw `error`, or `error` thrown again when it must stop the
 * run (by `WRITE_RESULT_BY_KIND`). Anything that is no KeelError is a fault nobody classified, and
 * stops the run too: guessing "retry" from a message would retry a bug for ever.
 */
export function writeResultFor(error: unknown): FailedWrite {
  if (!(error instanceof KeelError)) throw error;
  switch (WRITE_RESULT_BY_KIND[error.kind]) {
    case 'permanent':
      return { status: 'permanent', error: error.message, code: error.code };
    case 'retryable':
      return error.retryAfterMs === undefined ? { status: 'retryable', error: error.message } : { status: 'retryable', error: error.message, retryAfterMs: error.retryAfterMs };
    case 'stop':
      throw error;
  }
}

/**
 * Writes a batch's records one after another, for a target where their order matters (the order
 * routed first gets the stock). Each error becomes its record's result by `writeResultFor`. After
 * a retryable result the records behind it are not tried and are retryable too: a retry sends
 * them again in their order, rather than letting a later record overtake one that failed for now.
 */
export async function writeInOrder(batch: readonly WriteRecord[], writeOne: (record: WriteRecord) => Promise<WriteResult>): Promise<WriteResult[]> {
  const results = new Array<WriteResult>(batch.length);
  for (let index = 0; index < batch.length; index += 1) {
    let result: WriteResult;
    try {
      result = await writeOne(batch[index] as WriteRecord);
    } catch (error) {
      result = writeResultFor(error);
    }
    results[index] = result;
    if (result.status === 'retryable') return results.fill(result, index + 1);
  }
  return results;
}
