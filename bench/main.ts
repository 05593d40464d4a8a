/**
 * `npm run bench [-- <scenario>...] [--rows N] [--repeat N] [--cpu-prof]`
 * Runs the named scenarios (default: all). Each ends with one JSON line on stdout; progress goes
 * to stderr. Exit 1 when a scenario fails, including a failed correctness check.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_DIR } from './paths.js';
import { BenchFailure, say, type Scenario } from './scenario.js';
import { mappingScenario } from './mapping.js';
import { httpOrdersScenario } from './http-orders.js';
import { inventoryScenario } from './inventory.js';
import { routingScenario } from './routing.js';
import { sftpFilesScenario } from './sftp-files.js';
import { shopifySyncScenario } from './shopify-sync.js';
import { amazonSyncScenario } from './amazon-sync.js';
import { stockCsvScenario } from './stock-csv.js';
import { serveScenario } from './serve.js';

const SCENARIOS: readonly Scenario[] = [stockCsvScenario, mappingScenario, httpOrdersScenario, sftpFilesScenario, inventoryScenario, routingScenario, shopifySyncScenario, amazonSyncScenario, serveScenario];
const DEFAULT_ROWS = 1_000_000;

const USAGE = `usage: npm run bench -- [scenario...] [--rows N] [--repeat N] [--cpu-prof]
  --rows N      rows of generated input (default ${DEFAULT_ROWS}; 5_000_000 and 5e6 work too)
  --repeat N    measure N times, keep the fastest baseline and runner (default 1)
  --cpu-prof    write a V8 CPU profile of the runner child to bench/.data/profiles/
scenarios:
${SCENARIOS.map((scenario) => `  ${scenario.name.padEnd(12)} ${scenario.description}`).join('\n')}`;

interface Command {
  scenarios: Scenario[];
  rows: number;
  rowsGiven: boolean;
  repeat: number;
  cpuProf: boolean;
}

/** Returns the command, or a message for a usage error ('' for --help). */
function parseCommand(argv: string[]): Command | string {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { rows: { type: 'string' }, repeat: { type: 'string' }, 'cpu-prof': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help === true) return '';
    const rows = positiveInteger(values.rows, DEFAULT_ROWS);
    if (rows === undefined) return `--rows must be a positive integer, got ${values.rows}`;
    const repeat = positiveInteger(values.repeat, 1);
    if (repeat === undefined) return `--repeat must be a positive integer, got ${values.repeat}`;
    const scenarios: Scenario[] = [];
    for (const name of positionals) {
      const scenario = SCENARIOS.find((candidate) => candidate.name === name);
      if (scenario === undefined) return `unknown scenario "${name}"`;
      scenarios.push(scenario);
    }
    return {
      scenarios: scenarios.length > 0 ? scenarios : [...SCENARIOS],
      rows,
      rowsGiven: values.rows !== undefined,
      repeat,
      cpuProf: values['cpu-prof'] === true,
    };
  } catch (error) {
    // parseArgs throws on unknown or malformed options.
    return error instanceof Error ? error.message : String(error);
  }
}

/** `5000000`, `5_000_000` and `5e6` all mean five million. */
function positiveInteger(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text.replaceAll('_', ''));
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  if (typeof command === 'string') {
    say(command === '' ? USAGE : `bench: ${command}\n${USAGE}`);
    return command === '' ? 0 : 2;
  }
  mkdirSync(DATA_DIR, { recursive: true });
  const cpuProfDir = command.cpuProf ? join(DATA_DIR, 'profiles') : undefined;
  for (const scenario of command.scenarios) {
    try {
      const result = await scenario.run({ rows: command.rows, rowsGiven: command.rowsGiven, repeat: command.repeat, cpuProfDir });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } catch (error) {
      const kind = error instanceof BenchFailure ? 'FAILED correctness check' : 'failed';
      say(`bench: ${scenario.name} ${kind}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  return 0;
}

process.exitCode = await main();
