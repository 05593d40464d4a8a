/**
 * Fences: pure predicates that keep a location (or one line at a location) out of the candidate
 * set, each with a stable code for machines and a sentence for people. Whole-location fences are
 * checked in a fixed order and the first that holds is the one the receipt names.
 */
import type { RoutingLocation, RoutingState } from './routing-input.js';
import type { OrderFacts, RoutedLine } from './order-facts.js';
import type { StrategyFences } from './profile-schema.js';
import type { RateLookup } from './shipping-rates.js';

export const LOCATION_FENCES = [
  'inactive',
  'paused',
  'rejected_order',
  'not_pickup_store',
  'type_not_allowed',
  'not_in_strategy_locations',
  'excluded_by_strategy',
  'missing_capability',
  'country_not_served',
  'too_far',
  'no_shipping_rate',
  'capacity_exhausted',
  'no_stock',
] as const;
export type LocationFenceCode = (typeof LOCATION_FENCES)[number];

export const LINE_FENCES = ['line_capability_missing', 'insufficient_stock'] as const;
export type LineFenceCode = (typeof LINE_FENCES)[number];

export interface FenceHit<Code extends string = LocationFenceCode> {
  code: Code;
  reason: string;
}

export interface FenceInput {
  facts: OrderFacts;
  fences: StrategyFences;
  state: RoutingState;
  rates: RateLookup;
  /** Locations that already rejected or unclaimed this order. */
  rejected: ReadonlySet<string>;
  /** `pickup`: only the pickup store may serve; `transfer`: anyone may ship to the pickup store. */
  role: 'ship' | 'pickup' | 'transfer';
  needsShippingRate: boolean;
  distanceKm: number | undefined;
}

/** The first fence that excludes the whole location, before stock is looked at. */
export function locationFence(location: RoutingLocation, input: FenceInput): FenceHit | undefined {
  const id = location.location_id;
  const { facts, fences, state } = input;
  if (!location.active) return { code: 'inactive', reason: `${id} is not active` };
  if (location.paused || state.paused(id)) return { code: 'paused', reason: `${id} is paused` };
  if (input.rejected.has(id)) return { code: 'rejected_order', reason: `${id} already rejected or unclaimed this order` };
  if (input.role === 'pickup' && id !== facts.pickup_location_id) {
    return { code: 'not_pickup_store', reason: `click-and-collect at ${facts.pickup_location_id ?? '?'}: only that store hands the order out` };
  }
  if (fences.location_types !== undefined && !fences.location_types.includes(location.type)) {
    return { code: 'type_not_allowed', reason: `${id} is a ${location.type}; this strategy takes ${fences.location_types.join(', ')}` };
  }
  if (fences.locations !== undefined && !fences.locations.includes(id)) {
    return { code: 'not_in_strategy_locations', reason: `${id} is not among this strategy's locations` };
  }
  if (fences.exclude_locations?.includes(id) === true) return { code: 'excluded_by_strategy', reason: `this strategy excludes ${id}` };
  const capability = input.role === 'pickup' ? 'pickup' : 'ship';
  if (!location.capabilities.has(capability)) return { code: 'missing_capability', reason: `${id} cannot ${capability === 'ship' ? 'ship parcels' : 'hand out click-and-collect orders'}` };
  if (input.role === 'ship' && fences.serves_customer_country !== false && location.serves !== undefined) {
    const { countries, regions } = location.serves;
    const byCountry = countries !== undefined && facts.country !== undefined && countries.has(facts.country);
    const byRegion = regions !== undefined && facts.region !== undefined && regions.has(facts.region);
    if (!byCountry && !byRegion) {
      const where = [facts.country, facts.region].filter((part) => part !== undefined).join('/') || 'an unknown place';
      return { code: 'country_not_served', reason: `${id} does not ship to ${where}` };
    }
  }
  if (fences.max_distance_km !== undefined && input.distanceKm !== undefined && input.distanceKm > fences.max_distance_km) {
    return { code: 'too_far', reason: `${id} is ${input.distanceKm.toFixed(1)} km away, beyond ${fences.max_distance_km} km` };
  }
  if (input.needsShippingRate && input.role !== 'pickup') {
    if (facts.zone === undefined) return { code: 'no_shipping_rate', reason: `no shipping zone lists ${facts.country ?? 'the customer country'}` };
    if (!input.rates.hasRate(id, facts.zone)) return { code: 'no_shipping_rate', reason: `${id} has no rate table for zone ${facts.zone}` };
  }
  if (state.capacityLeft(id) <= 0) return { code: 'capacity_exhausted', reason: `${id} has used up its daily capacity` };
  return undefined;
}

/** Why a line cannot ship (whole) from a location, or undefined when it can. */
export function lineFence(location: RoutingLocation, line: RoutedLine, available: number): FenceHit<LineFenceCode> | undefined {
  for (const capability of line.info?.requires ?? []) {
    if (!location.capabilities.has(capability)) {
      return { code: 'line_capability_missing', reason: `${line.sku} needs ${capability}; ${location.location_id} cannot handle it` };
    }
  }
  if (available < line.quantity) {
    return { code: 'insufficient_stock', reason: `${location.location_id} has ${Math.max(0, available)} of ${line.quantity} × ${line.sku}` };
  }
  return undefined;
}
