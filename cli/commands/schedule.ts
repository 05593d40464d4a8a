import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { DateTime } from 'luxon';
import { loadProject } from '../../core/config/load-project.js';
import type { PipelinePlan } from '../../core/config/plan.js';
import { openProject, openProjectHistory } from '../../core/project/open-project.js';
import { CronSchedule } from '../../core/schedule/cron-schedule.js';
import { startOperations, type Operations } from '../../core/ops/operations.js';
import { checkPipelineNames } from '../../core/schedule/scheduler.js';
import type { FireRecord } from '../../core/state/schedule-fires.js';
import { cliLogging, projectDirFor, type GlobalOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printLine, reportError, table } from '../output.js';
import { scheduleEventPrinter } from '../schedule-events.js';

interface ScheduleFlags {
  list?: boolean;
  json?: boolean;
  count: number;
  pipeline?: string[];
}

const count = (text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100) throw new InvalidArgumentError('a whole number from 1 to 100');
  return value;
};

export function registerSchedule(program: Command, globals: () => GlobalOptions): void {
  program
    .command('schedule')
    .description('start each pipeline on its schedule: runs in the foreground until SIGTERM or Ctrl-C (systemd and containers keep it up)')
    .argument('[project]', 'project directory', '.')
    .option('--list', 'show the next fire times and the last fire of each pipeline, and exit')
    .option('--count <n>', 'with --list: how many next fire times', count, 3)
    .option('-p, --pipeline <name...>', 'only these pipelines')
    .option('--json', 'JSON output: with --list one document, otherwise one JSON line per event')
    .action(async (project: string, flags: ScheduleFlags) => {
      process.exitCode = flags.list === true ? await list(projectDirFor(project), flags) : await schedule(projectDirFor(project), flags, globals());
    });
}

/** One pipeline's line of `keel schedule --list`. */
interface ListedSchedule {
  pipeline: string;
  schedule: string | null;
  timezone: string | null;
  after: string[];
  next: string[];
  lastFire: { at: string; outcome: string; runId: number | null; holder: string } | null;
}

async function list(dir: string, flags: ScheduleFlags): Promise<number> {
  try {
    const { plan } = await loadProject(dir);
    checkPipelineNames(plan.pipelines, flags.pipeline);
    const history = await openProjectHistory(dir);
    const now = new Date();
    const listed: ListedSchedule[] = [];
    try {
      for (const pipeline of plan.pipelines.filter((p) => flags.pipeline === undefined || flags.pipeline.includes(p.name))) {
        const last = await history?.store.fires.last(pipeline.name);
        listed.push(listedSchedule(pipeline, last, now, flags.count));
      }
    } finally {
      await history?.close();
    }
    if (flags.json === true) {
      printJson({ schedules: listed });
      return EXIT.ok;
    }
    printLine(
      table([
        ['PIPELINE', 'SCHEDULE', 'NEXT', 'LAST FIRE'],
        ...listed.map((item) => [
          item.pipeline,
          item.schedule !== null ? `${item.schedule} (${item.timezone})` : item.after.length > 0 ? `after ${item.after.join(', ')}` : 'not scheduled',
          item.next.join(', ') || '-',
          item.lastFire === null ? '-' : `${item.lastFire.at} ${item.lastFire.outcome}${item.lastFire.runId === null ? '' : ` (run ${item.lastFire.runId})`}`,
        ]),
      ]),
    );
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}

function listedSchedule(pipeline: PipelinePlan, last: FireRecord | undefined, now: Date, howMany: number): ListedSchedule {
  const spec = pipeline.schedule;
  const local = (fire: Date): string => DateTime.fromJSDate(fire, { zone: spec?.timezone ?? 'UTC' }).toISO({ suppressMilliseconds: true }) ?? fire.toISOString();
  return {
    pipeline: pipeline.name,
    schedule: spec?.cron ?? null,
    timezone: spec?.timezone ?? null,
    after: pipeline.after,
    next: spec === undefined ? [] : new CronSchedule(spec.cron, spec.timezone).nextFires(now, howMany).map(local),
    lastFire: last === undefined ? null : { at: last.fireAt, outcome: last.outcome, runId: last.runId ?? null, holder: last.holder },
  };
}

/** Runs until SIGINT/SIGTERM: then running batches finish, leases are released and it exits 0. */
async function schedule(dir: string, flags: ScheduleFlags, globals: GlobalOptions): Promise<number> {
  let session;
  try {
    session = await openProject(dir, { ...cliLogging(globals), checkEnvironment: true });
  } catch (error) {
    return reportError(error);
  }
  let operations: Operations | undefined;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const again = signalled;
    signalled = true;
    process.stderr.write(
      again
        ? `\nkeel schedule: ${signal} again: cancelling the writes in flight; what they did is checked on the next run\n`
        : `\nkeel schedule: ${signal}: starting nothing new; running pipelines finish their batch and save their state (${signal} again cancels the writes in flight)\n`,
    );
    void operations?.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    checkPipelineNames(session.plan.pipelines, flags.pipeline);
    const selected = session.plan.pipelines.filter((pipeline) => flags.pipeline === undefined || flags.pipeline.includes(pipeline.name));
    if (!selected.some((pipeline) => pipeline.schedule !== undefined)) {
      process.stderr.write('keel schedule: no pipeline has a schedule: give one a schedule: (a cron expression, e.g. "*/5 * * * *") in its file\n');
      return EXIT.invalid;
    }
    operations = await startOperations(session, { schedule: true, pipelines: flags.pipeline, onEvent: scheduleEventPrinter(flags.json === true) });
    if (signalled) await operations.stop();
    await operations.scheduler?.stopped;
    await operations.stop();
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
}
