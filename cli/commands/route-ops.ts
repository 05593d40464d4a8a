/**
 * `keel route explain | claim | unclaim | shipped | retry | reliability`: what ops and store staff
 * do with routed orders, on the project's state file. The same operations are methods of
 * RoutingEngine for an API to call.
 */
import type { Command } from 'commander';
import { KeelError } from '../../core/errors.js';
import { renderReceipt } from '../../core/routing/explain-receipt.js';
import type { RouteOutcome, RoutingEngine } from '../../core/routing/routing-engine.js';
import type { RouteRequest } from '../../core/routing/routing-store.js';
import { cliLogging, projectDirFor, type GlobalOptions } from '../context.js';
import { openProject } from '../../core/project/open-project.js';
import routingEngine from '../../engines/routing/index.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printLine, reportError, table } from '../output.js';

interface ProjectFlags {
  project: string;
  json?: boolean;
}

interface LocationFlags extends ProjectFlags {
  location: string;
  reason?: string;
  reject?: boolean;
}

export function registerRouteOperations(route: Command, globals: () => GlobalOptions): void {
  route
    .command('explain')
    .description('why an order went where it went (or is held): every decision with candidates, fences, ratings and the chosen parts, then its requests')
    .argument('<order>', 'channel:id (shopify:1001) or the order id alone when it is unique')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'print JSON on stdout')
    .action(async (order: string, flags: ProjectFlags) => {
      process.exitCode = await withRouting(flags, globals(), async (routing) => {
        const explained = await routing.explain(order);
        if (flags.json === true) return printJson(explained);
        printLine(`order ${explained.order_key}`);
        for (const stored of explained.receipts) {
          printLine();
          printLine(`decision ${stored.seq} at ${new Date(stored.decided_at).toISOString()}: ${stored.cause}`);
          for (const line of renderReceipt(stored.receipt).split('\n')) printLine(`  ${line}`);
        }
        printLine();
        printLine('requests');
        printLine(table(requestRows(explained.requests)));
      });
    });
  route
    .command('claim')
    .description('a store takes the order it was offered; other stores offered the same part lose their offer')
    .argument('<order>', 'channel:id or the order id')
    .requiredOption('--location <id>', 'the store claiming it')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'print JSON on stdout')
    .action(async (order: string, flags: LocationFlags) => {
      process.exitCode = await withRouting(flags, globals(), async (routing) => {
        const claimed = await routing.claim(order, flags.location);
        if (flags.json === true) printJson(claimed);
        else printLine(`${flags.location} claimed ${claimed.order_key} (${claimed.request_id})`);
      });
    });
  route
    .command('unclaim')
    .description('a location gives an order back with a reason: its reliability drops and the part is routed again without it')
    .argument('<order>', 'channel:id or the order id')
    .requiredOption('--location <id>', 'the location giving it back')
    .requiredOption('--reason <text>', 'why, kept with the order and shown by explain')
    .option('--reject', 'record it as a rejection of the offer rather than an unclaim')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'print JSON on stdout')
    .action(async (order: string, flags: LocationFlags) => {
      process.exitCode = await withRouting(flags, globals(), async (routing) => {
        const outcome = await routing.unclaim(order, flags.location, flags.reason ?? '', new Date(), flags.reject === true ? 'rejected' : 'unclaimed');
        if (flags.json === true) return printJson(outcome);
        if (outcome.status === 'waiting') printLine(`${outcome.order_key}: still offered to ${outcome.open.join(', ')}; the first to claim gets it`);
        else printLine(`${outcome.order_key}: ${describe(outcome.outcome)}`);
      });
    });
  route
    .command('shipped')
    .description('a location shipped its part: the units held there leave the stock ledger')
    .argument('<order>', 'channel:id or the order id')
    .requiredOption('--location <id>', 'the location that shipped')
    .option('--project <dir>', 'project directory', '.')
    .action(async (order: string, flags: LocationFlags) => {
      process.exitCode = await withRouting(flags, globals(), async (routing) => {
        const taken = await routing.shipped(order, flags.location);
        printLine(`${flags.location} shipped ${order}: ${taken} reservation(s) taken out of stock`);
      });
    });
  route
    .command('retry')
    .description('give back store offers that timed out (routing them again) and route held orders again; run it on a schedule')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'print JSON on stdout')
    .action(async (flags: ProjectFlags) => {
      process.exitCode = await withRouting(flags, globals(), async (routing) => {
        const now = new Date();
        const offers = await routing.expireOffers(now);
        const held = await routing.retryHeld(now);
        if (flags.json === true) return printJson({ offers, held });
        printLine(`offers timed out: ${offers.timed_out} (routed again: ${offers.rerouted})`);
        printLine(`held orders retried: ${held.retried}, now allocated: ${held.allocated}`);
      });
    });
  route
    .command('reliability')
    .description("each location's reliability score now, and how often it gave orders back")
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'print JSON on stdout')
    .action(async (flags: ProjectFlags) => {
      process.exitCode = await withRouting(flags, globals(), async (routing) => {
        const scores = await routing.reliability();
        if (flags.json === true) return printJson(scores);
        printLine(
          table([
            ['location', 'score', 'base', 'unclaims', 'timeouts'],
            ...scores.map((entry) => [entry.location_id, entry.score.toFixed(3), entry.base.toFixed(2), String(entry.unclaims), String(entry.timeouts)]),
          ]),
        );
      });
    });
}

function describe(outcome: RouteOutcome): string {
  if (outcome.status === 'allocated') return `routed again to ${outcome.requests.map((request) => `${request.location_id} (${request.kind})`).join(', ')}`;
  if (outcome.status === 'held') return `held (${outcome.hold.state}): ${outcome.hold.code}, ${outcome.hold.reason}`;
  return outcome.status;
}

function requestRows(requests: readonly RouteRequest[]): string[][] {
  return [
    ['request', 'kind', 'location', 'status', 'lines', 'note'],
    ...requests.map((request) => [
      request.request_id,
      request.kind,
      request.location_id || '–',
      request.status,
      request.part?.lines.map((line) => `${line.sku}×${line.quantity}`).join(', ') ?? '',
      request.note ?? '',
    ]),
  ];
}

/** Opens the project's routing, runs `work`, and maps a wrong order or location to exit 2. */
async function withRouting(flags: ProjectFlags, globals: GlobalOptions, work: (routing: RoutingEngine) => Promise<void>): Promise<number> {
  try {
    const session = await openProject(projectDirFor(flags.project), cliLogging(globals));
    try {
      await work(session.engines.require(routingEngine, `keel route (${flags.project})`));
      return EXIT.ok;
    } finally {
      await session.close();
    }
  } catch (error) {
    if (error instanceof KeelError && error.kind === 'record') {
      process.stderr.write(`keel: ${error.message}\n`);
      return EXIT.invalid;
    }
    return reportError(error);
  }
}
