/**
 * What routing reads besides the order and the profile: the locations (master data merged with
 * the profile's routing rules), what is known about each SKU, and the live state (stock, daily
 * capacity, pauses, reliability) behind a small interface, so a batch in memory, the SQLite state
 * store and a backtest over a snapshot can all feed the same router.
 */
import type { Incoming } from '../inventory/availability.js';
import type { Coordinates } from '../model/address.js';
import type { Location, LocationCapability, LocationType } from '../model/location.js';
import type { RoutingProfile } from './profile-schema.js';

export interface RoutingLocation {
  location_id: string;
  type: LocationType;
  coordinates: Coordinates | undefined;
  capabilities: ReadonlySet<LocationCapability>;
  priority: number;
  active: boolean;
  serves: { countries?: ReadonlySet<string>; regions?: ReadonlySet<string> } | undefined;
  daily_capacity: number | undefined;
  paused: boolean;
  reliability: number;
}

export interface SkuInfo {
  category?: string;
  weight_grams?: number;
  /** Capabilities a location needs to ship this SKU, e.g. bulky or hazardous. */
  requires?: readonly LocationCapability[];
}

/** The live side of routing; a batch router decrements it as it allocates. */
export interface RoutingState {
  /** Units of the SKU the location can still promise (on hand − safety stock − reserved there). */
  available(sku: string, locationId: string): number;
  /** The same for every location at once, by location id (absent: none): routing reads each line's stock this way. */
  stockLevels(sku: string): ReadonlyMap<string, number>;
  incoming(sku: string): readonly Incoming[];
  /** Parts the location can still take today; Infinity when it has no daily capacity. */
  capacityLeft(locationId: string): number;
  /** Paused at run time (the profile's `paused` is the default). */
  paused(locationId: string): boolean;
  /** Current reliability score between 0 and 1. */
  reliability(locationId: string): number;
}

export interface RoutingContext {
  /** Sorted by location_id: the allocation breaks ties by this order. */
  locations: readonly RoutingLocation[];
  sku(sku: string): SkuInfo | undefined;
  state: RoutingState;
  /** Postal-code centroid lookup for customers whose address has no coordinates. */
  postalCentroid?(countryCode: string, postalCode: string): Coordinates | undefined;
  /** The customer's group, for `when.customer_groups`; default: order.extensions.customer_group. */
  customerGroup?(order: { extensions?: Record<string, unknown> }): string | undefined;
  now: Date;
}

/** Master data (inventory or canonical locations) merged with the profile's per-location rules, sorted by id. */
export function routingLocations(locations: readonly Omit<Location, 'name'>[], profile: RoutingProfile): RoutingLocation[] {
  return locations
    .map((location) => {
      const rules = profile.locations?.[location.location_id];
      const serves = rules?.serves;
      return {
        location_id: location.location_id,
        type: location.type,
        coordinates: location.coordinates ?? location.address?.coordinates,
        // A location that declares nothing is a plain shipping location.
        capabilities: new Set<LocationCapability>(location.capabilities ?? ['ship']),
        priority: location.priority ?? 0,
        active: location.active !== false,
        serves:
          serves === undefined
            ? undefined
            : {
                ...(serves.countries !== undefined ? { countries: new Set(serves.countries) } : {}),
                ...(serves.regions !== undefined ? { regions: new Set(serves.regions) } : {}),
              },
        daily_capacity: rules?.daily_capacity,
        paused: rules?.paused === true,
        reliability: rules?.reliability ?? 1,
      };
    })
    .sort((a, b) => (a.location_id < b.location_id ? -1 : a.location_id > b.location_id ? 1 : 0));
}
