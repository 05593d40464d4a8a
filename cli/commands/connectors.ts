import type { Command } from 'commander';
import { ConnectorRegistry, type ConnectorEntry } from '../../core/connectors/registry.js';
import { printJson, printLine, reportError, table } from '../output.js';

export interface ConnectorListing {
  name: string;
  kind: string;
  origin: string;
  location: string;
  description: string | null;
  streams: {
    name: string;
    status: string | null;
    read: boolean;
    write: boolean;
    incremental: { cursor: string; monotonic: boolean } | null;
    idempotency: string | null;
    deletes: boolean;
    primaryKey: string[] | null;
  }[];
}

export function describeConnector(entry: ConnectorEntry): ConnectorListing {
  const { definition } = entry;
  return {
    name: entry.name,
    kind: definition.kind,
    origin: entry.origin,
    location: entry.location,
    description: definition.description ?? null,
    streams: Object.entries(definition.streams).map(([name, stream]) => ({
      name,
      status: stream.status ?? null,
      read: stream.read !== undefined,
      write: stream.write !== undefined,
      incremental: stream.read?.incremental ?? null,
      idempotency: typeof stream.write?.idempotency === 'function' ? 'depends on options' : (stream.write?.idempotency ?? null),
      deletes: stream.write?.deletes ?? false,
      primaryKey: stream.primaryKey ?? null,
    })),
  };
}

export function registerConnectors(program: Command): void {
  program
    .command('connectors')
    .description('connectors available to a project: built-in, keel-connector-* packages')
    .option('--project <dir>', 'project directory (where node_modules is searched)', '.')
    .option('--json', 'JSON output')
    .action(async (flags: { project: string; json?: boolean }) => {
      try {
        const registry = await ConnectorRegistry.discover(flags.project);
        const listing = registry.list().map(describeConnector);
        const steps = registry.steps().map((step) => ({ name: step.name, package: step.location, description: step.definition.description }));
        if (flags.json === true) return printJson({ connectors: listing, steps });
        const rows = [['CONNECTOR', 'KIND', 'FROM', 'STREAM', 'STATUS', 'READ', 'WRITE']];
        for (const connector of listing) {
          for (const stream of connector.streams) {
            rows.push([
              connector.name,
              connector.kind,
              connector.origin === 'built-in' ? 'built-in' : connector.location,
              stream.name,
              stream.status ?? '-',
              stream.read ? (stream.incremental !== null ? 'incremental' : 'full') : '-',
              stream.write ? writeGuarantee(stream.idempotency) : '-',
            ]);
          }
        }
        printLine(table(rows));
        if (steps.length > 0) {
          printLine();
          printLine('Steps published by packages (recorded; YAML pipelines cannot use them yet):');
          printLine(table([['STEP', 'FROM', 'DESCRIPTION'], ...steps.map((step) => [step.name, step.package, step.description])]));
        }
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}

/** How a write stream avoids duplicates, in the words of the table's WRITE column. */
function writeGuarantee(idempotency: string | null): string {
  switch (idempotency) {
    case 'record':
      return 'idempotent per record';
    case 'batch':
      return 'idempotent per batch';
    case 'none':
      return 'at least once';
    default:
      return `idempotency ${idempotency ?? 'unknown'}`;
  }
}
