/**
 * A child process of the oversell race test:
 * `node dist/test-support/claim-once.js <state.db> reserve|route <order-id> <sku> <start-ms>`.
 * It opens the state file, waits for the common start moment, and claims one unit of the SKU
 * the way each path does: `reserve` as a web order at intake (a reservation without a location),
 * `route` as a call-centre order routed straight away (units held at a location). It prints the
 * outcome: `reserved`, `insufficient`, `allocated <location>` or `held <code>`.
 */
import { ONE_UNIT_INVENTORY } from './one-unit-inventory.js';
import { describeOutcome, oneUnitOrder, openRaceEngines, startAt } from './race-engines.js';

const [path, mode, id, sku, start] = process.argv.slice(2);
if (path === undefined || (mode !== 'reserve' && mode !== 'route') || id === undefined || sku === undefined || start === undefined) {
  throw new Error('usage: claim-once <state.db> reserve|route <order-id> <sku> <start-ms>');
}
const { inventory, routing, close } = await openRaceEngines(path, ONE_UNIT_INVENTORY);
await startAt(start);
const outcome =
  mode === 'reserve'
    ? (await inventory.reserve(`web:${id}`, 'web', [{ sku, quantity: 1, line_id: '1' }])).status
    : describeOutcome(await routing.route(oneUnitOrder('callcenter', id, sku)));
await close();
process.stdout.write(`${outcome}\n`);
