import type Database from 'better-sqlite3';
import type { RunOutcomeStats, RunStats } from './run-stats.js';

/**
 * Totals kept up to date by triggers, in the transaction that changes a run or a dead letter, so a
 * read costs a row per pipeline and outcome however long the history is, and whoever writes the
 * state file (any process, any version of Keel that has opened it once) keeps them right.
 * `run_totals`: per pipeline, kind and status, the runs with that status now (a run moves from
 * `running` to its outcome) and what they counted; deleting a run (pruning) leaves its counts in.
 * `dead_letters_open`: open dead letters per pipeline.
 */
const TOTALS_SCHEMA = `
CREATE TABLE run_totals (
  pipeline TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, runs INTEGER NOT NULL,
  read INTEGER NOT NULL, written INTEGER NOT NULL, dead_lettered INTEGER NOT NULL, last_id INTEGER NOT NULL,
  PRIMARY KEY (pipeline, kind, status)) WITHOUT ROWID;
CREATE TRIGGER run_totals_insert AFTER INSERT ON runs WHEN NEW.dry_run = 0 BEGIN
  INSERT INTO run_totals VALUES (NEW.pipeline, NEW.kind, NEW.status, 1, NEW.read, NEW.written, NEW.dead_lettered, NEW.id)
  ON CONFLICT (pipeline, kind, status) DO UPDATE SET runs = runs + 1, read = read + excluded.read, written = written + excluded.written,
    dead_lettered = dead_lettered + excluded.dead_lettered, last_id = max(last_id, excluded.last_id);
END;
CREATE TRIGGER run_totals_update AFTER UPDATE OF status, read, written, dead_lettered ON runs WHEN NEW.dry_run = 0 BEGIN
  UPDATE run_totals SET runs = runs - 1, read = read - OLD.read, written = written - OLD.written, dead_lettered = dead_lettered - OLD.dead_lettered
    WHERE pipeline = OLD.pipeline AND kind = OLD.kind AND status = OLD.status;
  INSERT INTO run_totals VALUES (NEW.pipeline, NEW.kind, NEW.status, 1, NEW.read, NEW.written, NEW.dead_lettered, NEW.id)
  ON CONFLICT (pipeline, kind, status) DO UPDATE SET runs = runs + 1, read = read + excluded.read, written = written + excluded.written,
    dead_lettered = dead_lettered + excluded.dead_lettered, last_id = max(last_id, excluded.last_id);
END;
CREATE TRIGGER run_totals_prune_running AFTER DELETE ON runs WHEN OLD.dry_run = 0 AND OLD.status = 'running' BEGIN
  UPDATE run_totals SET runs = runs - 1 WHERE pipeline = OLD.pipeline AND kind = OLD.kind AND status = OLD.status;
END;
INSERT INTO run_totals
  SELECT pipeline, kind, status, COUNT(*), SUM(read), SUM(written), SUM(dead_lettered), MAX(id) FROM runs WHERE dry_run = 0 GROUP BY pipeline, kind, status;

CREATE TABLE dead_letters_open (pipeline TEXT PRIMARY KEY, open INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER dead_letters_open_insert AFTER INSERT ON dead_letters WHEN NEW.status = 'open' BEGIN
  INSERT INTO dead_letters_open VALUES (NEW.pipeline, 1) ON CONFLICT (pipeline) DO UPDATE SET open = open + 1;
END;
CREATE TRIGGER dead_letters_open_leave AFTER UPDATE OF status ON dead_letters WHEN OLD.status = 'open' AND NEW.status <> 'open' BEGIN
  UPDATE dead_letters_open SET open = open - 1 WHERE pipeline = OLD.pipeline;
END;
CREATE TRIGGER dead_letters_open_enter AFTER UPDATE OF status ON dead_letters WHEN OLD.status <> 'open' AND NEW.status = 'open' BEGIN
  INSERT INTO dead_letters_open VALUES (NEW.pipeline, 1) ON CONFLICT (pipeline) DO UPDATE SET open = open + 1;
END;
CREATE TRIGGER dead_letters_open_delete AFTER DELETE ON dead_letters WHEN OLD.status = 'open' BEGIN
  UPDATE dead_letters_open SET open = open - 1 WHERE pipeline = OLD.pipeline;
END;
INSERT INTO dead_letters_open SELECT pipeline, COUNT(*) FROM dead_letters WHERE status = 'open' GROUP BY pipeline;
`;

/**
 * Creates the totals, filled from the history already there, the first time a state file is
 * opened by a Keel that keeps them: once, under the write lock, so a second process opening the
 * file at the same moment finds them made and counts nothing twice.
 */
export function createRunTotals(db: Database.Database): void {
  const exists = (): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_totals'").get() !== undefined;
  if (exists()) return;
  db.transaction(() => {
    if (!exists()) db.exec(TOTALS_SCHEMA);
  }).immediate();
}

interface OutcomeRow {
  pipeline: string;
  kind: RunOutcomeStats['kind'];
  status: RunOutcomeStats['status'];
  runs: number;
  read: number;
  written: number;
  dead_lettered: number;
  last_id: number;
  started_at: string | null;
  finished_at: string | null;
}

export class SqliteRunStats implements RunStats {
  private readonly outcomeRows: Database.Statement<[], OutcomeRow>;
  private readonly openRows: Database.Statement<[], { pipeline: string; open: number }>;

  constructor(db: Database.Database) {
    createRunTotals(db);
    // The newest run of an outcome is still in the history, and still has that outcome, or it is not shown.
    this.outcomeRows = db.prepare<[], OutcomeRow>(
      `SELECT t.*, r.started_at, r.finished_at FROM run_totals t LEFT JOIN runs r ON r.id = t.last_id AND r.status = t.status
       WHERE t.runs > 0 OR t.read > 0 OR t.written > 0 OR t.dead_lettered > 0 ORDER BY t.pipeline, t.kind, t.status`,
    );
    this.openRows = db.prepare<[], { pipeline: string; open: number }>('SELECT pipeline, open FROM dead_letters_open WHERE open > 0 ORDER BY pipeline');
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
      last: row.started_at === null ? undefined : { id: row.last_id, startedAt: row.started_at, finishedAt: row.finished_at },
    }));
  }

  async openDeadLetters(): Promise<{ pipeline: string; open: number }[]> {
    return this.openRows.all();
  }
}
