/**
 * What the race scripts (claim-once, route-once) share: the inventory and routing services over
 * one state file, the common start moment, and the one-unit order each routes.
 */
import { dirname } from 'node:path';
import type { InventoryConfig } from '../core/inventory/inventory-config.js';
import { InventoryService } from '../core/inventory/inventory-service.js';
import { SqliteInventoryStore } from '../core/inventory/sqlite-inventory.js';
import type { Order } from '../core/model/order.js';
import { profileVersion } from '../core/routing/load-profile.js';
import type { RoutingProfile } from '../core/routing/profile-schema.js';
import type { RouteOutcome } from '../core/routing/routing-service.js';
import { RoutingService } from '../core/routing/routing-service.js';
import { SqliteRoutingStore } from '../core/routing/sqlite-routing.js';

const PROFILE: RoutingProfile = { name: 'race', strategies: [{ name: 'nearest', ratings: { distance: 1 } }] };

export interface RaceServices {
  inventory: InventoryService;
  routing: RoutingService;
  close(): Promise<void>;
}

export function openRaceServices(path: string, config: InventoryConfig): RaceServices {
  const inventoryStore = new SqliteInventoryStore(path);
  const routingStore = new SqliteRoutingStore(path);
  const inventory = new InventoryService(config, inventoryStore, dirname(path));
  const routing = new RoutingService({ section: { profile: 'race.yaml' }, profile: { profile: PROFILE, version: profileVersion(PROFILE) }, skus: new Map(), postalCentroid: undefined }, inventory, routingStore);
  return {
    inventory,
    routing,
    async close() {
      await routingStore.close();
      await inventoryStore.close();
    },
  };
}

/** Waits until the common start moment (epoch ms, as text from the command line). */
export async function startAt(start: string): Promise<void> {
  const wait = Number(start) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** An order for one unit of the SKU, shipped to Berlin. */
export function oneUnitOrder(channel: string, id: string, sku: string): Order {
  return {
    channel,
    external_id: id,
    status: 'received',
    currency: 'EUR',
    created_at: new Date().toISOString(),
    shipping_address: { country_code: 'DE', coordinates: { lat: 52.5, lon: 13.4 } },
    lines: [{ line_id: '1', sku, quantity: 1 }],
  };
}

/** `allocated <locations>`, `held <code>` or the status. */
export function describeOutcome(outcome: RouteOutcome): string {
  if (outcome.status === 'allocated') return `allocated ${outcome.requests.map((request) => request.location_id).join(',')}`;
  return outcome.status === 'held' ? `held ${outcome.hold.code}` : outcome.status;
}
