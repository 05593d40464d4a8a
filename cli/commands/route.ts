import type { Command } from 'commander';
import { KeelError } from '../../core/errors.js';
import { planDecision, type PlanFigures } from '../../core/routing/plan-report.js';
import { replayPlan } from '../../core/routing/plan-replay.js';
import type { GlobalOptions } from '../context.js';
import { projectDirFor } from '../context.js';
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
    .requiredOption('--stock <file>', "stock snapshot: CSV (or JSON/NDJSON) with sku, location_id and available, or on_hand (less the location's safety_stock)")
    .requiredOption('--profile <file>', 'the routing profile to try (YAML)')
    .option('--against <file>', 'the profile in use today, to compare with')
    .option('--project <dir>', 'project whose keel.yaml declares the locations (inventory:) and SKU facts (routing:); no pipelines needed', '.')
    .option('--at <timestamp>', 'routing time (ISO 8601; default now): daily capacity and pre-order horizons count from it')
    .option('--json', 'print JSON on stdout: the figures, every order\'s decision and every changed order')
    .action(async (flags: PlanFlags) => {
      process.exitCode = await plan(flags);
    });
  registerRouteOperations(route, globals);
}

async function plan(flags: PlanFlags): Promise<number> {
  try {
    const at = flags.at !== undefined ? new Date(flags.at) : undefined;
    if (at !== undefined && Number.isNaN(at.getTime())) throw new KeelError('config', `--at ${flags.at} is not an ISO 8601 timestamp`, { code: 'bad_time', stage: 'route' });
    const result = await replayPlan({
      project: projectDirFor(flags.project),
      orders: flags.orders,
      stock: flags.stock,
      profile: flags.profile,
      ...(flags.against !== undefined ? { against: flags.against } : {}),
      ...(at !== undefined ? { at } : {}),
    });
    const { candidate, current, changed } = result;
    if (flags.json === true) {
      printJson({
        profile: candidate.figures,
        decisions: candidate.decisions.map(planDecision),
        ...(current !== undefined ? { against: current.figures, against_decisions: current.decisions.map(planDecision), changed } : {}),
      });
      return EXIT.ok;
    }
    printFigures(candidate.figures);
    if (current !== undefined && changed !== undefined) {
      printLine();
      printFigures(current.figures);
      printLine();
      printLine(`${changed.length} of ${result.orders} orders would be routed differently`);
      for (const item of changed) printLine(`  ${item.order_key}: ${item.before}  →  ${item.after}`);
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
  if (figures.search_exhausted > 0) {
    printLine(`  the allocation search ran out of steps on ${figures.search_exhausted} order(s): decided by the best found, possibly not the best (raise max_search_steps)`);
  }
}
