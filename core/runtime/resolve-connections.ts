import type { ConnectionPlan, PipelinePlan } from '../config/plan.js';
import { resolveReferences } from '../config/secrets.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { Redactor } from '../redact.js';

/**
 * Resolves `${env:…}`/`${file:…}` in every connection the pipeline uses, once per run, by
 * connection name; a missing reference in any of them fails the run before anything is read.
 */
export function resolveConnections(
  plan: PipelinePlan,
  options: { projectDir: string; env?: NodeJS.ProcessEnv | undefined; redactor: Redactor },
): Map<string, unknown> {
  const used = new Map<string, ConnectionPlan>();
  for (const source of plan.sources) used.set(source.connection.name, source.connection);
  for (const target of plan.targets) used.set(target.connection.name, target.connection);
  const resolved = new Map<string, unknown>();
  const problems: ConfigProblem[] = [];
  for (const [name, connection] of used) {
    const result = resolveReferences(connection.config, {
      projectDir: options.projectDir,
      env: options.env ?? process.env,
      redactor: options.redactor,
      source: connection.source,
      basePath: [...connection.path, 'config'],
    });
    problems.push(...result.problems);
    resolved.set(name, result.value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
