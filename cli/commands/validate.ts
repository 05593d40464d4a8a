import type { Command } from 'commander';
import { loadProject } from '../../core/config/load-project.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printLine, reportError } from '../output.js';
import { ConfigError } from '../../core/errors.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a project or pipeline file offline: YAML, schemas, connectors, streams, steps, secrets policy')
    .argument('[path]', 'project directory or pipeline file', '.')
    .option('--json', 'print problems as JSON')
    .action(async (path: string, flags: { json?: boolean }) => {
      try {
        const { plan } = await loadProject(path, { checkEnvironment: true });
        if (flags.json === true) printJson({ valid: true, pipelines: plan.pipelines.map((pipeline) => pipeline.name) });
        else printLine(`ok: ${plan.pipelines.length} pipeline(s) valid: ${plan.pipelines.map((pipeline) => pipeline.name).join(', ')}`);
        process.exitCode = EXIT.ok;
      } catch (error) {
        if (flags.json === true && error instanceof ConfigError) {
          printJson({ valid: false, problems: error.problems });
          process.exitCode = EXIT.invalid;
          return;
        }
        process.exitCode = reportError(error);
      }
    });
}
