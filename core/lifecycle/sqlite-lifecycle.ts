import type Database from 'better-sqlite3';
import { openStateDatabase } from '../state/open-database.js';
import type { JsonObject } from '../json.js';
import type { EventSource, LifecycleEvent } from './lifecycle-event.js';
import type { AppendDecision, LifecycleStore } from './lifecycle-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS lifecycle_events (
  order_key TEXT NOT NULL, seq INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL, source_kind TEXT NOT NULL, source_id TEXT NOT NULL, data_json TEXT NOT NULL,
  fingerprint TEXT NOT NULL, flags_json TEXT NOT NULL, note TEXT, external_id TEXT NOT NULL,
  PRIMARY KEY (order_key, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS lifecycle_events_id ON lifecycle_events (order_key, event_id);
CREATE INDEX IF NOT EXISTS lifecycle_events_external ON lifecycle_events (external_id);
`;

/** A row holds the event's scalars as they are, its source split in two and its structures as JSON. */
type EventRow = Pick<LifecycleEvent, 'order_key' | 'seq' | 'event_id' | 'type' | 'at' | 'recorded_at' | 'fingerprint'> & {
  source_kind: EventSource['kind'];
  source_id: string;
  data_json: string;
  flags_json: string;
  note: string | null;
};

function toEvent(row: EventRow): LifecycleEvent {
  return {
    order_key: row.order_key,
    seq: row.seq,
    event_id: row.event_id,
    type: row.type,
    at: row.at,
    recorded_at: row.recorded_at,
    source: { kind: row.source_kind, id: row.source_id },
    data: JSON.parse(row.data_json) as JsonObject,
    fingerprint: row.fingerprint,
    flags: JSON.parse(row.flags_json) as string[],
    note: row.note ?? undefined,
  };
}

/**
 * Lifecycle events in the project's SQLite state file, on their own connection. An append reads
 * the order's events and writes the new one in one IMMEDIATE transaction, so two processes
 * recording events of one order queue, and each decides on what the other wrote.
 */
export class SqliteLifecycleStore implements LifecycleStore {
  private readonly db: Database.Database;
  private readonly sql;
  private closed = false;

  constructor(readonly path: string) {
    this.db = openStateDatabase(path);
    this.db.exec(SCHEMA);
    const db = this.db;
    this.sql = {
      events: db.prepare<[string], EventRow>('SELECT * FROM lifecycle_events WHERE order_key = ? ORDER BY seq'),
      insert: db.prepare(
        `INSERT INTO lifecycle_events (order_key, seq, event_id, type, at, recorded_at, source_kind, source_id, data_json, fingerprint, flags_json, note, external_id)
         VALUES (@order_key, @seq, @event_id, @type, @at, @recorded_at, @source_kind, @source_id, @data_json, @fingerprint, @flags_json, @note, @external_id)`,
      ),
      byExternal: db.prepare<[string], { order_key: string }>('SELECT DISTINCT order_key FROM lifecycle_events WHERE external_id = ? ORDER BY order_key'),
    };
  }

  events(order_key: string): Promise<LifecycleEvent[]> {
    return Promise.resolve(this.sql.events.all(order_key).map(toEvent));
  }

  append<Result>(order_key: string, decide: (events: readonly LifecycleEvent[]) => AppendDecision<Result>): Promise<Result> {
    const run = this.db.transaction((): Result => {
      const events = this.sql.events.all(order_key).map(toEvent);
      const decision = decide(events);
      const event = decision.append;
      if (event !== undefined) {
        if (event.order_key !== order_key) throw new Error(`an event of ${event.order_key} cannot be appended to ${order_key}`);
        this.sql.insert.run({
          order_key,
          seq: (events.at(-1)?.seq ?? 0) + 1,
          event_id: event.event_id,
          type: event.type,
          at: event.at,
          recorded_at: event.recorded_at,
          source_kind: event.source.kind,
          source_id: event.source.id,
          data_json: JSON.stringify(event.data),
          fingerprint: event.fingerprint,
          flags_json: JSON.stringify(event.flags),
          note: event.note ?? null,
          external_id: order_key.slice(order_key.indexOf(':') + 1),
        });
      }
      return decision.result;
    });
    try {
      return Promise.resolve(run.immediate());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  ordersByExternalId(external_id: string): Promise<string[]> {
    return Promise.resolve(this.sql.byExternal.all(external_id).map((row) => row.order_key));
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }
}
