/**
 * A child process of the routing race test: `node dist/test-support/route-once.js <state.db> <order-id> <sku> <start-ms>`.
 * It opens the state file, waits for the common start moment, routes an order for one unit of
 * the SKU and prints the outcome: `allocated <location>` or `held <code>`.
 */
import { InventoryService } from '../core/inventory/inventory-service.js';
import { SqliteInventoryStore } from '../core/inventory/sqlite-inventory.js';
import { profileVersion } from '../core/routing/load-profile.js';
import type { RoutingProfile } from '../core/routing/profile-schema.js';
import { RoutingService } from '../core/routing/routing-service.js';
import { SqliteRoutingStore } from '../core/routing/sqlite-routing.js';
import { dirname } from 'node:path';

const [path, id, sku, start] = process.argv.slice(2);
if (path === undefined || id === undefined || sku === undefined || start === undefined) throw new Error('usage: route-once <state.db> <order-id> <sku> <start-ms>');

const RACE_LOCATIONS = [
  { location_id: 'wh-a', name: 'A', type: 'warehouse' as const, channels: ['shop'], coordinates: { lat: 52.5, lon: 13.4 } },
  { location_id: 'wh-b', name: 'B', type: 'warehouse' as const, channels: ['shop'], coordinates: { lat: 48.1, lon: 11.6 } },
];
const profile: RoutingProfile = { name: 'race', strategies: [{ name: 'nearest', ratings: { distance: 1 } }] };
const inventoryStore = new SqliteInventoryStore(path);
const routingStore = new SqliteRoutingStore(path);
const inventory = new InventoryService({ locations: RACE_LOCATIONS, channels: { shop: {} } }, inventoryStore, dirname(path));
const routing = new RoutingService({ section: { profile: 'race.yaml' }, profile: { profile, version: profileVersion(profile) }, skus: new Map(), postalCentroid: undefined }, inventory, routingStore);
const wait = Number(start) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
const outcome = await routing.route({
  channel: 'shop',
  external_id: id,
  status: 'received',
  currency: 'EUR',
  created_at: new Date().toISOString(),
  shipping_address: { country_code: 'DE', coordinates: { lat: 52.5, lon: 13.4 } },
  lines: [{ line_id: '1', sku, quantity: 1 }],
});
await routingStore.close();
await inventoryStore.close();
process.stdout.write(outcome.status === 'allocated' ? `allocated ${outcome.requests.map((request) => request.location_id).join(',')}\n` : outcome.status === 'held' ? `held ${outcome.hold.code}\n` : `${outcome.status}\n`);
