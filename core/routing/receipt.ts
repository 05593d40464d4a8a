/**
 * The routing receipt: why an order went where it went, or why it is held. Stored per decision
 * and printed by `keel route explain`; plain JSON so it can go into the state store as it is.
 * Fences are recorded as stable codes with their facts, not sentences: a receipt is written for
 * every order and read for few, so the text is rendered on demand (explain-receipt.ts).
 */
import type { LineCapabilityHit, LocationFenceHit } from './fences.js';
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

/** One open line of the order as routed: what candidates' `stock` and the line fences refer to. */
export interface ReceiptLine {
  /** Index in order.lines. */
  line: number;
  sku: string;
  /** Units still to fulfil. */
  quantity: number;
}

/**
 * One location as a strategy saw it: kept out by a fence, or a candidate with the units it could
 * ship of each line. A candidate cannot take a line whole (`insufficient_stock`) where its units
 * are fewer than the line's quantity; explain-receipt.ts spells those out as line fence hits.
 */
export interface CandidateReceipt {
  location_id: string;
  /** The first location fence that holds; absent for a candidate. */
  excluded?: LocationFenceHit;
  /** Units of each line in receipt.lines order the candidate could ship (0 where a line fence holds). */
  stock?: readonly number[];
  /** Line fences other than insufficient stock (which `stock` shows): lines it cannot ship at all. */
  line_fences?: readonly LineCapabilityHit[];
}

export interface StrategyReceipt {
  strategy: string;
  /** `not_applicable`: its conditions did not hold; `no_allocation`: it applied but could not serve. */
  outcome: 'chosen' | 'not_applicable' | 'no_allocation';
  /** Why it did not apply or could not serve: one sentence per strategy, not per location. */
  reason?: string;
  code?: string;
  candidates?: CandidateReceipt[];
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
  /** The open lines routed, in the order candidates' `stock` lists them. */
  lines: ReceiptLine[];
  strategies: StrategyReceipt[];
  customer_position?: { lat: number; lon: number; source: string };
  allocation?: { strategy: string; parts: RoutedPart[]; score: number; method: 'exact' | 'heuristic'; explored: number };
  hold?: HoldReason;
}

export type RoutingDecision =
  | { status: 'allocated'; order_key: string; strategy: string; parts: RoutedPart[]; method: 'exact' | 'heuristic'; receipt?: RoutingReceipt }
  | { status: 'held'; order_key: string; hold: HoldReason; receipt?: RoutingReceipt };
