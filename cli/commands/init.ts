import type { Command } from 'commander';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EXIT } from '../exit-codes.js';
import { printLine } from '../output.js';

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

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a new project with one runnable pipeline')
    .argument('[dir]', 'where to create it', '.')
    .action((dir: string) => {
      const root = resolve(dir);
      if (existsSync(root) && readdirSync(root).length > 0 && existsSync(join(root, 'keel.yaml'))) {
        process.stderr.write(`keel: ${dir} already has a keel.yaml; nothing changed\n`);
        process.exitCode = EXIT.invalid;
        return;
      }
      const name = basename(root).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z]+/, '') || 'my-project';
      for (const [file, content] of Object.entries(scaffold(name))) {
        const path = join(root, file);
        mkdirSync(resolve(path, '..'), { recursive: true });
        if (!existsSync(path)) writeFileSync(path, content);
      }
      printLine(`created project ${name} in ${dir}`);
      printLine(`next: npx keel run ${dir}`);
    });
}
