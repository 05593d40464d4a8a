import type { JsonObject } from '../json.js';

/**
 * Alert incidents and the notifications about them, kept in the state store so that each is sent
 * once: also after a restart, and when two processes watch one state file. An incident is open
 * under its key (one rule, one subject) until its condition clears; opening and resolving queue
 * one notification per destination. A sender claims notifications before sending them, so no two
 * senders take the same one; what a sender claimed and never marked (it died) is claimable again
 * once its claim expires. Times are ms since the epoch, passed in so tests can step through time.
 */
export interface IncidentLog {
  /**
   * Opens an incident under `input.key` unless one is open there, queueing an `open` notification
   * for each destination, in one transaction: of two processes opening the same key, one opens it.
   */
  open(input: IncidentInput, destinations: readonly string[], now: number): Promise<{ incident: Incident; opened: boolean }>;
  /** Resolves the incident open under `key` (false when none is), queueing a `resolve` notification for each destination. */
  resolve(key: string, facts: JsonObject, destinations: readonly string[], now: number): Promise<boolean>;
  /** Incidents open at the moment, oldest first. */
  listOpen(): Promise<Incident[]>;
  /**
   * Claims for `owner`, until `now + leaseMs`, up to `limit` pending notifications to the given
   * destinations that are due (`nextAttemptAt <= now`) and not claimed by someone else: in queue
   * order, and a resolve only once the open notification to its destination was sent.
   */
  claimDue(owner: string, destinations: readonly string[], now: number, leaseMs: number, limit: number): Promise<Notification[]>;
  /** The claimed notification went out: it is never claimed again. Ignored unless `owner` holds the claim. */
  markSent(id: number, owner: string, now: number): Promise<void>;
  /** The send failed: pending again from `retryAt`, with the (secret-free) error kept. Ignored unless `owner` holds the claim. */
  markFailed(id: number, owner: string, retryAt: number, error: string): Promise<void>;
  /** The notifications of one incident, in queue order. */
  notifications(incidentId: number): Promise<Notification[]>;
}

export interface IncidentInput {
  /** What makes an incident the same one: the rule and its subject, e.g. `run-failed/orders`. */
  key: string;
  rule: string;
  /** What it is about: a pipeline, a channel, an order. */
  subject: string;
  /** What was found, as codes and numbers; messages are rendered from these when sent. */
  facts: JsonObject;
}

export interface Incident extends IncidentInput {
  id: number;
  openedAt: number;
  resolvedAt: number | undefined;
  resolvedFacts: JsonObject | undefined;
}

export type NotificationEvent = 'open' | 'resolve';

export interface Notification {
  id: number;
  destination: string;
  event: NotificationEvent;
  status: 'pending' | 'sent';
  /** Sends tried and failed so far. */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | undefined;
  sentAt: number | undefined;
  incident: Incident;
}
