import type Database from 'better-sqlite3';
import { openStateDatabase } from '../state/open-database.js';
import type { JsonObject } from '../json.js';
import type { PenaltyState } from './reliability.js';
import type { CustomerRef, DecisionWrite, OutboxMessage, RequestKind, RequestStatus, RouteRequest, RoutedOrderRow, RoutingStore, StoredReceipt } from './routing-store.js';

/**
 * A customer's orders are found through expression indexes on the order as routed: SQLite keeps
 * them up to date in the transaction that writes the order, so the routing hot path does no extra
 * work of its own. Queries must repeat the expressions exactly for the indexes to be used.
 */
const CUSTOMER_EMAIL = "lower(trim(json_extract(order_json, '$.customer.email')))";
const CUSTOMER_ID = "CAST(json_extract(order_json, '$.customer.external_id') AS TEXT)";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS route_orders (
  order_key TEXT PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL, order_json TEXT NOT NULL,
  rejected TEXT NOT NULL, routed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS route_orders_external ON route_orders (external_id);
CREATE INDEX IF NOT EXISTS route_orders_customer_email ON route_orders (${CUSTOMER_EMAIL}, routed_at);
CREATE INDEX IF NOT EXISTS route_orders_customer_id ON route_orders (${CUSTOMER_ID}, routed_at);
CREATE TABLE IF NOT EXISTS route_requests (
  request_id TEXT PRIMARY KEY, order_key TEXT NOT NULL, group_id TEXT NOT NULL, kind TEXT NOT NULL, location_id TEXT NOT NULL,
  status TEXT NOT NULL, part_json TEXT, note TEXT, created_at INTEGER NOT NULL, expires_at INTEGER, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS route_requests_order ON route_requests (order_key);
CREATE INDEX IF NOT EXISTS route_requests_open_offers ON route_requests (status, kind, expires_at);
CREATE INDEX IF NOT EXISTS route_requests_location ON route_requests (location_id, status);
CREATE TABLE IF NOT EXISTS route_receipts (
  order_key TEXT NOT NULL, seq INTEGER NOT NULL, decided_at INTEGER NOT NULL, cause TEXT NOT NULL, receipt_json TEXT NOT NULL,
  PRIMARY KEY (order_key, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS route_outbox (
  message_id INTEGER PRIMARY KEY AUTOINCREMENT, location_id TEXT NOT NULL, kind TEXT NOT NULL, request_id TEXT NOT NULL,
  body_json TEXT NOT NULL, created_at INTEGER NOT NULL, sent_at INTEGER);
CREATE INDEX IF NOT EXISTS route_outbox_unsent ON route_outbox (sent_at, message_id);
CREATE TABLE IF NOT EXISTS route_penalties (
  location_id TEXT PRIMARY KEY, penalty REAL NOT NULL, at INTEGER NOT NULL, unclaims INTEGER NOT NULL, timeouts INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS route_capacity (
  location_id TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (location_id, day)) WITHOUT ROWID;
`;

interface RequestRow {
  request_id: string;
  order_key: string;
  group_id: string;
  kind: RequestKind;
  location_id: string;
  status: RequestStatus;
  part_json: string | null;
  note: string | null;
  created_at: number;
  expires_at: number | null;
  updated_at: number;
}

interface OrderRow {
  order_key: string;
  channel: string;
  external_id: string;
  order_json: string;
  rejected: string;
  routed_at: number;
  updated_at: number;
}

function toOrder(row: OrderRow): RoutedOrderRow {
  return {
    order_key: row.order_key,
    channel: row.channel,
    external_id: row.external_id,
    order: JSON.parse(row.order_json) as JsonObject,
    rejected: JSON.parse(row.rejected) as string[],
    routed_at: row.routed_at,
    updated_at: row.updated_at,
  };
}

function toRequest(row: RequestRow): RouteRequest {
  return {
    request_id: row.request_id,
    order_key: row.order_key,
    group_id: row.group_id,
    kind: row.kind,
    location_id: row.location_id,
    status: row.status,
    part: row.part_json === null ? undefined : (JSON.parse(row.part_json) as RouteRequest['part']),
    note: row.note ?? undefined,
    created_at: row.created_at,
    expires_at: row.expires_at ?? undefined,
    updated_at: row.updated_at,
  };
}

/**
 * Routing state in the project's SQLite state file, on its own connection. A decision (order,
 * receipt, requests, outbox messages, capacity, penalties) is one IMMEDIATE transaction, so a
 * crash leaves either all of it or none; the stock it holds is assigned before, idempotently.
 */
export class SqliteRoutingStore implements RoutingStore {
  private readonly db: Database.Database;
  private readonly sql;

  constructor(readonly path: string) {
    this.db = openStateDatabase(path);
    this.db.exec(SCHEMA);
    const db = this.db;
    this.sql = {
      order: db.prepare<[string], OrderRow>('SELECT * FROM route_orders WHERE order_key = ?'),
      byExternal: db.prepare<[string], { order_key: string }>('SELECT order_key FROM route_orders WHERE external_id = ? ORDER BY order_key'),
      upsertOrder: db.prepare(
        `INSERT INTO route_orders (order_key, channel, external_id, order_json, rejected, routed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (order_key) DO UPDATE SET order_json = excluded.order_json, rejected = excluded.rejected, updated_at = excluded.updated_at`,
      ),
      byCustomerEmail: db.prepare<[string, number], OrderRow>(`SELECT * FROM route_orders WHERE ${CUSTOMER_EMAIL} = ? ORDER BY routed_at DESC, order_key LIMIT ?`),
      byCustomerId: db.prepare<[string, number], OrderRow>(`SELECT * FROM route_orders WHERE ${CUSTOMER_ID} = ? ORDER BY routed_at DESC, order_key LIMIT ?`),
      atLocation: db.prepare<[string, string, number], RequestRow>(
        'SELECT * FROM route_requests WHERE location_id = ? AND status IN (SELECT value FROM json_each(?)) ORDER BY created_at, request_id LIMIT ?',
      ),
      requests: db.prepare<[string], RequestRow>('SELECT * FROM route_requests WHERE order_key = ? ORDER BY created_at, request_id'),
      insertRequest: db.prepare(
        `INSERT INTO route_requests (request_id, order_key, group_id, kind, location_id, status, part_json, note, created_at, expires_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      setRequest: db.prepare('UPDATE route_requests SET status = ?, note = coalesce(?, note), updated_at = ? WHERE request_id = ?'),
      expired: db.prepare<[number], RequestRow>(
        "SELECT * FROM route_requests WHERE status = 'open' AND kind = 'offer' AND expires_at <= ? ORDER BY expires_at, request_id",
      ),
      held: db.prepare<[number], RequestRow>("SELECT * FROM route_requests WHERE status = 'held' ORDER BY created_at, request_id LIMIT ?"),
      receipts: db.prepare<[string], { order_key: string; seq: number; decided_at: number; cause: string; receipt_json: string }>(
        'SELECT * FROM route_receipts WHERE order_key = ? ORDER BY seq',
      ),
      nextReceipt: db.prepare<[string], { seq: number }>('SELECT coalesce(max(seq), 0) + 1 AS seq FROM route_receipts WHERE order_key = ?'),
      insertReceipt: db.prepare('INSERT INTO route_receipts (order_key, seq, decided_at, cause, receipt_json) VALUES (?, ?, ?, ?, ?)'),
      outbox: db.prepare<
        [number, number],
        { message_id: number; location_id: string; kind: OutboxMessage['kind']; request_id: string; body_json: string; created_at: number; status: RequestStatus | null }
      >(
        `SELECT o.message_id, o.location_id, o.kind, o.request_id, o.body_json, o.created_at, r.status
         FROM route_outbox o LEFT JOIN route_requests r ON r.request_id = o.request_id
         WHERE o.sent_at IS NULL AND o.message_id > ? ORDER BY o.message_id LIMIT ?`,
      ),
      insertMessage: db.prepare('INSERT INTO route_outbox (location_id, kind, request_id, body_json, created_at) VALUES (?, ?, ?, ?, ?)'),
      markSent: db.prepare('UPDATE route_outbox SET sent_at = ? WHERE message_id = ? AND sent_at IS NULL'),
      settleFollowUps: db.prepare("UPDATE route_outbox SET sent_at = ? WHERE request_id = ? AND kind IN ('withdraw', 'cancel') AND sent_at IS NULL"),
      capacity: db.prepare<[string], { location_id: string; used: number }>('SELECT location_id, used FROM route_capacity WHERE day = ?'),
      addCapacity: db.prepare(
        'INSERT INTO route_capacity (location_id, day, used) VALUES (?, ?, ?) ON CONFLICT (location_id, day) DO UPDATE SET used = used + excluded.used',
      ),
      penalties: db.prepare<[], { location_id: string; penalty: number; at: number; unclaims: number; timeouts: number }>('SELECT * FROM route_penalties'),
      setPenalty: db.prepare(
        `INSERT INTO route_penalties (location_id, penalty, at, unclaims, timeouts) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (location_id) DO UPDATE SET penalty = excluded.penalty, at = excluded.at,
           unclaims = unclaims + excluded.unclaims, timeouts = timeouts + excluded.timeouts`,
      ),
    };
  }

  async order(orderKey: string): Promise<RoutedOrderRow | undefined> {
    const row = this.sql.order.get(orderKey);
    return row === undefined ? undefined : toOrder(row);
  }

  async ordersOfCustomer(customer: CustomerRef, limit: number): Promise<RoutedOrderRow[]> {
    const rows = 'email' in customer ? this.sql.byCustomerEmail.all(customer.email.trim().toLowerCase(), limit) : this.sql.byCustomerId.all(customer.customerId, limit);
    return rows.map(toOrder);
  }

  async requestsAtLocation(locationId: string, statuses: readonly RequestStatus[], limit: number): Promise<RouteRequest[]> {
    return this.sql.atLocation.all(locationId, JSON.stringify(statuses), limit).map(toRequest);
  }

  async orderKeysByExternalId(externalId: string): Promise<string[]> {
    return this.sql.byExternal.all(externalId).map((row) => row.order_key);
  }

  async requests(orderKey: string): Promise<RouteRequest[]> {
    return this.sql.requests.all(orderKey).map(toRequest);
  }

  async receipts(orderKey: string): Promise<StoredReceipt[]> {
    return this.sql.receipts.all(orderKey).map((row) => ({
      order_key: row.order_key,
      seq: row.seq,
      decided_at: row.decided_at,
      cause: row.cause,
      receipt: JSON.parse(row.receipt_json) as StoredReceipt['receipt'],
    }));
  }

  async expiredOffers(now: number): Promise<RouteRequest[]> {
    return this.sql.expired.all(now).map(toRequest);
  }

  async held(limit: number): Promise<RouteRequest[]> {
    return this.sql.held.all(limit).map(toRequest);
  }

  async heldTotals(): Promise<{ orders: number; oldestAt: number | undefined }> {
    const row = this.db
      .prepare<[], { orders: number; oldest: number | null }>("SELECT COUNT(DISTINCT order_key) AS orders, MIN(created_at) AS oldest FROM route_requests WHERE status = 'held'")
      .get();
    return { orders: row?.orders ?? 0, oldestAt: row?.oldest ?? undefined };
  }

  async outbox(after: number, locations: ReadonlySet<string> | undefined, limit: number, settleStale = true): Promise<OutboxMessage[]> {
    const out: OutboxMessage[] = [];
    let cursor = after;
    // Offers dropped in this read: what follows them (a withdrawal, a cancellation) is dropped too.
    const dropped = new Set<string>();
    // Filtering by location in JS keeps one index; read on until the page is full or nothing is left.
    while (out.length < limit) {
      const rows = this.sql.outbox.all(cursor, limit * 4);
      if (rows.length === 0) break;
      for (const row of rows) {
        cursor = row.message_id;
        if (locations !== undefined && !locations.has(row.location_id)) continue;
        // An offer given back, withdrawn or cancelled before it went out, or a fulfilment request
        // cancelled before it went out, is not sent at all, and neither is its withdrawal or
        // cancellation: the location never heard of it. Both are written in the transaction that
        // ends the request, so they are here already.
        const ended =
          (row.kind === 'offer' && row.status !== null && row.status !== 'open' && row.status !== 'claimed') || (row.kind === 'fulfil' && row.status === 'cancelled');
        if (ended) {
          dropped.add(row.request_id);
          if (settleStale) {
            const now = Date.now();
            this.sql.markSent.run(now, row.message_id);
            this.sql.settleFollowUps.run(now, row.request_id);
          }
          continue;
        }
        if ((row.kind === 'withdraw' || row.kind === 'cancel') && dropped.has(row.request_id)) continue;
        out.push({
          message_id: row.message_id,
          location_id: row.location_id,
          kind: row.kind,
          request_id: row.request_id,
          body: JSON.parse(row.body_json) as JsonObject,
          created_at: row.created_at,
        });
        if (out.length === limit) break;
      }
    }
    return out;
  }

  async markSent(messageIds: readonly number[], now: number): Promise<void> {
    this.db.transaction(() => {
      for (const id of messageIds) this.sql.markSent.run(now, id);
    }).immediate();
  }

  async capacityUsed(day: string): Promise<Map<string, number>> {
    return new Map(this.sql.capacity.all(day).map((row) => [row.location_id, row.used]));
  }

  async penalties(): Promise<Map<string, PenaltyState & { unclaims: number; timeouts: number }>> {
    return new Map(this.sql.penalties.all().map((row) => [row.location_id, { penalty: row.penalty, at: row.at, unclaims: row.unclaims, timeouts: row.timeouts }]));
  }

  async write(decision: DecisionWrite): Promise<void> {
    this.db
      .transaction(() => {
        const { order } = decision;
        this.sql.upsertOrder.run(order.order_key, order.channel, order.external_id, JSON.stringify(order.order), JSON.stringify(order.rejected), order.routed_at, order.updated_at);
        if (decision.receipt !== undefined) {
          const seq = this.sql.nextReceipt.get(order.order_key)?.seq ?? 1;
          this.sql.insertReceipt.run(order.order_key, seq, decision.receipt.decided_at, decision.receipt.cause, JSON.stringify(decision.receipt.receipt));
        }
        for (const update of decision.updates) this.sql.setRequest.run(update.status, update.note ?? null, order.updated_at, update.request_id);
        for (const request of decision.requests) {
          this.sql.insertRequest.run(
            request.request_id,
            request.order_key,
            request.group_id,
            request.kind,
            request.location_id,
            request.status,
            request.part === undefined ? null : JSON.stringify(request.part),
            request.note ?? null,
            request.created_at,
            request.expires_at ?? null,
            request.updated_at,
          );
        }
        for (const message of decision.messages) {
          this.sql.insertMessage.run(message.location_id, message.kind, message.request_id, JSON.stringify(message.body), message.created_at);
        }
        for (const item of decision.capacity) this.sql.addCapacity.run(item.location_id, item.day, item.parts);
        for (const item of decision.penalties) {
          this.sql.setPenalty.run(item.location_id, item.state.penalty, item.state.at, item.kind === 'unclaim' ? 1 : 0, item.kind === 'timeout' ? 1 : 0);
        }
      })
      .immediate();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
