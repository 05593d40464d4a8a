/**
 * What routing keeps between runs: each order as it was routed (so an unclaim can route it again
 * days later), every receipt, one row per request sent to a location (a fulfilment request, a
 * store offer, a hold), the outbox of messages to locations, penalties for reliability and daily
 * capacity used. SQLite implements it in the project's state file.
 */
import type { JsonObject } from '../json.js';
import type { PenaltyState } from './reliability.js';
import type { RoutedPart, RoutingReceipt } from './receipt.js';

export type RequestKind = 'fulfil' | 'offer' | 'hold';

/**
 * `open`: sent, waiting (a fulfilment request until shipped, an offer until claimed or timed out);
 * `claimed`: a store took its offer; `withdrawn`: another store claimed first; `unclaimed`,
 * `rejected`, `timed_out`: given back, routed again; `cancelled`: the order was; `shipped`; `held`:
 * a hold (no location) until it is routed again.
 */
export type RequestStatus = 'open' | 'claimed' | 'withdrawn' | 'unclaimed' | 'rejected' | 'timed_out' | 'cancelled' | 'shipped' | 'held' | 'released';

export interface RouteRequest {
  request_id: string;
  order_key: string;
  /** Requests offered together (a broadcast) share a group; the first claim wins it. */
  group_id: string;
  kind: RequestKind;
  /** Empty for a hold. */
  location_id: string;
  status: RequestStatus;
  part: RoutedPart | undefined;
  /** Hold code, or why the location gave the request back. */
  note: string | undefined;
  created_at: number;
  expires_at: number | undefined;
  updated_at: number;
}

export interface RoutedOrderRow {
  order_key: string;
  channel: string;
  external_id: string;
  order: JsonObject;
  /** Locations that gave this order back (unclaimed, rejected, timed out): fenced when it is routed again. */
  rejected: string[];
  routed_at: number;
  updated_at: number;
}

export interface StoredReceipt {
  order_key: string;
  seq: number;
  decided_at: number;
  /** What caused the decision: `new order`, `unclaimed by store-x: no staff`, `retry of held order`. */
  cause: string;
  receipt: RoutingReceipt;
}

/** What the `requests` stream emits: the message body plus where it goes. */
export interface OutboxMessage {
  message_id: number;
  location_id: string;
  kind: 'fulfil' | 'offer' | 'withdraw' | 'cancel';
  request_id: string;
  body: JsonObject;
  created_at: number;
}

/** One decision's writes, applied in one transaction. */
export interface DecisionWrite {
  order: RoutedOrderRow;
  receipt: Omit<StoredReceipt, 'seq'> | undefined;
  requests: RouteRequest[];
  /** Requests of the order that change status (withdrawn, unclaimed, …). */
  updates: { request_id: string; status: RequestStatus; note?: string }[];
  messages: Omit<OutboxMessage, 'message_id'>[];
  /** Parts taken per location on `day` (YYYY-MM-DD). */
  capacity: { location_id: string; day: string; parts: number }[];
  penalties: { location_id: string; state: PenaltyState; kind: 'unclaim' | 'timeout' }[];
}

/** Who a customer is, as orders name them: an email, or the customer id a channel gives. */
export type CustomerRef = { email: string } | { customerId: string };

export interface RoutingStore {
  order(orderKey: string): Promise<RoutedOrderRow | undefined>;
  /** Order keys whose channel-independent id is `externalId` (for `keel route explain 1001`). */
  orderKeysByExternalId(externalId: string): Promise<string[]>;
  requests(orderKey: string): Promise<RouteRequest[]>;
  /** A customer's orders across every channel, by email (any case) or the customer id the channels give, last routed first. */
  ordersOfCustomer(customer: CustomerRef, limit: number): Promise<RoutedOrderRow[]>;
  /** Requests sent to one location that are in one of `statuses` now, oldest first. */
  requestsAtLocation(locationId: string, statuses: readonly RequestStatus[], limit: number): Promise<RouteRequest[]>;
  receipts(orderKey: string): Promise<StoredReceipt[]>;
  /** Open offers that expired at `now`. */
  expiredOffers(now: number): Promise<RouteRequest[]>;
  /** Requests held (no location) at the moment, oldest first. */
  held(limit: number): Promise<RouteRequest[]>;
  /** How many orders have a part held at the moment, and since when the oldest hold (epoch ms; undefined: none). */
  heldTotals(): Promise<{ orders: number; oldestAt: number | undefined }>;
  /**
   * Unsent messages after `after`, in order, for the given locations (all when undefined). Offers
   * whose request was given back, withdrawn or cancelled before they went out are dropped.
   */
  outbox(after: number, locations: ReadonlySet<string> | undefined, limit: number, settleStale?: boolean): Promise<OutboxMessage[]>;
  markSent(messageIds: readonly number[], now: number): Promise<void>;
  capacityUsed(day: string): Promise<Map<string, number>>;
  penalties(): Promise<Map<string, PenaltyState & { unclaims: number; timeouts: number }>>;
  write(decision: DecisionWrite): Promise<void>;
  close(): Promise<void>;
}
