import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { JsonObject } from '../json.js';
import { stableJson } from '../runtime/record-key.js';
import type { AnnouncedReturn, AnnouncedReturnInput, AnnouncedReturns } from './announced-returns.js';

/** One row per version of a return; the return's key with the body's SHA-256 makes an announcement idempotent. */
export const RETURNS_SCHEMA = `
CREATE TABLE IF NOT EXISTS announced_returns (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, return_key TEXT NOT NULL, location_id TEXT, announced_by TEXT NOT NULL,
  received_at TEXT NOT NULL, body_sha256 TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (return_key, body_sha256));
CREATE INDEX IF NOT EXISTS announced_returns_location ON announced_returns (location_id, seq);
`;

interface ReturnRow {
  seq: number;
  return_key: string;
  location_id: string | null;
  announced_by: string;
  received_at: string;
  body: string;
}

/** Announced returns in the SQLite state file. */
export class SqliteAnnouncedReturns implements AnnouncedReturns {
  private readonly insert: Database.Statement<[string, string | null, string, string, string, string]>;
  private readonly existing: Database.Statement<[string, string], { seq: number }>;
  private readonly page: Database.Statement<[number, number], ReturnRow>;
  private readonly pageAt: Database.Statement<[string, number, number], ReturnRow>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO announced_returns (return_key, location_id, announced_by, received_at, body_sha256, body) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (return_key, body_sha256) DO NOTHING`,
    );
    this.existing = db.prepare('SELECT seq FROM announced_returns WHERE return_key = ? AND body_sha256 = ?');
    this.page = db.prepare('SELECT * FROM announced_returns WHERE seq > ? ORDER BY seq LIMIT ?');
    this.pageAt = db.prepare('SELECT * FROM announced_returns WHERE location_id = ? AND seq > ? ORDER BY seq LIMIT ?');
  }

  async announce(input: AnnouncedReturnInput): Promise<{ stored: boolean; seq: number }> {
    // Keys in a stable order: the same return sent with its fields reordered is the same version.
    const body = stableJson(input.body);
    const digest = createHash('sha256').update(body).digest('hex');
    const result = this.insert.run(input.returnKey, input.locationId ?? null, input.announcedBy, input.receivedAt, digest, body);
    if (result.changes > 0) return { stored: true, seq: Number(result.lastInsertRowid) };
    const seq = this.existing.get(input.returnKey, digest)?.seq;
    if (seq === undefined) throw new Error('announced returns: an announcement was ignored but no entry matches it');
    return { stored: false, seq };
  }

  async list(query: { afterSeq: number; limit: number; locationId?: string | undefined }): Promise<AnnouncedReturn[]> {
    const rows = query.locationId === undefined ? this.page.all(query.afterSeq, query.limit) : this.pageAt.all(query.locationId, query.afterSeq, query.limit);
    return rows.map((row) => ({
      seq: row.seq,
      returnKey: row.return_key,
      locationId: row.location_id ?? undefined,
      announcedBy: row.announced_by,
      receivedAt: row.received_at,
      body: JSON.parse(row.body) as JsonObject,
    }));
  }
}
