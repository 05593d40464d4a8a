/**
 * The routing receipt: why an order went where it went, or why it is held. Stored per decision
 * and printed by `keel route explain`; plain JSON so it can go into the state store as it is.
 */
import type { FenceHit, LineFenceCode } from './fences.js';
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

export interface CandidateReceipt {
  location_id: string;
  excluded?: FenceHit;
  /** Lines the location could not take whole, and why. */
  lines?: ({ line: number; sku: string } & FenceHit<LineFenceCode>)[];
}

export interface StrategyReceipt {
  strategy: string;
  /** `not_applicable`: its conditions did not hold; `no_allocation`: it applied but could not serve. */
  outcome: 'chosen' | 'not_applicable' | 'no_allocation';
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
  strategies: StrategyReceipt[];
  customer_position?: { lat: number; lon: number; source: string };
  allocation?: { strategy: string; parts: RoutedPart[]; score: number; method: 'exact' | 'heuristic'; explored: number };
  hold?: HoldReason;
}

export type RoutingDecision =
  | { status: 'allocated'; order_key: string; strategy: string; parts: RoutedPart[]; method: 'exact' | 'heuristic'; receipt?: RoutingReceipt }
  | { status: 'held'; order_key: string; hold: HoldReason; receipt?: RoutingReceipt };
