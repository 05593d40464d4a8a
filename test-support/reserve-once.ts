/**
 * A child process of the reservation race test: `node dist/test-support/reserve-once.js <state.db> <order> <sku> <start-ms>`.
 * It opens the state file, waits for the common start moment, tries to reserve one unit and
 * prints the outcome.
 */
import { SqliteInventoryStore } from '../core/inventory/sqlite-inventory.js';

const [path, order, sku, start] = process.argv.slice(2);
if (path === undefined || order === undefined || sku === undefined || start === undefined) throw new Error('usage: reserve-once <state.db> <order> <sku> <start-ms>');
const store = new SqliteInventoryStore(path);
const wait = Number(start) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
const result = await store.reserve(
  { order_key: order, channel: 'shop', lines: [{ sku, quantity: 1 }], version: { at: undefined, content: `[["","${sku}",1]]` }, now: Date.now(), ttlMs: 60_000 },
  (_sku, wanted, stock) => {
    const available = stock.levels.reduce((sum, level) => sum + Math.max(0, level.on_hand), 0) - stock.reserved;
    return wanted <= available ? { kind: 'stock' } : { status: 'insufficient', available, detail: `${available} in stock` };
  },
);
await store.close();
process.stdout.write(`${result.status}\n`);
