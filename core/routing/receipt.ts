/**
 * The routing receipt: why an order went where it went, or why it is held. Stored per decision
 * and printed by `keel route explain`; plain JSON so it can go into the state store as it is.
 * Fences are recorded as stable codes with their facts, each listing the locations it held for,
 * not as sentences: a receipt is written for every order and read for few, so the text is
 * rendered on demand (explain-receipt.ts).
 */
import type { LineFenceHit, LocationFenceHit } from './fences.js';
import type { RatingBreakdown } from './ratings.js';

export interface RoutedPartLine {
  /** Index in order.lines. */
  line: number;
  line_id?: string;
  sku: string;
  quantity: number;
}

export interface RoutedPart {
  location_id: string;
  lines: RoutedPartLine[];
  /** `incoming`: allocated against stock due at the location (pre-order / backorder). */
  source: 'stock' | 'incoming';
  available_from?: string;
  /** Click-and-collect by transfer: the part ships to this pickup store, not to the customer. */
  transfer_to?: string;
  score: number;
  ratings: RatingBreakdown;
}

/** One open line of the order as routed. */
export interface ReceiptLine {
  /** Index in order.lines. */
  line: number;
  sku: string;
  /** Units still to fulfil. */
  quantity: number;
}

/** A location fence hit and the locations it kept out; its facts hold for each of them. */
export type LocationFenceGroup = LocationFenceHit & { locations: string[] };

/** A line fence hit and the candidates it held for: those could not take the line whole. */
export type LineFenceGroup = LineFenceHit & { locations: string[] };

export interface StrategyReceipt {
  strategy: string;
  /** `not_applicable`: its conditions did not hold; `no_allocation`: it applied but could not serve. */
  outcome: 'chosen' | 'not_applicable' | 'no_allocation';
  /** Why it did not apply or could not serve: one sentence per strategy, not per location. */
  reason?: string;
  code?: string;
  /** Locations past every fence with stock of some line, in location-id order (when the strategy applied). */
  candidates?: string[];
  /** The other locations, by the first location fence that held for each; absent when none. */
  excluded?: LocationFenceGroup[];
  /** Lines candidates could not take whole, and why; absent when none. */
  line_fences?: LineFenceGroup[];
}

export type HoldState = 'backorder' | 'manual_review';

export interface HoldReason {
  state: HoldState;
  code: string;
  reason: string;
}

export interface RoutingReceipt {
  order_key: string;
  profile: { name: string; version: string };
  decided_at: string;
  /** The open lines routed. */
  lines: ReceiptLine[];
  strategies: StrategyReceipt[];
  customer_position?: { lat: number; lon: number; source: string };
  /**
   * `method: heuristic`: the search took its `max_steps` before it could prove the parts the best;
   * they are the best it found. `explored`: the steps it took. (`max_steps` is absent in receipts
   * written before it was recorded.)
   */
  allocation?: { strategy: string; parts: RoutedPart[]; score: number; method: 'exact' | 'heuristic'; explored: number; max_steps?: number };
  hold?: HoldReason;
}

/**
 * `search_exhausted`: the allocation search of some strategy tried ran out of steps, so the
 * decision may not be the best one (set only then; receipts say which strategy).
 */
export type RoutingDecision =
  | { status: 'allocated'; order_key: string; strategy: string; parts: RoutedPart[]; method: 'exact' | 'heuristic'; search_exhausted?: true; receipt?: RoutingReceipt }
  | { status: 'held'; order_key: string; hold: HoldReason; search_exhausted?: true; receipt?: RoutingReceipt };
