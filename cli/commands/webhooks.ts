import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { KeelError } from '../../core/errors.js';
import { openProject } from '../../core/project/open-project.js';
import { startWebhookListener } from '../../core/webhooks/listener.js';
import { pruneInboxEvery } from '../../core/webhooks/prune-inbox.js';
import { servedConnections } from '../../core/webhooks/served-connections.js';
import { cliLogging, projectDirFor, type GlobalOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printLine, reportError } from '../output.js';

interface ListenFlags {
  port: number;
  host: string;
  maxBodyBytes: number;
  keepDays: number;
}

const integer = (min: number) => (text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(`a whole number, at least ${min}`);
  return value;
};

export function registerWebhooks(program: Command, globals: () => GlobalOptions): void {
  const webhooks = program.command('webhooks').description('webhook deliveries from shops, verified and kept in the state until pipelines read them');
  webhooks
    .command('listen')
    .description('take signed webhook deliveries at /webhooks/<connection> and store them (keel serve takes them too, on its own port)')
    .argument('[project]', 'project directory', '.')
    .option('--port <n>', 'port to listen on (0: any free one)', integer(0), 8790)
    .option('--host <address>', 'address to bind; put a TLS proxy in front for the shops', '127.0.0.1')
    .option('--max-body-bytes <n>', 'larger deliveries are refused with 413', integer(1024), 5 * 1024 * 1024)
    .option('--keep-days <n>', 'forget events received longer ago than this (replays are recognised while kept)', integer(1), 7)
    .action(async (project: string, flags: ListenFlags) => {
      process.exitCode = await listen(project, flags, globals());
    });
}

/** Runs until SIGINT/SIGTERM: then requests in flight are answered (their events stored) and it exits 0. */
async function listen(path: string, flags: ListenFlags, globals: GlobalOptions): Promise<number> {
  let session;
  try {
    session = await openProject(projectDirFor(path), { ...cliLogging(globals), checkEnvironment: true, withoutEngines: true });
  } catch (error) {
    return reportError(error);
  }
  try {
    const { connections, unserved } = servedConnections(session.plan, { env: process.env, redactor: session.redactor });
    for (const { name, reason } of unserved) process.stderr.write(`keel: a pipeline reads webhooks from ${name}, but it takes none: ${reason}\n`);
    if (connections.size === 0) {
      throw new KeelError('config', 'no connection takes webhooks: give a shopify or woocommerce connection that a pipeline uses a webhook_secret', { code: 'webhooks_none', stage: 'webhooks' });
    }
    const listener = await startWebhookListener({ host: flags.host, port: flags.port, connections, inbox: session.store.webhooks, logger: session.logger, maxBodyBytes: flags.maxBodyBytes });
    const stopPruning = pruneInboxEvery(session.store.webhooks, flags.keepDays, session.logger);
    printLine(`keel webhooks: listening on ${listener.url}`);
    for (const connection of connections.values()) printLine(`  ${connection.name}: POST ${listener.url}/webhooks/${encodeURIComponent(connection.name)}`);
    const code = await untilSignalled(listener);
    stopPruning();
    return code;
  } catch (error) {
    return reportError(error);
  } finally {
    await session.close();
  }
}

function untilSignalled(listener: { close(): Promise<void>; destroy(): void }): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`\nkeel webhooks: ${signal} again: dropping the requests in flight (their senders retry)\n`);
        listener.destroy();
        resolve(EXIT.interrupted);
        return;
      }
      stopping = true;
      process.stderr.write(`\nkeel webhooks: ${signal}: taking no more deliveries, answering those in flight\n`);
      void listener.close().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(EXIT.ok);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
