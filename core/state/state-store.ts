import type { JsonValue } from '../json.js';

/**
 * Everything Keel remembers between runs. SQLite implements it for one machine; a PostgreSQL
 * implementation will implement the same interface for scale-out, so SQL and transactions stay
 * behind it. Methods are async even where SQLite is not, for that reason.
 */
export interface StateStore {
  readCursor(pipeline: string, source: string): Promise<StoredCursor | undefined>;
  /** Forget a source's position: the next run reads from the start (a full re-sync). */
  resetCursor(pipeline: string, source: string): Promise<void>;
  /** The last committed batch number of a target; the next batch uses this plus one. */
  lastSequence(pipeline: string, target: string): Promise<number>;
  /** Which of `keys` the effect ledger already holds for this target. */
  delivered(pipeline: string, target: string, keys: readonly string[]): Promise<Set<string>>;
  /** Atomically: ledger entries, dead letters, run counters, target sequences and the new cursor. */
  commit(batch: BatchCommit): Promise<void>;

  startRun(run: RunStart): Promise<number>;
  finishRun(id: number, outcome: RunOutcome): Promise<void>;
  listRuns(query?: { pipeline?: string; limit?: number }): Promise<RunRecord[]>;
  getRun(id: number): Promise<RunRecord | undefined>;

  /** In id order; `afterId` pages on from a previous page's last id. */
  listDeadLetters(query?: { pipeline?: string; status?: DeadLetterStatus; limit?: number; afterId?: number }): Promise<DeadLetter[]>;
  getDeadLetter(id: number): Promise<DeadLetter | undefined>;
  setDeadLetterStatus(ids: readonly number[], status: DeadLetterStatus): Promise<void>;

  getValue(scope: string, key: string): Promise<JsonValue | undefined>;
  setValue(scope: string, key: string, value: JsonValue): Promise<void>;

  /**
   * A lease so that two processes never run the same pipeline at once. Expired leases can be
   * taken over, and so can leases whose holder `isDead` says is gone (a killed process).
   */
  acquireLease(name: string, owner: string, ttlMs: number, isDead?: (holder: string) => boolean): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  close(): Promise<void>;
}

/** Where a source resumes: its last page checkpoint, then `skip` records into the next page. */
export interface StoredCursor {
  checkpoint: JsonValue | null;
  skip: number;
}

export interface LedgerEntry {
  target: string;
  key: string;
  ref?: string | undefined;
}

export interface DeadLetterInput {
  source: string;
  /** `decode`, `step:<n>:<type>` or `target:<name>`. */
  stage: string;
  target?: string | undefined;
  recordKey?: string | undefined;
  origin?: string | undefined;
  code: string;
  reason: string;
  /** The original payload (a JSON record, or the raw text that failed to decode). */
  payload: string;
  /** A replayed dead letter that failed again: update that letter instead of adding one. */
  replaces?: number | undefined;
}

export interface RunCounts {
  read: number;
  written: number;
  duplicates: number;
  deadLettered: number;
  skipped: number;
}

export interface BatchCommit {
  pipeline: string;
  runId: number;
  source: string;
  /** Undefined leaves the cursor where it is (a replay, or a dry run's ledger-free path). */
  cursor?: StoredCursor | undefined;
  deliveries: readonly LedgerEntry[];
  deadLetters: readonly DeadLetterInput[];
  sequences: readonly { target: string; value: number }[];
  counts: RunCounts;
}

export type RunStatus = 'running' | 'ok' | 'dead_letters' | 'failed' | 'interrupted';

export interface RunStart {
  pipeline: string;
  kind: 'run' | 'replay';
  dryRun: boolean;
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
  error?: string | undefined;
}

export interface RunRecord extends RunCounts {
  id: number;
  pipeline: string;
  kind: 'run' | 'replay';
  dryRun: boolean;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

export type DeadLetterStatus = 'open' | 'replayed' | 'discarded';

export interface DeadLetter extends DeadLetterInput {
  id: number;
  runId: number;
  pipeline: string;
  status: DeadLetterStatus;
  createdAt: string;
  updatedAt: string;
}

export function emptyCounts(): RunCounts {
  return { read: 0, written: 0, duplicates: 0, deadLettered: 0, skipped: 0 };
}
