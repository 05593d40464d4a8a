/** `keel order show`: an order's lifecycle, event by event, and the state derived from it. */
import type { Command } from 'commander';
import { AmbiguousOrder } from '../../core/lifecycle/lifecycle-engine.js';
import { timelineView, type TimelineView } from '../../core/lifecycle/timeline-view.js';
import { openProject } from '../../core/project/open-project.js';
import lifecycle from '../../engines/lifecycle/index.js';
import { cliLogging, projectDirFor, type GlobalOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printLine, reportError, table } from '../output.js';

interface ShowFlags {
  project: string;
  json?: boolean;
}

export function registerOrder(program: Command, globals: () => GlobalOptions): void {
  const order = program.command('order').description("an order's lifecycle: its events from channels, locations and ops, and its state");
  order
    .command('show')
    .description('the timeline of an order (time, event, source, details, flags such as out_of_order) and the state derived from it')
    .argument('<order>', 'channel:id (shop:1001) or the order id alone when one channel has it')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'print JSON on stdout')
    .action(async (name: string, flags: ShowFlags) => {
      process.exitCode = await showOrder(name, flags, globals());
    });
}

async function showOrder(name: string, flags: ShowFlags, globals: GlobalOptions): Promise<number> {
  try {
    const session = await openProject(projectDirFor(flags.project), cliLogging(globals));
    try {
      const timeline = await session.engines.require(lifecycle, 'keel order show').timeline(name);
      if (timeline === undefined) {
        process.stderr.write(`keel: no events of order ${name} are recorded; name it as channel:external_id (shop:1001)\n`);
        return EXIT.invalid;
      }
      const view = timelineView(timeline);
      if (flags.json === true) printJson(view);
      else printTimeline(view);
      return EXIT.ok;
    } finally {
      await session.close();
    }
  } catch (error) {
    if (error instanceof AmbiguousOrder) {
      process.stderr.write(`keel: ${error.message}\n`);
      return EXIT.invalid;
    }
    return reportError(error);
  }
}

function printTimeline(view: TimelineView): void {
  const { state } = view;
  const cancelled = state.cancelled === 'partly' ? ' (partly cancelled)' : '';
  const flagged = state.out_of_order > 0 ? `, ${state.out_of_order} out_of_order` : '';
  printLine(`order ${view.order}: ${state.status}${cancelled}, ${state.events} events${flagged}`);
  printLine();
  printLine(
    trimmed([
      ['time', 'event', 'source', 'details', 'flags'],
      ...view.timeline.map((entry) => [entry.at, entry.event, entry.source, entry.details, [...entry.flags, ...(entry.note !== null ? [entry.note] : [])].join(': ')]),
    ]),
  );
  printLine();
  printLine(
    table([
      ['line', 'sku', 'ordered', 'cancelled', 'shipped', 'returned', 'refunded'],
      ...state.lines.map((line) => [line.line_id, line.sku ?? '?', ...[line.ordered, line.cancelled, line.shipped, line.returned, line.refunded].map(String)]),
    ]),
  );
  if (state.parts.length > 0) {
    printLine();
    printLine(
      table([
        ['part', 'location', 'status', 'tracking'],
        ...state.parts.map((part) => [part.part_id, part.location_id ?? '?', part.status, part.tracking.map((item) => [item.carrier, item.number].filter(Boolean).join(' ')).join(', ')]),
      ]),
    );
  }
}

/** Rows without flags end in the padding of the column before: cut it. */
function trimmed(rows: string[][]): string {
  return table(rows)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
