import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { GlobalOptions } from './context.js';
import { registerConnectorCommands } from './commands/connector-new.js';
import { registerConnectors } from './commands/connectors.js';
import { registerInit } from './commands/init.js';
import { registerMap } from './commands/map.js';
import { registerOrder } from './commands/order.js';
import { registerRun } from './commands/run.js';
import { registerSchedule } from './commands/schedule.js';
import { registerSchema } from './commands/schema.js';
import { registerServe } from './commands/serve.js';
import { registerToken } from './commands/token.js';
import { registerStateAdmin } from './commands/state-admin.js';
import { registerStateCommands } from './commands/state-commands.js';
import { registerRoute } from './commands/route.js';
import { registerStock } from './commands/stock.js';
import { registerTest } from './commands/test.js';
import { registerValidate } from './commands/validate.js';
import { registerWebhooks } from './commands/webhooks.js';
import { EXIT } from './exit-codes.js';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The `keel` command. Thin: parses arguments, calls core, prints. */
export async function main(argv: readonly string[]): Promise<void> {
  // `keel runs | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const program = new Command();
  program
    .name('keel')
    .description('Keel: declarative pipelines for orders, stock and product data between shops, marketplaces, ERPs, 3PLs and stores')
    .version(manifest.version)
    .option('--log-level <level>', 'debug | info | warn | error (default warn; env KEEL_LOG_LEVEL)')
    .option('--log-format <format>', 'text | json (default: text on a terminal, json otherwise)')
    .showHelpAfterError()
    .exitOverride((error) => {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
      throw error;
    });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerInit(program);
  registerValidate(program);
  registerRun(program, globals);
  registerSchedule(program, globals);
  registerStateCommands(program, globals);
  registerStateAdmin(program, globals);
  registerConnectors(program);
  registerConnectorCommands(program);
  registerSchema(program);
  registerMap(program);
  registerTest(program);
  registerStock(program, globals);
  registerRoute(program, globals);
  registerOrder(program, globals);
  registerWebhooks(program, globals);
  registerServe(program, globals);
  registerToken(program);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // commander already printed usage errors; its exit code is set above.
    if (!(error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('commander.'))) throw error;
  }
}
