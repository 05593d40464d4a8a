import type { PipelinePlan, SourcePlan } from '../config/plan.js';
import { toKeelError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { Engines } from '../sdk/engine.js';
import type { StepFunction } from '../sdk/step.js';
import { emptyCounts, type DeadLetter, type RunCounts, type StateStore } from '../state/state-store.js';
import { OpenEngines } from '../engines/open-engines.js';
import { applySteps } from './apply-steps.js';
import { outcomeOfReading, type Batch } from './batch.js';
import { batchKeyOf } from './batch-key.js';
import { commitBatch, countBatch } from './commit-batch.js';
import { createSteps } from './create-steps.js';
import { deliverBatch } from './deliver-batch.js';
import { EffectJournal } from './effect-journal.js';
import { takeLease } from './lease.js';
import { readBatches } from './read-batches.js';
import { replayBatches, replaySources } from './replay.js';
import { resolveConnections } from './resolve-connections.js';
import { stopRequested, type RunContext, type SourceContext } from './run-context.js';
import { RUN_STOPPED } from './run-stopped.js';
import { StepLedgers } from './step-ledgers.js';
import { openTargets, type TargetRuntime } from './target-runtime.js';

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
  /** Called once the lease is held and the run recorded, before any record is read: `keel serve` answers a trigger with the run's id. */
  onStarted?: (runId: number) => void;
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

/** How a run ended, as its record in the state store keeps it. */
interface RunEnd {
  status: RunStatusName;
  error?: string;
}

const NO_ENGINES: Engines = OpenEngines.none();

/** Runs one pipeline: every source, in order, through the steps to every target. */
export async function runPipeline(plan: PipelinePlan, options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const replaying = options.replay !== undefined;
  const lease = await takeLease(options.store, plan.name, dryRun, options.logger);
  const runId = await options.store.startRun({ pipeline: plan.name, kind: replaying ? 'replay' : 'run', dryRun });
  options.onStarted?.(runId);
  const run = runContext(plan, options, { runId, started, dryRun });
  let end: RunEnd = { status: 'ok' };
  try {
    const connections = resolveConnections(plan, options);
    const steps = await createSteps(run);
    const targets = await openTargets(run, connections);
    for (const { source, letters } of sourcesToRun(plan, options.replay)) {
      if (stopRequested(run)) break;
      const scope: SourceContext = { ...run, source, logger: run.logger.child({ source: source.name }) };
      // Dedupe steps let a replay through: a person sends these records again on purpose.
      run.stepLedgers.replaying = letters !== undefined;
      const batches = letters !== undefined ? replayBatches(scope, letters) : readBatches(scope, connections.get(source.connection.name));
      await runSource(scope, batches, steps, targets);
    }
    end = await endOfRun(run, replaying);
  } catch (error) {
    end = cutShort(run, error);
  } finally {
    lease.stopRenewing();
    // A stop or a failure cuts a batch off: what its targets accepted until then is kept, so the
    // next run does not send it again.
    await run.journal.flush().catch(() => undefined);
    await options.store.finishRun(runId, end);
    await lease.release();
  }
  return summarize(run, end, replaying);
}

/** One source's batches along the record's path: through the steps, to every target, committed one by one. */
async function runSource(scope: SourceContext, batches: AsyncIterable<Batch>, steps: StepFunction[], targets: TargetRuntime[]): Promise<void> {
  for await (const batch of batches) {
    const outcome = outcomeOfReading(scope, batch);
    const survivors = await applySteps(scope, steps, batch.items, outcome);
    await deliverBatch(scope, targets, survivors, batchKeyOf(scope, batch), outcome);
    await commitBatch(scope, batch, outcome, targets);
    countBatch(scope, outcome);
  }
}

/** The pipeline's sources, or for a replay the sources its dead letters came from, each with its letters. */
function sourcesToRun(plan: PipelinePlan, replay: readonly DeadLetter[] | undefined): { source: SourcePlan; letters?: readonly DeadLetter[] }[] {
  return replay !== undefined ? replaySources(plan, replay) : plan.sources.map((source) => ({ source }));
}

function runContext(plan: PipelinePlan, options: RunOptions, { runId, started, dryRun }: { runId: number; started: number; dryRun: boolean }): RunContext {
  return {
    plan,
    runId,
    dryRun,
    started,
    store: options.store,
    journal: new EffectJournal(options.store, plan.name, runId),
    stepLedgers: new StepLedgers(options.store, plan.name),
    logger: options.logger.child({ pipeline: plan.name }),
    redactor: options.redactor,
    projectDir: options.projectDir,
    engines: options.engines ?? NO_ENGINES,
    stop: options.stop,
    abort: options.abort,
    onProgress: options.onProgress,
    totals: emptyCounts(),
    wouldDeadLetter: [],
    replayed: [],
  };
}

/** Every source was read to its end, or a stop request ended the run between batches. */
async function endOfRun(run: RunContext, replaying: boolean): Promise<RunEnd> {
  if (stopRequested(run)) return { status: 'interrupted' };
  // What killed runs left in flight and nobody took up is moot now.
  if (!run.dryRun && !replaying) await run.store.settleEarlierRuns(run.plan.name, run.runId);
  return { status: run.totals.deadLettered > 0 ? 'dead_letters' : 'ok' };
}

/** A run cut short by an error, or by a stop request that ended a wait (then the batch in hand is read again next time). */
function cutShort(run: RunContext, error: unknown): RunEnd {
  const keelError = toKeelError(error, 'run');
  if (stopRequested(run) && (keelError.code === RUN_STOPPED || keelError.code === 'stopped' || keelError.code === 'aborted')) {
    run.logger.info('run stopped on request; the batch in hand was not committed and is read again on the next run', { stage: keelError.stage });
    return { status: 'interrupted' };
  }
  const failure = run.redactor.redact(keelError.message);
  run.logger.error('run failed', { code: keelError.code, stage: keelError.stage, error: failure });
  return { status: 'failed', error: failure };
}

function summarize(run: RunContext, end: RunEnd, replaying: boolean): RunSummary {
  const { totals } = run;
  const summary: RunSummary = { pipeline: run.plan.name, runId: run.runId, status: end.status, dryRun: run.dryRun, durationMs: Date.now() - run.started, ...totals };
  run.logger.info('run finished', { run: run.runId, status: end.status, read: totals.read, written: totals.written, dead_lettered: totals.deadLettered, resent: totals.resent, ms: summary.durationMs });
  if (end.error !== undefined) summary.error = end.error;
  if (run.dryRun) summary.wouldDeadLetter = run.wouldDeadLetter;
  if (replaying) summary.replayed = run.replayed;
  return summary;
}
