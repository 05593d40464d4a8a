/**
 * Webhook deliveries a shop pushed, kept in the state store until pipelines read them: the
 * listener appends each verified delivery before it answers 200, so an acknowledged event is on
 * disk; a connector's `webhooks` stream reads them back by sequence number, like a cursor.
 *
 * Sequence numbers grow with every append and are never reused (not even after a prune). A store
 * must never show an event with a lower sequence number than one it has shown before: a reader
 * resumes after the highest number it saw, so an event that became visible behind it would be
 * skipped. SQLite has one writer at a time, so commit order is number order; a store whose
 * transactions can commit out of order (PostgreSQL sequences) must order them (a lock per
 * append, or numbers taken at commit).
 */
export interface WebhookInbox {
  /**
   * Stores a delivery, idempotently: one whose delivery id, or whose topic and body, match an
   * event of its connection still kept is a duplicate; nothing is stored and the stored event's
   * number is answered. (Vendors sign the body only, so a replay with made-up headers repeats the
   * body; a retried delivery repeats both.) The event is durable when the promise resolves.
   */
  append(event: WebhookEventInput): Promise<WebhookAppend>;
  /** Events of a connection after `afterSeq` in number order, at most `limit`, of the given topics only when some are named. */
  list(query: WebhookEventQuery): Promise<WebhookEvent[]>;
  /** Forgets events received before `receivedBefore` (ISO 8601), of every connection; answers how many. */
  prune(receivedBefore: string): Promise<number>;
}

export interface WebhookEventInput {
  connection: string;
  topic: string;
  /** What identifies the delivery (the vendor's delivery id, made unique where the vendor's is not). */
  deliveryId: string;
  /** When the listener received it (ISO 8601). */
  receivedAt: string;
  /** When the vendor says the event happened (ISO 8601), if it says. */
  triggeredAt?: string | undefined;
  /** The request body, byte for byte as signed. */
  body: Uint8Array;
  /** The headers worth keeping (lower-case names), never a signature or a secret. */
  headers: Readonly<Record<string, string>>;
}

export interface WebhookEvent extends Omit<WebhookEventInput, 'body' | 'headers'> {
  seq: number;
  body: Buffer;
  headers: Record<string, string>;
}

export type WebhookAppend = { stored: true; seq: number } | { stored: false; seq: number; duplicateOf: 'delivery_id' | 'body' };

export interface WebhookEventQuery {
  connection: string;
  afterSeq: number;
  limit: number;
  topics?: readonly string[] | undefined;
}

/** One connection's events, as a `webhooks` stream reads them (the runner binds it to the stream's connection). */
export interface ConnectionInbox {
  list(query: Omit<WebhookEventQuery, 'connection'>): Promise<WebhookEvent[]>;
}

export function connectionInbox(inbox: WebhookInbox, connection: string): ConnectionInbox {
  return { list: (query) => inbox.list({ ...query, connection }) };
}
