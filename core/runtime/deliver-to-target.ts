import type { PipelinePlan, TargetPlan } from '../config/plan.js';
import { KeelError, toKeelError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { Engines } from '../sdk/engine.js';
import type { ConnectorState, WriteRecord, WriteResult } from '../sdk/connector.js';
import { RecordRejection } from '../sdk/step.js';
import type { DeadLetterInput, KeyRecall, LedgerEntry, StateStore } from '../state/state-store.js';
import { anySignal, backoffDelayMs, sleep } from './backoff.js';
import { changedReason, CHANGED_AFTER_DELIVERY, versionOf } from './changed-version.js';
import type { EffectJournal } from './effect-journal.js';
import { originOf, payloadOf, type ItemInFlight } from './item-in-flight.js';
import type { KeyFunction } from './record-key.js';
import { runStopped } from './run-stopped.js';
import { screenAgainstLedger, type Candidate, type Screened } from './screen-deliveries.js';

/** One target of a run: its plan, resolved config, key function and batch counter. */
export interface TargetRuntime {
  plan: TargetPlan;
  config: unknown;
  keyOf: KeyFunction;
  sequence: number;
  state: ConnectorState;
  /** The circuit breaker: since when no write to this target succeeded, and its last error. */
  failingSince?: number;
  lastError?: string;
}

export interface DeliveryContext {
  plan: PipelinePlan;
  source: string;
  runId: number;
  store: StateStore;
  journal: EffectJournal;
  logger: Logger;
  redactor: Redactor;
  projectDir: string;
  stop: AbortSignal | undefined;
  abort: AbortSignal | undefined;
  engines: Engines;
}

export interface DeliveryResult {
  deliveries: LedgerEntry[];
  deadLetters: DeadLetterInput[];
  written: number;
  duplicates: number;
  resent: number;
  outcomes: Record<string, number>;
  sequence: { target: string; value: number } | undefined;
}

const OUTCOME_LABEL = /^[a-z][a-z0-9_-]{0,39}$/;
/** Labels that mean the target already had the record: counted as duplicates, not as written. */
const NOT_WRITTEN = new Set(['duplicate', 'stale']);

/**
 * Where a target's records are remembered in the effect ledger, per key:
 * - record-scoped targets (and at-least-once ones with a key): under the target's name, each
 *   entry recorded as the target's answer arrives;
 * - batch-scoped targets (files) with a key: under `<target>/records`, only with the batch's
 *   commit, so that a batch written again after a crash drops the same records and its file is
 *   rewritten with the same content under its deterministic name;
 * - otherwise nowhere: the batch ledger (files) is the only record.
 */
function ledgerScopeOf(target: TargetPlan): string | undefined {
  const scope = target.write.idempotency;
  if (scope === 'batch') return target.keyedBy === 'content' ? undefined : `${target.name}/records`;
  if (scope === 'none' && target.keyedBy === 'content') return undefined;
  return target.name;
}

/** Writes one target's share of a batch, with retries; returns what to commit. */
export async function deliverToTarget(ctx: DeliveryContext, target: TargetRuntime, items: ItemInFlight[], batchKey: string): Promise<DeliveryResult> {
  const result: DeliveryResult = { deliveries: [], deadLetters: [], written: 0, duplicates: 0, resent: 0, outcomes: {}, sequence: undefined };
  const name = target.plan.name;
  const stage = `target:${name}`;
  const scope = target.plan.write.idempotency;
  const ledgerScope = ledgerScopeOf(target.plan);
  const versioned = target.plan.keyedBy !== 'content';
  const letter = (item: ItemInFlight, code: string, reason: string, key?: string): DeadLetterInput => ({
    source: ctx.source,
    stage,
    target: name,
    recordKey: key,
    origin: originOf(item),
    code,
    reason,
    payload: payloadOf(item.original),
    replaces: item.deadLetterId,
  });
  if (items.length === 0) return result;
  const { store } = ctx;
  const pipeline = ctx.plan.name;
  if (scope === 'batch' && (await store.delivered(pipeline, name, [batchKey])).has(batchKey)) {
    result.duplicates = items.length;
    return result;
  }

  const candidates: Candidate[] = [];
  const keepContent = target.plan.onChange === 'dead_letter';
  // A batch-scoped target without a record key: the batch is the unit, its records are not keyed.
  const keyless = ledgerScope === undefined && scope === 'batch';
  // Indexed loops, and nothing built per record that is not needed: a file target without a key
  // takes a million records in a few seconds, and this runs for each of them.
  for (let index = 0; index < items.length && !keyless; index += 1) {
    const item = items[index] as ItemInFlight;
    const key = target.keyOf(item.data);
    if (key instanceof RecordRejection) {
      result.deadLetters.push(letter(item, key.code, key.reason));
      continue;
    }
    const version = versioned ? versionOf(item.data, keepContent) : undefined;
    if (version instanceof RecordRejection) result.deadLetters.push(letter(item, version.code, version.reason, key));
    else candidates.push({ item, index, key, version });
  }
  const recall = ledgerScope !== undefined ? await store.recallKeys(pipeline, ledgerScope, unique(candidates.map((candidate) => candidate.key))) : new Map<string, KeyRecall>();
  const screened: Screened = keyless
    ? { send: [], duplicates: 0, recovered: [], heldBack: [], resent: 0 }
    : screenAgainstLedger(candidates, recall, { onChange: target.plan.onChange, runId: ctx.runId });
  const sendCount = keyless ? items.length : screened.send.length;
  result.duplicates += screened.duplicates;
  const entryOf = (candidate: Candidate, ref: string | undefined, label?: string): LedgerEntry => ({
    target: ledgerScope ?? name,
    key: candidate.key,
    ref,
    // A stale answer: the target holds a newer version than this one, so the ledger keeps what it knew.
    hash: label === 'stale' ? undefined : candidate.version?.hash,
    content: label === 'stale' ? undefined : candidate.version?.content,
    resent: candidate.resent,
  });
  for (const candidate of screened.recovered) {
    result.written += 1;
    result.deliveries.push(entryOf(candidate, recall.get(candidate.key)?.delivered?.ref));
  }
  for (const { candidate, earlier } of screened.heldBack) {
    const reason = changedReason({
      key: candidate.key,
      happened: earlier.at === undefined ? 'goes out earlier in this batch' : 'was delivered',
      at: earlier.at,
      before: earlier.content,
      after: candidate.item.data,
      replayDoes: 'send the new version',
    });
    result.deadLetters.push(letter(candidate.item, CHANGED_AFTER_DELIVERY, reason, candidate.key));
  }
  if (sendCount === 0) return result;

  // Sends are marked in flight before they leave: per record where the connector reports each
  // (an API), else the batch as a whole. A run after a crash counts what it finds marked as re-sent.
  const perRecord = target.plan.write.perRecordProgress === true && scope !== 'batch' && ledgerScope !== undefined;
  const batchMark = { scope: `${name}#batch`, key: batchKey };
  result.resent = screened.resent;
  if (!perRecord) {
    const marked = (await store.recallKeys(pipeline, batchMark.scope, [batchKey])).get(batchKey)?.inDoubtSince;
    if (marked !== undefined && marked !== ctx.runId) {
      // A killed run had handed this batch over: every record of it may have gone out.
      for (const { candidate } of screened.send) candidate.resent = true;
      result.resent += sendCount;
    }
    await ctx.journal.sending([batchMark]);
  }
  // Accepted effects are recorded as their answers arrive only where the ledger is per record and
  // not tied to the batch's file.
  const early = scope !== 'batch' && ledgerScope !== undefined;

  // What is still to write, and beside it (same index) the candidate each record came from.
  let pending: WriteRecord[] = new Array<WriteRecord>(sendCount);
  let pendingFrom: Candidate[] = new Array<Candidate>(sendCount);
  for (let index = 0; index < sendCount; index += 1) {
    if (keyless) {
      // A batch's records keep their place in the batch in their key: file names of one-file-per-record batches.
      const item = items[index] as ItemInFlight;
      const key = `${batchKey}:${index}`;
      pending[index] = { key, data: item.data };
      pendingFrom[index] = { item, index, key, version: undefined };
      continue;
    }
    const { candidate, idempotencyKey } = screened.send[index] as Screened['send'][number];
    pending[index] = { key: scope === 'batch' ? `${batchKey}:${candidate.index}` : idempotencyKey, data: candidate.item.data };
    pendingFrom[index] = candidate;
  }
  const sequence = target.sequence + 1;
  let okCount = 0;
  const waits = anySignal(ctx.stop, ctx.abort);
  const accept = (candidate: Candidate, outcome: Extract<WriteResult, { status: 'ok' }>, recorded: boolean): void => {
    const label = outcome.outcome;
    if (label !== undefined) {
      if (!OUTCOME_LABEL.test(label)) {
        throw new KeelError('fatal', `target ${name} labelled a result "${label.slice(0, 60)}"; labels are lower-case words (a-z, 0-9, _ and -, at most 40); the connector is broken`, {
          code: 'connector_contract',
          stage,
        });
      }
      result.outcomes[label] = (result.outcomes[label] ?? 0) + 1;
    }
    if (label !== undefined && NOT_WRITTEN.has(label)) result.duplicates += 1;
    else okCount += 1;
    // An entry recorded as the answer arrived is settled by the batch commit as it is.
    if (ledgerScope !== undefined && !recorded) result.deliveries.push(entryOf(candidate, outcome.ref, label));
  };

  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const attemptStarted = Date.now();
    const attemptPending = pending;
    const attemptFrom = pendingFrom;
    // Answers the connector reported before its write returned (or threw).
    const answered = new Map<number, WriteResult>();
    let results: WriteResult[];
    try {
      results = await target.plan.write.write(
        {
          config: target.config,
          options: target.plan.options as never,
          connection: target.plan.connection.name,
          stream: target.plan.stream,
          logger: ctx.logger.child({ target: name }),
          state: target.state,
          signal: ctx.abort ?? new AbortController().signal,
          stopping: ctx.stop,
          projectDir: ctx.projectDir,
          engines: ctx.engines,
          batchKey,
          sequence,
          sending: (index) => {
            const candidate = attemptFrom[index];
            return perRecord && candidate !== undefined ? ctx.journal.sending([{ scope: name, key: candidate.key }]) : Promise.resolve();
          },
          settled: (index, outcome) => {
            const candidate = attemptFrom[index];
            if (candidate === undefined) return;
            answered.set(index, outcome);
            if (early && outcome.status === 'ok') ctx.journal.acceptedEffect(entryOf(candidate, outcome.ref, outcome.outcome));
          },
        },
        attemptPending,
      );
    } catch (error) {
      const keelError = toKeelError(error, stage);
      if (!keelError.retryable || attempt >= ctx.plan.retry.maxAttempts) {
        throw new KeelError('fatal', `target ${name} failed: ${keelError.message}`, { code: keelError.code, stage, cause: error });
      }
      if (answered.size === 0) {
        noteFailure(target, attemptStarted, keelError.message);
        const delay = keelError.retryAfterMs ?? backoffDelayMs(ctx.plan.retry, attempt);
        ctx.logger.warn('target write failed; retrying', { target: name, attempt, delay_ms: delay, error: ctx.redactor.redact(keelError.message) });
        await waitToRetry(ctx, target, delay, waits);
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
      const outcome = results[index] as WriteResult;
      const candidate = attemptFrom[index] as Candidate;
      if (outcome.status === 'ok') {
        acceptedNow += 1;
        accept(candidate, outcome, early && answered.size > 0 && answered.get(index)?.status === 'ok');
        continue;
      }
      // Dead letters name a record by the key that identifies it; a batch's record by its place in the batch.
      const failedKey = versioned ? candidate.key : (attemptPending[index] as WriteRecord).key;
      if (outcome.status === 'permanent') {
        result.deadLetters.push(letter(candidate.item, outcome.code ?? 'write_rejected', outcome.error, failedKey));
      } else if (attempt >= ctx.plan.retry.maxAttempts) {
        result.deadLetters.push(letter(candidate.item, 'retries_exhausted', `gave up after ${attempt} attempts: ${outcome.error}`, failedKey));
      } else {
        retry.push(attemptPending[index] as WriteRecord);
        retryFrom.push(candidate);
        retryAfter = Math.max(retryAfter, outcome.retryAfterMs ?? 0);
        lastRetryable = outcome.error;
      }
    }
    if (acceptedNow > 0) target.failingSince = undefined;
    pending = retry;
    pendingFrom = retryFrom;
    if (pending.length > 0) {
      if (acceptedNow === 0) noteFailure(target, attemptStarted, lastRetryable);
      const delay = Math.max(retryAfter, backoffDelayMs(ctx.plan.retry, attempt));
      ctx.logger.warn('target refused records for now; retrying them', { target: name, attempt, records: pending.length, delay_ms: delay, error: ctx.redactor.redact(lastRetryable) });
      await waitToRetry(ctx, target, delay, waits);
    }
  }
  result.written += okCount;
  if (scope === 'batch') result.deliveries.push({ target: name, key: batchKey, ref: String(sequence) });
  result.sequence = { target: name, value: sequence };
  return result;
}

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
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
async function waitToRetry(ctx: DeliveryContext, target: TargetRuntime, delayMs: number, waits: AbortSignal | undefined): Promise<void> {
  if (stopping(ctx.stop)) throw runStopped();
  const since = target.failingSince;
  if (since !== undefined && Date.now() + delayMs - since > ctx.plan.targetDownAfterMs) {
    const seconds = Math.round((Date.now() - since) / 1000);
    throw new KeelError(
      'fatal',
      `target ${target.plan.name} is down: nothing could be written for ${seconds} s (last error: ${target.lastError ?? 'unknown'}); the run stops here with its state saved, and the batch in hand is written by the next run`,
      { code: 'target_down', stage: `target:${target.plan.name}` },
    );
  }
  await sleep(delayMs, waits);
  if (stopping(ctx.stop) || stopping(ctx.abort)) throw runStopped();
}

/** A function, so the compiler does not carry what it saw before an await past it. */
function stopping(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
