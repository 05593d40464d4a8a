import type { JsonValue } from '../json.js';
import type { AnnouncedReturns } from './announced-returns.js';
import type { ApiTokens } from './api-tokens.js';
import type { DocumentNumbers } from './document-numbers.js';
import type { RateLedger } from './rate-ledger.js';
import type { ScheduleFires } from './schedule-fires.js';
import type { BatchDetail, RunDetailLog } from './run-details.js';
import type { SourcePositions } from './source-positions.js';
import type { StatePruning } from './state-pruning.js';
import type { IncidentLog } from './incident-log.js';
import type { RunStats } from './run-stats.js';
import type { WebhookInbox } from './webhook-inbox.js';

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
  /**
   * What the state knows of `keys` in one scope of the effect ledger (a target, `<target>/records`,
   * `dedupe:<name>`): the version delivered under each, and whether an earlier run had started
   * sending one without learning its answer. Keys it knows nothing of are absent.
   */
  recallKeys(pipeline: string, scope: string, keys: readonly string[]): Promise<Map<string, KeyRecall>>;
  /**
   * While a batch is being written, in one transaction: sends about to start (in flight until
   * answered) and effects a target accepted. Accepted entries stay unsettled until their batch
   * commits; a run after a crash finds them and does not send them again.
   */
  recordProgress(pipeline: string, runId: number, progress: DeliveryProgress): Promise<void>;
  /** Atomically: ledger entries, dead letters, run counters, target sequences and the new cursor. */
  commit(batch: BatchCommit): Promise<void>;
  /**
   * After a run that read every source to its end: sends and unsettled entries that runs killed
   * earlier left behind, and that no batch of this run took up, are moot; they are settled.
   */
  settleEarlierRuns(pipeline: string, runId: number): Promise<void>;

  startRun(run: RunStart): Promise<number>;
  finishRun(id: number, outcome: RunOutcome): Promise<void>;
  /** Newest first; `status` keeps runs that ended so (or are running). */
  listRuns(query?: { pipeline?: string; status?: RunStatus; limit?: number }): Promise<RunRecord[]>;
  getRun(id: number): Promise<RunRecord | undefined>;

  /** In id order; `afterId` pages on from a previous page's last id. */
  listDeadLetters(query?: { pipeline?: string; status?: DeadLetterStatus; limit?: number; afterId?: number }): Promise<DeadLetter[]>;
  getDeadLetter(id: number): Promise<DeadLetter | undefined>;
  setDeadLetterStatus(ids: readonly number[], status: DeadLetterStatus): Promise<void>;
  /**
   * Replaces an open dead letter's payload with a corrected one (a replay then sends that); the
   * payload as it failed is kept as `originalPayload`, from the first edit on. False when the
   * letter is not open (or does not exist).
   */
  editDeadLetter(id: number, payload: string): Promise<boolean>;

  getValue(scope: string, key: string): Promise<JsonValue | undefined>;
  setValue(scope: string, key: string, value: JsonValue): Promise<void>;

  /**
   * A lease so that two processes never run the same pipeline at once. Expired leases can be
   * taken over, and so can leases whose holder `isDead` says is gone (a killed process).
   */
  acquireLease(name: string, owner: string, ttlMs: number, isDead?: (holder: string) => boolean): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  /** Each external account's request budget, shared by every process on this state (see rate-ledger.ts). */
  readonly rates: RateLedger;

  /** Webhook deliveries the listener stored, until pipelines read them (see webhook-inbox.ts). */
  readonly webhooks: WebhookInbox;

  /** Which schedule fires a scheduler claimed, so that two schedulers run each fire once (see schedule-fires.ts). */
  readonly fires: ScheduleFires;
  /** `keel serve`'s bearer tokens, by the hash of their secret (see api-tokens.ts). */
  readonly tokens: ApiTokens;

  /** Returns announced at touchpoints through `keel serve`, until the returns flow reads them (see announced-returns.ts). */
  readonly returns: AnnouncedReturns;
  /** Per-stage counts, error codes and files of each run, added to by `commit` (see run-details.ts). */
  readonly runDetails: RunDetailLog;

  /** Source positions for people: listed, set by a backfill, forgotten (see source-positions.ts). */
  readonly positions: SourcePositions;

  /** Forgetting old runs, handled dead letters and ledger entries, a window at a time (see state-pruning.ts). */
  readonly pruning: StatePruning;
  /** Totals of the run history and open dead letters, in aggregate queries (see run-stats.ts). */
  readonly runStats: RunStats;

  /** Alert incidents and their notifications, each sent once (see incident-log.ts). */
  readonly incidents: IncidentLog;

  /** Gap-free numbers of invoices, credit notes and delivery notes, given once per document (see document-numbers.ts). */
  readonly documentNumbers: DocumentNumbers;

  close(): Promise<void>;
}

/** Where a source resumes: its last page checkpoint, then `skip` records into the next page. */
export interface StoredCursor {
  checkpoint: JsonValue | null;
  skip: number;
}

/** One entry of the effect ledger: what a target (or a dedupe step) took under a key. */
export interface LedgerEntry {
  /** The ledger scope: a target's name, `<target>/records` or `dedupe:<name>`. */
  target: string;
  key: string;
  ref?: string | undefined;
  /** Content hash of what was delivered; undefined keeps the hash recorded before (none: content unknown). */
  hash?: string | undefined;
  /** What was delivered, as stable JSON, kept where a changed version must be shown as a diff. */
  content?: string | undefined;
  /** Recorded as the answer arrived, for a send that repeated one a killed run left in doubt: whichever run commits the batch counts it as re-sent. */
  resent?: boolean | undefined;
}

/** The version of a record the ledger holds under a key. */
export interface DeliveredVersion {
  /** Undefined for entries recorded before content hashes were kept (or by a stale answer): content unknown. */
  hash: string | undefined;
  content: string | undefined;
  ref: string | undefined;
  /** When this version was delivered (ISO 8601). */
  at: string;
  /** The run that recorded it as its answer arrived, while its batch is not committed yet (that run was killed). */
  unsettledRun: number | undefined;
  /** That unsettled delivery repeated a send an earlier killed run had left in doubt. */
  unsettledResent: boolean;
}

export interface KeyRecall {
  delivered?: DeliveredVersion;
  /** An earlier run (this id) started sending the key and never recorded an answer: it may be at the target. */
  inDoubtSince?: number;
}

/** A send about to start: in flight in `scope` (a target, or `<target>#batch` for a whole batch) until answered. */
export interface InFlightMark {
  scope: string;
  key: string;
}

export interface DeliveryProgress {
  sending: readonly InFlightMark[];
  accepted: readonly LedgerEntry[];
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
  /** Records targets accepted, including those a killed run had delivered before its batch was committed. */
  written: number;
  /** Records not written because their key was delivered before (or the target said `duplicate`/`stale`). */
  duplicates: number;
  deadLettered: number;
  skipped: number;
  /**
   * Records written again that a killed run had started sending and whose answer it never
   * recorded: a target ignoring idempotency keys may hold them twice. Counted by the run that
   * commits their batch, once per record and target.
   */
  resent: number;
  /** Labels targets gave accepted records (`reserved`, `adjusted`, `duplicate`), counted per label. */
  outcomes: Record<string, number>;
}

export interface BatchCommit {
  pipeline: string;
  runId: number;
  source: string;
  /** Undefined leaves the cursor where it is (a replay, or a dry run's ledger-free path). */
  cursor?: StoredCursor | undefined;
  /** Entries this run recorded as the answers arrived (recordProgress) are settled by the commit too; these need not repeat them. */
  deliveries: readonly LedgerEntry[];
  deadLetters: readonly DeadLetterInput[];
  sequences: readonly { target: string; value: number }[];
  counts: RunCounts;
  /** Per-stage counts and files of the batch, added to its run's detail (its dead letters' codes are counted from `deadLetters`). */
  detail?: BatchDetail | undefined;
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
  /** The payload as it failed, when someone corrected it since (`editDeadLetter`). */
  originalPayload?: string;
  runId: number;
  pipeline: string;
  status: DeadLetterStatus;
  createdAt: string;
  updatedAt: string;
}

export function emptyCounts(): RunCounts {
  return { read: 0, written: 0, duplicates: 0, deadLettered: 0, skipped: 0, resent: 0, outcomes: {} };
}

export function addCounts(into: RunCounts, add: RunCounts): void {
  into.read += add.read;
  into.written += add.written;
  into.duplicates += add.duplicates;
  into.deadLettered += add.deadLettered;
  into.skipped += add.skipped;
  into.resent += add.resent;
  for (const [label, count] of Object.entries(add.outcomes)) into.outcomes[label] = (into.outcomes[label] ?? 0) + count;
}
