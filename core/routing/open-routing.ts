import type { ProjectPlan } from '../config/plan.js';
import type { InventoryService } from '../inventory/inventory-service.js';
import type { Logger } from '../logger.js';
import { RoutingService } from './routing-service.js';
import { SqliteRoutingStore } from './sqlite-routing.js';

/** The project's routing on its state file, or undefined when keel.yaml has no `routing:` section; `logger` hears its warnings. */
export function openRouting(plan: Pick<ProjectPlan, 'routing' | 'statePath'>, inventory: InventoryService | undefined, logger?: Logger): RoutingService | undefined {
  if (plan.routing === undefined || inventory === undefined) return undefined;
  return new RoutingService(plan.routing, inventory, new SqliteRoutingStore(plan.statePath), logger);
}
