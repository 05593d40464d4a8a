import { ConfigError, KeelError } from '../core/errors.js';
import { EXIT } from './exit-codes.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Errors go to stderr; returns the exit code for them. */
export function reportError(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.problems.length === 1 ? 'invalid configuration' : `${error.problems.length} problems in the configuration`}:\n`);
    process.stderr.write(`${error.message}\n`);
    return EXIT.invalid;
  }
  if (error instanceof KeelError) {
    process.stderr.write(`keel: ${error.message}\n`);
    return error.kind === 'config' ? EXIT.invalid : EXIT.failed;
  }
  process.stderr.write(`keel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.failed;
}

/** Plain aligned columns for human output. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  ')).join('\n');
}

/** Progress only where a person watches: a terminal, not CI, not --json. */
export function wantsProgress(json: boolean): boolean {
  return !json && process.stderr.isTTY === true && process.env['CI'] === undefined;
}

/** `, outcomes: reserved 3, adjusted 1` in label order, or nothing when targets labelled no result. */
export function outcomesText(outcomes: Readonly<Record<string, number>>): string {
  const labels = Object.keys(outcomes).sort();
  return labels.length === 0 ? '' : `, outcomes: ${labels.map((label) => `${label} ${outcomes[label]}`).join(', ')}`;
}
