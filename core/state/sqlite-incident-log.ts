import type Database from 'better-sqlite3';
import type { JsonObject } from '../json.js';
import type { Incident, IncidentInput, IncidentLog, Notification, NotificationEvent } from './incident-log.js';

/**
 * One row per incident (at most one open per key: a partial unique index), one per notification
 * (at most one per incident, destination and event). Claims are a holder and an expiry on the row.
 */
export const INCIDENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, rule TEXT NOT NULL, subject TEXT NOT NULL, facts TEXT NOT NULL,
  opened_at INTEGER NOT NULL, resolved_at INTEGER, resolved_facts TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_key ON incidents (key) WHERE resolved_at IS NULL;
CREATE TABLE IF NOT EXISTS incident_notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id INTEGER NOT NULL, destination TEXT NOT NULL, event TEXT NOT NULL,
  status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
  claimed_by TEXT, claimed_until INTEGER NOT NULL, last_error TEXT, sent_at INTEGER,
  UNIQUE (incident_id, destination, event));
CREATE INDEX IF NOT EXISTS incident_notifications_due ON incident_notifications (status, next_attempt_at);
`;

interface IncidentRow {
  id: number;
  key: string;
  rule: string;
  subject: string;
  facts: string;
  opened_at: number;
  resolved_at: number | null;
  resolved_facts: string | null;
}

interface NotificationRow {
  id: number;
  incident_id: number;
  destination: string;
  event: NotificationEvent;
  status: 'pending' | 'sent';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  sent_at: number | null;
}

const NOTIFICATION_COLUMNS = 'n.id, n.incident_id, n.destination, n.event, n.status, n.attempts, n.next_attempt_at, n.last_error, n.sent_at';

export class SqliteIncidentLog implements IncidentLog {
  private readonly sql;
  private readonly openOne: (input: IncidentInput, destinations: readonly string[], now: number) => { incident: Incident; opened: boolean };
  private readonly resolveOne: (key: string, facts: JsonObject, destinations: readonly string[], now: number) => boolean;
  private readonly claim: (owner: string, destinations: readonly string[], now: number, leaseMs: number, limit: number) => Notification[];

  constructor(db: Database.Database) {
    const sql = {
      openByKey: db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE key = ? AND resolved_at IS NULL'),
      byId: db.prepare<[number], IncidentRow>('SELECT * FROM incidents WHERE id = ?'),
      insertIncident: db.prepare('INSERT INTO incidents (key, rule, subject, facts, opened_at) VALUES (?, ?, ?, ?, ?)'),
      resolve: db.prepare('UPDATE incidents SET resolved_at = ?, resolved_facts = ? WHERE id = ? AND resolved_at IS NULL'),
      queue: db.prepare(
        `INSERT INTO incident_notifications (incident_id, destination, event, status, attempts, next_attempt_at, claimed_until)
         VALUES (?, ?, ?, 'pending', 0, ?, 0) ON CONFLICT DO NOTHING`,
      ),
      listOpen: db.prepare<[], IncidentRow>('SELECT * FROM incidents WHERE resolved_at IS NULL ORDER BY id'),
      due: db.prepare<[number, number, string, number], NotificationRow>(
        `SELECT ${NOTIFICATION_COLUMNS} FROM incident_notifications n
         WHERE n.status = 'pending' AND n.next_attempt_at <= ? AND n.claimed_until <= ? AND n.destination IN (SELECT value FROM json_each(?))
           AND NOT (n.event = 'resolve' AND EXISTS (
             SELECT 1 FROM incident_notifications o WHERE o.incident_id = n.incident_id AND o.destination = n.destination AND o.event = 'open' AND o.status = 'pending'))
         ORDER BY n.id LIMIT ?`,
      ),
      take: db.prepare('UPDATE incident_notifications SET claimed_by = ?, claimed_until = ? WHERE id = ?'),
      sent: db.prepare("UPDATE incident_notifications SET status = 'sent', sent_at = ?, claimed_by = NULL, claimed_until = 0 WHERE id = ? AND claimed_by = ? AND status = 'pending'"),
      failed: db.prepare(
        `UPDATE incident_notifications SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = 0
         WHERE id = ? AND claimed_by = ? AND status = 'pending'`,
      ),
      ofIncident: db.prepare<[number], NotificationRow>(`SELECT ${NOTIFICATION_COLUMNS} FROM incident_notifications n WHERE n.incident_id = ? ORDER BY n.id`),
    };
    this.sql = sql;
    const queueAll = (incidentId: number, event: NotificationEvent, destinations: readonly string[], now: number): void => {
      for (const destination of destinations) sql.queue.run(incidentId, destination, event, now);
    };
    const open = db.transaction((input: IncidentInput, destinations: readonly string[], now: number) => {
      const existing = sql.openByKey.get(input.key);
      if (existing !== undefined) return { incident: toIncident(existing), opened: false };
      const id = Number(sql.insertIncident.run(input.key, input.rule, input.subject, JSON.stringify(input.facts), now).lastInsertRowid);
      queueAll(id, 'open', destinations, now);
      return { incident: toIncident(sql.byId.get(id) as IncidentRow), opened: true };
    });
    const resolve = db.transaction((key: string, facts: JsonObject, destinations: readonly string[], now: number): boolean => {
      const existing = sql.openByKey.get(key);
      if (existing === undefined) return false;
      sql.resolve.run(now, JSON.stringify(facts), existing.id);
      queueAll(existing.id, 'resolve', destinations, now);
      return true;
    });
    const claim = db.transaction((owner: string, destinations: readonly string[], now: number, leaseMs: number, limit: number): Notification[] => {
      const rows = sql.due.all(now, now, JSON.stringify(destinations), limit);
      for (const row of rows) sql.take.run(owner, now + leaseMs, row.id);
      return rows.map((row) => this.toNotification(row));
    });
    // IMMEDIATE: the write lock is taken before reading, so two processes never both find the key free or the notification unclaimed.
    this.openOne = (input, destinations, now) => open.immediate(input, destinations, now);
    this.resolveOne = (key, facts, destinations, now) => resolve.immediate(key, facts, destinations, now);
    this.claim = (owner, destinations, now, leaseMs, limit) => claim.immediate(owner, destinations, now, leaseMs, limit);
  }

  async open(input: IncidentInput, destinations: readonly string[], now: number): Promise<{ incident: Incident; opened: boolean }> {
    return this.openOne(input, destinations, now);
  }

  async resolve(key: string, facts: JsonObject, destinations: readonly string[], now: number): Promise<boolean> {
    return this.resolveOne(key, facts, destinations, now);
  }

  async listOpen(): Promise<Incident[]> {
    return this.sql.listOpen.all().map(toIncident);
  }

  async claimDue(owner: string, destinations: readonly string[], now: number, leaseMs: number, limit: number): Promise<Notification[]> {
    return this.claim(owner, destinations, now, leaseMs, limit);
  }

  async markSent(id: number, owner: string, now: number): Promise<void> {
    this.sql.sent.run(now, id, owner);
  }

  async markFailed(id: number, owner: string, retryAt: number, error: string): Promise<void> {
    this.sql.failed.run(retryAt, error, id, owner);
  }

  async notifications(incidentId: number): Promise<Notification[]> {
    return this.sql.ofIncident.all(incidentId).map((row) => this.toNotification(row));
  }

  private toNotification(row: NotificationRow): Notification {
    return {
      id: row.id,
      destination: row.destination,
      event: row.event,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
      lastError: row.last_error ?? undefined,
      sentAt: row.sent_at ?? undefined,
      incident: toIncident(this.sql.byId.get(row.incident_id) as IncidentRow),
    };
  }
}

function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    key: row.key,
    rule: row.rule,
    subject: row.subject,
    facts: JSON.parse(row.facts) as JsonObject,
    openedAt: row.opened_at,
    resolvedAt: row.resolved_at ?? undefined,
    resolvedFacts: row.resolved_facts === null ? undefined : (JSON.parse(row.resolved_facts) as JsonObject),
  };
}
