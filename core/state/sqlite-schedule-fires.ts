import type Database from 'better-sqlite3';
import type { FireClaim, FireOutcome, FireRecord, ScheduleFires } from './schedule-fires.js';

/** One row per claimed fire; the primary key makes a second claim of the same fire a no-op. */
export const SCHEDULE_FIRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS schedule_fires (
  pipeline TEXT NOT NULL, fire_at TEXT NOT NULL, holder TEXT NOT NULL, claimed_at TEXT NOT NULL,
  outcome TEXT NOT NULL DEFAULT 'running', run_id INTEGER, PRIMARY KEY (pipeline, fire_at));
`;

interface FireRow {
  pipeline: string;
  fire_at: string;
  holder: string;
  claimed_at: string;
  outcome: FireOutcome;
  run_id: number | null;
}

/** Schedule fires in the SQLite state file. */
export class SqliteScheduleFires implements ScheduleFires {
  private readonly insert: Database.Statement<[string, string, string, string]>;
  private readonly update: Database.Statement<[FireOutcome, number | null, string, string]>;
  private readonly latest: Database.Statement<[string], FireRow>;
  private readonly one: Database.Statement<[string, string], FireRow>;
  private readonly recent: Database.Statement<[string, number], FireRow>;
  private readonly deleteBefore: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO schedule_fires (pipeline, fire_at, holder, claimed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    this.update = db.prepare('UPDATE schedule_fires SET outcome = ?, run_id = coalesce(?, run_id) WHERE pipeline = ? AND fire_at = ?');
    this.latest = db.prepare('SELECT * FROM schedule_fires WHERE pipeline = ? ORDER BY fire_at DESC LIMIT 1');
    this.one = db.prepare('SELECT * FROM schedule_fires WHERE pipeline = ? AND fire_at = ?');
    this.recent = db.prepare('SELECT * FROM (SELECT * FROM schedule_fires WHERE pipeline = ? ORDER BY fire_at DESC LIMIT ?) ORDER BY fire_at');
    this.deleteBefore = db.prepare(
      `DELETE FROM schedule_fires WHERE fire_at < ?
       AND fire_at < (SELECT max(fire_at) FROM schedule_fires AS newer WHERE newer.pipeline = schedule_fires.pipeline)`,
    );
  }

  async claim(fire: FireClaim): Promise<boolean> {
    return this.insert.run(fire.pipeline, fire.fireAt, fire.holder, fire.claimedAt).changes > 0;
  }

  async finish(pipeline: string, fireAt: string, outcome: FireOutcome, runId?: number): Promise<void> {
    this.update.run(outcome, runId ?? null, pipeline, fireAt);
  }

  async get(pipeline: string, fireAt: string): Promise<FireRecord | undefined> {
    return fireRecord(this.one.get(pipeline, fireAt));
  }

  async last(pipeline: string): Promise<FireRecord | undefined> {
    return fireRecord(this.latest.get(pipeline));
  }

  async list(pipeline: string, limit: number): Promise<FireRecord[]> {
    return this.recent.all(pipeline, limit).flatMap((row) => fireRecord(row) ?? []);
  }

  async prune(before: string): Promise<number> {
    return this.deleteBefore.run(before).changes;
  }
}

function fireRecord(row: FireRow | undefined): FireRecord | undefined {
  return row === undefined
    ? undefined
    : { pipeline: row.pipeline, fireAt: row.fire_at, holder: row.holder, claimedAt: row.claimed_at, outcome: row.outcome, runId: row.run_id ?? undefined };
}
