/** Locations, orders and a profile builder shared by the routing tests. */
import type { Location } from '../core/model/location.js';
import type { Order } from '../core/model/order.js';
import { MemoryRoutingState, type MemoryStateInput } from '../core/routing/batch-router.js';
import { profileVersion, type LoadedProfile } from '../core/routing/load-profile.js';
import type { RoutingProfile } from '../core/routing/profile-schema.js';
import { routingLocations, type RoutingContext, type SkuInfo } from '../core/routing/routing-input.js';

export const LOCATIONS: Omit<Location, 'name'>[] = [
  { location_id: 'wh-berlin', type: 'warehouse', coordinates: { lat: 52.52, lon: 13.405 }, capabilities: ['ship', 'bulky'], priority: 1 },
  { location_id: 'wh-munich', type: 'warehouse', coordinates: { lat: 48.137, lon: 11.575 }, capabilities: ['ship'], priority: 2 },
  { location_id: '3pl-vienna', type: '3pl', coordinates: { lat: 48.208, lon: 16.373 }, capabilities: ['ship', 'hazardous'], priority: 3 },
  { location_id: 'store-hamburg', type: 'store', coordinates: { lat: 53.551, lon: 9.993 }, capabilities: ['ship', 'pickup'], priority: 5 },
  { location_id: 'store-cologne', type: 'store', coordinates: { lat: 50.937, lon: 6.96 }, capabilities: ['pickup'], priority: 5 },
];

export const SKUS: Record<string, SkuInfo> = {
  sofa: { category: 'furniture', weight_grams: 40_000, requires: ['bulky'] },
  paint: { category: 'diy', weight_grams: 1_000, requires: ['hazardous'] },
  shirt: { category: 'apparel', weight_grams: 200 },
  mug: { category: 'home', weight_grams: 400 },
};

export function loaded(profile: RoutingProfile): LoadedProfile {
  return { profile, version: profileVersion(profile) };
}

export function contextFor(profile: RoutingProfile, input: MemoryStateInput): RoutingContext & { state: MemoryRoutingState } {
  const locations = routingLocations(LOCATIONS, profile);
  return { locations, sku: (sku) => SKUS[sku], state: new MemoryRoutingState(locations, input), now: new Date('2025-03-01T10:00:00Z') };
}

export function stockOf(rows: Record<string, Record<string, number>>): Map<string, Map<string, number>> {
  return new Map(Object.entries(rows).map(([sku, levels]) => [sku, new Map(Object.entries(levels))]));
}

let next = 0;
export function order(lines: [string, number, string?][], extra: Partial<Order> = {}): Order {
  next += 1;
  return {
    channel: 'shop-de',
    external_id: `o-${next}`,
    status: 'received',
    currency: 'EUR',
    created_at: '2025-03-01T09:00:00Z',
    shipping_address: { country_code: 'DE', postal_code: '10115', coordinates: { lat: 52.53, lon: 13.38 } },
    lines: lines.map(([sku, quantity, price], index) => ({ line_id: `l${index + 1}`, sku, quantity, unit_price: { amount: price ?? '10.00', currency: 'EUR' } })),
    ...extra,
  };
}

/**
 * The project sections the routing connector's tests share: a DC in Frankfurt and a store in
 * Berlin that can ship, one channel, and a profile that routes each order whole to the nearest.
 */
export const TWO_LOCATIONS = `inventory:
  locations:
    - { location_id: wh, name: DC, type: warehouse, channels: [shop], coordinates: { lat: 50.11, lon: 8.68 } }
    - { location_id: store-1, name: Store, type: store, channels: [shop], capabilities: [ship, pickup], coordinates: { lat: 52.52, lon: 13.40 } }
  channels:
    shop: {}
routing:
  profile: profile.yaml
  offers: { timeout_minutes: 30 }
`;

export const NEAREST_PROFILE = `name: nearest
strategies:
  - name: nearest
    ratings: { distance: 1 }
    split: { allowed: false }
`;

/** Two pipelines of a routing project: counts (`counts` connection) into the ledger, then orders (`orders`) routed after them. */
export const STOCK_THEN_ROUTE = {
  'pipelines/stock.yaml': `name: stock
source: { connection: counts, stream: files, options: { path: "*.csv" } }
steps:
  - set: { fields: { source: { value: wms } } }
targets:
  - { connection: inventory, stream: ledger }
`,
  'pipelines/route.yaml': `name: route
after: [stock]
source: { connection: orders, stream: files, options: { path: "*.json" } }
targets:
  - { connection: routing, stream: orders }
`,
};
