import type Database from 'better-sqlite3';
import { openStateDatabase } from './open-database.js';
import type { JsonValue } from '../json.js';
import { addMissingColumns, LEDGER_ADDED_COLUMNS, LEDGER_INDEXES, LEDGER_SCHEMA, SqliteLedger } from './sqlite-ledger.js';
import type { IncidentLog } from './incident-log.js';
import type { RateLedger } from './rate-ledger.js';
import type { RunStats } from './run-stats.js';
import { INCIDENT_SCHEMA, SqliteIncidentLog } from './sqlite-incident-log.js';
import { SqliteRunStats } from './sqlite-run-stats.js';
import { RATE_SCHEMA, SqliteRateLedger } from './sqlite-rate-ledger.js';
import { DOCUMENT_NUMBERS_SCHEMA, SqliteDocumentNumbers } from './sqlite-document-numbers.js';
import { SCHEDULE_FIRES_SCHEMA, SqliteScheduleFires } from './sqlite-schedule-fires.js';
import type { ScheduleFires } from './schedule-fires.js';
import { SqliteWebhookInbox, WEBHOOK_SCHEMA } from './sqlite-webhook-inbox.js';
import { API_TOKEN_SCHEMA, SqliteApiTokens } from './sqlite-api-tokens.js';
import { RETURNS_SCHEMA, SqliteAnnouncedReturns } from './sqlite-announced-returns.js';
import type { AnnouncedReturns } from './announced-returns.js';
import type { ApiTokens } from './api-tokens.js';
import type { DocumentNumbers } from './document-numbers.js';
import type { RunDetailLog } from './run-details.js';
import { RUN_DETAIL_SCHEMA, SqliteRunDetails } from './sqlite-run-details.js';
import type { SourcePositions } from './source-positions.js';
import { SqliteSourcePositions } from './sqlite-source-positions.js';
import type { StatePruning } from './state-pruning.js';
import { SqliteStatePruning } from './sqlite-state-pruning.js';
import type { WebhookInbox } from './webhook-inbox.js';
import type {
  BatchCommit,
  DeadLetter,
  DeadLetterStatus,
  DeliveryProgress,
  KeyRecall,
  RunOutcome,
  RunRecord,
  RunStart,
  StateStore,
  StoredCursor,
} from './state-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cursors (
  pipeline TEXT NOT NULL, source TEXT NOT NULL, checkpoint TEXT, skip INTEGER NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (pipeline, source)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sequences (
  pipeline TEXT NOT NULL, target TEXT NOT NULL, value INTEGER NOT NULL,
  PRIMARY KEY (pipeline, target)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT NULL, kind TEXT NOT NULL, dry_run INTEGER NOT NULL,
  status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, error TEXT, pid INTEGER,
  read INTEGER NOT NULL DEFAULT 0, written INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
  dead_lettered INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0, resent INTEGER NOT NULL DEFAULT 0, outcomes TEXT);
CREATE INDEX IF NOT EXISTS runs_pipeline ON runs (pipeline, id);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, pipeline TEXT NOT NULL, source TEXT NOT NULL,
  stage TEXT NOT NULL, target TEXT, record_key TEXT, origin TEXT, code TEXT NOT NULL, reason TEXT NOT NULL,
  payload TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS dead_letters_status ON dead_letters (status, pipeline, id);
CREATE TABLE IF NOT EXISTS kv (
  scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
`;

interface RunRow {
  id: number;
  pipeline: string;
  kind: 'run' | 'replay';
  dry_run: number;
  status: RunRecord['status'];
  started_at: string;
  finished_at: string | null;
  error: string | null;
  read: number;
  written: number;
  duplicates: number;
  dead_lettered: number;
  skipped: number;
  resent: number;
  outcomes: string | null;
}

/** Columns runs gained after the first release. */
const RUN_ADDED_COLUMNS = [
  { table: 'runs', column: 'resent', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'runs', column: 'outcomes', definition: 'TEXT' },
  { table: 'dead_letters', column: 'original_payload', definition: 'TEXT' },
] as const;

interface DeadLetterRow {
  id: number;
  run_id: number;
  pipeline: string;
  source: string;
  stage: string;
  target: string | null;
  record_key: string | null;
  origin: string | null;
  code: string;
  reason: string;
  payload: string;
  original_payload: string | null;
  status: DeadLetterStatus;
  created_at: string;
  updated_at: string;
}

/**
 * The embedded state store: one SQLite file in WAL mode. A whole batch (ledger, dead letters,
 * counters, cursor) commits in one transaction, which is what makes a kill at any moment safe.
 */
export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly ledger: SqliteLedger;
  readonly rates: RateLedger;
  readonly webhooks: WebhookInbox;
  readonly fires: ScheduleFires;
  readonly tokens: ApiTokens;
  readonly returns: AnnouncedReturns;
  private readonly details: SqliteRunDetails;
  readonly positions: SourcePositions;
  readonly pruning: StatePruning;
  readonly runStats: RunStats;
  readonly incidents: IncidentLog;
  readonly documentNumbers: DocumentNumbers;

  constructor(readonly path: string) {
    this.db = openStateDatabase(path, 10000);
    this.db.exec(SCHEMA);
    this.db.exec(LEDGER_SCHEMA);
    addMissingColumns(this.db, [...LEDGER_ADDED_COLUMNS, ...RUN_ADDED_COLUMNS]);
    this.db.exec(LEDGER_INDEXES);
    this.db.exec(RATE_SCHEMA);
    this.db.exec(WEBHOOK_SCHEMA);
    this.db.exec(SCHEDULE_FIRES_SCHEMA);
    this.ledger = new SqliteLedger(this.db);
    this.rates = new SqliteRateLedger(this.db);
    this.webhooks = new SqliteWebhookInbox(this.db);
    this.fires = new SqliteScheduleFires(this.db);
    this.db.exec(API_TOKEN_SCHEMA);
    this.db.exec(RETURNS_SCHEMA);
    this.tokens = new SqliteApiTokens(this.db);
    this.returns = new SqliteAnnouncedReturns(this.db);
    this.db.exec(RUN_DETAIL_SCHEMA);
    this.details = new SqliteRunDetails(this.db);
    this.positions = new SqliteSourcePositions(this.db);
    this.pruning = new SqliteStatePruning(this.db);
    this.db.exec(INCIDENT_SCHEMA);
    this.runStats = new SqliteRunStats(this.db);
    this.incidents = new SqliteIncidentLog(this.db);
    this.db.exec(DOCUMENT_NUMBERS_SCHEMA);
    this.documentNumbers = new SqliteDocumentNumbers(this.db);
    const db = this.db;
    this.statements = {
      readCursor: db.prepare<[string, string], { checkpoint: string | null; skip: number }>(
        'SELECT checkpoint, skip FROM cursors WHERE pipeline = ? AND source = ?',
      ),
      writeCursor: db.prepare(
        `INSERT INTO cursors (pipeline, source, checkpoint, skip, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pipeline, source) DO UPDATE SET checkpoint = excluded.checkpoint, skip = excluded.skip, updated_at = excluded.updated_at`,
      ),
      deleteCursor: db.prepare('DELETE FROM cursors WHERE pipeline = ? AND source = ?'),
      readSequence: db.prepare<[string, string], { value: number }>('SELECT value FROM sequences WHERE pipeline = ? AND target = ?'),
      writeSequence: db.prepare(
        `INSERT INTO sequences (pipeline, target, value) VALUES (?, ?, ?)
         ON CONFLICT (pipeline, target) DO UPDATE SET value = max(value, excluded.value)`,
      ),
      ledgerHas: db.prepare<[string, string, string], { one: number }>('SELECT 1 AS one FROM ledger WHERE pipeline = ? AND target = ? AND key = ?'),
      deadLetterRefail: db.prepare(
        `UPDATE dead_letters SET run_id = ?, stage = ?, target = ?, code = ?, reason = ?, status = 'open', updated_at = ? WHERE id = ?`,
      ),
      deadLetterInsert: db.prepare(
        `INSERT INTO dead_letters (run_id, pipeline, source, stage, target, record_key, origin, code, reason, payload, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      runCounts: db.prepare(
        `UPDATE runs SET read = read + ?, written = written + ?, duplicates = duplicates + ?, dead_lettered = dead_lettered + ?,
         skipped = skipped + ?, resent = resent + ? WHERE id = ?`,
      ),
      runOutcomesGet: db.prepare<[number], { outcomes: string | null }>('SELECT outcomes FROM runs WHERE id = ?'),
      runOutcomesSet: db.prepare('UPDATE runs SET outcomes = ? WHERE id = ?'),
      runStart: db.prepare('INSERT INTO runs (pipeline, kind, dry_run, status, started_at, pid) VALUES (?, ?, ?, ?, ?, ?)'),
      runFinish: db.prepare('UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?'),
      runGet: db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id = ?'),
      kvGet: db.prepare<[string, string], { value: string }>('SELECT value FROM kv WHERE scope = ? AND key = ?'),
      kvSet: db.prepare(
        'INSERT INTO kv (scope, key, value) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value',
      ),
      leaseTake: db.prepare(
        `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE leases.owner = excluded.owner OR leases.expires_at < ?`,
      ),
      leaseRelease: db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?'),
    };
  }

  get runDetails(): RunDetailLog {
    return this.details;
  }

  async readCursor(pipeline: string, source: string): Promise<StoredCursor | undefined> {
    const row = this.statements.readCursor.get(pipeline, source);
    if (row === undefined) return undefined;
    return { checkpoint: row.checkpoint === null ? null : (JSON.parse(row.checkpoint) as JsonValue), skip: row.skip };
  }

  async resetCursor(pipeline: string, source: string): Promise<void> {
    this.statements.deleteCursor.run(pipeline, source);
  }

  async lastSequence(pipeline: string, target: string): Promise<number> {
    return this.statements.readSequence.get(pipeline, target)?.value ?? 0;
  }

  async delivered(pipeline: string, target: string, keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const key of keys) if (this.statements.ledgerHas.get(pipeline, target, key) !== undefined) found.add(key);
    return found;
  }

  async recallKeys(pipeline: string, scope: string, keys: readonly string[]): Promise<Map<string, KeyRecall>> {
    return this.ledger.recall(pipeline, scope, keys);
  }

  async recordProgress(pipeline: string, runId: number, progress: DeliveryProgress): Promise<void> {
    const now = new Date().toISOString();
    this.db.transaction(() => this.ledger.recordProgress(pipeline, runId, progress, now)).immediate();
  }

  async settleEarlierRuns(pipeline: string, runId: number): Promise<void> {
    this.ledger.settleEarlierRuns(pipeline, runId);
  }

  async commit(batch: BatchCommit): Promise<void> {
    const now = new Date().toISOString();
    const s = this.statements;
    this.db.transaction(() => {
      this.ledger.commitDeliveries(batch.pipeline, batch.runId, batch.deliveries, now);
      const updated = new Set<number>();
      for (const letter of batch.deadLetters) {
        if (letter.replaces !== undefined && !updated.has(letter.replaces)) {
          updated.add(letter.replaces);
          s.deadLetterRefail.run(batch.runId, letter.stage, letter.target ?? null, letter.code, letter.reason, now, letter.replaces);
          continue;
        }
        s.deadLetterInsert.run(
          batch.runId,
          batch.pipeline,
          letter.source,
          letter.stage,
          letter.target ?? null,
          letter.recordKey ?? null,
          letter.origin ?? null,
          letter.code,
          letter.reason,
          letter.payload,
          now,
          now,
        );
      }
      for (const sequence of batch.sequences) s.writeSequence.run(batch.pipeline, sequence.target, sequence.value);
      const c = batch.counts;
      s.runCounts.run(c.read, c.written, c.duplicates, c.deadLettered, c.skipped, c.resent, batch.runId);
      if (Object.keys(c.outcomes).length > 0) {
        const outcomes = parseOutcomes(s.runOutcomesGet.get(batch.runId)?.outcomes ?? null);
        for (const [label, count] of Object.entries(c.outcomes)) outcomes.set(label, (outcomes.get(label) ?? 0) + count);
        s.runOutcomesSet.run(JSON.stringify(Object.fromEntries(outcomes)), batch.runId);
      }
      this.details.addBatch(batch.runId, batch.detail, batch.deadLetters);
      if (batch.cursor !== undefined) {
        s.writeCursor.run(batch.pipeline, batch.source, JSON.stringify(batch.cursor.checkpoint), batch.cursor.skip, now);
      }
    }).immediate();
  }

  async startRun(run: RunStart): Promise<number> {
    // A run still marked running whose process is gone was killed: say so instead of leaving it "running" forever.
    const stale = this.db.prepare<[string], { id: number; pid: number | null }>("SELECT id, pid FROM runs WHERE pipeline = ? AND status = 'running'").all(run.pipeline);
    for (const row of stale) {
      if (row.pid !== null && !processAlive(row.pid)) {
        this.statements.runFinish.run('interrupted', null, 'the process ended before the run finished (killed or crashed)', row.id);
      }
    }
    const result = this.statements.runStart.run(run.pipeline, run.kind, run.dryRun ? 1 : 0, 'running', new Date().toISOString(), process.pid);
    return Number(result.lastInsertRowid);
  }

  async finishRun(id: number, outcome: RunOutcome): Promise<void> {
    this.statements.runFinish.run(outcome.status, new Date().toISOString(), outcome.error ?? null, id);
  }

  async listRuns(query: { pipeline?: string; status?: RunRecord['status']; limit?: number } = {}): Promise<RunRecord[]> {
    const { where, params } = filters([
      ['pipeline = ?', query.pipeline],
      ['status = ?', query.status],
    ]);
    const sql = `SELECT * FROM runs ${where} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare<(string | number)[], RunRow>(sql).all(...params, query.limit ?? 50).map(toRunRecord);
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    const row = this.statements.runGet.get(id);
    return row === undefined ? undefined : toRunRecord(row);
  }

  async listDeadLetters(query: { pipeline?: string; status?: DeadLetterStatus; limit?: number; afterId?: number } = {}): Promise<DeadLetter[]> {
    const { where, params } = filters([
      ['id > ?', query.afterId],
      ['pipeline = ?', query.pipeline],
      ['status = ?', query.status],
    ]);
    const sql = `SELECT * FROM dead_letters ${where} ORDER BY id LIMIT ?`;
    return this.db.prepare<(string | number)[], DeadLetterRow>(sql).all(...params, query.limit ?? 1000).map(toDeadLetter);
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    const row = this.db.prepare<[number], DeadLetterRow>('SELECT * FROM dead_letters WHERE id = ?').get(id);
    return row === undefined ? undefined : toDeadLetter(row);
  }

  async editDeadLetter(id: number, payload: string): Promise<boolean> {
    const edit = this.db.prepare(
      "UPDATE dead_letters SET original_payload = coalesce(original_payload, payload), payload = ?, updated_at = ? WHERE id = ? AND status = 'open'",
    );
    return edit.run(payload, new Date().toISOString(), id).changes > 0;
  }

  async setDeadLetterStatus(ids: readonly number[], status: DeadLetterStatus): Promise<void> {
    const update = this.db.prepare('UPDATE dead_letters SET status = ?, updated_at = ? WHERE id = ?');
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const id of ids) update.run(status, now, id);
    }).immediate();
  }

  async getValue(scope: string, key: string): Promise<JsonValue | undefined> {
    const row = this.statements.kvGet.get(scope, key);
    return row === undefined ? undefined : (JSON.parse(row.value) as JsonValue);
  }

  async setValue(scope: string, key: string, value: JsonValue): Promise<void> {
    this.statements.kvSet.run(scope, key, JSON.stringify(value));
  }

  async acquireLease(name: string, owner: string, ttlMs: number, isDead?: (holder: string) => boolean): Promise<boolean> {
    const now = Date.now();
    const holder = this.db.prepare<[string], { owner: string }>('SELECT owner FROM leases WHERE name = ?').get(name);
    if (holder !== undefined && holder.owner !== owner && isDead?.(holder.owner) === true) this.statements.leaseRelease.run(name, holder.owner);
    const result = this.statements.leaseTake.run(name, owner, now + ttlMs, now);
    return result.changes > 0;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.statements.leaseRelease.run(name, owner);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** A WHERE clause of the conditions whose value is given, and their parameters in order. */
function filters(conditions: readonly [sql: string, value: string | number | undefined][]): { where: string; params: (string | number)[] } {
  const given = conditions.filter((condition): condition is [string, string | number] => condition[1] !== undefined);
  return { where: given.length > 0 ? `WHERE ${given.map(([sql]) => sql).join(' AND ')}` : '', params: given.map(([, value]) => value) };
}

function toRunRecord(row: RunRow): RunRecord {
  const durationMs = row.finished_at === null ? null : Date.parse(row.finished_at) - Date.parse(row.started_at);
  return {
    id: row.id,
    pipeline: row.pipeline,
    kind: row.kind,
    dryRun: row.dry_run === 1,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs,
    error: row.error,
    read: row.read,
    written: row.written,
    duplicates: row.duplicates,
    deadLettered: row.dead_lettered,
    skipped: row.skipped,
    resent: row.resent,
    outcomes: Object.fromEntries(parseOutcomes(row.outcomes)),
  };
}

/** A run's outcome counts, as stored (JSON); labels were checked by the runner, so none is `__proto__`. */
function parseOutcomes(text: string | null): Map<string, number> {
  const out = new Map<string, number>();
  if (text === null) return out;
  for (const [label, count] of Object.entries(JSON.parse(text) as Record<string, unknown>)) if (typeof count === 'number') out.set(label, count);
  return out;
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    runId: row.run_id,
    pipeline: row.pipeline,
    source: row.source,
    stage: row.stage,
    target: row.target ?? undefined,
    recordKey: row.record_key ?? undefined,
    origin: row.origin ?? undefined,
    code: row.code,
    reason: row.reason,
    payload: row.payload,
    ...(row.original_payload !== null ? { originalPayload: row.original_payload } : {}),
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
