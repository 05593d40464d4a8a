import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempProject } from '../../test-support/temp-project.js';
import { testInventoryStore } from '../../test-support/contracts/inventory-store-contract.js';
import { withIngestThread } from './ingest-thread.js';
import { SqliteInventoryStore } from './sqlite-inventory.js';

/** The store as `keel` opens it: ingest and publish records written on the compiled worker thread (npm test builds dist/ first). */
const COMPILED_WORKER = new URL('../../dist/core/inventory/ingest-worker.js', import.meta.url);

testInventoryStore(async () => {
  // Never skipped: without the worker the wrapper would be the plain store and prove nothing.
  if (!existsSync(fileURLToPath(COMPILED_WORKER))) throw new Error(`${fileURLToPath(COMPILED_WORKER)} is missing: run npm run build first (npm test does)`);
  const project = tempProject();
  const path = project.path('.keel', 'state.db');
  const open = (): ReturnType<typeof withIngestThread> => withIngestThread(new SqliteInventoryStore(path), path, { worker: COMPILED_WORKER });
  return { store: open(), reopen: async () => open(), cleanup: async () => project.remove() };
});
