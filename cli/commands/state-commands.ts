import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { KeelError } from '../../core/errors.js';
import { correctDeadLetter, deadLetterPage, openLetters, replayDeadLetters, withoutPayload } from '../../core/ops/dead-letters.js';
import type { StateStore } from '../../core/state/state-store.js';
import { openProject, openProjectHistory } from '../../core/project/open-project.js';
import { cliLogging, projectDirFor, type GlobalOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { outcomesText, printJson, printLine, reportError, table } from '../output.js';
import { errorsColumn, registerRunsShow, runView } from './runs-show.js';

/** The project's state store, or undefined before its first run: reading history creates nothing. */
async function stateFor(project: string): Promise<StateStore | undefined> {
  return (await openProjectHistory(project))?.store;
}

export function registerStateCommands(program: Command, globals: () => GlobalOptions): void {
  const runs = program
    .command('runs')
    .description('run history, newest first (keel runs show <id> for one run in detail)')
    .option('--project <dir>', 'project directory', '.')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'JSON output')
    .action(async (flags: { project: string; pipeline?: string; limit: string; json?: boolean }) => {
      try {
        const store = await stateFor(projectDirFor(flags.project));
        const records = store === undefined ? [] : await store.listRuns({ pipeline: flags.pipeline, limit: positiveInteger(flags.limit, '--limit') });
        const errors = (await store?.runDetails.errorsOf(records.map((run) => run.id))) ?? new Map();
        await store?.close();
        const runs = records.map((run) => runView(run, errors.get(run.id) ?? []));
        if (flags.json === true) return printJson({ runs });
        if (runs.length === 0) return printLine('no runs yet');
        printLine(
          table([
            ['ID', 'PIPELINE', 'KIND', 'STATUS', 'STARTED', 'SECONDS', 'READ', 'WRITTEN', 'FILTERED', 'DUPLICATES', 'DEAD', 'RE-SENT', 'ERRORS'],
            ...runs.map((run) => [
              String(run.id),
              run.pipeline,
              run.dryRun ? `${run.kind} (dry)` : run.kind,
              run.status,
              run.startedAt,
              run.durationMs === null ? '-' : (run.durationMs / 1000).toFixed(2),
              String(run.read),
              String(run.written),
              String(run.filtered),
              String(run.duplicates),
              String(run.deadLettered),
              String(run.resent),
              errorsColumn(run.errors),
            ]),
          ]),
        );
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
  registerRunsShow(runs);

  const dlq = program.command('dlq').description('the dead-letter queue: records that failed, with the reason and the original payload');
  dlq
    .command('list')
    .option('--project <dir>', 'project directory', '.')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--all', 'include replayed and discarded ones')
    .option('--limit <n>', 'at most this many, in id order (then --after the last id for the next page)', '1000')
    .option('--after <id>', 'only dead letters after this id: the next page')
    .option('--json', 'JSON output: { deadLetters, next } where next is the --after value of the next page, or null')
    .action(async (flags: { project: string; pipeline?: string; all?: boolean; json?: boolean; limit: string; after?: string }) => {
      try {
        const limit = positiveInteger(flags.limit, '--limit');
        const afterId = flags.after === undefined ? undefined : positiveInteger(flags.after, '--after', 0);
        const store = await stateFor(projectDirFor(flags.project));
        const { letters, next } =
          store === undefined ? { letters: [], next: null } : await deadLetterPage(store, { pipeline: flags.pipeline, status: flags.all === true ? undefined : 'open', limit, afterId });
        await store?.close();
        if (flags.json === true) return printJson({ deadLetters: letters.map(withoutPayload), next });
        if (letters.length === 0) return printLine('no dead letters');
        printLine(
          table([
            ['ID', 'PIPELINE', 'STAGE', 'ORIGIN', 'CODE', 'STATUS', 'REASON'],
            ...letters.map((letter) => [
              String(letter.id),
              letter.pipeline,
              letter.stage,
              letter.origin ?? '-',
              letter.code,
              letter.status,
              letter.reason.length > 100 ? `${letter.reason.slice(0, 97)}...` : letter.reason,
            ]),
          ]),
        );
        if (next !== null) printLine(`more: keel dlq list --after ${next}${flags.project !== '.' ? ` --project ${flags.project}` : ''}`);
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
  dlq
    .command('show')
    .argument('<id>', 'dead letter id')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'JSON output')
    .action(async (id: string, flags: { project: string; json?: boolean }) => {
      try {
        const store = await stateFor(projectDirFor(flags.project));
        const letter = await store?.getDeadLetter(Number(id));
        await store?.close();
        if (letter === undefined) {
          process.stderr.write(`keel: no dead letter ${id}\n`);
          process.exitCode = EXIT.invalid;
          return;
        }
        if (flags.json === true) return printJson(letter);
        printLine(`dead letter ${letter.id} (${letter.status}) of pipeline ${letter.pipeline}, run ${letter.runId}`);
        printLine(`  source: ${letter.source}   stage: ${letter.stage}   origin: ${letter.origin ?? '-'}`);
        printLine(`  code:   ${letter.code}`);
        printLine(`  reason: ${letter.reason}`);
        printLine(`  payload:`);
        printLine(prettyPayload(letter.payload));
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
  dlq
    .command('edit')
    .description('correct an open dead letter before replaying it: its payload is replaced, the one that failed is kept (dlq show --json: originalPayload)')
    .argument('<id>', 'dead letter id')
    .requiredOption('--payload-file <file>', 'the corrected payload (a JSON object for a JSON record); - reads stdin')
    .option('--project <dir>', 'project directory', '.')
    .action(async (id: string, flags: { project: string; payloadFile: string }) => {
      try {
        const payload = readFileSync(flags.payloadFile === '-' ? 0 : flags.payloadFile, 'utf8').trim();
        const store = await stateFor(projectDirFor(flags.project));
        const correction = store === undefined ? { refused: 'dead_letter_unknown', message: `no dead letter ${id}` } : await correctDeadLetter(store, positiveInteger(id, '<id>'), payload);
        await store?.close();
        if (!('corrected' in correction)) {
          process.stderr.write(`keel: ${correction.message}\n`);
          process.exitCode = EXIT.invalid;
          return;
        }
        printLine(`dead letter ${id} corrected; replay it with: keel dlq replay ${id}${flags.project === '.' ? '' : ` --project ${flags.project}`}`);
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
  dlq
    .command('discard')
    .description('mark dead letters as handled without replaying them (they stay listed with --all)')
    .argument('[id]', 'dead letter id')
    .option('--all', 'every open dead letter (of --pipeline, if given)')
    .option('--project <dir>', 'project directory', '.')
    .option('--pipeline <name>', 'only this pipeline')
    .action(async (id: string | undefined, flags: { all?: boolean; project: string; pipeline?: string }) => {
      try {
        if (id === undefined && flags.all !== true) {
          process.stderr.write('keel: give a dead letter id, or --all\n');
          process.exitCode = EXIT.invalid;
          return;
        }
        const store = await stateFor(projectDirFor(flags.project));
        const letters = store === undefined ? [] : await openLetters(store, letterId(id), flags.pipeline);
        await store?.setDeadLetterStatus(letters.map((letter) => letter.id), 'discarded');
        await store?.close();
        if (id !== undefined && letters.length === 0) {
          process.stderr.write(`keel: no open dead letter ${id}\n`);
          process.exitCode = EXIT.invalid;
          return;
        }
        printLine(`discarded ${letters.length} dead letter(s)`);
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
  dlq
    .command('replay')
    .description('send dead letters through the pipeline again (after fixing the cause); targets deduplicate')
    .argument('[id]', 'dead letter id')
    .option('--all', 'every open dead letter (of --pipeline, if given)')
    .option('--project <dir>', 'project directory', '.')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--json', 'JSON output')
    .action(async (id: string | undefined, flags: { all?: boolean; project: string; pipeline?: string; json?: boolean }) => {
      process.exitCode = await replay(id, flags, globals());
    });
}

async function replay(
  id: string | undefined,
  flags: { all?: boolean; project: string; pipeline?: string; json?: boolean },
  globals: GlobalOptions,
): Promise<number> {
  if (id === undefined && flags.all !== true) {
    process.stderr.write('keel: give a dead letter id, or --all\n');
    return EXIT.invalid;
  }
  let project;
  try {
    project = await openProject(projectDirFor(flags.project), { ...cliLogging(globals), checkEnvironment: true });
  } catch (error) {
    return reportError(error);
  }
  const { plan, store } = project;
  try {
    const letters = await openLetters(store, letterId(id), flags.pipeline);
    if (id !== undefined && letters.length === 0) {
      process.stderr.write(`keel: no open dead letter ${id}\n`);
      return EXIT.invalid;
    }
    const results = await replayDeadLetters(plan.pipelines, letters, project.runOptions());
    if (flags.json === true) printJson({ replays: results });
    else {
      for (const result of results) {
        printLine(
          `${result.pipeline}: replayed ${result.replayed?.length ?? 0} dead letter(s); written ${result.written}, ` +
            `duplicates skipped ${result.duplicates}, failed again ${result.deadLettered}${outcomesText(result.outcomes)}`,
        );
      }
      if (results.length === 0) printLine('nothing to replay');
    }
    if (results.some((result) => result.status === 'failed')) return EXIT.failed;
    return results.some((result) => result.deadLettered > 0) ? EXIT.deadLetters : EXIT.ok;
  } catch (error) {
    return reportError(error);
  } finally {
    await project.close();
  }
}

/** A dead letter id as given on the command line (a word that is no number matches none). */
function letterId(id: string | undefined): number | undefined {
  return id === undefined ? undefined : Number(id);
}

/** A numeric option, or a config error naming it. */
export function positiveInteger(text: string, option: string, minimum = 1): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < minimum) throw new KeelError('config', `${option} must be a whole number of at least ${minimum}, got "${text}"`, { code: 'bad_option', stage: 'cli' });
  return value;
}

function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}
