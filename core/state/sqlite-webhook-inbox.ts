import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { WebhookAppend, WebhookEvent, WebhookEventInput, WebhookEventQuery, WebhookInbox } from './webhook-inbox.js';

/**
 * One row per delivery, numbered by AUTOINCREMENT (numbers are never reused after a prune). Two
 * unique keys make an append idempotent: the delivery id, and the topic with the body's SHA-256.
 */
export const WEBHOOK_SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, connection TEXT NOT NULL, topic TEXT NOT NULL, delivery_id TEXT NOT NULL,
  body_sha256 TEXT NOT NULL, received_at TEXT NOT NULL, triggered_at TEXT, headers TEXT NOT NULL, body BLOB NOT NULL,
  UNIQUE (connection, delivery_id), UNIQUE (connection, topic, body_sha256));
CREATE INDEX IF NOT EXISTS webhook_events_received ON webhook_events (received_at);
`;

interface EventRow {
  seq: number;
  connection: string;
  topic: string;
  delivery_id: string;
  received_at: string;
  triggered_at: string | null;
  headers: string;
  body: Buffer;
}

/** The webhook inbox in the SQLite state file. */
export class SqliteWebhookInbox implements WebhookInbox {
  private readonly insert: Database.Statement<[string, string, string, string, string, string | null, string, Buffer]>;
  private readonly byDelivery: Database.Statement<[string, string], { seq: number }>;
  private readonly byBody: Database.Statement<[string, string, string], { seq: number }>;
  private readonly deleteBefore: Database.Statement<[string]>;
  private readonly appendOne: (event: WebhookEventInput, digest: string) => WebhookAppend;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO webhook_events (connection, topic, delivery_id, body_sha256, received_at, triggered_at, headers, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.byDelivery = db.prepare('SELECT seq FROM webhook_events WHERE connection = ? AND delivery_id = ?');
    this.byBody = db.prepare('SELECT seq FROM webhook_events WHERE connection = ? AND topic = ? AND body_sha256 = ?');
    this.deleteBefore = db.prepare('DELETE FROM webhook_events WHERE received_at < ?');
    const append = db.transaction((event: WebhookEventInput, digest: string): WebhookAppend => {
      const body = Buffer.from(event.body.buffer, event.body.byteOffset, event.body.byteLength);
      const result = this.insert.run(event.connection, event.topic, event.deliveryId, digest, event.receivedAt, event.triggeredAt ?? null, JSON.stringify(event.headers), body);
      if (result.changes > 0) return { stored: true, seq: Number(result.lastInsertRowid) };
      const sameDelivery = this.byDelivery.get(event.connection, event.deliveryId);
      if (sameDelivery !== undefined) return { stored: false, seq: sameDelivery.seq, duplicateOf: 'delivery_id' };
      const sameBody = this.byBody.get(event.connection, event.topic, digest);
      if (sameBody === undefined) throw new Error('webhook inbox: an append was ignored but no event conflicts with it');
      return { stored: false, seq: sameBody.seq, duplicateOf: 'body' };
    });
    this.appendOne = (event, digest) => {
      // The shop is told 200 once this returns, and may never send the event again: this one
      // commit waits for the disk (FULL), so a power cut cannot take back an acknowledged event.
      db.pragma('synchronous = FULL');
      try {
        return append.immediate(event, digest);
      } finally {
        db.pragma('synchronous = NORMAL');
      }
    };
  }

  async append(event: WebhookEventInput): Promise<WebhookAppend> {
    return this.appendOne(event, createHash('sha256').update(event.body).digest('hex'));
  }

  async list(query: WebhookEventQuery): Promise<WebhookEvent[]> {
    const topics = query.topics ?? [];
    const filter = topics.length > 0 ? ` AND topic IN (${topics.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare<(string | number)[], EventRow>(
        `SELECT seq, connection, topic, delivery_id, received_at, triggered_at, headers, body FROM webhook_events
         WHERE connection = ? AND seq > ?${filter} ORDER BY seq LIMIT ?`,
      )
      .all(query.connection, query.afterSeq, ...topics, query.limit);
    return rows.map(toEvent);
  }

  async prune(receivedBefore: string): Promise<number> {
    return this.deleteBefore.run(receivedBefore).changes;
  }
}

function toEvent(row: EventRow): WebhookEvent {
  return {
    seq: row.seq,
    connection: row.connection,
    topic: row.topic,
    deliveryId: row.delivery_id,
    receivedAt: row.received_at,
    triggeredAt: row.triggered_at ?? undefined,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: row.body,
  };
}
