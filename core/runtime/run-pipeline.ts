import type { TSchema } from '@sinclair/typebox';
import { hostname } from 'node:os';
import type { ConnectionPlan, PipelinePlan, SourcePlan } from '../config/plan.js';
import { resolveReferences } from '../config/secrets.js';
import { ConfigError, KeelError, toKeelError, type ConfigProblem } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { ConnectorState, DecodeReject, SourcePage } from '../sdk/connector.js';
import { DROP, DUPLICATE, RecordRejection, type StepFunction, type StepOutput } from '../sdk/step.js';
import { addCounts, emptyCounts, type DeadLetter, type DeadLetterInput, type LedgerEntry, type RunCounts, type StateStore, type StoredCursor } from '../state/state-store.js';
import { deliverToTarget, type TargetRuntime } from './deliver-to-target.js';
import { EffectJournal } from './effect-journal.js';
import { originOf, payloadOf, type ItemInFlight } from './item-in-flight.js';
import { compileRecordKey, hashParts, hashRecords } from './record-key.js';
import { RUN_STOPPED } from './run-stopped.js';
import { StepLedgers } from './step-ledgers.js';
import { OpenEngines } from '../engines/open-engines.js';
import type { Engines } from '../sdk/engine.js';

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
  /** The project's open engines, handed to connectors (none when omitted). */
  engines?: Engines;
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

const LEASE_TTL_MS = 10 * 60_000;
const NO_ENGINES: Engines = OpenEngines.none();

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
  const stepLedgers = new StepLedgers(store, plan.name);
  const journal = new EffectJournal(store, plan.name, runId);
  try {
    const resolved = resolveConnections(plan, options);
    const steps = await createSteps(plan, options, logger, stepLedgers);
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
      stepLedgers.replaying = replay;
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
        journal,
        stepLedgers,
      });
      await runner.run();
    }
    if (options.stop?.aborted === true) status = 'interrupted';
    else {
      // Every source was read to its end: what killed runs left in flight and nobody took up is moot.
      if (!dryRun && options.replay === undefined) await store.settleEarlierRuns(plan.name, runId);
      if (totals.deadLettered > 0) status = 'dead_letters';
    }
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
    // A stop or a failure cuts a batch off: what its targets accepted until then is kept, so the
    // next run does not send it again.
    await journal.flush().catch(() => undefined);
    await store.finishRun(runId, { status, error: failure });
    if (!dryRun) await store.releaseLease(leaseName, owner);
  }
  const summary: RunSummary = { pipeline: plan.name, runId, status, dryRun, durationMs: Date.now() - started, ...totals };
  logger.info('run finished', { run: runId, status, read: totals.read, written: totals.written, dead_lettered: totals.deadLettered, resent: totals.resent, ms: summary.durationMs });
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
  journal: EffectJournal;
  stepLedgers: StepLedgers;
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
      engines: this.ctx.engines ?? NO_ENGINES,
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
              replayCode: replayOf?.code,
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
      else if (outcome === DUPLICATE) counts.duplicates += 1;
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
    // What dedupe steps remembered in this batch is committed with it, or forgotten with it.
    const deliveries: LedgerEntry[] = this.ctx.stepLedgers.takeEntries();
    const sequences: { target: string; value: number }[] = [];
    if (!this.ctx.dryRun) {
      const delivery = {
        plan: this.plan,
        source: this.source.name,
        runId: this.ctx.runId,
        store,
        journal: this.ctx.journal,
        logger: this.ctx.logger,
        redactor: this.ctx.redactor,
        projectDir: this.ctx.projectDir,
        stop: this.ctx.stop,
        abort: this.ctx.abort,
        engines: this.ctx.engines ?? NO_ENGINES,
      };
      const results = await Promise.all(
        this.targets.map((target) =>
          deliverToTarget(delivery, target, survivors.filter((item) => item.onlyTarget === undefined || item.onlyTarget === target.plan.name), batchKey),
        ),
      );
      // Effects recorded as they arrived are written before the batch commit settles them.
      await this.ctx.journal.flush();
      for (const result of results) {
        deliveries.push(...result.deliveries);
        deadLetters.push(...result.deadLetters);
        counts.written += result.written;
        counts.duplicates += result.duplicates;
        counts.resent += result.resent;
        for (const [label, count] of Object.entries(result.outcomes)) counts.outcomes[label] = (counts.outcomes[label] ?? 0) + count;
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
        resent: counts.resent,
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
}


/** Which dead letter a replayed source record stands for. */
const REPLAY_INFO = new WeakMap<object, { id: number; origin: string; code: string; target: string | undefined }>();

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
            REPLAY_INFO.set(record, { id: letter.id, origin: letter.origin ?? letter.source, code: letter.code, target: letter.target });
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

interface StepFailure {
  stage: string;
  code: string;
  reason: string;
}
type StepOutcome = ItemInFlight | typeof DROP | typeof DUPLICATE | StepFailure | { many: StepOutcome[] };

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
  if (output === DUPLICATE) return DUPLICATE;
  if (output instanceof RecordRejection) return { stage: stepStage(plan, index), code: output.code, reason: output.reason };
  return undefined;
}

async function createSteps(plan: PipelinePlan, options: RunOptions, logger: Logger, ledgers: StepLedgers): Promise<StepFunction[]> {
  const steps: StepFunction[] = [];
  const ledger = (scope: string) => ledgers.ledger(scope);
  for (const step of plan.steps) {
    steps.push(await step.definition.create(step.config as never, { projectDir: options.projectDir, file: plan.file, logger, ledger }));
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


function sameCursor(a: StoredCursor, b: StoredCursor): boolean {
  return a.skip === b.skip && JSON.stringify(a.checkpoint) === JSON.stringify(b.checkpoint);
}

export type { TSchema };
