import type { TSchema } from '@sinclair/typebox';
import { hostname } from 'node:os';
import type { ConnectionPlan, PipelinePlan, SourcePlan, TargetPlan } from '../config/plan.js';
import { resolveReferences } from '../config/secrets.js';
import { ConfigError, KeelError, toKeelError, type ConfigProblem } from '../errors.js';
import { MAX_RAW_CHARS } from '../codecs/limits.js';
import { stringifyBounded, type JsonObject, type JsonValue } from '../json.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { ConnectorState, DecodeReject, SourcePage, WriteRecord, WriteResult } from '../sdk/connector.js';
import { DROP, RecordRejection, type StepFunction, type StepOutput } from '../sdk/step.js';
import { emptyCounts, type DeadLetter, type DeadLetterInput, type LedgerEntry, type RunCounts, type StateStore, type StoredCursor } from '../state/state-store.js';
import { anySignal, backoffDelayMs, sleep } from './backoff.js';
import { compileRecordKey, hashParts, hashRecords, type KeyFunction } from './record-key.js';
import type { InventoryService } from '../inventory/inventory-service.js';
import type { RoutingService } from '../routing/routing-service.js';

export interface RunOptions {
  store: StateStore;
  logger: Logger;
  redactor: Redactor;
  projectDir: string;
  env?: NodeJS.ProcessEnv;
  dryRun?: boolean;
  /** Aborted (SIGINT/SIGTERM): finish the batch in hand, save state, stop. */
  stop?: AbortSignal;
  /** Aborted: cancel in-flight work now (a second Ctrl-C). */
  abort?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Replay these dead letters instead of reading the sources (see replay.ts). */
  replay?: readonly DeadLetter[];
  /** The project's inventory engine, handed to connectors that keep or publish stock. */
  inventory?: InventoryService;
  /** The project's order routing, handed to the routing connector. */
  routing?: RoutingService;
}

export interface RunProgress extends RunCounts {
  pipeline: string;
  source: string;
  elapsedMs: number;
}

export type RunStatusName = 'ok' | 'dead_letters' | 'failed' | 'interrupted';

export interface RunSummary extends RunCounts {
  pipeline: string;
  runId: number;
  status: RunStatusName;
  dryRun: boolean;
  durationMs: number;
  error?: string;
  /** In a dry run nothing is stored, so the reasons records would be dead-lettered are listed here. */
  wouldDeadLetter?: { origin: string | undefined; stage: string; reason: string }[];
  /** In a replay: the dead letters that went through (marked replayed). */
  replayed?: number[];
}

interface ItemInFlight {
  data: JsonObject;
  original: JsonObject;
  /** Where the record came from, as parts (see originOf): the text is built only for a dead letter. */
  unit: string | undefined;
  mark: string;
  at: number | undefined;
  /** A replayed dead letter's recorded origin. */
  replayOrigin: string | undefined;
  /** Set when the item is a dead letter being replayed. */
  deadLetterId?: number;
  /** Replays of target failures go to that target only. */
  onlyTarget?: string;
}

/** `orders.csv:17`, `availability:shop#3`, the unit alone, or undefined for a source without units. */
function originOf(item: ItemInFlight): string | undefined {
  if (item.replayOrigin !== undefined) return item.replayOrigin;
  const { unit, mark, at } = item;
  return unit === undefined ? undefined : at === undefined ? unit : `${unit}${mark}${at}`;
}

interface TargetRuntime {
  plan: TargetPlan;
  config: unknown;
  keyOf: KeyFunction;
  sequence: number;
  state: ConnectorState;
  /** The circuit breaker: since when no write to this target succeeded, and its last error. */
  failingSince?: number;
  lastError?: string;
}

/** Thrown when a stop request ends a wait: the batch in hand is not committed; the run is interrupted, not failed. */
const RUN_STOPPED = 'run_stopped';

function runStopped(): KeelError {
  return new KeelError('transient', 'the run was stopped while waiting to retry; its state is saved and the next run goes on from there', { code: RUN_STOPPED, stage: 'run' });
}

const LEASE_TTL_MS = 10 * 60_000;

/** Runs one pipeline: every source, in order, through the steps to every target. */
export async function runPipeline(plan: PipelinePlan, options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { store } = options;
  const dryRun = options.dryRun ?? false;
  const logger = options.logger.child({ pipeline: plan.name });
  const owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const leaseName = `pipeline:${plan.name}`;
  if (!dryRun && !(await store.acquireLease(leaseName, owner, LEASE_TTL_MS, holderIsGone))) {
    throw new KeelError('fatal', `pipeline ${plan.name} is already running in another process; wait for it or stop it`, {
      code: 'pipeline_busy',
      stage: 'start',
    });
  }
  // Long runs keep their lease fresh; a crashed process stops renewing and its lease lapses.
  const renew = dryRun ? undefined : setInterval(() => void store.acquireLease(leaseName, owner, LEASE_TTL_MS), LEASE_TTL_MS / 4);
  renew?.unref();
  const runId = await store.startRun({ pipeline: plan.name, kind: options.replay !== undefined ? 'replay' : 'run', dryRun });
  const replayed: number[] = [];
  const totals = emptyCounts();
  const wouldDeadLetter: NonNullable<RunSummary['wouldDeadLetter']> = [];
  let status: RunStatusName = 'ok';
  let failure: string | undefined;
  try {
    const resolved = resolveConnections(plan, options);
    const steps = await createSteps(plan, options, logger);
    const targets: TargetRuntime[] = [];
    for (const target of plan.targets) {
      targets.push({
        plan: target,
        config: resolved.get(target.connection.name),
        keyOf: compileRecordKey(target.keyTemplate, target.definition.primaryKey),
        sequence: await store.lastSequence(plan.name, target.name),
        state: connectorState(store, target.connection.name),
      });
    }
    const sourceRuns = options.replay !== undefined ? replaySources(plan, options.replay) : plan.sources.map((source) => ({ source, replay: false }));
    for (const { source, replay } of sourceRuns) {
      if (options.stop?.aborted === true) break;
      const runner = new SourceRun(plan, source, resolved.get(source.connection.name), steps, targets, {
        ...options,
        logger: logger.child({ source: source.name }),
        runId,
        dryRun,
        totals,
        wouldDeadLetter,
        started,
        replay,
        replayed,
      });
      await runner.run();
    }
    if (options.stop?.aborted === true) status = 'interrupted';
    else if (totals.deadLettered > 0) status = 'dead_letters';
  } catch (error) {
    const keelError = toKeelError(error, 'run');
    if (options.stop?.aborted === true && (keelError.code === RUN_STOPPED || keelError.code === 'stopped' || keelError.code === 'aborted')) {
      status = 'interrupted';
      logger.info('run stopped on request; the batch in hand was not committed and is read again on the next run', { stage: keelError.stage });
    } else {
      status = 'failed';
      failure = options.redactor.redact(keelError.message);
      logger.error('run failed', { code: keelError.code, stage: keelError.stage, error: failure });
    }
  } finally {
    clearInterval(renew);
    await store.finishRun(runId, { status, error: failure });
    if (!dryRun) await store.releaseLease(leaseName, owner);
  }
  const summary: RunSummary = { pipeline: plan.name, runId, status, dryRun, durationMs: Date.now() - started, ...totals };
  logger.info('run finished', { run: runId, status, read: totals.read, written: totals.written, dead_lettered: totals.deadLettered, ms: summary.durationMs });
  if (failure !== undefined) summary.error = failure;
  if (dryRun) summary.wouldDeadLetter = wouldDeadLetter;
  if (options.replay !== undefined) summary.replayed = replayed;
  return summary;
}

interface SourceRunContext extends Omit<RunOptions, 'replay'> {
  runId: number;
  dryRun: boolean;
  totals: RunCounts;
  wouldDeadLetter: NonNullable<RunSummary['wouldDeadLetter']>;
  started: number;
  /** Replaying dead letters: no cursor moves, batch keys come from the dead letters. */
  replay: boolean;
  replayed: number[];
}

/**
 * Reads one source page by page, cuts the stream into batches of `batch_size` records, and
 * commits each batch with the cursor at its exact end: a checkpoint the source gave plus how
 * many records after it are done. Batches therefore start at the same positions when a run is
 * repeated after a crash, which is what lets batch-scoped targets (files) deduplicate.
 */
class SourceRun {
  private lastCheckpoint: JsonValue | null = null;
  private consumedSinceCheckpoint = 0;
  private batch: ItemInFlight[] = [];
  private batchRejects: DecodeReject[] = [];
  private batchStart: StoredCursor = { checkpoint: null, skip: 0 };
  /** Live sources: the identities of the page slices in the batch, or undefined once a page had none. */
  private batchPages: string[] | undefined = [];
  private hooks: (() => Promise<void>)[] = [];

  constructor(
    private readonly plan: PipelinePlan,
    private readonly source: SourcePlan,
    private readonly config: unknown,
    private readonly steps: StepFunction[],
    private readonly targets: TargetRuntime[],
    private readonly ctx: SourceRunContext,
  ) {}

  async run(): Promise<void> {
    const { store } = this.ctx;
    const stored = this.source.sync === 'incremental' && !this.ctx.replay ? await store.readCursor(this.plan.name, this.source.name) : undefined;
    this.lastCheckpoint = stored?.checkpoint ?? null;
    // A source that cannot replay (a live API) re-reads its page whole; the ledger drops what was delivered.
    let skip = this.source.read.replayable === false ? 0 : (stored?.skip ?? 0);
    this.batchStart = { checkpoint: this.lastCheckpoint, skip };
    // Records consumed since `lastCheckpoint` before the current page: a cursor is (checkpoint, count).
    let pageBase = 0;
    const abort = this.ctx.abort ?? new AbortController().signal;
    const pages = this.source.read.read({
      config: this.config,
      options: this.source.options,
      connection: this.source.connection.name,
      stream: this.source.stream,
      logger: this.ctx.logger,
      state: connectorState(store, this.source.connection.name),
      signal: abort,
      stopping: this.ctx.stop,
      projectDir: this.ctx.projectDir,
      inventory: this.ctx.inventory,
      routing: this.ctx.routing,
      dryRun: this.ctx.dryRun,
      cursor: this.lastCheckpoint ?? undefined,
      sync: this.source.sync,
    });
    const iterator = pages[Symbol.asyncIterator]();
    try {
      while (!this.stopped()) {
        let next: IteratorResult<SourcePage>;
        try {
          next = await iterator.next();
        } catch (error) {
          throw toKeelError(error, `source:${this.source.name}`);
        }
        if (next.done === true) break;
        const page = next.value;
        const unit = page.unit;
        const mark = page.positions === 'item' ? '#' : ':';
        const records = page.records;
        let index = 0;
        if (skip > 0) {
          // Resuming inside this page: its first `skip` records (and its rejects) were committed before.
          index = Math.min(skip, records.length);
          skip -= index;
        } else if (page.rejects !== undefined) {
          this.batchRejects.push(...page.rejects);
        }
        while (index < records.length) {
          const end = Math.min(records.length, index + this.plan.batchSize - this.batch.length);
          if (this.batchPages !== undefined) {
            if (page.identity === undefined) this.batchPages = undefined;
            else this.batchPages.push(`${page.identity}@${index}-${end}`);
          }
          for (; index < end; index += 1) {
            const record = records[index] as (typeof records)[number];
            const replayOf = this.ctx.replay ? REPLAY_INFO.get(record) : undefined;
            this.batch.push({
              data: record.data,
              original: record.data,
              unit,
              mark,
              at: record.at,
              replayOrigin: replayOf?.origin,
              deadLetterId: replayOf?.id,
              onlyTarget: replayOf?.target,
            });
          }
          if (this.batch.length >= this.plan.batchSize) {
            await this.flush({ checkpoint: this.lastCheckpoint, skip: pageBase + index });
            if (this.stopped()) break;
          }
        }
        if (index < records.length) break; // stopped inside the page; the cursor says where
        if (page.checkpoint !== undefined) {
          this.lastCheckpoint = page.checkpoint;
          pageBase = 0;
        } else {
          pageBase += records.length;
        }
        if (page.afterCommit !== undefined) this.hooks.push(page.afterCommit);
      }
      if (!this.stopped() || this.batch.length > 0) await this.flush({ checkpoint: this.lastCheckpoint, skip: pageBase });
    } finally {
      await iterator.return?.();
    }
  }

  private stopped(): boolean {
    return this.ctx.stop?.aborted === true;
  }

  private async flush(cursor: StoredCursor): Promise<void> {
    const items = this.batch;
    const rejects = this.batchRejects;
    const batchStart = this.batchStart;
    const hooks = this.hooks;
    const pages = this.batchPages;
    this.batch = [];
    this.batchRejects = [];
    this.hooks = [];
    this.batchPages = [];
    this.batchStart = cursor;
    if (items.length === 0 && rejects.length === 0 && hooks.length === 0 && sameCursor(cursor, batchStart)) return;

    const { store } = this.ctx;
    const counts = emptyCounts();
    counts.read = items.length + rejects.length;
    const deadLetters: DeadLetterInput[] = rejects.map((reject) => ({
      source: this.source.name,
      stage: 'decode',
      origin: reject.origin,
      code: 'decode_failed',
      reason: reject.reason,
      payload: reject.raw,
    }));
    const survivors: ItemInFlight[] = [];
    const settleOutcome = (item: ItemInFlight, outcome: StepOutcome): void => {
      if (outcome === DROP) counts.skipped += 1;
      else if ('many' in outcome) {
        if (outcome.many.length === 0) counts.skipped += 1;
        for (const one of outcome.many) settleOutcome(item, one);
      } else if ('stage' in outcome) {
        deadLetters.push({
          source: this.source.name,
          stage: outcome.stage,
          origin: originOf(item),
          code: outcome.code,
          reason: outcome.reason,
          payload: payloadOf(item.original),
          replaces: item.deadLetterId,
        });
      } else survivors.push(outcome);
    };
    for (const item of items) {
      let outcome = applySteps(this.steps, this.plan, item);
      if (outcome instanceof Promise) outcome = await outcome;
      settleOutcome(item, outcome);
    }

    const batchKey = this.ctx.replay
      ? hashParts('replay', ...items.map((item) => String(item.deadLetterId)))
      : this.source.read.replayable === false
        ? // A live source's position does not say what it holds: its pages' identities or the records themselves name the batch.
          pages !== undefined && pages.length > 0
          ? hashParts(this.plan.name, this.source.name, 'pages', ...pages)
          : hashRecords([this.plan.name, this.source.name], items.map((item) => item.original))
        : hashParts(this.plan.name, this.source.name, JSON.stringify(batchStart.checkpoint), String(batchStart.skip), String(items.length));
    const deliveries: LedgerEntry[] = [];
    const sequences: { target: string; value: number }[] = [];
    if (!this.ctx.dryRun) {
      const results = await Promise.all(
        this.targets.map((target) =>
          this.deliver(target, survivors.filter((item) => item.onlyTarget === undefined || item.onlyTarget === target.plan.name), batchKey),
        ),
      );
      for (const result of results) {
        deliveries.push(...result.deliveries);
        deadLetters.push(...result.deadLetters);
        counts.written += result.written;
        counts.duplicates += result.duplicates;
        if (result.sequence !== undefined) sequences.push(result.sequence);
      }
    } else {
      counts.written += survivors.length * this.targets.length;
    }
    counts.deadLettered = deadLetters.length;
    const redact = this.ctx.redactor;
    const safeLetters = deadLetters.map((letter) => ({ ...letter, reason: redact.redact(letter.reason), payload: redact.redact(letter.payload) }));

    if (this.ctx.dryRun) {
      for (const letter of safeLetters) this.ctx.wouldDeadLetter.push({ origin: letter.origin, stage: letter.stage, reason: letter.reason });
    } else {
      await store.commit({
        pipeline: this.plan.name,
        runId: this.ctx.runId,
        source: this.source.name,
        cursor: this.ctx.replay ? undefined : cursor,
        deliveries,
        deadLetters: safeLetters,
        sequences,
        counts,
      });
      this.ctx.logger.debug('batch committed', {
        records: counts.read,
        written: counts.written,
        duplicates: counts.duplicates,
        dead_lettered: counts.deadLettered,
        filtered: counts.skipped,
        cursor_skip: cursor.skip,
      });
      if (this.ctx.replay) {
        const failed = new Set(deadLetters.map((letter) => letter.replaces));
        const through = items.filter((item) => item.deadLetterId !== undefined && !failed.has(item.deadLetterId)).map((item) => item.deadLetterId as number);
        await store.setDeadLetterStatus(through, 'replayed');
        this.ctx.replayed.push(...through);
      }
      for (const sequence of sequences) {
        const target = this.targets.find((candidate) => candidate.plan.name === sequence.target);
        if (target !== undefined) target.sequence = sequence.value;
      }
      for (const hook of hooks) {
        try {
          await hook();
        } catch (error) {
          this.ctx.logger.warn('after-commit action failed; it is retried on the next run', { error: redact.redact(String(error)) });
        }
      }
    }
    addCounts(this.ctx.totals, counts);
    const max = this.plan.maxDeadLetters;
    if (max !== undefined && this.ctx.totals.deadLettered > max) {
      throw new KeelError('fatal', `more than ${max} records were dead-lettered (on_error.max_dead_letters); stopping so the cause can be fixed`, {
        code: 'too_many_dead_letters',
        stage: 'run',
      });
    }
    this.ctx.onProgress?.({ ...this.ctx.totals, pipeline: this.plan.name, source: this.source.name, elapsedMs: Date.now() - this.ctx.started });
  }

  /** An attempt that wrote nothing: the target is failing since the first such attempt began. */
  private noteFailure(target: TargetRuntime, attemptStarted: number, error: string): void {
    target.failingSince ??= attemptStarted;
    target.lastError = error;
  }

  /**
   * Waits before a retry, unless the run is stopping (then it ends now, the batch uncommitted) or
   * the target has written nothing for longer than on_error.target_down_after_ms: a target that
   * is down stops the run in bounded time instead of being retried record by record.
   */
  private async waitToRetry(target: TargetRuntime, delayMs: number, waits: AbortSignal | undefined): Promise<void> {
    if (this.stopped()) throw runStopped();
    const since = target.failingSince;
    if (since !== undefined && Date.now() + delayMs - since > this.plan.targetDownAfterMs) {
      const seconds = Math.round((Date.now() - since) / 1000);
      throw new KeelError(
        'fatal',
        `target ${target.plan.name} is down: nothing could be written for ${seconds} s (last error: ${target.lastError ?? 'unknown'}); the run stops here with its state saved, and the batch in hand is written by the next run`,
        { code: 'target_down', stage: `target:${target.plan.name}` },
      );
    }
    await sleep(delayMs, waits);
    if (this.stopped() || this.ctx.abort?.aborted === true) throw runStopped();
  }

  /** Writes the batch to one target with retries; returns what to commit. */
  private async deliver(target: TargetRuntime, items: ItemInFlight[], batchKey: string): Promise<DeliveryResult> {
    const result: DeliveryResult = { deliveries: [], deadLetters: [], written: 0, duplicates: 0, sequence: undefined };
    const name = target.plan.name;
    const stage = `target:${name}`;
    const scope = target.plan.write.idempotency;
    const letter = (item: ItemInFlight, code: string, reason: string, key?: string): DeadLetterInput => ({
      source: this.source.name,
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

    // What is still to write, and beside it (same index) the item each record came from.
    let pending: WriteRecord[] = [];
    let pendingItems: ItemInFlight[] = [];
    if (scope === 'batch') {
      const done = await this.ctx.store.delivered(this.plan.name, name, [batchKey]);
      if (done.has(batchKey)) {
        result.duplicates = items.length;
        return result;
      }
      pending = items.map((item, index) => ({ key: `${batchKey}:${index}`, data: item.data }));
      pendingItems = items;
    } else {
      const keyed: { item: ItemInFlight; record: WriteRecord }[] = [];
      for (const item of items) {
        const key = target.keyOf(item.data);
        if (key instanceof RecordRejection) result.deadLetters.push(letter(item, key.code, key.reason));
        else keyed.push({ item, record: { key, data: item.data } });
      }
      const done = scope === 'record' ? await this.ctx.store.delivered(this.plan.name, name, keyed.map((entry) => entry.record.key)) : new Set<string>();
      const seen = new Set<string>();
      for (const entry of keyed) {
        // Already delivered in an earlier run, or twice in this very batch.
        if (done.has(entry.record.key) || seen.has(entry.record.key)) result.duplicates += 1;
        else {
          seen.add(entry.record.key);
          pending.push(entry.record);
          pendingItems.push(entry.item);
        }
      }
    }
    if (pending.length === 0) return result;

    const sequence = target.sequence + 1;
    let okCount = 0;
    const waits = anySignal(this.ctx.stop, this.ctx.abort);
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const attemptStarted = Date.now();
      let results;
      try {
        results = await target.plan.write.write(
          {
            config: target.config,
            options: target.plan.options as never,
            connection: target.plan.connection.name,
            stream: target.plan.stream,
            logger: this.ctx.logger.child({ target: name }),
            state: target.state,
            signal: this.ctx.abort ?? new AbortController().signal,
            stopping: this.ctx.stop,
            projectDir: this.ctx.projectDir,
            inventory: this.ctx.inventory,
            routing: this.ctx.routing,
            batchKey,
            sequence,
          },
          pending,
        );
      } catch (error) {
        const keelError = toKeelError(error, stage);
        if (!keelError.retryable || attempt >= this.plan.retry.maxAttempts) {
          throw new KeelError('fatal', `target ${name} failed: ${keelError.message}`, { code: keelError.code, stage, cause: error });
        }
        this.noteFailure(target, attemptStarted, keelError.message);
        const delay = keelError.retryAfterMs ?? backoffDelayMs(this.plan.retry, attempt);
        this.ctx.logger.warn('target write failed; retrying', { target: name, attempt, delay_ms: delay, error: this.ctx.redactor.redact(keelError.message) });
        await this.waitToRetry(target, delay, waits);
        continue;
      }
      if (results.length !== pending.length) {
        throw new KeelError('fatal', `target ${name} returned ${results.length} results for ${pending.length} records; the connector is broken`, {
          code: 'connector_contract',
          stage,
        });
      }
      const retry: WriteRecord[] = [];
      const retryItems: ItemInFlight[] = [];
      let retryAfter = 0;
      let lastRetryable = '';
      const okBefore = okCount;
      for (let index = 0; index < results.length; index += 1) {
        const outcome = results[index] as WriteResult;
        if (outcome.status === 'ok') {
          okCount += 1;
          if (scope === 'record') result.deliveries.push({ target: name, key: (pending[index] as WriteRecord).key, ref: outcome.ref });
          continue;
        }
        const record = pending[index] as WriteRecord;
        const item = pendingItems[index] as ItemInFlight;
        if (outcome.status === 'permanent') {
          result.deadLetters.push(letter(item, outcome.code ?? 'write_rejected', outcome.error, record.key));
        } else if (attempt >= this.plan.retry.maxAttempts) {
          result.deadLetters.push(letter(item, 'retries_exhausted', `gave up after ${attempt} attempts: ${outcome.error}`, record.key));
        } else {
          retry.push(record);
          retryItems.push(item);
          retryAfter = Math.max(retryAfter, outcome.retryAfterMs ?? 0);
          lastRetryable = outcome.error;
        }
      }
      if (okCount > okBefore) target.failingSince = undefined;
      pending = retry;
      pendingItems = retryItems;
      if (pending.length > 0) {
        if (okCount === okBefore) this.noteFailure(target, attemptStarted, lastRetryable);
        const delay = Math.max(retryAfter, backoffDelayMs(this.plan.retry, attempt));
        this.ctx.logger.warn('target refused records for now; retrying them', { target: name, attempt, records: pending.length, delay_ms: delay, error: this.ctx.redactor.redact(lastRetryable) });
        await this.waitToRetry(target, delay, waits);
      }
    }
    result.written = okCount;
    if (scope === 'batch') result.deliveries.push({ target: name, key: batchKey, ref: String(sequence) });
    result.sequence = { target: name, value: sequence };
    return result;
  }
}


/** Which dead letter a replayed source record stands for. */
const REPLAY_INFO = new WeakMap<object, { id: number; origin: string; target: string | undefined }>();

/**
 * Replaying turns dead letters back into source records: one synthetic source per original
 * source, whose records carry the dead letter's payload. Decode failures have no record to
 * replay (the input itself was broken) unless their raw text is a JSON object.
 */
function replaySources(plan: PipelinePlan, letters: readonly DeadLetter[]): { source: SourcePlan; replay: boolean }[] {
  const bySource = new Map<string, DeadLetter[]>();
  for (const letter of letters) {
    const list = bySource.get(letter.source) ?? [];
    list.push(letter);
    bySource.set(letter.source, list);
  }
  const out: { source: SourcePlan; replay: boolean }[] = [];
  for (const [name, list] of bySource) {
    const original = plan.sources.find((source) => source.name === name);
    if (original === undefined) continue;
    const read: SourcePlan['read'] = {
      read: async function* () {
        for (let start = 0; start < list.length; start += 500) {
          const records = [];
          for (const letter of list.slice(start, start + 500)) {
            let data: unknown;
            try {
              data = JSON.parse(letter.payload);
            } catch {
              continue;
            }
            if (typeof data !== 'object' || data === null || Array.isArray(data)) continue;
            const record = { data: data as JsonObject };
            REPLAY_INFO.set(record, { id: letter.id, origin: letter.origin ?? letter.source, target: letter.target });
            records.push(record);
          }
          yield { records };
        }
      },
    };
    out.push({ source: { ...original, read, sync: 'full' }, replay: true });
  }
  return out;
}

interface DeliveryResult {
  deliveries: LedgerEntry[];
  deadLetters: DeadLetterInput[];
  written: number;
  duplicates: number;
  sequence: { target: string; value: number } | undefined;
}

interface StepFailure {
  stage: string;
  code: string;
  reason: string;
}
type StepOutcome = ItemInFlight | typeof DROP | StepFailure | { many: StepOutcome[] };

/** Runs the steps over one record; stays synchronous unless a step returns a promise. */
function applySteps(steps: StepFunction[], plan: PipelinePlan, item: ItemInFlight, from = 0, start: JsonObject = item.data): StepOutcome | Promise<StepOutcome> {
  let data = start;
  for (let index = from; index < steps.length; index += 1) {
    let output;
    try {
      output = (steps[index] as StepFunction)(data);
    } catch (error) {
      return { stage: stepStage(plan, index), code: 'step_failed', reason: error instanceof Error ? error.message : String(error) };
    }
    if (output instanceof Promise) {
      return output.then(
        (resolved) => settle(resolved, plan, index) ?? continueWith(steps, plan, item, index + 1, resolved),
        (error: unknown) => ({ stage: stepStage(plan, index), code: 'step_failed', reason: error instanceof Error ? error.message : String(error) }),
      );
    }
    const settled = settle(output, plan, index);
    if (settled !== undefined) return settled;
    if (Array.isArray(output)) return continueWith(steps, plan, item, index + 1, output);
    data = output as JsonObject;
  }
  if (data === item.data) return item;
  // The runner's own item, on its way through the steps once: it takes the output (the source
  // record stays in `original`). A fan-out's records each need an item of their own.
  if (from === 0) {
    item.data = data;
    return item;
  }
  return { ...item, data };
}

/** The stage a step's failure is reported at: `step:2:map`. */
function stepStage(plan: PipelinePlan, index: number): string {
  return `step:${index + 1}:${plan.steps[index]?.type ?? 'unknown'}`;
}

/** After a step: one record goes on; several (fan-out) each go through the remaining steps. */
function continueWith(steps: StepFunction[], plan: PipelinePlan, item: ItemInFlight, next: number, output: StepOutput): StepOutcome | Promise<StepOutcome> {
  if (!Array.isArray(output)) return applySteps(steps, plan, item, next, output as JsonObject);
  const outcomes = output.map((record) => applySteps(steps, plan, item, next, record));
  if (outcomes.some((outcome) => outcome instanceof Promise)) return Promise.all(outcomes).then((many) => ({ many }));
  return { many: outcomes as StepOutcome[] };
}

/** A step's output that ends the record's way (dropped or rejected), or undefined to go on. */
function settle(output: StepOutput, plan: PipelinePlan, index: number): StepOutcome | undefined {
  if (output === DROP) return DROP;
  if (output instanceof RecordRejection) return { stage: stepStage(plan, index), code: output.code, reason: output.reason };
  return undefined;
}

async function createSteps(plan: PipelinePlan, options: RunOptions, logger: Logger): Promise<StepFunction[]> {
  const steps: StepFunction[] = [];
  for (const step of plan.steps) {
    steps.push(await step.definition.create(step.config as never, { projectDir: options.projectDir, file: plan.file, logger }));
  }
  return steps;
}

/** Resolves `${env:…}`/`${file:…}` in every connection the pipeline uses, once per run. */
function resolveConnections(plan: PipelinePlan, options: RunOptions): Map<string, unknown> {
  const used = new Map<string, ConnectionPlan>();
  for (const source of plan.sources) used.set(source.connection.name, source.connection);
  for (const target of plan.targets) used.set(target.connection.name, target.connection);
  const resolved = new Map<string, unknown>();
  const problems: ConfigProblem[] = [];
  for (const [name, connection] of used) {
    const result = resolveReferences(connection.config, {
      projectDir: options.projectDir,
      env: options.env ?? process.env,
      redactor: options.redactor,
      source: connection.source,
      basePath: [...connection.path, 'config'],
    });
    problems.push(...result.problems);
    resolved.set(name, result.value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}

/** A lease holder on this machine whose process no longer exists was killed: its lease is void. */
function holderIsGone(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || pid === undefined) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function connectorState(store: StateStore, connection: string): ConnectorState {
  const scope = `connection:${connection}`;
  return { get: (key) => store.getValue(scope, key), set: (key, value) => store.setValue(scope, key, value) };
}

function addCounts(into: RunCounts, add: RunCounts): void {
  into.read += add.read;
  into.written += add.written;
  into.duplicates += add.duplicates;
  into.deadLettered += add.deadLettered;
  into.skipped += add.skipped;
}

/** Longest payload a dead letter keeps whole: a record this size was accepted by the decoders. */
const MAX_PAYLOAD_CHARS = 16 * 1024 * 1024;

/**
 * A dead letter's payload: the record as JSON, so it can be replayed; a record that JSON cannot
 * hold (nested too deep for JSON.stringify) or that is larger than any decoder lets through is
 * kept as a bounded copy instead, so storing the dead letter can never fail the commit.
 */
export function payloadOf(record: JsonObject): string {
  try {
    const text = JSON.stringify(record);
    if (text.length <= MAX_PAYLOAD_CHARS) return text;
  } catch {
    // RangeError: too deep. Fall through to the bounded copy.
  }
  return stringifyBounded(record, MAX_RAW_CHARS);
}

function sameCursor(a: StoredCursor, b: StoredCursor): boolean {
  return a.skip === b.skip && JSON.stringify(a.checkpoint) === JSON.stringify(b.checkpoint);
}

export type { TSchema };
