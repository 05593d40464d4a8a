import { defineEngine } from '../../core/sdk/engine.js';
import type { InventoryConfig } from '../../core/inventory/inventory-config.js';
import { loadRoutingPlan } from '../../core/routing/load-routing.js';
import { RoutingSection } from '../../core/routing/routing-config.js';
import { RoutingEngine, type RoutingPlan } from '../../core/routing/routing-engine.js';
import { SqliteRoutingStore } from '../../core/routing/sqlite-routing.js';
import inventory from '../inventory/index.js';

/**
 * Which location fulfils which order line: the routing profile, requests to locations, their
 * answers, receipts and reliability. keel.yaml `routing:`; the routing connector is its streams.
 */
export default defineEngine({
  name: 'routing',
  description: 'which location fulfils which order line: profile, requests to locations, their answers, receipts',
  section: RoutingSection,
  needs: { inventory: 'its locations are where orders go, its ledger is where they reserve' },
  load(section: RoutingSection, ctx) {
    const locations: InventoryConfig = ctx.configOf(inventory);
    const loaded = loadRoutingPlan({
      projectDir: ctx.projectDir,
      section,
      locationIds: new Set(locations.locations.map((location) => location.location_id)),
      problemAt: ctx.problemAt,
      display: ctx.display,
    });
    return { ...(loaded.plan !== undefined ? { config: loaded.plan } : {}), problems: loaded.problems };
  },
  open(plan: RoutingPlan, ctx) {
    return new RoutingEngine(plan, ctx.engine(inventory), new SqliteRoutingStore(ctx.state.path), ctx.logger);
  },
  close: (engine: RoutingEngine) => engine.store.close(),
});
