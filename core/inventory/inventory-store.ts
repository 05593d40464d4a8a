import type { Incoming, SkuStock } from './availability.js';
import type { SnapshotColumns } from './snapshot-columns.js';

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

/** Units of one SKU held at one location for a routed order. */
export interface LocationAssignment {
  sku: string;
  location_id: string;
  quantity: number;
  line_id?: string;
}

export interface AssignRequest {
  order_key: string;
  channel: string;
  /** Held at a location: the router's parts, kits already expanded into components. */
  assignments: readonly LocationAssignment[];
  /**
   * Which of the order's active reservations the assignments replace: all of them (a first
   * routing), or those at one location (a re-route after that location gave the part back).
   * Unassigned reservations of the order are always replaced; only reservations of SKUs among
   * the assignments are touched, so lines allocated against incoming stock keep theirs.
   */
  replacing: 'order' | { location_id: string };
  /** Units a location keeps back per SKU (safety stock). */
  floor(locationId: string): number;
  now: number;
  ttlMs: number;
}

export type AssignResult =
  | { status: 'assigned' }
  | { status: 'insufficient'; sku: string; location_id: string; wanted: number; available: number };

export interface ReservationRow {
  reservation_id: string;
  order_key: string;
  channel: string;
  sku: string;
  quantity: number;
  /** `replaced`: superseded by a routing decision that holds the units at a location instead. */
  status: 'active' | 'fulfilled' | 'released' | 'expired' | 'replaced';
  location_id: string | null;
  created_at: number;
  expires_at: number;
}

/**
 * Which SKUs a read covers: a range in SKU order (a whole catalogue, page by page) or a list (the
 * few SKUs a delta touches, scattered over the catalogue).
 */
export type SkuSelection = { first: string; last: string } | { skus: readonly string[] };

export interface StockImageRange {
  /** The selected SKUs that have stock levels, in order. */
  skus: string[];
  /** `skus.length` rows of `locations.length` counts, less the units held there for routed orders. */
  onHand: Int32Array;
  /** Units reserved by open orders and not held at a location, for SKUs with any. */
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
  /** The same, for counts by column (a feed's batch, as the inventory engine builds it). */
  applySnapshotColumns(columns: SnapshotColumns): Promise<ApplyOutcome[]>;
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
  stockImage(selection: SkuSelection, locations: readonly string[], now: number): Promise<StockImageRange>;
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
  /**
   * Routing: holds the order's units at the locations that will ship them, all or nothing, after
   * checking each location still has them (on hand − safety stock − what other orders hold
   * there), in one write transaction. Assigning the same order again is idempotent.
   */
  assign(request: AssignRequest): Promise<AssignResult>;
  /** Units held at each location for one SKU by active reservations, leaving out one order's own. */
  heldAt(sku: string, now: number, exceptOrder?: string): Promise<Map<string, number>>;
  /** Cancelled order: active reservations released (only those at `locationId` when given). Returns how many. */
  release(orderKey: string, now: number, locationId?: string): Promise<number>;
  /**
   * Shipped or confirmed by a location: the order's reservations held there (and any not yet
   * held anywhere) fulfilled, and the stock taken out there.
   */
  fulfil(orderKey: string, locationId: string, now: number): Promise<number>;
  /** Marks active reservations past their expiry as expired; returns how many. */
  expire(now: number): Promise<number>;
  reservations(orderKey: string): Promise<ReservationRow[]>;

  /** What the channel was last sent, for the SKUs from `first` to `last`. */
  published(channel: string, selection: SkuSelection): Promise<Map<string, PublishedValue>>;
  markPublished(channel: string, values: readonly PublishedValue[], now: number): Promise<void>;
  /** The change sequence the channel's last delta publish covered. */
  publishWatermark(channel: string): Promise<number>;
  setPublishWatermark(channel: string, through: number): Promise<void>;
  recordDrift(channel: string, drift: readonly { sku: string; shown: number; expected: number }[], now: number): Promise<void>;
  drift(channel: string): Promise<{ sku: string; shown: number; expected: number; at: number }[]>;

  close(): Promise<void>;
}
