import type { Command } from 'commander';
import { relative } from 'node:path';
import { runPipeline, type RunProgress, type RunSummary } from '../../core/runtime/run-pipeline.js';
import { cliLogging, type GlobalOptions } from '../context.js';
import { openProject } from '../../core/project/open-project.js';
import { EXIT } from '../exit-codes.js';
import { outcomesText, printJson, reportError, wantsProgress } from '../output.js';

interface RunFlags {
  dryRun?: boolean;
  json?: boolean;
  pipeline?: string[];
}

export function registerRun(program: Command, globals: () => GlobalOptions): void {
  program
    .command('run')
    .description('run a pipeline file, or every pipeline of a project directory')
    .argument('<path>', 'pipeline file or project directory')
    .option('--dry-run', 'read and transform, but write nothing and move no cursor')
    .option('--json', 'print the run summaries as JSON on stdout')
    .option('-p, --pipeline <name...>', 'only these pipelines of the project')
    .action(async (path: string, flags: RunFlags) => {
      process.exitCode = await run(path, flags, globals());
    });
}

async function run(path: string, flags: RunFlags, globals: GlobalOptions): Promise<number> {
  let session;
  try {
    session = await openProject(path, { ...cliLogging(globals), checkEnvironment: true });
  } catch (error) {
    return reportError(error);
  }
  const { plan } = session;
  const stop = new AbortController();
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) {
      process.stderr.write(`\nkeel: ${signal}: stopping: writes in flight finish, retries and waits end now, state is saved (${signal} again cancels the writes in flight)\n`);
      stop.abort();
    } else {
      process.stderr.write(`\nkeel: ${signal} again: cancelling the writes in flight; what they did is checked on the next run\n`);
      abort.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = wantsProgress(flags.json === true) ? progressPrinter() : undefined;
  const summaries: RunSummary[] = [];
  try {
    const selected = plan.pipelines.filter((pipeline) => flags.pipeline === undefined || flags.pipeline.includes(pipeline.name));
    if (selected.length === 0) {
      process.stderr.write(`keel: no pipeline named ${flags.pipeline?.join(', ')}; have: ${plan.pipelines.map((p) => p.name).join(', ')}\n`);
      return EXIT.invalid;
    }
    for (const pipeline of selected) {
      if (stop.signal.aborted) break;
      const summary = await runPipeline(pipeline, {
        ...session.runOptions(),
        dryRun: flags.dryRun === true,
        stop: stop.signal,
        abort: abort.signal,
        onProgress: progress?.update,
      });
      progress?.clear();
      summaries.push(summary);
      if (flags.json !== true) printSummary(summary, plan.dir);
    }
  } catch (error) {
    progress?.clear();
    return reportError(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
  if (flags.json === true) printJson({ runs: summaries });
  if (summaries.some((summary) => summary.status === 'failed')) return EXIT.failed;
  if (stop.signal.aborted) return EXIT.interrupted;
  if (summaries.some((summary) => summary.deadLettered > 0)) return EXIT.deadLetters;
  return EXIT.ok;
}

function printSummary(summary: RunSummary, projectDir: string): void {
  const seconds = (summary.durationMs / 1000).toFixed(2);
  const dry = summary.dryRun ? ' (dry run: nothing written)' : '';
  process.stdout.write(
    `${summary.pipeline}: ${summary.status}${dry} — read ${summary.read}, ${summary.dryRun ? 'would write' : 'written'} ${summary.written}, ` +
      `duplicates skipped ${summary.duplicates}, filtered ${summary.skipped}, dead-lettered ${summary.deadLettered}` +
      `${summary.resent > 0 ? `, re-sent after a crash ${summary.resent}` : ''}${outcomesText(summary.outcomes)}, ${seconds}s (run ${summary.runId})\n`,
  );
  if (summary.error !== undefined) process.stdout.write(`  error: ${summary.error}\n`);
  for (const letter of summary.wouldDeadLetter?.slice(0, 20) ?? []) {
    process.stdout.write(`  would dead-letter ${letter.origin ?? ''} [${letter.stage}]: ${letter.reason}\n`);
  }
  if (summary.deadLettered > 0 && !summary.dryRun) {
    // The project the state belongs to, however the run was named (a folder, one pipeline file).
    const folder = relative(process.cwd(), projectDir);
    const project = folder === '' ? '' : ` --project ${folder}`;
    process.stdout.write(`  see them with: keel dlq list${project} --pipeline ${summary.pipeline}\n`);
  }
}

/** One status line on the terminal, redrawn at most every 200 ms. */
function progressPrinter(): { update: (progress: RunProgress) => void; clear: () => void } {
  let last = 0;
  let shown = false;
  return {
    update(progress) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const rate = progress.elapsedMs > 0 ? Math.round((progress.read * 1000) / progress.elapsedMs) : 0;
      process.stderr.write(`\r\x1b[K${progress.pipeline} ‹${progress.source}› read ${progress.read} · written ${progress.written} · dead ${progress.deadLettered} · ${rate}/s`);
      shown = true;
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
