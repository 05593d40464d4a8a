import type { Command } from 'commander';
import { KeelError } from '../../core/errors.js';
import { openProjectHistory } from '../../core/project/open-project.js';
import type { ErrorCount, FileTouch, RunDetail } from '../../core/state/run-details.js';
import type { RunRecord } from '../../core/state/state-store.js';
import { projectDirFor } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { outcomesText, printJson, printLine, reportError, table } from '../output.js';

/** A run as `keel runs` and `keel runs show` give it in --json: its record, records filtered, and its errors. */
export type RunView = RunRecord & { filtered: number; errors: RunErrors };

/** A run's errors: its dead letters by stage and code, and the error that ended it, if one did. */
export interface RunErrors {
  deadLetters: ErrorCount[];
  fatal: string | null;
}

export function runView(run: RunRecord, deadLetters: readonly ErrorCount[]): RunView {
  return { ...run, filtered: run.skipped, errors: { deadLetters: [...deadLetters], fatal: run.error } };
}

/** The ERRORS column: the commonest dead-letter codes with counts, and the run's own error, shortened. */
export function errorsColumn(errors: RunErrors): string {
  const codes = new Map<string, number>();
  for (const { code, count } of errors.deadLetters) codes.set(code, (codes.get(code) ?? 0) + count);
  const ranked = [...codes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const parts = ranked.slice(0, 2).map(([code, count]) => `${code} ${count}`);
  if (ranked.length > 2) parts.push(`+${ranked.length - 2} more`);
  if (errors.fatal !== null) parts.unshift(`fatal: ${errors.fatal.length > 50 ? `${errors.fatal.slice(0, 47)}...` : errors.fatal}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

/** `keel runs show <id>`: one run with what each stage did, its errors and the files it read and wrote. */
export function registerRunsShow(runs: Command): void {
  runs
    .command('show')
    .description('one run: its counts per step, its errors (dead letters by code, the error that ended it) and the files it read and wrote')
    .argument('<id>', 'run id (keel runs lists them)')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'JSON output: { run, stages, files: { read, written } }; run.errors has the dead letters by code and the fatal error')
    .action(async (id: string, _flags: unknown, command: Command) => {
      // `keel runs` has --project and --json too, and takes them wherever they are written.
      const flags = command.optsWithGlobals<{ project: string; json?: boolean }>();
      try {
        const runId = Number(id);
        if (!Number.isSafeInteger(runId) || runId < 1) throw new KeelError('config', `run id must be a whole number (keel runs lists them), got "${id}"`, { code: 'bad_option', stage: 'cli' });
        const project = await openProjectHistory(projectDirFor(flags.project));
        let found: { run: RunRecord; detail: RunDetail } | undefined;
        try {
          const run = await project?.store.getRun(runId);
          if (run !== undefined && project !== undefined) found = { run, detail: await project.store.runDetails.ofRun(runId) };
        } finally {
          await project?.close();
        }
        if (found === undefined) {
          process.stderr.write(`keel: no run ${runId} in this project's state; keel runs lists the runs kept (old ones are pruned after retention.runs_days)\n`);
          process.exitCode = EXIT.invalid;
          return;
        }
        const { run, detail } = found;
        const view = runView(run, detail.errors);
        const files = { read: detail.files.filter((file) => file.direction === 'read'), written: detail.files.filter((file) => file.direction === 'written') };
        if (flags.json === true) return printJson({ run: view, stages: detail.stages, files });
        printRun(view, detail, files);
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}

function printRun(run: RunView, detail: RunDetail, files: { read: FileTouch[]; written: FileTouch[] }): void {
  printLine(`run ${run.id} of pipeline ${run.pipeline}: ${run.status}${run.kind === 'replay' ? ' (replay)' : ''}${run.dryRun ? ' (dry run)' : ''}`);
  printLine(`  started ${run.startedAt}, ${run.finishedAt === null ? 'not finished' : `finished ${run.finishedAt} (${((run.durationMs ?? 0) / 1000).toFixed(2)} s)`}`);
  printLine(
    `  read ${run.read}, written ${run.written}, filtered ${run.filtered}, duplicates ${run.duplicates}, dead-lettered ${run.deadLettered}, re-sent ${run.resent}${outcomesText(run.outcomes)}`,
  );
  printLine();
  if (detail.stages.length === 0) printLine('stages: none recorded (the run committed no batch, or ran before Keel recorded them)');
  else {
    printLine(
      table([
        ['STAGE', 'IN', 'OUT', 'FILTERED', 'DUPLICATES', 'DEAD'],
        ...detail.stages.map((stage) => [stage.stage, String(stage.in), String(stage.out), String(stage.filtered), String(stage.duplicates), String(stage.deadLettered)]),
      ]),
    );
  }
  printLine();
  if (run.errors.deadLetters.length === 0 && run.errors.fatal === null) printLine('errors: none');
  else {
    printLine('errors:');
    if (run.errors.fatal !== null) printLine(`  fatal: ${run.errors.fatal}`);
    for (const error of run.errors.deadLetters) printLine(`  ${error.count} dead letter${error.count === 1 ? '' : 's'} ${error.code} at ${error.stage}`);
  }
  for (const [direction, list] of [['read', files.read], ['written', files.written]] as const) {
    if (list.length === 0) continue;
    printLine();
    printLine(`files ${direction}:`);
    for (const file of list) printLine(`  ${file.name} (${file.stage}, ${file.records} record${file.records === 1 ? '' : 's'})`);
  }
}
