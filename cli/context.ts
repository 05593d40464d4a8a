import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadProject, PROJECT_FILE, type LoadedProject, type LoadOptions } from '../core/config/load-project.js';
import { createLogger, parseLogLevel, type Logger } from '../core/logger.js';
import { Redactor } from '../core/redact.js';
import { SqliteStateStore } from '../core/state/sqlite-store.js';
import type { StateStore } from '../core/state/state-store.js';
import type { InventoryService } from '../core/inventory/inventory-service.js';
import { openInventory } from '../core/inventory/open-inventory.js';
import { openRouting } from '../core/routing/open-routing.js';
import type { RoutingService } from '../core/routing/routing-service.js';

export interface ProjectSession extends LoadedProject {
  store: StateStore;
  logger: Logger;
  redactor: Redactor;
  /** The inventory engine, when keel.yaml has an `inventory:` section. */
  inventory: InventoryService | undefined;
  /** Order routing, when keel.yaml has a `routing:` section. */
  routing: RoutingService | undefined;
  close(): Promise<void>;
}

export interface GlobalOptions {
  logLevel?: string;
  logFormat?: string;
}

export function makeLogger(redactor: Redactor, options: GlobalOptions): Logger {
  const format = options.logFormat === 'json' || options.logFormat === 'text' ? options.logFormat : process.stderr.isTTY ? 'text' : 'json';
  return createLogger({ level: parseLogLevel(options.logLevel ?? process.env['KEEL_LOG_LEVEL'], 'warn'), format, redactor });
}

/** Loads a project (validating it; with `checkEnvironment`, its secrets too) and opens its state store. */
export async function openProject(path: string, options: GlobalOptions, load: LoadOptions = {}): Promise<ProjectSession> {
  const loaded = await loadProject(path, load);
  const redactor = new Redactor();
  const logger = makeLogger(redactor, options);
  const store = new SqliteStateStore(loaded.plan.statePath);
  const inventory = openInventory(loaded.plan);
  const routing = openRouting(loaded.plan, inventory, logger);
  const close = async (): Promise<void> => {
    await routing?.store.close();
    await inventory?.store.close();
    await store.close();
  };
  return { ...loaded, store, redactor, inventory, routing, close, logger };
}

/**
 * The project a `--project` option means: the folder given when it holds keel.yaml, else the
 * nearest folder above it that does (as git finds its repository), so `keel runs` works from
 * any folder of a project. Without one anywhere above, the folder given.
 */
export function projectDirFor(dir: string): string {
  const start = resolve(dir);
  for (let current = start; ; current = dirname(current)) {
    if (existsSync(join(current, PROJECT_FILE))) return current;
    if (dirname(current) === current) return start;
  }
}
