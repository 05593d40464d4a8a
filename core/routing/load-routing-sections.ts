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
import { YamlSource } from '../config/yaml-source.js';
import { engineConfig, loadEngineSections } from '../engines/load-sections.js';
import { builtInEngines } from '../engines/registry.js';
import { ConfigError, KeelError } from '../errors.js';
import type { InventoryConfig } from '../inventory/inventory-config.js';
import inventoryEngine from '../../engines/inventory/index.js';
import routingEngine from '../../engines/routing/index.js';
import type { RoutingPlan } from './routing-engine.js';

export interface RoutingSections {
  inventory: InventoryConfig | undefined;
  /** The `routing:` section with its profile loaded; undefined without one. */
  routing: RoutingPlan | undefined;
}

export async function loadRoutingSections(projectDir: string, cwd: string = process.cwd()): Promise<RoutingSections> {
  const file = join(projectDir, PROJECT_FILE);
  const display = (path: string): string => relative(cwd, path) || '.';
  if (!existsSync(file)) {
    throw new KeelError('config', `${display(projectDir)} has no ${PROJECT_FILE}; give --project the folder whose keel.yaml declares the inventory locations`, {
      code: 'project_missing',
      stage: 'route',
    });
  }
  const source = YamlSource.parse(display(file), readFileSync(file, 'utf8'));
  const { configs, problems } = loadEngineSections({ engines: await builtInEngines(), keel: source, projectDir, display, schemaChecked: false });
  if (problems.length > 0) throw new ConfigError(problems);
  return { inventory: engineConfig(configs, inventoryEngine), routing: engineConfig(configs, routingEngine) };
}
