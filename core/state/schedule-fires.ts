/**
 * The fires of pipeline schedules, shared by every scheduler on one state: a fire (a pipeline and
 * the instant its schedule named) is claimed once, so two schedulers that both wake for it run it
 * once. The claim also remembers how the fire ended, which `keel schedule --list` shows and which
 * tells a scheduler that starts again which fires it missed while it was down.
 */
export interface ScheduleFires {
  /** True for the first claim of (pipeline, fireAt) by anyone, false for every later claim. */
  claim(fire: FireClaim): Promise<boolean>;
  /** Records how a claimed fire ended (and the run it started, if any). */
  finish(pipeline: string, fireAt: string, outcome: FireOutcome, runId?: number): Promise<void>;
  /** One fire of a pipeline, if it was claimed. */
  get(pipeline: string, fireAt: string): Promise<FireRecord | undefined>;
  /** The latest claimed fire of a pipeline, by fire time. */
  last(pipeline: string): Promise<FireRecord | undefined>;
  /** The latest `limit` fires of a pipeline, oldest first. */
  list(pipeline: string, limit: number): Promise<FireRecord[]>;
  /** Forgets fires before `before` (ISO 8601), keeping each pipeline's latest; answers how many. */
  prune(before: string): Promise<number>;
}

export interface FireClaim {
  pipeline: string;
  /** The instant the schedule named (ISO 8601, UTC, milliseconds). */
  fireAt: string;
  /** Which scheduler claimed it (host:pid). */
  holder: string;
  /** When it was claimed (ISO 8601). */
  claimedAt: string;
}

/** How a fire ended: the run's status, `busy` when the pipeline was still running, `skipped` for a missed fire not made up. */
export type FireOutcome = 'running' | 'ok' | 'dead_letters' | 'failed' | 'interrupted' | 'busy' | 'skipped';

export interface FireRecord extends FireClaim {
  outcome: FireOutcome;
  runId: number | undefined;
}
