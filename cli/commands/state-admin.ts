import type { Command } from 'commander';
import { loadProject } from '../../core/config/load-project.js';
import type { ProjectPlan } from '../../core/config/plan.js';
import type { JsonValue } from '../../core/json.js';
import { openProject, openProjectHistory, type OpenProject } from '../../core/project/open-project.js';
import { describePosition } from '../../core/runtime/describe-position.js';
import { backfillSource, resetSources, unknownPipeline } from '../../core/runtime/reposition-sources.js';
import { pruneState, type PrunedPart } from '../../core/state/prune-state.js';
import type { SourcePosition } from '../../core/state/source-positions.js';
import { cliLogging, projectDirFor, type GlobalOptions } from '../context.js';
import { printJson, printLine, reportError, table } from '../output.js';

/** One row of `keel state cursors`, in --json with the words of the text's columns. */
interface CursorRow {
  pipeline: string;
  source: string;
  /** The source's sync mode, or null for a position the project no longer has a source for. */
  sync: 'incremental' | 'full' | null;
  position: string;
  checkpoint: JsonValue | null;
  skip: number;
  /** When the position last moved (ISO 8601), or null when it has none: the next run reads from the start. */
  moved: string | null;
}

/** `keel state cursors|reset|backfill|prune`: what the state remembers between runs, for people to see and change. */
export function registerStateAdmin(program: Command, globals: () => GlobalOptions): void {
  const state = program.command('state').description("the project's state: source positions (cursors), and pruning old history");
  state
    .command('cursors')
    .description('where each source of each pipeline stands: the next run reads from there')
    .option('--project <dir>', 'project directory', '.')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--json', 'JSON output: { cursors: [{ pipeline, source, sync, position, checkpoint, skip, moved }] }')
    .action(async (flags: { project: string; pipeline?: string; json?: boolean }) => {
      try {
        const dir = projectDirFor(flags.project);
        const history = await openProjectHistory(dir);
        let plan: ProjectPlan;
        let positions: SourcePosition[] = [];
        try {
          plan = history?.plan ?? (await loadProject(dir)).plan;
          positions = (await history?.store.positions.list(flags.pipeline !== undefined ? { pipeline: flags.pipeline } : {})) ?? [];
        } finally {
          await history?.close();
        }
        if (flags.pipeline !== undefined && positions.length === 0 && !plan.pipelines.some((pipeline) => pipeline.name === flags.pipeline)) {
          throw unknownPipeline(plan, flags.pipeline);
        }
        const rows = cursorRows(plan, positions, flags.pipeline);
        if (flags.json === true) return printJson({ cursors: rows });
        if (rows.length === 0) return printLine('no sources');
        printLine(
          table([
            ['PIPELINE', 'SOURCE', 'SYNC', 'POSITION', 'SKIP', 'MOVED'],
            ...rows.map((row) => [row.pipeline, row.source, row.sync ?? '(not in the project)', row.position, String(row.skip), row.moved ?? '-']),
          ]),
        );
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
  state
    .command('reset')
    .description('forget where a pipeline\'s sources stand (all, or one with --stream): the next run reads them from the start; records delivered before are skipped as duplicates')
    .argument('<pipeline>', 'pipeline name')
    .option('--stream <source>', 'only this source of the pipeline (its name in the pipeline)')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'JSON output: { reset: [{ pipeline, source, was, wasCheckpoint }] }')
    .action(async (pipeline: string, flags: { stream?: string; project: string; json?: boolean }) => {
      await withProject(flags.project, globals(), async (project) => {
        const reset = await resetSources(project.store, project.plan, pipeline, flags.stream, project.logger);
        if (flags.json === true) return printJson({ reset });
        if (reset.length === 0) return printLine(`pipeline ${pipeline}${flags.stream !== undefined ? ` source ${flags.stream}` : ''} had no position; nothing to reset (the next run reads from the start)`);
        for (const done of reset) printLine(`reset pipeline ${done.pipeline} source ${done.source} (was: ${done.was}); the next run reads it from the start`);
      });
    });
  state
    .command('backfill')
    .description('put an incremental source at a position made from a value (an ISO time for streams read by updated-at): the next run reads from there')
    .argument('<pipeline>', 'pipeline name')
    .option('--stream <source>', 'the source of the pipeline (its name in the pipeline); needed when it has several')
    .requiredOption('--from <value>', 'where to read from, e.g. 2024-05-01T00:00:00Z')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'JSON output: { backfill: { pipeline, source, was, wasCheckpoint, now, checkpoint } }')
    .action(async (pipeline: string, flags: { stream?: string; from: string; project: string; json?: boolean }) => {
      await withProject(flags.project, globals(), async (project) => {
        const backfill = await backfillSource(project.store, project.plan, pipeline, flags.stream, flags.from, project.logger);
        if (flags.json === true) return printJson({ backfill });
        printLine(`pipeline ${backfill.pipeline} source ${backfill.source} now reads from: ${backfill.now} (was: ${backfill.was}); the next run reads from there, less the stream's look-back window`);
      });
    });
  state
    .command('prune')
    .description('forget runs, handled dead letters and delivered keys older than keel.yaml retention: (open dead letters and unsettled deliveries are kept)')
    .option('--project <dir>', 'project directory', '.')
    .option('--dry-run', 'count what would be pruned, forget nothing')
    .option('--json', 'JSON output: { dryRun, parts: [{ part, keptDays, olderThan, pruned }] }')
    .action(async (flags: { project: string; dryRun?: boolean; json?: boolean }) => {
      try {
        const project = await openProjectHistory(projectDirFor(flags.project), cliLogging(globals()));
        const plan = project?.plan ?? (await loadProject(projectDirFor(flags.project))).plan;
        let report;
        try {
          report = project === undefined ? undefined : await pruneState(project.store, plan.retention, new Date(), { dryRun: flags.dryRun === true });
        } finally {
          await project?.close();
        }
        const parts = report?.parts ?? [];
        if (flags.json === true) return printJson({ dryRun: flags.dryRun === true, parts });
        if (report === undefined) return printLine('no state yet; nothing to prune');
        for (const part of parts) printLine(pruneLine(part, report.dryRun));
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}

const PART_WORDS: Record<PrunedPart['part'], { what: string; setting: string; age: string }> = {
  runs: { what: 'runs', setting: 'retention.runs_days', age: 'started before' },
  deadLetters: { what: 'dead letters (replayed or discarded)', setting: 'retention.dead_letters_days', age: 'handled before' },
  ledger: { what: 'ledger entries (delivered keys)', setting: 'retention.ledger_days', age: 'delivered before' },
};

function pruneLine(part: PrunedPart, dryRun: boolean): string {
  const words = PART_WORDS[part.part];
  if (part.olderThan === null) return `${words.what}: kept for ever (${words.setting} is not set)`;
  return `${words.what}: ${dryRun ? 'would prune' : 'pruned'} ${part.pruned} ${words.age} ${part.olderThan} (${words.setting}: ${part.keptDays})`;
}

/** Every source of the project's pipelines with its position, then positions of sources the project no longer has. */
function cursorRows(plan: ProjectPlan, positions: readonly SourcePosition[], pipeline: string | undefined): CursorRow[] {
  const stored = new Map(positions.map((position) => [`${position.pipeline}\u0000${position.source}`, position]));
  const rows: CursorRow[] = [];
  for (const each of plan.pipelines) {
    if (pipeline !== undefined && each.name !== pipeline) continue;
    for (const source of each.sources) {
      const key = `${each.name}\u0000${source.name}`;
      const position = stored.get(key);
      stored.delete(key);
      rows.push(rowOf(each.name, source.name, source.sync, position));
    }
  }
  for (const position of stored.values()) rows.push(rowOf(position.pipeline, position.source, null, position));
  return rows;
}

function rowOf(pipeline: string, source: string, sync: CursorRow['sync'], position: SourcePosition | undefined): CursorRow {
  // A full sync stores where it got to, but every run starts again from the start.
  const said = position === undefined ? 'start' : describePosition(position.checkpoint, position.skip);
  return {
    pipeline,
    source,
    sync,
    position: sync === 'full' ? 'start (full sync)' : said,
    checkpoint: position?.checkpoint ?? null,
    skip: position?.skip ?? 0,
    moved: position?.updatedAt ?? null,
  };
}

/** Opens the project (its state created if need be; no engine) for a command that changes state, and reports errors. */
async function withProject(dir: string, globals: GlobalOptions, action: (project: OpenProject) => Promise<void>): Promise<void> {
  let project: OpenProject | undefined;
  try {
    project = await openProject(projectDirFor(dir), { ...cliLogging(globals), withoutEngines: true });
    await action(project);
  } catch (error) {
    process.exitCode = reportError(error);
  } finally {
    await project?.close();
  }
}
