import type { Command } from 'commander';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { copyReadyMade, findReadyMade, listReadyMade, type ReadyMade } from '../../core/project/ready-made.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printLine, table } from '../output.js';

/** The smallest project that runs: one CSV in, NDJSON out, with a filter step. */
function scaffold(name: string): Record<string, string> {
  return {
    'keel.yaml': `# yaml-language-server: $schema=https://keel.dev/schemas/project.schema.json
name: ${name}
connections:
  inbox:
    connector: file
    config: { root: ./data/inbox }
  outbox:
    connector: file
    config: { root: ./data/outbox }
`,
    'pipelines/orders.yaml': `# yaml-language-server: $schema=https://keel.dev/schemas/pipeline.schema.json
name: orders
description: Paid orders from the inbox CSV files to NDJSON files in the outbox.
source:
  connection: inbox
  stream: files
  options: { path: "*.csv" }
steps:
  - filter:
      where:
        - { field: status, equals: paid }
targets:
  - connection: outbox
    stream: files
    options: { path: "orders-{seq}.ndjson" }
`,
    'data/inbox/orders.csv': 'id,status,total,currency\n1001,paid,19.90,EUR\n1002,pending,5.00,EUR\n1003,paid,42.00,EUR\n',
    '.gitignore': '.keel/\ndata/outbox/\n',
  };
}

const HELP_AFTER = `
Ready-made pipelines (the pipelines/ folder of Keel) are tested projects for common flows:
shop orders to an ERP as openTRANS, marketplace orders to a 3PL, stock to every channel,
shipments back to the channels. Each names its connections by role (shop, erp_inbox, ...);
keel.yaml binds them to your systems, secrets through \${env:NAME}.

  keel init --list                               the ready-made pipelines, one line each
  keel init --from shopify-orders-to-erp acme    a project in ./acme from one of them
  keel init acme                                 the smallest project: CSV in, NDJSON out

Then read acme/README.md, export the variables it names, and run
keel validate acme, keel test acme and keel run acme.`;

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a new project: the smallest runnable one, or one from a ready-made pipeline (--from)')
    .argument('[dir]', 'where to create it', '.')
    .option('--from <name>', 'start from a ready-made pipeline: its pipelines, keel.yaml template, tests and sample data')
    .option('--list', 'list the ready-made pipelines with what each does')
    .option('--json', 'with --list: JSON output')
    .addHelpText('after', HELP_AFTER)
    .action((dir: string, flags: { from?: string; list?: boolean; json?: boolean }) => {
      if (flags.list === true) return listAll(flags.json === true);
      const root = resolve(dir);
      if (existsSync(root) && readdirSync(root).length > 0 && existsSync(join(root, 'keel.yaml'))) {
        process.stderr.write(`keel: ${dir} already has a keel.yaml; nothing changed\n`);
        process.exitCode = EXIT.invalid;
        return;
      }
      const name = basename(root).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z]+/, '') || 'my-project';
      if (flags.from !== undefined) return initFrom(flags.from, root, dir, name);
      for (const [file, content] of Object.entries(scaffold(name))) {
        const path = join(root, file);
        mkdirSync(resolve(path, '..'), { recursive: true });
        if (!existsSync(path)) writeFileSync(path, content);
      }
      printLine(`created project ${name} in ${dir}`);
      printLine(`next: npx keel run ${dir}`);
    });
}

function listAll(json: boolean): void {
  const all = listReadyMade();
  if (json) {
    printJson({ pipelines: all.map(({ name, description, connections, environment }) => ({ name, description, connections, environment })) });
    return;
  }
  printLine(table([['NAME', 'DESCRIPTION'], ...all.map((readyMade) => [readyMade.name, readyMade.description])]));
  printLine();
  printLine('start a project from one: keel init --from <name> [dir]');
}

function initFrom(from: string, root: string, dir: string, name: string): void {
  const found = findReadyMade(from);
  if (found.found === undefined) {
    const hint = found.suggestion !== undefined ? `; did you mean "${found.suggestion}"?` : '';
    process.stderr.write(`keel: there is no ready-made pipeline "${from}"${hint}\n`);
    process.stderr.write(`ready-made pipelines:\n${found.available.map((readyMade) => `  ${readyMade.name}  ${readyMade.description}`).join('\n')}\n`);
    process.exitCode = EXIT.invalid;
    return;
  }
  const copied = copyReadyMade(found.found, root, name);
  printLine(`created project ${name} in ${dir} from the ready-made pipeline ${from}: ${copied.written.length} files`);
  if (copied.kept.length > 0) printLine(`kept what was there: ${copied.kept.join(', ')}`);
  printNextSteps(found.found, dir);
}

function printNextSteps(readyMade: ReadyMade, dir: string): void {
  printLine(`connections (roles) to bind in ${join(dir, 'keel.yaml')}: ${readyMade.connections.map((connection) => `${connection.role} (${connection.connector})`).join(', ')}`);
  if (readyMade.environment.length > 0) printLine(`export before a run: ${readyMade.environment.join(', ')}`);
  printLine(`next: read ${join(dir, 'README.md')}, then npx keel validate ${dir}, npx keel test ${dir}, npx keel run ${dir}`);
}
