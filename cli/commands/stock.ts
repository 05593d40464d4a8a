import type { Command } from 'commander';
import type { Availability } from '../../core/inventory/availability.js';
import { suggest } from '../../core/config/schema-check.js';
import { KeelError } from '../../core/errors.js';
import { cliLogging, projectDirFor, type GlobalOptions } from '../context.js';
import { openProject } from '../../core/project/open-project.js';
import inventory from '../../engines/inventory/index.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printLine, reportError } from '../output.js';

interface StockFlags {
  project: string;
  channel?: string[];
  json?: boolean;
  explain?: boolean;
}

export function registerStock(program: Command, globals: () => GlobalOptions): void {
  program
    .command('stock')
    .description("a SKU's availability per channel from the project's inventory (keel.yaml inventory:), or with --drift what reconciliation found")
    .argument('[sku]', 'the SKU (or kit)')
    .option('--project <dir>', 'project directory', '.')
    .option('-c, --channel <channel...>', 'only these channels')
    .option('--explain', 'show the arithmetic, location by location')
    .option('--drift', 'list the SKUs the channel(s) showed with another quantity than they should, at the last reconciliation')
    .option('--json', 'print JSON on stdout')
    .action(async (sku: string | undefined, flags: StockFlags & { drift?: boolean }) => {
      if (flags.drift === true) process.exitCode = await showDrift(flags, globals());
      else if (sku === undefined) {
        process.stderr.write('keel: name a SKU (keel stock NH-TEE-BLK-M), or ask for --drift\n');
        process.exitCode = EXIT.invalid;
      } else process.exitCode = await showStock(sku, flags, globals());
    });
}

async function showStock(sku: string, flags: StockFlags, globals: GlobalOptions): Promise<number> {
  try {
    const session = await openProject(projectDirFor(flags.project), cliLogging(globals));
    try {
      const engine = session.engines.require(inventory, 'keel stock');
      const channels = flags.channel ?? engine.channels;
      checkChannels(channels, engine.channels);
      const now = new Date();
      if (!(await engine.knows(sku, now))) {
        throw new KeelError('config', `unknown SKU "${sku}": no count, movement, reservation or incoming stock has been recorded for it, and it is no kit (SKUs are case-sensitive); run the stock pipelines first, or check the spelling`, {
          code: 'sku_unknown',
          stage: 'stock',
        });
      }
      const results: Availability[] = [];
      for (const channel of channels) results.push(await engine.availability(sku, channel, now));
      const stock = await engine.store.stock(sku, now.getTime());
      if (flags.json === true) {
        printJson({
          sku,
          on_hand: stock.levels,
          reserved: stock.reserved,
          backordered: Object.fromEntries(stock.backordered ?? []),
          preordered: stock.preordered ?? 0,
          incoming: stock.incoming,
          channels: results.map((result) => ({ ...result, explain: flags.explain === true ? result.explain : undefined })) });
        return EXIT.ok;
      }
      const onHand = stock.levels.map((level) => `${level.location_id} ${level.on_hand}${(level.held ?? 0) > 0 ? ` (${level.held} held)` : ''}`).join(', ') || 'none';
      const backordered = [...(stock.backordered ?? [])].filter(([, units]) => units > 0).map(([channel, units]) => `${units} on ${channel}`);
      const promised = [
        `reserved ${stock.reserved}`,
        ...(backordered.length > 0 ? [`backordered ${backordered.join(', ')}`] : []),
        ...((stock.preordered ?? 0) > 0 ? [`pre-ordered ${stock.preordered}`] : []),
      ];
      printLine(`${sku}: on hand ${onHand}; ${promised.join('; ')}`);
      for (const result of results) {
        const from = result.available_from !== undefined ? ` from ${result.available_from}` : '';
        printLine(`  ${result.channel.padEnd(16)} ${String(result.quantity).padStart(6)}  ${result.status}${from}`);
        if (flags.explain === true) for (const step of result.explain) printLine(`      ${step.step.padEnd(28)} ${step.detail.padEnd(48)} → ${step.quantity}`);
      }
      return EXIT.ok;
    } finally {
      await session.close();
    }
  } catch (error) {
    return reportError(error);
  }
}

/** Channels named on the command line must be channels of the inventory. */
function checkChannels(named: readonly string[], known: readonly string[]): void {
  for (const channel of named) {
    if (known.includes(channel)) continue;
    const hint = suggest(channel, known);
    throw new KeelError('config', `no channel "${channel}" under inventory.channels in keel.yaml${hint !== undefined ? `; did you mean "${hint}"?` : `; channels: ${known.join(', ')}`}`, {
      code: 'channel_unknown',
      stage: 'stock',
    });
  }
}

async function showDrift(flags: StockFlags, globals: GlobalOptions): Promise<number> {
  try {
    const session = await openProject(projectDirFor(flags.project), cliLogging(globals));
    try {
      const engine = session.engines.require(inventory, 'keel stock --drift');
      const report = [];
      checkChannels(flags.channel ?? [], engine.channels);
      for (const channel of flags.channel ?? engine.channels) {
        for (const item of await engine.store.drift(channel)) report.push({ channel, ...item, at: new Date(item.at).toISOString() });
      }
      if (flags.json === true) printJson({ drift: report });
      else if (report.length === 0) printLine('no drift recorded since the last publish');
      else for (const item of report) printLine(`${item.channel}  ${item.sku}: shows ${item.shown}, should show ${item.expected} (seen ${item.at})`);
      return EXIT.ok;
    } finally {
      await session.close();
    }
  } catch (error) {
    return reportError(error);
  }
}
