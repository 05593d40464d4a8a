import type { PipelinePlan, SourcePlan } from '../config/plan.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { Engines } from '../sdk/engine.js';
import type { RunCounts, StateStore } from '../state/state-store.js';
import type { EffectJournal } from './effect-journal.js';
import type { RunProgress, RunSummary } from './run-pipeline.js';
import type { StepLedgers } from './step-ledgers.js';

/** What every part of one run shares: its plan and id, where its state goes, how it logs and when it stops. */
export interface RunContext {
  plan: PipelinePlan;
  runId: number;
  dryRun: boolean;
  /** When the run started (ms since the epoch), for progress and the summary. */
  started: number;
  store: StateStore;
  journal: EffectJournal;
  stepLedgers: StepLedgers;
  logger: Logger;
  redactor: Redactor;
  projectDir: string;
  engines: Engines;
  /** Aborted (SIGINT/SIGTERM): finish the batch in hand, save state, stop. */
  stop: AbortSignal | undefined;
  /** Aborted: cancel in-flight work now (a second Ctrl-C). */
  abort: AbortSignal | undefined;
  onProgress: ((progress: RunProgress) => void) | undefined;
  /** What the run has done so far, added to batch by batch as each commits. */
  totals: RunCounts;
  wouldDeadLetter: NonNullable<RunSummary['wouldDeadLetter']>;
  replayed: number[];
}

/** The run while it works through one source: dead letters name the source and log lines carry it. */
export interface SourceContext extends RunContext {
  source: SourcePlan;
}

/** A function, so the compiler does not carry what it saw before an await past it. */
export function stopRequested(run: RunContext): boolean {
  return run.stop?.aborted === true;
}
