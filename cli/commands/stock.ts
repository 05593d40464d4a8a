import type { Command } from 'commander';
import { checkChannels, stockReport } from '../../core/inventory/stock-report.js';
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
      const report = await stockReport(engine, sku, { channels: flags.channel, explain: flags.explain === true });
      if (flags.json === true) {
        printJson(report);
        return EXIT.ok;
      }
      const onHand = report.on_hand.map((level) => `${level.location_id} ${level.on_hand}${(level.held ?? 0) > 0 ? ` (${level.held} held)` : ''}`).join(', ') || 'none';
      const backordered = Object.entries(report.backordered).filter(([, units]) => units > 0).map(([channel, units]) => `${units} on ${channel}`);
      const promised = [
        `reserved ${report.reserved}`,
        ...(backordered.length > 0 ? [`backordered ${backordered.join(', ')}`] : []),
        ...(report.preordered > 0 ? [`pre-ordered ${report.preordered}`] : []),
      ];
      printLine(`${sku}: on hand ${onHand}; ${promised.join('; ')}`);
      for (const result of report.channels) {
        const from = result.available_from !== undefined ? ` from ${result.available_from}` : '';
        printLine(`  ${result.channel.padEnd(16)} ${String(result.quantity).padStart(6)}  ${result.status}${from}`);
        for (const step of result.explain ?? []) printLine(`      ${step.step.padEnd(28)} ${step.detail.padEnd(48)} → ${step.quantity}`);
      }
      return EXIT.ok;
    } finally {
      await session.close();
    }
  } catch (error) {
    return reportError(error);
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
