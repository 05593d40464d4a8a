/**
 * keel.yaml's `inventory:` and `routing:` sections alone, checked as a full project load checks
 * them (schema, inventory rules, the routing profile, SKU facts and postal centroids): what `keel
 * route plan` and `route_plan` backtests decide on. Pipelines, connections and their secrets are
 * not read, so a folder of routing rules without pipelines, or a project whose secrets are not
 * set on this machine, can still be replayed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_FILE } from '../config/load-project.js';
import { checkAgainstSchema } from '../config/schema-check.js';
import { YamlSource } from '../config/yaml-source.js';
import { ConfigError, KeelError, type ConfigProblem } from '../errors.js';
import { checkInventoryConfig, InventorySchema, type InventoryConfig } from '../inventory/inventory-config.js';
import { loadRoutingPlan } from './load-routing.js';
import { RoutingSection } from './routing-config.js';
import type { RoutingPlan } from './routing-service.js';

export interface RoutingSections {
  inventory: InventoryConfig | undefined;
  /** The `routing:` section with its profile loaded; undefined without one. */
  routing: RoutingPlan | undefined;
}

export function loadRoutingSections(projectDir: string, cwd: string = process.cwd()): RoutingSections {
  const file = join(projectDir, PROJECT_FILE);
  const display = (path: string): string => relative(cwd, path) || '.';
  if (!existsSync(file)) {
    throw new KeelError('config', `${display(projectDir)} has no ${PROJECT_FILE}; give --project the folder whose keel.yaml declares the inventory locations`, {
      code: 'project_missing',
      stage: 'route',
    });
  }
  const source = YamlSource.parse(display(file), readFileSync(file, 'utf8'));
  const document = (source.value ?? {}) as { inventory?: unknown; routing?: unknown };
  const problems: ConfigProblem[] = [];
  let inventory: InventoryConfig | undefined;
  if (document.inventory !== undefined) {
    const found = checkAgainstSchema(InventorySchema, document.inventory, source, ['inventory'], 'keel.yaml inventory:');
    problems.push(...found);
    if (found.length === 0) {
      inventory = document.inventory as InventoryConfig;
      for (const issue of checkInventoryConfig(inventory)) problems.push({ file: source.file, ...source.position(['inventory', ...issue.path]), message: `inventory: ${issue.message}` });
    }
  }
  let routing: RoutingPlan | undefined;
  if (document.routing !== undefined && inventory !== undefined) {
    const found = checkAgainstSchema(RoutingSection, document.routing, source, ['routing'], 'keel.yaml routing:');
    problems.push(...found);
    if (found.length === 0) {
      const loaded = loadRoutingPlan({
        projectDir,
        section: document.routing as RoutingSection,
        locationIds: new Set(inventory.locations.map((location) => location.location_id)),
        keel: source,
        display,
      });
      problems.push(...loaded.problems);
      routing = loaded.plan;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { inventory, routing };
}
