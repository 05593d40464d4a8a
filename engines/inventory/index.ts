import { defineEngine } from '../../core/sdk/engine.js';
import { checkInventoryConfig, InventorySchema, type InventoryConfig } from '../../core/inventory/inventory-config.js';
import { withIngestThread } from '../../core/inventory/ingest-thread.js';
import { InventoryEngine } from '../../core/inventory/inventory-engine.js';
import { SqliteInventoryStore } from '../../core/inventory/sqlite-inventory.js';

/**
 * Stock across locations and channels: counts, movements, incoming stock, reservations and what
 * each channel may show. keel.yaml `inventory:`; the inventory connector is its streams.
 */
export default defineEngine({
  name: 'inventory',
  description: 'stock per location and channel: counts, movements, incoming, reservations, what each channel may show',
  section: InventorySchema,
  load(section: InventoryConfig, ctx) {
    return { config: section, problems: checkInventoryConfig(section).map((issue) => ctx.problemAt(issue.path, issue.message)) };
  },
  open(config: InventoryConfig, ctx) {
    return new InventoryEngine(config, withIngestThread(new SqliteInventoryStore(ctx.state.path), ctx.state.path), ctx.projectDir);
  },
  close: (engine: InventoryEngine) => engine.store.close(),
});
