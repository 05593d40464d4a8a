import type Database from 'better-sqlite3';
import type { JsonValue } from '../json.js';
import type { SourcePosition, SourcePositions } from './source-positions.js';
import type { StoredCursor } from './state-store.js';

interface CursorRow {
  pipeline: string;
  source: string;
  checkpoint: string | null;
  skip: number;
  updated_at: string;
}

/** Source positions in the `cursors` table of the SQLite state file (created by sqlite-store.ts). */
export class SqliteSourcePositions implements SourcePositions {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      all: db.prepare<[], CursorRow>('SELECT * FROM cursors ORDER BY pipeline, source'),
      ofPipeline: db.prepare<[string], CursorRow>('SELECT * FROM cursors WHERE pipeline = ? ORDER BY source'),
      write: db.prepare(
        `INSERT INTO cursors (pipeline, source, checkpoint, skip, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pipeline, source) DO UPDATE SET checkpoint = excluded.checkpoint, skip = excluded.skip, updated_at = excluded.updated_at`,
      ),
      forgetOne: db.prepare<[string, string], { source: string }>('DELETE FROM cursors WHERE pipeline = ? AND source = ? RETURNING source'),
      forgetAll: db.prepare<[string], { source: string }>('DELETE FROM cursors WHERE pipeline = ? RETURNING source'),
    };
  }

  async list(query: { pipeline?: string } = {}): Promise<SourcePosition[]> {
    const rows = query.pipeline === undefined ? this.statements.all.all() : this.statements.ofPipeline.all(query.pipeline);
    return rows.map((row) => ({
      pipeline: row.pipeline,
      source: row.source,
      checkpoint: row.checkpoint === null ? null : (JSON.parse(row.checkpoint) as JsonValue),
      skip: row.skip,
      updatedAt: row.updated_at,
    }));
  }

  async set(pipeline: string, source: string, cursor: StoredCursor): Promise<void> {
    this.statements.write.run(pipeline, source, JSON.stringify(cursor.checkpoint), cursor.skip, new Date().toISOString());
  }

  async reset(pipeline: string, source?: string): Promise<string[]> {
    const rows = source === undefined ? this.statements.forgetAll.all(pipeline) : this.statements.forgetOne.all(pipeline, source);
    return rows.map((row) => row.source).sort();
  }
}
