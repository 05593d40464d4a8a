/**
 * Fences: pure predicates that keep a location (or one line at a location) out of the candidate
 * set. A hit is a stable code plus the few facts behind it, plain JSON for the receipt; the
 * sentence for people is rendered from it on demand (explain-receipt.ts), so routing a batch never
 * builds text nobody reads. Whole-location fences are checked in a fixed order and the first that
 * holds is the one the receipt names.
 */
import type { LocationCapability, LocationType } from '../model/location.js';
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

/** Location fences whose code says it all (the location id is in the candidate receipt). */
type PlainLocationFence = Exclude<LocationFenceCode, 'not_pickup_store' | 'type_not_allowed' | 'missing_capability' | 'country_not_served' | 'too_far' | 'no_shipping_rate'>;

/** Why a whole location is out. */
export type LocationFenceHit =
  | { readonly code: PlainLocationFence }
  | { readonly code: 'not_pickup_store'; readonly pickup_location_id?: string }
  | { readonly code: 'type_not_allowed'; readonly type: LocationType; readonly allowed: readonly LocationType[] }
  | { readonly code: 'missing_capability'; readonly capability: 'ship' | 'pickup' }
  /** The customer's country and region as far as they are known. */
  | { readonly code: 'country_not_served'; readonly country?: string; readonly region?: string }
  | { readonly code: 'too_far'; readonly distance_km: number; readonly max_distance_km: number }
  /** Without `zone`: no shipping zone lists the customer's country; with it: the location has no rate table for the zone. */
  | { readonly code: 'no_shipping_rate'; readonly country?: string; readonly zone?: string };

/** Why one line (index in order.lines) cannot ship whole from a location. */
export type LineFenceHit = LineCapabilityHit | InsufficientStockHit;
export interface LineCapabilityHit {
  readonly code: 'line_capability_missing';
  readonly line: number;
  readonly sku: string;
  readonly capability: LocationCapability;
}
export interface InsufficientStockHit {
  readonly code: 'insufficient_stock';
  readonly line: number;
  readonly sku: string;
  readonly wanted: number;
  readonly available: number;
}

export type FenceHit = LocationFenceHit | LineFenceHit;

/** One shared hit per plain fence: frozen, as every receipt that names the fence refers to it. */
const PLAIN = {
  inactive: Object.freeze({ code: 'inactive' }),
  paused: Object.freeze({ code: 'paused' }),
  rejected_order: Object.freeze({ code: 'rejected_order' }),
  not_in_strategy_locations: Object.freeze({ code: 'not_in_strategy_locations' }),
  excluded_by_strategy: Object.freeze({ code: 'excluded_by_strategy' }),
  capacity_exhausted: Object.freeze({ code: 'capacity_exhausted' }),
  no_stock: Object.freeze({ code: 'no_stock' }),
} as const satisfies { [Code in PlainLocationFence]: { readonly code: Code } };

/** Whether the hit is a bare code, without facts. */
export function isPlainHit(hit: LocationFenceHit): hit is { readonly code: PlainLocationFence } {
  return Object.prototype.hasOwnProperty.call(PLAIN, hit.code);
}

/** The hit for a location with stock of none of the lines it could ship (decided by the caller, which looks stock up). */
export const NO_STOCK: LocationFenceHit = PLAIN.no_stock;

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
export function locationFence(location: RoutingLocation, input: FenceInput): LocationFenceHit | undefined {
  const id = location.location_id;
  const { facts, fences, state } = input;
  if (!location.active) return PLAIN.inactive;
  if (location.paused || state.paused(id)) return PLAIN.paused;
  if (input.rejected.has(id)) return PLAIN.rejected_order;
  if (input.role === 'pickup' && id !== facts.pickup_location_id) {
    return facts.pickup_location_id === undefined ? { code: 'not_pickup_store' } : { code: 'not_pickup_store', pickup_location_id: facts.pickup_location_id };
  }
  if (fences.location_types !== undefined && !fences.location_types.includes(location.type)) {
    return { code: 'type_not_allowed', type: location.type, allowed: fences.location_types };
  }
  if (fences.locations !== undefined && !fences.locations.includes(id)) return PLAIN.not_in_strategy_locations;
  if (fences.exclude_locations?.includes(id) === true) return PLAIN.excluded_by_strategy;
  const capability = input.role === 'pickup' ? 'pickup' : 'ship';
  if (!location.capabilities.has(capability)) return { code: 'missing_capability', capability };
  if (input.role === 'ship' && fences.serves_customer_country !== false && location.serves !== undefined) {
    const { countries, regions } = location.serves;
    const byCountry = countries !== undefined && facts.country !== undefined && countries.has(facts.country);
    const byRegion = regions !== undefined && facts.region !== undefined && regions.has(facts.region);
    if (!byCountry && !byRegion) return withPlace({ code: 'country_not_served' }, facts);
  }
  if (fences.max_distance_km !== undefined && input.distanceKm !== undefined && input.distanceKm > fences.max_distance_km) {
    return { code: 'too_far', distance_km: Math.round(input.distanceKm * 1000) / 1000, max_distance_km: fences.max_distance_km };
  }
  if (input.needsShippingRate && input.role !== 'pickup') {
    if (facts.zone === undefined) return facts.country === undefined ? { code: 'no_shipping_rate' } : { code: 'no_shipping_rate', country: facts.country };
    if (!input.rates.hasRate(id, facts.zone)) return { code: 'no_shipping_rate', zone: facts.zone };
  }
  if (state.capacityLeft(id) <= 0) return PLAIN.capacity_exhausted;
  return undefined;
}

function withPlace(hit: { code: 'country_not_served'; country?: string; region?: string }, facts: OrderFacts): LocationFenceHit {
  if (facts.country !== undefined) hit.country = facts.country;
  if (facts.region !== undefined) hit.region = facts.region;
  return hit;
}

/** The first capability the line needs that the location lacks. */
export function missingLineCapability(location: RoutingLocation, line: RoutedLine): LocationCapability | undefined {
  const requires = line.info?.requires;
  if (requires === undefined) return undefined;
  for (const capability of requires) if (!location.capabilities.has(capability)) return capability;
  return undefined;
}

/** Why a line cannot ship (whole) from a location, or undefined when it can. */
export function lineFence(location: RoutingLocation, line: RoutedLine, available: number): LineFenceHit | undefined {
  const capability = missingLineCapability(location, line);
  if (capability !== undefined) return { code: 'line_capability_missing', line: line.index, sku: line.sku, capability };
  return stockFence(line.index, line.sku, line.quantity, available);
}

/** The line fence of too few units; receipts keep the units (candidate `stock`) and derive this hit from them. */
export function stockFence(line: number, sku: string, wanted: number, available: number): InsufficientStockHit | undefined {
  return available < wanted ? { code: 'insufficient_stock', line, sku, wanted, available: Math.max(0, available) } : undefined;
}
