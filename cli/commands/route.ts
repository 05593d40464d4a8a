import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { codecFor, formatFromFileName } from '../../core/codecs/index.js';
import { loadProject } from '../../core/config/load-project.js';
import { KeelError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { Order } from '../../core/model/order.js';
import { MemoryRoutingState } from '../../core/routing/batch-router.js';
import { routeBatch } from '../../core/routing/batch-router.js';
import { loadRoutingProfile, type LoadedProfile } from '../../core/routing/load-profile.js';
import { changedDecisions, planFigures, type PlanFigures } from '../../core/routing/plan-report.js';
import { routingLocations } from '../../core/routing/routing-input.js';
import type { GlobalOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { registerRouteOperations } from './route-ops.js';
import { printJson, printLine, reportError } from '../output.js';

interface PlanFlags {
  project: string;
  orders: string;
  stock: string;
  profile: string;
  against?: string;
  at?: string;
  json?: boolean;
}

export function registerRoute(program: Command, globals: () => GlobalOptions): void {
  const route = program.command('route').description('order routing: which location ships which line');
  route
    .command('plan')
    .description('replay recorded orders through a routing profile without side effects, and report what it would do (and what changes against another profile)')
    .requiredOption('--orders <file>', 'canonical orders: JSON array, NDJSON')
    .requiredOption('--stock <file>', 'stock snapshot: CSV (or JSON/NDJSON) with sku, location_id and available')
    .requiredOption('--profile <file>', 'the routing profile to try (YAML)')
    .option('--against <file>', 'the profile in use today, to compare with')
    .option('--project <dir>', 'project whose inventory: section declares the locations', '.')
    .option('--at <timestamp>', 'routing time (ISO 8601; default now): daily capacity and pre-order horizons count from it')
    .option('--json', 'print JSON on stdout')
    .action(async (flags: PlanFlags) => {
      process.exitCode = await plan(flags);
    });
  registerRouteOperations(route, globals);
}

async function plan(flags: PlanFlags): Promise<number> {
  try {
    const { plan: project } = await loadProject(flags.project);
    if (project.inventory === undefined) {
      throw new KeelError('config', `${flags.project}: keel.yaml has no inventory: section, so there are no locations to route to`, { code: 'inventory_missing', stage: 'route' });
    }
    const locations = project.inventory.locations;
    const orders = (await readRecords(flags.orders)) as unknown as Order[];
    const stock = await readStock(flags.stock);
    const now = flags.at !== undefined ? new Date(flags.at) : new Date();
    if (Number.isNaN(now.getTime())) throw new KeelError('config', `--at ${flags.at} is not an ISO 8601 timestamp`, { code: 'bad_time', stage: 'route' });
    const replay = (profile: LoadedProfile) => {
      const routed = routingLocations(locations, profile.profile);
      // Every replay starts from the same snapshot: no profile sees what another took.
      const state = new MemoryRoutingState(routed, { stock });
      const decisions = routeBatch(orders, profile, { locations: routed, sku: () => undefined, now }, state);
      return { decisions, figures: planFigures(profile.profile.name, profile.version, decisions, routed) };
    };
    const candidate = replay(loadRoutingProfile(flags.profile));
    const current = flags.against !== undefined ? replay(loadRoutingProfile(flags.against)) : undefined;
    const changed = current !== undefined ? changedDecisions(current.decisions, candidate.decisions) : undefined;
    if (flags.json === true) {
      printJson({ profile: candidate.figures, ...(current !== undefined ? { against: current.figures, changed } : {}) });
      return EXIT.ok;
    }
    printFigures(candidate.figures);
    if (current !== undefined && changed !== undefined) {
      printLine();
      printFigures(current.figures);
      printLine();
      printLine(`${changed.length} of ${orders.length} orders would be routed differently`);
      for (const item of changed.slice(0, 20)) printLine(`  ${item.order_key}: ${item.before}  →  ${item.after}`);
      if (changed.length > 20) printLine(`  … and ${changed.length - 20} more (--json lists all)`);
    }
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}

function printFigures(figures: PlanFigures): void {
  printLine(`profile ${figures.profile} (version ${figures.version}): ${figures.orders} orders, ${figures.allocated} allocated in ${figures.parts} parts, ${figures.held} held`);
  printLine(`  split rate ${(figures.split_rate * 100).toFixed(1)}%, average distance ${figures.average_distance_km ?? '–'} km, shipping cost ${figures.shipping_cost ?? '– (not rated)'}`);
  printLine(`  parts per location: ${Object.entries(figures.parts_per_location).map(([id, count]) => `${id} ${count}`).join(', ') || 'none'}`);
  for (const [code, count] of Object.entries(figures.held_by_code)) printLine(`  held ${count}: ${code}`);
}

async function readRecords(file: string): Promise<JsonObject[]> {
  const format = formatFromFileName(file);
  if (format === undefined) throw new KeelError('config', `cannot tell the format of ${file}; use .json, .ndjson or .csv`, { code: 'format_unknown', stage: 'route' });
  const decoder = codecFor(format).createDecoder({});
  const records: JsonObject[] = [];
  for await (const chunk of decoder.decode(createReadStream(file), basename(file))) {
    const reject = chunk.rejects[0];
    if (reject !== undefined) throw new KeelError('config', `${reject.origin}: ${reject.reason}`, { code: 'bad_input', stage: 'route' });
    for (const record of chunk.records) records.push(record.data);
  }
  return records;
}

async function readStock(file: string): Promise<Map<string, Map<string, number>>> {
  const stock = new Map<string, Map<string, number>>();
  for (const [index, row] of (await readRecords(file)).entries()) {
    const sku = row['sku'];
    const location = row['location_id'];
    const available = Number(row['available'] ?? row['on_hand']);
    if (typeof sku !== 'string' || typeof location !== 'string' || !Number.isInteger(available)) {
      throw new KeelError('config', `${file} row ${index + 1}: needs sku, location_id and a whole available (or on_hand)`, { code: 'bad_stock', stage: 'route' });
    }
    const levels = stock.get(sku) ?? new Map<string, number>();
    levels.set(location, available);
    stock.set(sku, levels);
  }
  return stock;
}
