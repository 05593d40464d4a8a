import type Database from 'better-sqlite3';
import type { BatchDetail, ErrorCount, FileTouch, RunDetail, RunDetailLog, StageCounts } from './run-details.js';
import type { DeadLetterInput } from './state-store.js';

/** Per run: counts per stage, dead-letter codes per stage, and files, each row added to as batches commit. */
export const RUN_DETAIL_SCHEMA = `
CREATE TABLE IF NOT EXISTS run_stages (
  run_id INTEGER NOT NULL, stage TEXT NOT NULL, position INTEGER NOT NULL, records_in INTEGER NOT NULL, records_out INTEGER NOT NULL,
  filtered INTEGER NOT NULL, duplicates INTEGER NOT NULL, dead_lettered INTEGER NOT NULL, PRIMARY KEY (run_id, stage)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_errors (
  run_id INTEGER NOT NULL, stage TEXT NOT NULL, code TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (run_id, stage, code)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_files (
  run_id INTEGER NOT NULL, direction TEXT NOT NULL, stage TEXT NOT NULL, name TEXT NOT NULL, records INTEGER NOT NULL,
  PRIMARY KEY (run_id, direction, stage, name)) WITHOUT ROWID;
`;

/** The tables keyed by run id: a pruned run takes its rows there along. */
export const RUN_DETAIL_TABLES = ['run_stages', 'run_errors', 'run_files'] as const;

/** Most runs read a few files; one that read more lists the first of them (and counts the rest in the log). */
const MAX_FILES_PER_RUN = 10_000;

interface StageRow {
  stage: string;
  position: number;
  records_in: number;
  records_out: number;
  filtered: number;
  duplicates: number;
  dead_lettered: number;
}

export class SqliteRunDetails implements RunDetailLog {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      addStage: db.prepare(
        `INSERT INTO run_stages (run_id, stage, position, records_in, records_out, filtered, duplicates, dead_lettered) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, stage) DO UPDATE SET records_in = records_in + excluded.records_in, records_out = records_out + excluded.records_out,
           filtered = filtered + excluded.filtered, duplicates = duplicates + excluded.duplicates, dead_lettered = dead_lettered + excluded.dead_lettered`,
      ),
      addError: db.prepare(
        `INSERT INTO run_errors (run_id, stage, code, count) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_id, stage, code) DO UPDATE SET count = count + excluded.count`,
      ),
      fileCount: db.prepare<[number], { files: number }>('SELECT count(*) AS files FROM run_files WHERE run_id = ?'),
      addFile: db.prepare(
        `INSERT INTO run_files (run_id, direction, stage, name, records) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, direction, stage, name) DO UPDATE SET records = records + excluded.records`,
      ),
      stages: db.prepare<[number], StageRow>('SELECT * FROM run_stages WHERE run_id = ? ORDER BY position, stage'),
      errors: db.prepare<[number], ErrorCount>('SELECT stage, code, count FROM run_errors WHERE run_id = ? ORDER BY count DESC, stage, code'),
      files: db.prepare<[number], FileTouch>('SELECT direction, stage, name, records FROM run_files WHERE run_id = ? ORDER BY direction, stage, name'),
    };
  }

  /** Call inside the batch's transaction. */
  addBatch(runId: number, detail: BatchDetail | undefined, deadLetters: readonly DeadLetterInput[]): void {
    const s = this.statements;
    for (const stage of detail?.stages ?? []) {
      s.addStage.run(runId, stage.stage, stage.position, stage.in, stage.out, stage.filtered, stage.duplicates, stage.deadLettered);
    }
    const codes = new Map<string, ErrorCount>();
    for (const letter of deadLetters) {
      const id = `${letter.stage}\u0000${letter.code}`;
      const known = codes.get(id);
      if (known !== undefined) known.count += 1;
      else codes.set(id, { stage: letter.stage, code: letter.code, count: 1 });
    }
    for (const error of codes.values()) s.addError.run(runId, error.stage, error.code, error.count);
    const files = detail?.files ?? [];
    if (files.length > 0 && (s.fileCount.get(runId)?.files ?? 0) < MAX_FILES_PER_RUN) {
      for (const file of files) s.addFile.run(runId, file.direction, file.stage, file.name, file.records);
    }
  }

  async ofRun(runId: number): Promise<RunDetail> {
    const s = this.statements;
    return {
      stages: s.stages.all(runId).map(toStageCounts),
      errors: s.errors.all(runId),
      files: s.files.all(runId),
    };
  }

  async errorsOf(runIds: readonly number[]): Promise<Map<number, ErrorCount[]>> {
    const found = new Map<number, ErrorCount[]>();
    // One statement per chunk of ids: SQLite takes a bounded number of parameters.
    for (let start = 0; start < runIds.length; start += 500) {
      const ids = runIds.slice(start, start + 500);
      const rows = this.db
        .prepare<number[], ErrorCount & { run_id: number }>(
          `SELECT run_id, stage, code, count FROM run_errors WHERE run_id IN (${ids.map(() => '?').join(', ')}) ORDER BY run_id, count DESC, stage, code`,
        )
        .all(...ids);
      for (const { run_id: runId, ...error } of rows) {
        const list = found.get(runId);
        if (list === undefined) found.set(runId, [error]);
        else list.push(error);
      }
    }
    return found;
  }
}

function toStageCounts(row: StageRow): StageCounts {
  return {
    stage: row.stage,
    position: row.position,
    in: row.records_in,
    out: row.records_out,
    filtered: row.filtered,
    duplicates: row.duplicates,
    deadLettered: row.dead_lettered,
  };
}
