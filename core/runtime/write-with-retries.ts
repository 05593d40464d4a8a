import { KeelError, toKeelError } from '../errors.js';
import type { WriteContext, WriteRecord, WriteResult } from '../sdk/connector.js';
import { anySignal, backoffDelayMs, sleep } from './backoff.js';
import type { SourceContext } from './run-context.js';
import { runStopped } from './run-stopped.js';
import type { ToWrite } from './screen-for-target.js';
import type { Candidate } from './screen-deliveries.js';
import { streamContext } from './stream-context.js';
import type { TargetTally } from './tally-outcomes.js';
import type { TargetRuntime } from './target-runtime.js';

/**
 * Writes records to a target until each has an answer that ends its way: accepted, refused for
 * good, or refused for now on the last attempt (on_error.retry). A write that throws a transient
 * error is tried again whole, less the records the target answered before it threw. A stop
 * request, or a target down for longer than on_error.target_down_after_ms, ends it with the
 * batch uncommitted (see waitToRetry).
 */
export async function writeWithRetries(scope: SourceContext, target: TargetRuntime, batchKey: string, sequence: number, toWrite: ToWrite, tally: TargetTally): Promise<void> {
  const name = target.plan.name;
  const stage = `target:${name}`;
  const { maxAttempts } = scope.plan.retry;
  // Dead letters name a record by the key that identifies it; a batch's record by its place in the batch.
  const namedByKey = target.plan.keyedBy !== 'content';
  const waits = anySignal(scope.stop, scope.abort);
  let pending = toWrite.records;
  let pendingFrom = toWrite.from;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const attemptStarted = Date.now();
    const attemptPending = pending;
    const attemptFrom = pendingFrom;
    // Answers the connector reported before its write returned (or threw).
    const answered = new Map<number, WriteResult>();
    let results: WriteResult[];
    try {
      results = await target.plan.write.write(writeContext(scope, target, batchKey, sequence, attemptFrom, answered, tally), attemptPending);
    } catch (error) {
      const keelError = toKeelError(error, stage);
      if (!keelError.retryable || attempt >= maxAttempts) {
        throw new KeelError('fatal', `target ${name} failed: ${keelError.message}`, { code: keelError.code, stage, cause: error });
      }
      if (answered.size === 0) {
        noteFailure(target, attemptStarted, keelError.message);
        const delay = keelError.retryAfterMs ?? backoffDelayMs(scope.plan.retry, attempt);
        scope.logger.warn('target write failed; retrying', { target: name, attempt, delay_ms: delay, error: scope.redactor.redact(keelError.message) });
        await waitToRetry(scope, target, delay, waits);
        continue;
      }
      // Records the target answered before the failure keep their answers; the rest are retried.
      results = attemptPending.map((_, index) => answered.get(index) ?? { status: 'retryable', error: keelError.message, retryAfterMs: keelError.retryAfterMs });
    }
    if (results.length !== attemptPending.length) {
      throw new KeelError('fatal', `target ${name} returned ${results.length} results for ${attemptPending.length} records; the connector is broken`, {
        code: 'connector_contract',
        stage,
      });
    }
    const retry: WriteRecord[] = [];
    const retryFrom: Candidate[] = [];
    let retryAfter = 0;
    let lastRetryable = '';
    let acceptedNow = 0;
    for (let index = 0; index < results.length; index += 1) {
      const answer = results[index] as WriteResult;
      const candidate = attemptFrom[index] as Candidate;
      if (answer.status === 'ok') {
        acceptedNow += 1;
        tally.accepted(candidate, answer, target.recordsAnswers && answered.size > 0 && answered.get(index)?.status === 'ok');
        continue;
      }
      const failedKey = namedByKey ? candidate.key : (attemptPending[index] as WriteRecord).key;
      if (answer.status === 'permanent') {
        tally.refused(candidate.item, answer.code ?? 'write_rejected', answer.error, failedKey);
      } else if (attempt >= maxAttempts) {
        tally.refused(candidate.item, 'retries_exhausted', `gave up after ${attempt} attempts: ${answer.error}`, failedKey);
      } else {
        retry.push(attemptPending[index] as WriteRecord);
        retryFrom.push(candidate);
        retryAfter = Math.max(retryAfter, answer.retryAfterMs ?? 0);
        lastRetryable = answer.error;
      }
    }
    if (acceptedNow > 0) target.failingSince = undefined;
    pending = retry;
    pendingFrom = retryFrom;
    if (pending.length > 0) {
      if (acceptedNow === 0) noteFailure(target, attemptStarted, lastRetryable);
      const delay = Math.max(retryAfter, backoffDelayMs(scope.plan.retry, attempt));
      scope.logger.warn('target refused records for now; retrying them', { target: name, attempt, records: pending.length, delay_ms: delay, error: scope.redactor.redact(lastRetryable) });
      await waitToRetry(scope, target, delay, waits);
    }
  }
}

/**
 * One attempt's write context. Where the connector reports each record, its send is marked in
 * flight before it leaves, and its acceptance enters the ledger as the answer arrives.
 */
function writeContext(
  scope: SourceContext,
  target: TargetRuntime,
  batchKey: string,
  sequence: number,
  from: readonly Candidate[],
  answered: Map<number, WriteResult>,
  tally: TargetTally,
): WriteContext {
  const name = target.plan.name;
  return {
    ...streamContext(scope, target.plan, target.config, target.state, scope.logger.child({ target: name })),
    batchKey,
    sequence,
    sending: (index) => {
      const candidate = from[index];
      return target.marksEachSend && candidate !== undefined ? scope.journal.sending([{ scope: name, key: candidate.key }]) : Promise.resolve();
    },
    settled: (index, answer) => {
      const candidate = from[index];
      if (candidate === undefined) return;
      answered.set(index, answer);
      if (target.recordsAnswers && answer.status === 'ok') scope.journal.acceptedEffect(tally.entryOf(candidate, answer.ref, answer.outcome));
    },
    wroteFile: (file, records) => {
      tally.result.files.set(file, records);
    },
  };
}

/** An attempt that wrote nothing: the target is failing since the first such attempt began. */
function noteFailure(target: TargetRuntime, attemptStarted: number, error: string): void {
  target.failingSince ??= attemptStarted;
  target.lastError = error;
}

/**
 * Waits before a retry, unless the run is stopping (then it ends now, the batch uncommitted) or
 * the target has written nothing for longer than on_error.target_down_after_ms: a target that
 * is down stops the run in bounded time instead of being retried record by record.
 */
async function waitToRetry(scope: SourceContext, target: TargetRuntime, delayMs: number, waits: AbortSignal | undefined): Promise<void> {
  if (stopping(scope.stop)) throw runStopped();
  const since = target.failingSince;
  if (since !== undefined && Date.now() + delayMs - since > scope.plan.targetDownAfterMs) {
    const seconds = Math.round((Date.now() - since) / 1000);
    throw new KeelError(
      'fatal',
      `target ${target.plan.name} is down: nothing could be written for ${seconds} s (last error: ${target.lastError ?? 'unknown'}); the run stops here with its state saved, and the batch in hand is written by the next run`,
      { code: 'target_down', stage: `target:${target.plan.name}` },
    );
  }
  await sleep(delayMs, waits);
  if (stopping(scope.stop) || stopping(scope.abort)) throw runStopped();
}

/** A function, so the compiler does not carry what it saw before an await past it. */
function stopping(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
