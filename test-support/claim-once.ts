/**
 * A child process of the oversell race test:
 * `node dist/test-support/claim-once.js <state.db> reserve|route <order-id> <sku> <start-ms>`.
 * It opens the state file, waits for the common start moment, and claims one unit of the SKU
 * the way each path does: `reserve` as a web order at intake (a reservation without a location),
 * `route` as a call-centre order routed straight away (units held at a location). It prints the
 * outcome: `reserved`, `insufficient`, `allocated <location>` or `held <code>`.
 */
import { dirname } from 'node:path';
import { InventoryService } from '../core/inventory/inventory-service.js';
import { SqliteInventoryStore } from '../core/inventory/sqlite-inventory.js';
import { profileVersion } from '../core/routing/load-profile.js';
import type { RoutingProfile } from '../core/routing/profile-schema.js';
import { RoutingService } from '../core/routing/routing-service.js';
import { SqliteRoutingStore } from '../core/routing/sqlite-routing.js';
import { ONE_UNIT_INVENTORY } from './one-unit-inventory.js';

const [path, mode, id, sku, start] = process.argv.slice(2);
if (path === undefined || (mode !== 'reserve' && mode !== 'route') || id === undefined || sku === undefined || start === undefined) {
  throw new Error('usage: claim-once <state.db> reserve|route <order-id> <sku> <start-ms>');
}
const profile: RoutingProfile = { name: 'race', strategies: [{ name: 'nearest', ratings: { distance: 1 } }] };
const inventoryStore = new SqliteInventoryStore(path);
const routingStore = new SqliteRoutingStore(path);
const inventory = new InventoryService(ONE_UNIT_INVENTORY, inventoryStore, dirname(path));
const routing = new RoutingService({ section: { profile: 'race.yaml' }, profile: { profile, version: profileVersion(profile) }, skus: new Map(), postalCentroid: undefined }, inventory, routingStore);
const wait = Number(start) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
let outcome: string;
if (mode === 'reserve') {
  outcome = (await inventory.reserve(`web:${id}`, 'web', [{ sku, quantity: 1, line_id: '1' }])).status;
} else {
  const routed = await routing.route({
    channel: 'callcenter',
    external_id: id,
    status: 'received',
    currency: 'EUR',
    created_at: new Date().toISOString(),
    shipping_address: { country_code: 'DE', coordinates: { lat: 52.5, lon: 13.4 } },
    lines: [{ line_id: '1', sku, quantity: 1 }],
  });
  outcome = routed.status === 'allocated' ? `allocated ${routed.requests.map((request) => request.location_id).join(',')}` : routed.status === 'held' ? `held ${routed.hold.code}` : routed.status;
}
await routingStore.close();
await inventoryStore.close();
process.stdout.write(`${outcome}\n`);
