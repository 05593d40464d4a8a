/**
 * What a routing profile would have done with recorded orders, as figures an integrator can
 * compare before a rule change goes live: split rate, distance, shipping cost, load per location,
 * held orders by reason, and (against another profile) the orders whose decision changes.
 */
import { haversineKm } from './geo.js';
import type { HoldReason, RoutedPartLine, RoutingDecision } from './receipt.js';
import type { RoutingLocation } from './routing-input.js';

export interface PlanFigures {
  profile: string;
  version: string;
  orders: number;
  allocated: number;
  held: number;
  held_by_code: Record<string, number>;
  /**
   * Orders whose allocation search ran out of steps (max_search_steps) in some strategy: each was
   * decided by the best allocation found, or held as search_exhausted, and may not be the best.
   */
  search_exhausted: number;
  /** Allocated orders shipped in more than one part, over all allocated orders. */
  split_rate: number;
  parts: number;
  /** Mean distance from the shipping location to the customer, per part with both positions known. */
  average_distance_km: number | null;
  /** Sum of the shipping cost ratings, when the profile rates shipping cost. */
  shipping_cost: number | null;
  parts_per_location: Record<string, number>;
}

export function planFigures(profile: string, version: string, decisions: readonly RoutingDecision[], locations: readonly RoutingLocation[]): PlanFigures {
  const where = new Map(locations.map((location) => [location.location_id, location.coordinates]));
  const heldBy: Record<string, number> = {};
  const load: Record<string, number> = {};
  let allocated = 0;
  let split = 0;
  let parts = 0;
  let distance = 0;
  let measured = 0;
  let cost: number | null = null;
  let exhausted = 0;
  for (const decision of decisions) {
    if (decision.search_exhausted === true) exhausted += 1;
    if (decision.status === 'held') {
      heldBy[decision.hold.code] = (heldBy[decision.hold.code] ?? 0) + 1;
      continue;
    }
    allocated += 1;
    if (decision.parts.length > 1) split += 1;
    const customer = decision.receipt?.customer_position;
    for (const part of decision.parts) {
      parts += 1;
      load[part.location_id] = (load[part.location_id] ?? 0) + 1;
      const from = where.get(part.location_id);
      if (customer !== undefined && from !== undefined) {
        distance += haversineKm(from, customer);
        measured += 1;
      }
      const shipping = part.ratings.shipping_cost?.raw;
      if (typeof shipping === 'number') cost = (cost ?? 0) + shipping;
    }
  }
  return {
    profile,
    version,
    orders: decisions.length,
    allocated,
    held: decisions.length - allocated,
    held_by_code: heldBy,
    search_exhausted: exhausted,
    split_rate: allocated > 0 ? round(split / allocated, 4) : 0,
    parts,
    average_distance_km: measured > 0 ? round(distance / measured, 1) : null,
    shipping_cost: cost === null ? null : round(cost, 2),
    parts_per_location: Object.fromEntries(Object.entries(load).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** One order's decision as `keel route plan --json` lists it: which line goes where, or why it is held. */
export interface PlanDecision {
  order_key: string;
  status: 'allocated' | 'held';
  strategy?: string;
  parts?: PlanPart[];
  hold?: HoldReason;
  /** The allocation search ran out of steps: the best found, possibly not the best. */
  search_exhausted?: true;
}

export interface PlanPart {
  location_id: string;
  /** Each line with its index in order.lines, its line_id when the order has one, and the units from here. */
  lines: RoutedPartLine[];
  source: 'stock' | 'incoming';
  available_from?: string;
  transfer_to?: string;
}

/** The decision without its receipt and ratings: what an integrator compares order by order. */
export function planDecision(decision: RoutingDecision): PlanDecision {
  const exhausted = decision.search_exhausted === true ? { search_exhausted: true as const } : {};
  if (decision.status === 'held') return { order_key: decision.order_key, status: 'held', hold: decision.hold, ...exhausted };
  const parts = decision.parts.map((part) => ({
    location_id: part.location_id,
    lines: part.lines,
    source: part.source,
    ...(part.available_from !== undefined ? { available_from: part.available_from } : {}),
    ...(part.transfer_to !== undefined ? { transfer_to: part.transfer_to } : {}),
  }));
  return { order_key: decision.order_key, status: 'allocated', strategy: decision.strategy, parts, ...exhausted };
}

export interface ChangedDecision {
  order_key: string;
  before: string;
  after: string;
}

/**
 * Orders decided differently by two replays of the same orders, each decision summarised as
 * `loc:sku×qty+…` or `held:code`. Decisions are paired by position, so an order recorded twice is
 * compared twice; every changed order is listed.
 */
export function changedDecisions(before: readonly RoutingDecision[], after: readonly RoutingDecision[]): ChangedDecision[] {
  const changed: ChangedDecision[] = [];
  for (const [at, decision] of after.entries()) {
    const earlier = before[at];
    if (earlier === undefined || earlier.order_key !== decision.order_key) continue;
    const was = summarise(earlier);
    const now = summarise(decision);
    if (was !== now) changed.push({ order_key: decision.order_key, before: was, after: now });
  }
  return changed;
}

function summarise(decision: RoutingDecision): string {
  if (decision.status === 'held') return `held:${decision.hold.code}`;
  return decision.parts
    .map((part) => `${part.location_id}:${part.lines.map((line) => `${line.sku}×${line.quantity}`).join(',')}${part.source === 'incoming' ? '(incoming)' : ''}`)
    .join(' + ');
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A decision in one line: `wh-berlin:TEE×2 + store-x:MUG×1`, or `held:no_stock`. */
export const decisionSummary = summarise;
