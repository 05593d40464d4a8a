import type Database from 'better-sqlite3';
import type { DeliveryProgress, KeyRecall, LedgerEntry } from './state-store.js';

/**
 * The effect ledger's tables in the SQLite state file:
 * - `ledger`: per scope and key, what was delivered (content hash, and the content itself where a
 *   changed version must be shown as a diff), and whether the batch that delivered it is committed
 *   (`settled`) or its run recorded it as the answer arrived and may have been killed.
 * - `in_flight`: sends that started and are not answered yet, per run. A run killed mid-batch
 *   leaves them behind; the next run that sends the same key counts it as re-sent. It holds a
 *   few rows at a time, so it has no index beside its key: each group commit writes fewer pages.
 */
export const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger (
  pipeline TEXT NOT NULL, target TEXT NOT NULL, key TEXT NOT NULL, ref TEXT, created_at TEXT NOT NULL,
  hash TEXT, content TEXT, run_id INTEGER, settled INTEGER NOT NULL DEFAULT 1, delivered_at TEXT, resent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (pipeline, target, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS in_flight (
  pipeline TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, run_id INTEGER NOT NULL, started_at TEXT NOT NULL,
  PRIMARY KEY (pipeline, scope, key)) WITHOUT ROWID;
`;

/** Created after the columns they index exist (a state file from before gets them added first). */
export const LEDGER_INDEXES = `
CREATE INDEX IF NOT EXISTS ledger_unsettled ON ledger (pipeline) WHERE settled = 0;
`;

/** Columns the ledger gained after its first release: added to older state files when they are opened. */
export const LEDGER_ADDED_COLUMNS = [
  { table: 'ledger', column: 'hash', definition: 'TEXT' },
  { table: 'ledger', column: 'content', definition: 'TEXT' },
  { table: 'ledger', column: 'run_id', definition: 'INTEGER' },
  { table: 'ledger', column: 'settled', definition: 'INTEGER NOT NULL DEFAULT 1' },
  { table: 'ledger', column: 'delivered_at', definition: 'TEXT' },
  { table: 'ledger', column: 'resent', definition: 'INTEGER NOT NULL DEFAULT 0' },
] as const;

interface LedgerRow {
  hash: string | null;
  content: string | null;
  ref: string | null;
  created_at: string;
  delivered_at: string | null;
  run_id: number | null;
  settled: number;
  resent: number;
}

export class SqliteLedger {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      get: db.prepare<[string, string, string], LedgerRow>(
        'SELECT hash, content, ref, created_at, delivered_at, run_id, settled, resent FROM ledger WHERE pipeline = ? AND target = ? AND key = ?',
      ),
      inFlight: db.prepare<[string, string, string], { run_id: number }>('SELECT run_id FROM in_flight WHERE pipeline = ? AND scope = ? AND key = ?'),
      // A changed version sent again replaces what the ledger shows; an entry without a hash (a
      // batch key, a stale answer) keeps the version recorded before.
      upsert: db.prepare(
        `INSERT INTO ledger (pipeline, target, key, ref, created_at, hash, content, run_id, settled, delivered_at, resent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (pipeline, target, key) DO UPDATE SET
           ref = coalesce(excluded.ref, ledger.ref),
           content = CASE WHEN excluded.hash IS NULL THEN ledger.content ELSE excluded.content END,
           delivered_at = CASE WHEN excluded.hash IS NULL THEN ledger.delivered_at ELSE excluded.delivered_at END,
           hash = coalesce(excluded.hash, ledger.hash),
           run_id = excluded.run_id, settled = excluded.settled, resent = excluded.resent`,
      ),
      markSending: db.prepare(
        `INSERT INTO in_flight (pipeline, scope, key, run_id, started_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pipeline, scope, key) DO UPDATE SET run_id = excluded.run_id, started_at = excluded.started_at`,
      ),
      answered: db.prepare('DELETE FROM in_flight WHERE pipeline = ? AND scope = ? AND key = ?'),
      runAnswered: db.prepare('DELETE FROM in_flight WHERE pipeline = ? AND run_id = ?'),
      settleRun: db.prepare('UPDATE ledger SET settled = 1 WHERE pipeline = ? AND settled = 0 AND run_id = ?'),
      earlierRunsMoot: db.prepare('DELETE FROM in_flight WHERE pipeline = ? AND run_id <> ?'),
      settleEarlier: db.prepare('UPDATE ledger SET settled = 1 WHERE pipeline = ? AND settled = 0 AND run_id <> ?'),
    };
  }

  recall(pipeline: string, scope: string, keys: readonly string[]): Map<string, KeyRecall> {
    const found = new Map<string, KeyRecall>();
    const s = this.statements;
    for (const key of keys) {
      const row = s.get.get(pipeline, scope, key);
      const sending = s.inFlight.get(pipeline, scope, key);
      if (row === undefined && sending === undefined) continue;
      const recall: KeyRecall = {};
      if (row !== undefined) {
        recall.delivered = {
          hash: row.hash ?? undefined,
          content: row.content ?? undefined,
          ref: row.ref ?? undefined,
          at: row.delivered_at ?? row.created_at,
          unsettledRun: row.settled === 0 && row.run_id !== null ? row.run_id : undefined,
          unsettledResent: row.settled === 0 && row.resent === 1,
        };
      }
      if (sending !== undefined) recall.inDoubtSince = sending.run_id;
      found.set(key, recall);
    }
    return found;
  }

  /** Call inside a transaction. */
  recordProgress(pipeline: string, runId: number, progress: DeliveryProgress, now: string): void {
    const s = this.statements;
    for (const mark of progress.sending) s.markSending.run(pipeline, mark.scope, mark.key, runId, now);
    for (const entry of progress.accepted) {
      this.write(pipeline, entry, runId, false, now);
      s.answered.run(pipeline, entry.target, entry.key);
    }
  }

  /**
   * Call inside the batch's transaction: its entries are settled (those its run recorded as the
   * answers arrived are already there, and batches run one after another, so they are this run's
   * unsettled ones), and its run has nothing in flight any more.
   */
  commitDeliveries(pipeline: string, runId: number, entries: readonly LedgerEntry[], now: string): void {
    this.statements.settleRun.run(pipeline, runId);
    for (const entry of entries) this.write(pipeline, entry, runId, true, now);
    this.statements.runAnswered.run(pipeline, runId);
  }

  settleEarlierRuns(pipeline: string, runId: number): void {
    this.db.transaction(() => {
      this.statements.earlierRunsMoot.run(pipeline, runId);
      this.statements.settleEarlier.run(pipeline, runId);
    }).immediate();
  }

  private write(pipeline: string, entry: LedgerEntry, runId: number, settled: boolean, now: string): void {
    this.statements.upsert.run(pipeline, entry.target, entry.key, entry.ref ?? null, now, entry.hash ?? null, entry.content ?? null, runId, settled ? 1 : 0, now, entry.resent === true ? 1 : 0);
  }
}

/** Adds columns a state file written by an older Keel lacks; safe when two processes open it at once. */
export function addMissingColumns(db: Database.Database, columns: readonly { table: string; column: string; definition: string }[]): void {
  const missing = (): typeof columns => {
    const have = new Map<string, Set<string>>();
    return columns.filter(({ table, column }) => {
      let names = have.get(table);
      if (names === undefined) {
        names = new Set(db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all().map((row) => row.name));
        have.set(table, names);
      }
      return !names.has(column);
    });
  };
  if (missing().length === 0) return;
  db.transaction(() => {
    for (const { table, column, definition } of missing()) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }).immediate();
}
