import type { Command } from 'commander';
import { runTests } from '../../core/testing/run-tests.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printLine, reportError } from '../output.js';

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run the *.test.yaml files beside mappings and pipelines (fixtures in, expected records out)')
    .argument('[path]', 'folder to search, or one test file', '.')
    .option('--json', 'JSON output')
    .action(async (path: string, flags: { json?: boolean }) => {
      try {
        const results = await runTests(path);
        const failed = results.filter((result) => !result.passed);
        if (flags.json === true) {
          printJson({ passed: results.length - failed.length, failed: failed.length, results });
        } else {
          for (const result of results) {
            printLine(`${result.passed ? '✓' : '✗'} ${result.name}  (${result.file}:${result.line})`);
            if (result.detail !== undefined) printLine(result.detail.replace(/^/gm, '    '));
          }
          printLine(`${results.length - failed.length} passed, ${failed.length} failed`);
        }
        process.exitCode = failed.length > 0 || results.length === 0 ? EXIT.deadLetters : EXIT.ok;
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
