import type { Command } from 'commander';
import { printLine, reportError } from '../output.js';

export function registerConnectorCommands(program: Command): void {
  const connector = program.command('connector').description('write connector packages (see `keel connectors` for the ones a project has)');
  connector
    .command('new')
    .description('scaffold a keel-connector-<name> package: a connector with a read and a write stream, an API emulator, and the conformance tests')
    .argument('<name>', 'the connector name: lower-case letters, digits and dashes (acme)')
    .argument('[dir]', 'where to write it (default ./keel-connector-<name>); must not exist or be empty')
    .action(async (name: string, dir: string | undefined) => {
      try {
        // The templates are only needed here: loaded when asked for, not with every command.
        const { scaffoldConnectorPackage } = await import('../../core/scaffold/scaffold-connector.js');
        const made = scaffoldConnectorPackage(name, { dir, cwd: process.cwd() });
        printLine(`created ${made.name} in ${made.dir} (${made.files.length} files)`);
        printLine(`next: cd ${made.dir} && npm install && npm test`);
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
