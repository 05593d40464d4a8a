import type Database from 'better-sqlite3';
import type { RunOutcomeStats, RunStats } from './run-stats.js';

/**
 * A covering index so the totals are read from the index alone (no table row per run), and what
 * pruned runs had counted: a trigger folds each deleted run into `runs_pruned`, whoever deletes it.
 */
export const RUN_STATS_SCHEMA = `
CREATE INDEX IF NOT EXISTS runs_outcomes ON runs (dry_run, pipeline, kind, status, read, written, dead_lettered);
CREATE TABLE IF NOT EXISTS runs_pruned (
  pipeline TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, runs INTEGER NOT NULL,
  read INTEGER NOT NULL, written INTEGER NOT NULL, dead_lettered INTEGER NOT NULL,
  PRIMARY KEY (pipeline, kind, status)) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS runs_pruned_fold AFTER DELETE ON runs WHEN OLD.dry_run = 0 BEGIN
  INSERT OR IGNORE INTO runs_pruned (pipeline, kind, status, runs, read, written, dead_lettered) VALUES (OLD.pipeline, OLD.kind, OLD.status, 0, 0, 0, 0);
  UPDATE runs_pruned SET runs = runs + 1, read = read + OLD.read, written = written + OLD.written, dead_lettered = dead_lettered + OLD.dead_lettered
    WHERE pipeline = OLD.pipeline AND kind = OLD.kind AND status = OLD.status;
END;
`;

interface OutcomeRow {
  pipeline: string;
  kind: RunOutcomeStats['kind'];
  status: RunOutcomeStats['status'];
  runs: number;
  read: number;
  written: number;
  dead_lettered: number;
  last_id: number | null;
  started_at: string | null;
  finished_at: string | null;
}

export class SqliteRunStats implements RunStats {
  private readonly outcomeRows: Database.Statement<[], OutcomeRow>;
  private readonly openRows: Database.Statement<[], { pipeline: string; open: number }>;

  constructor(db: Database.Database) {
    this.outcomeRows = db.prepare<[], OutcomeRow>(
      `WITH grouped AS (
         SELECT pipeline, kind, status, SUM(runs) AS runs, SUM(read) AS read, SUM(written) AS written, SUM(dead_lettered) AS dead_lettered, MAX(last_id) AS last_id
         FROM (
           SELECT pipeline, kind, status, COUNT(*) AS runs, SUM(read) AS read, SUM(written) AS written, SUM(dead_lettered) AS dead_lettered, MAX(id) AS last_id
           FROM runs WHERE dry_run = 0 GROUP BY pipeline, kind, status
           UNION ALL
           SELECT pipeline, kind, status, runs, read, written, dead_lettered, NULL FROM runs_pruned
         ) GROUP BY pipeline, kind, status)
       SELECT g.*, r.started_at, r.finished_at FROM grouped g LEFT JOIN runs r ON r.id = g.last_id ORDER BY g.pipeline, g.kind, g.status`,
    );
    this.openRows = db.prepare<[], { pipeline: string; open: number }>(
      "SELECT pipeline, COUNT(*) AS open FROM dead_letters WHERE status = 'open' GROUP BY pipeline ORDER BY pipeline",
    );
  }

  async outcomes(): Promise<RunOutcomeStats[]> {
    return this.outcomeRows.all().map((row) => ({
      pipeline: row.pipeline,
      kind: row.kind,
      status: row.status,
      runs: row.runs,
      read: row.read,
      written: row.written,
      deadLettered: row.dead_lettered,
      last: row.last_id === null || row.started_at === null ? undefined : { id: row.last_id, startedAt: row.started_at, finishedAt: row.finished_at },
    }));
  }

  async openDeadLetters(): Promise<{ pipeline: string; open: number }[]> {
    return this.openRows.all();
  }
}
