/**
 * A child process of the routing race test: `node dist/test-support/route-once.js <state.db> <order-id> <sku> <start-ms>`.
 * It opens the state file, waits for the common start moment, routes an order for one unit of
 * the SKU and prints the outcome: `allocated <location>` or `held <code>`.
 */
import { describeOutcome, oneUnitOrder, openRaceEngines, startAt } from './race-engines.js';

const [path, id, sku, start] = process.argv.slice(2);
if (path === undefined || id === undefined || sku === undefined || start === undefined) throw new Error('usage: route-once <state.db> <order-id> <sku> <start-ms>');

const RACE_LOCATIONS = [
  { location_id: 'wh-a', name: 'A', type: 'warehouse' as const, channels: ['shop'], coordinates: { lat: 52.5, lon: 13.4 } },
  { location_id: 'wh-b', name: 'B', type: 'warehouse' as const, channels: ['shop'], coordinates: { lat: 48.1, lon: 11.6 } },
];
const { routing, close } = await openRaceEngines(path, { locations: RACE_LOCATIONS, channels: { shop: {} } });
await startAt(start);
const outcome = describeOutcome(await routing.route(oneUnitOrder('shop', id, sku)));
await close();
process.stdout.write(`${outcome}\n`);
