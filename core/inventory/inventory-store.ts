import type { Incoming, SkuStock } from './availability.js';
import type { ReservationCover } from './reservation-cover.js';
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

/**
 * What a reservation holds: units in stock (charged against the channel's locations until the
 * order is routed), units sold on backorder beyond stock, or units of incoming stock (pre-order).
 */
export type ReservationKind = 'stock' | 'backorder' | 'preorder';

/** How a SKU's units of an order may be reserved, judged on its stock inside the reservation's transaction. */
export type ReserveDecision = { kind: ReservationKind } | { status: 'insufficient'; available: number; detail: string };

/** Which version of an order a reservation is for: a newer one adjusts it, an older or equal one changes nothing. */
export interface OrderVersion {
  /** The order's updated_at (else created_at), epoch ms; undefined when it has neither. */
  at: number | undefined;
  /** The order's lines as they matter to stock (canonical text): equal text, equal order. */
  content: string;
}

export interface ReserveRequest {
  /** The order's key (channel and external id). */
  order_key: string;
  channel: string;
  lines: readonly ReserveLine[];
  version: OrderVersion;
  now: number;
  ttlMs: number;
}

/**
 * - `reserved`: a new order's lines are held; `adjusted`: a newer version of an open order
 *   replaced what it held; `duplicate`: the same version again (or one that changes no line);
 *   `stale`: an older version, ignored.
 * - `insufficient`: nothing changed; the SKU's units could not be promised.
 * - `refused`: a change the ledger does not apply by itself (the order is routed or shipped).
 */
export type ReserveResult =
  | { status: 'reserved' | 'adjusted' | 'duplicate' | 'stale' }
  | { status: 'insufficient'; sku: string; wanted: number; available: number; detail: string }
  | { status: 'refused'; reason: string };

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
  /** Charges reservations without a location against the locations: an assignment may not leave them less covered. */
  cover: ReservationCover;
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
  kind: ReservationKind;
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
  /** Units open orders claim of the stock on hand, not held at a location, by channel, for SKUs with any (SkuStock.reserved). */
  reserved: Map<string, Map<string, number>>;
  /** Units sold beyond stock, for SKUs with any: on backorder by channel, on pre-order still covered by incoming stock. */
  backordered: Map<string, Map<string, number>>;
  preordered: Map<string, number>;
  incoming: Map<string, Incoming[]>;
}

export interface PublishedValue {
  sku: string;
  quantity: number;
  revision: number;
  /** What the channel was told besides the quantity: a pre-order date matters to it as much. */
  status?: string;
  available_from?: string;
}

/** What a channel's publishing depends on beyond the ledger: when it last ran, and a fingerprint of its rules and locations. */
export interface PublishState {
  /** The change sequence the last delta publish covered. */
  through: number;
  /** When it ran (epoch ms), 0 before the first. */
  at: number;
  /** Fingerprint of the channel's rules, locations and kits then; a change re-checks every SKU. */
  rules: number;
}

export interface DriftTotal {
  channel: string;
  skus: number;
  /** The sum over those SKUs of |shown − expected|. */
  units: number;
}

export interface ReservationTotalsRow {
  channel: string;
  kind: ReservationKind;
  /** Held at a location for a routed order, rather than charged against the channel's locations. */
  atLocation: boolean;
  reservations: number;
  units: number;
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
  /** Stock, active reservations and incoming stock of one SKU, as of `now`; `exceptOrder`'s own reservations left out. */
  stock(sku: string, now: number, exceptOrder?: string): Promise<SkuStock>;
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
   * All or nothing, in one write transaction (so concurrent processes on one state file can never
   * promise the same unit twice): reserves every line of a new order, or replaces what an open
   * order holds with its newer version, when `decide` says each SKU's units can be had. `decide`
   * sees the SKU's stock with the order's own reservations left out.
   */
  reserve(request: ReserveRequest, decide: (sku: string, wanted: number, stock: SkuStock) => ReserveDecision): Promise<ReserveResult>;
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
  /** SKUs with incoming stock expected from `after` (exclusive) to `until` (inclusive), epoch ms. */
  incomingDue(after: number, until: number): Promise<string[]>;
  reservations(orderKey: string): Promise<ReservationRow[]>;

  /** What the channel was last sent, for the SKUs from `first` to `last`. */
  published(channel: string, selection: SkuSelection): Promise<Map<string, PublishedValue>>;
  markPublished(channel: string, values: readonly PublishedValue[], now: number): Promise<void>;
  publishState(channel: string): Promise<PublishState>;
  setPublishState(channel: string, state: PublishState): Promise<void>;
  recordDrift(channel: string, drift: readonly { sku: string; shown: number; expected: number }[], now: number): Promise<void>;
  drift(channel: string): Promise<{ sku: string; shown: number; expected: number; at: number }[]>;
  /** Per channel with drift: how many SKUs it shows another quantity of than it should, and the units apart in all. */
  driftTotals(): Promise<DriftTotal[]>;
  /** Active reservations not expired at `now`, per channel, kind and whether they are held at a location (routed). */
  reservationTotals(now: number): Promise<ReservationTotalsRow[]>;

  close(): Promise<void>;
}
