import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { openProject } from '../../core/project/open-project.js';
import { buildServer } from '../../core/serve/build-server.js';
import { createMetrics } from '../../core/ops/metrics.js';
import { startOperations, type Operations } from '../../core/ops/operations.js';
import type { Scheduler } from '../../core/schedule/scheduler.js';
import type { ServeSettings } from '../../core/serve/serve-config.js';
import { cliLogging, projectDirFor, type GlobalOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printLine, reportError } from '../output.js';
import { scheduleEventPrinter } from '../schedule-events.js';

interface ServeFlags {
  project: string;
  host?: string;
  port?: number;
  schedule: boolean;
}

const port = (text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new InvalidArgumentError('a port number, 0 to 65535 (0: any free one)');
  return value;
};

export function registerServe(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('the HTTP API (ops endpoints, stock, orders, store answers, returns) and webhook intake, until SIGTERM/SIGINT; see /openapi.json')
    .option('--project <dir>', 'project directory', '.')
    .option('--host <address>', 'address to bind (default keel.yaml serve.host, else 127.0.0.1)')
    .option('--port <n>', 'port to listen on (default keel.yaml serve.port, else 8080; 0: any free one)', port)
    .option('--no-schedule', 'do not run the pipelines on their schedules in this process')
    .action(async (flags: ServeFlags) => {
      process.exitCode = await serve(flags, globals());
    });
}

/** Runs until SIGINT/SIGTERM: then requests in flight are answered, runs it started stop after their batch, and the project closes. */
async function serve(flags: ServeFlags, globals: GlobalOptions): Promise<number> {
  let session;
  try {
    session = await openProject(projectDirFor(flags.project), { ...cliLogging(globals), checkEnvironment: true });
  } catch (error) {
    return reportError(error);
  }
  try {
    const settings: Partial<ServeSettings> = { ...(flags.host !== undefined ? { host: flags.host } : {}), ...(flags.port !== undefined ? { port: flags.port } : {}) };
    const metrics = createMetrics(session);
    // /ready says not ready until the scheduler runs (and after it stopped).
    const ready: { scheduler: Scheduler | undefined } = { scheduler: undefined };
    const scheduler = flags.schedule ? { running: () => ready.scheduler?.running() ?? false } : undefined;
    const app = await buildServer(session, { settings, scheduler, metrics: () => metrics.collect() });
    const { host, port: chosen } = { ...session.plan.serve, ...settings };
    const url = await app.listen({ host, port: chosen });
    printLine(`keel serve: listening on ${url} (API description: ${url}/openapi.json, ops page: ${url}/ops)`);
    const operations = await startOperations(session, { schedule: flags.schedule, onEvent: scheduleEventPrinter(false) });
    ready.scheduler = operations.scheduler;
    await untilSignalled(app, operations);
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  } finally {
    await session.close();
  }
}

function untilSignalled(app: { close(): Promise<void> }, operations: Operations): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`\nkeel serve: ${signal} again: cancelling the writes in flight; what they did is checked on the next run\n`);
        void operations.stop();
        return;
      }
      stopping = true;
      process.stderr.write(`\nkeel serve: ${signal}: answering the requests in flight; running pipelines finish their batch and save their state\n`);
      void Promise.allSettled([app.close(), operations.stop()]).finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
