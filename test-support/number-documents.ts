/**
 * A child process of the document numbering tests:
 * `node dist/test-support/number-documents.js <state.db> <keys> <seed> <start-ms>`.
 * It opens the state file, waits for the common start moment, and asks for an invoice number
 * for each of the documents `doc:1` .. `doc:<keys>` in an order shuffled by `seed`, printing
 * `<key> <number>` as each is answered. What it printed was committed before it was printed, so
 * a test that kills it may find lines missing, never a line the state does not hold.
 */
import { SqliteStateStore } from '../core/state/sqlite-store.js';
import { mulberry32 } from './random.js';
import { startAt } from './race-engines.js';

const NUMBERED_SERIES = { series: 'invoice', year: 2026, format: 'INV-{year}-{number:06}' } as const;

const [path, keys, seed, start] = process.argv.slice(2);
if (path === undefined || keys === undefined || seed === undefined || start === undefined) {
  throw new Error('usage: number-documents <state.db> <keys> <seed> <start-ms>');
}
const random = mulberry32(Number(seed));
const order = Array.from({ length: Number(keys) }, (_, index) => index + 1);
for (let index = order.length - 1; index > 0; index -= 1) {
  const other = Math.floor(random() * (index + 1));
  [order[index], order[other]] = [order[other] as number, order[index] as number];
}
const store = new SqliteStateStore(path);
await startAt(start);
for (const index of order) {
  const given = await store.documentNumbers.assign({ ...NUMBERED_SERIES, documentKey: `doc:${index}`, at: new Date().toISOString() });
  process.stdout.write(`doc:${index} ${given.number}\n`);
}
await store.close();
