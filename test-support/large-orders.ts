/**
 * Large orders for the allocation search: 22 seeded orders of 24 to 36 lines over a network of 50
 * locations and 2,000 SKUs, each SKU stocked at a location with a given probability (0.4 as in the
 * routing bench; 0.8 for a dense network where most locations could ship most lines, which makes
 * many allocations score alike). The routing test keeps them exact within the default steps, and
 * `npm run bench -- routing` reports how many ran out, so the figure is measured the same way.
 */
import type { Location } from '../core/model/location.js';
import type { Order } from '../core/model/order.js';
import { MemoryRoutingState } from '../core/routing/batch-router.js';
import { profileVersion } from '../core/routing/load-profile.js';
import type { RoutingProfile } from '../core/routing/profile-schema.js';
import type { RoutingDecision } from '../core/routing/receipt.js';
import { createOrderRouter, type RouteOptions } from '../core/routing/route-order.js';
import { routingLocations } from '../core/routing/routing-input.js';
import { mulberry32 } from './random.js';

const LOCATIONS = 50;
const SKUS = 2_000;
export const LARGE_ORDERS = 22;

/** The routing bench's profile: distance, priority and stock depth at home, priority and parcels abroad, up to 3 parts. */
export const LARGE_ORDER_PROFILE: RoutingProfile = {
  name: 'large-orders',
  hold: 'backorder',
  strategies: [
    { name: 'domestic', when: { countries: ['DE'] }, fences: { max_distance_km: 900 }, ratings: { distance: 1, priority: 20, stock_depth: 0.5 }, split: { allowed: true, max_parts: 3 } },
    { name: 'anywhere', ratings: { priority: 10, parcels: 50 }, split: { allowed: true, max_parts: 3 } },
  ],
};

export interface LargeOrderRun {
  order: Order;
  decision: RoutingDecision;
}

/**
 * The synthetic network of the routing bench and these tests: 50 locations in Germany (8
 * warehouses, 4 3PLs, the rest stores) and 2,000 SKUs, each stocked at a location with
 * probability `stockedShare`, drawn from `random` (which the caller may go on drawing orders from).
 */
export function syntheticNetwork(random: () => number, stockedShare: number): { locations: Omit<Location, 'name'>[]; stock: Map<string, Map<string, number>> } {
  const locations: Omit<Location, 'name'>[] = Array.from({ length: LOCATIONS }, (_, index) => ({
    location_id: `loc-${String(index).padStart(2, '0')}`,
    type: index < 8 ? 'warehouse' : index < 12 ? '3pl' : 'store',
    coordinates: { lat: 47.5 + random() * 7, lon: 6 + random() * 9 },
    capabilities: ['ship'],
    priority: index < 8 ? 1 : 3,
  }));
  const stock = new Map<string, Map<string, number>>();
  for (let sku = 0; sku < SKUS; sku += 1) {
    const levels = new Map<string, number>();
    for (const location of locations) if (random() < stockedShare) levels.set(location.location_id, Math.floor(random() * 400));
    stock.set(`SKU-${sku}`, levels);
  }
  return { locations, stock };
}

/** Routes each large order alone over a fresh copy of the network's stock. */
export function routeLargeOrders(stockedShare: number, options: RouteOptions = {}): LargeOrderRun[] {
  const { locations, stock } = syntheticNetwork(mulberry32(0x1a26e), stockedShare);
  const routed = routingLocations(locations, LARGE_ORDER_PROFILE);
  const orderRandom = mulberry32(7);
  const runs: LargeOrderRun[] = [];
  for (let index = 0; index < LARGE_ORDERS; index += 1) {
    const lines = 24 + Math.floor(orderRandom() * 13);
    const order: Order = {
      channel: 'shop',
      external_id: `large-${index}`,
      status: 'received',
      currency: 'EUR',
      created_at: '2026-11-23T09:00:00Z',
      shipping_address: { country_code: orderRandom() < 0.9 ? 'DE' : 'AT', coordinates: { lat: 47.5 + orderRandom() * 7, lon: 6 + orderRandom() * 9 } },
      lines: Array.from({ length: lines }, (_, line) => ({
        line_id: `${index}-${line}`,
        sku: `SKU-${Math.floor(orderRandom() * SKUS)}`,
        quantity: 1 + Math.floor(orderRandom() * 3),
        unit_price: { amount: '19.90', currency: 'EUR' },
      })),
    };
    const state = new MemoryRoutingState(routed, { stock });
    const route = createOrderRouter({ profile: LARGE_ORDER_PROFILE, version: profileVersion(LARGE_ORDER_PROFILE) }, { locations: routed, sku: () => undefined, state, now: new Date('2026-11-23T12:00:00Z') });
    runs.push({ order, decision: route(order, options) });
  }
  return runs;
}
