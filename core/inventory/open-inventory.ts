import type { ProjectPlan } from '../config/plan.js';
import { withIngestThread } from './ingest-thread.js';
import { InventoryService } from './inventory-service.js';
import { SqliteInventoryStore } from './sqlite-inventory.js';

/** The project's inventory engine on its state file, or undefined when keel.yaml declares none. */
export function openInventory(plan: Pick<ProjectPlan, 'inventory' | 'statePath' | 'dir'>): InventoryService | undefined {
  if (plan.inventory === undefined) return undefined;
  return new InventoryService(plan.inventory, withIngestThread(new SqliteInventoryStore(plan.statePath), plan.statePath), plan.dir);
}
