/**
 * A child process of the ingest-thread test: `node dist/test-support/ingest-and-close.js <state.db>`.
 * Writes one snapshot through the ingest thread, closes the store and says so: nothing else keeps
 * this process alive, so closing must wait for the thread itself.
 */
import { withIngestThread } from '../core/inventory/ingest-thread.js';
import { SqliteInventoryStore } from '../core/inventory/sqlite-inventory.js';

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: ingest-and-close <state.db>');
const store = withIngestThread(new SqliteInventoryStore(path), path);
const outcomes = await store.applySnapshots([{ sku: 'TEE', location_id: 'wh-a', on_hand: 5, at: Date.parse('2026-11-23T06:00:00Z'), source: 'wms' }]);
await store.close();
process.stdout.write(`${outcomes.join(',')} closed\n`);
