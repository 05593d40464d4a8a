import type { Incoming, SkuStock } from './availability.js';

/** A full count of one SKU at one location at a moment. */
export interface SnapshotInput {
  sku: string;
  location_id: string;
  on_hand: number;
  /** Epoch milliseconds of the count. */
  at: number;
  source: string;
}

/** A change of stock (a sale, a receipt, a correction); applied once per movement id. */
export interface MovementInput {
  movement_id: string;
  sku: string;
  location_id: string;
  delta: number;
  at: number;
  source: string;
}

export interface IncomingInput extends Incoming {
  sku: string;
  source: string;
}

/** `stale`: older than what is known; `duplicate`: already applied. Neither changes anything. */
export type ApplyOutcome = 'applied' | 'stale' | 'duplicate';

export interface ReserveLine {
  sku: string;
  quantity: number;
  line_id?: string;
}

export interface ReserveRequest {
  /** The order's key (channel and external id): reserving the same order twice is a no-op. */
  order_key: string;
  channel: string;
  lines: readonly ReserveLine[];
  now: number;
  ttlMs: number;
}

export type ReserveResult =
  | { status: 'reserved' | 'already_reserved' }
  | { status: 'insufficient'; sku: string; wanted: number; available: number };

export interface ReservationRow {
  reservation_id: string;
  order_key: string;
  channel: string;
  sku: string;
  quantity: number;
  status: 'active' | 'fulfilled' | 'released' | 'expired';
  location_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface StockImageRange {
  /** The SKUs from `first` to `last` that have stock levels, in order. */
  skus: string[];
  /** `skus.length` rows of `locations.length` counts. */
  onHand: Int32Array;
  /** Units held by active reservations, for SKUs with any. */
  reserved: Map<string, number>;
  incoming: Map<string, Incoming[]>;
}

export interface PublishedValue {
  sku: string;
  quantity: number;
  revision: number;
}

/**
 * The stock ledger, reservations and what each channel was last shown. SQLite implements it in
 * the project's state file; a PostgreSQL implementation will follow the same interface.
 */
export interface InventoryStore {
  applySnapshots(inputs: readonly SnapshotInput[]): Promise<ApplyOutcome[]>;
  applyMovements(inputs: readonly MovementInput[]): Promise<ApplyOutcome[]>;
  setIncoming(inputs: readonly IncomingInput[]): Promise<void>;
  /** Stock, active reservations and incoming stock of one SKU, as of `now`. */
  stock(sku: string, now: number): Promise<SkuStock>;
  /** Stock of every SKU from `first` to `last` (inclusive, in SKU order) that has any: publishing reads in ranges. */
  stockRange(first: string, last: string, now: number): Promise<Map<string, SkuStock>>;
  /**
   * The same as stockRange, compact, for publishing the whole catalogue: a row of on-hand counts
   * per SKU in `locations` order (0 where a SKU has none; other locations left out).
   */
  stockImage(first: string, last: string, locations: readonly string[], now: number): Promise<StockImageRange>;
  /** SKUs that changed after `since` (a change sequence), and the newest sequence. */
  changedSince(since: number): Promise<{ skus: string[]; through: number }>;
  allSkus(): Promise<string[]>;
  /** How many SKUs the ledger knows. */
  skuCount(): Promise<number>;
  hasSku(sku: string): Promise<boolean>;
  /**
   * All or nothing: reserves every line if `pool` (what the channel could sell of that SKU,
   * before reservations) minus the active reservations covers it, in one write transaction, so
   * concurrent processes on one state file can never promise the same unit twice.
   */
  reserve(request: ReserveRequest, pool: (stock: SkuStock) => number): Promise<ReserveResult>;
  /** Cancelled order: active reservations released. Returns how many. */
  release(orderKey: string, now: number): Promise<number>;
  /** Shipped or confirmed by a location: reservations fulfilled and the stock taken out there. */
  fulfil(orderKey: string, locationId: string, now: number): Promise<number>;
  /** Marks active reservations past their expiry as expired; returns how many. */
  expire(now: number): Promise<number>;
  reservations(orderKey: string): Promise<ReservationRow[]>;

  /** What the channel was last sent, for the SKUs from `first` to `last`. */
  published(channel: string, first: string, last: string): Promise<Map<string, PublishedValue>>;
  markPublished(channel: string, values: readonly PublishedValue[], now: number): Promise<void>;
  /** The change sequence the channel's last delta publish covered. */
  publishWatermark(channel: string): Promise<number>;
  setPublishWatermark(channel: string, through: number): Promise<void>;
  recordDrift(channel: string, drift: readonly { sku: string; shown: number; expected: number }[], now: number): Promise<void>;
  drift(channel: string): Promise<{ sku: string; shown: number; expected: number; at: number }[]>;

  close(): Promise<void>;
}
