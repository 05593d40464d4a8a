/**
 * What the race scripts (claim-once, route-once) share: the inventory and routing engines over
 * one state file, opened through the engine seam as a project opens them, the common start
 * moment, and the one-unit order each routes.
 */
import { dirname } from 'node:path';
import { OpenEngines } from '../core/engines/open-engines.js';
import { builtInEngines } from '../core/engines/registry.js';
import type { InventoryConfig } from '../core/inventory/inventory-config.js';
import type { InventoryEngine } from '../core/inventory/inventory-engine.js';
import { createLogger } from '../core/logger.js';
import type { Order } from '../core/model/order.js';
import { profileVersion } from '../core/routing/load-profile.js';
import type { RoutingProfile } from '../core/routing/profile-schema.js';
import type { RouteOutcome, RoutingPlan, RoutingEngine } from '../core/routing/routing-engine.js';
import { Redactor } from '../core/redact.js';
import inventoryEngine from '../engines/inventory/index.js';
import routingEngine from '../engines/routing/index.js';

const PROFILE: RoutingProfile = { name: 'race', strategies: [{ name: 'nearest', ratings: { distance: 1 } }] };
const PLAN: RoutingPlan = { section: { profile: 'race.yaml' }, profile: { profile: PROFILE, version: profileVersion(PROFILE) }, skus: new Map(), postalCentroid: undefined };

export interface RaceEngines {
  inventory: InventoryEngine;
  routing: RoutingEngine;
  close(): Promise<void>;
}

export async function openRaceEngines(path: string, config: InventoryConfig): Promise<RaceEngines> {
  const engines = OpenEngines.open({
    definitions: await builtInEngines(),
    configs: new Map<string, unknown>([
      [inventoryEngine.name, config],
      [routingEngine.name, PLAN],
    ]),
    projectDir: dirname(path),
    state: { driver: 'sqlite', path },
    logger: createLogger({ level: 'error', format: 'json', redactor: new Redactor() }),
  });
  return {
    inventory: engines.require(inventoryEngine, 'the race'),
    routing: engines.require(routingEngine, 'the race'),
    close: () => engines.close(),
  };
}

/** Waits until the common start moment (epoch ms, as text from the command line). */
export async function startAt(start: string): Promise<void> {
  const wait = Number(start) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** An order for one unit of the SKU, shipped to Berlin. */
export function oneUnitOrder(channel: string, id: string, sku: string): Order {
  return {
    channel,
    external_id: id,
    status: 'received',
    currency: 'EUR',
    created_at: new Date().toISOString(),
    shipping_address: { country_code: 'DE', coordinates: { lat: 52.5, lon: 13.4 } },
    lines: [{ line_id: '1', sku, quantity: 1 }],
  };
}

/** `allocated <locations>`, `held <code>` or the status. */
export function describeOutcome(outcome: RouteOutcome): string {
  if (outcome.status === 'allocated') return `allocated ${outcome.requests.map((request) => request.location_id).join(',')}`;
  return outcome.status === 'held' ? `held ${outcome.hold.code}` : outcome.status;
}
