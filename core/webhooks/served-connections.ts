import type { ConnectionPlan, ProjectPlan } from '../config/plan.js';
import { resolveReferences } from '../config/secrets.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { Redactor } from '../redact.js';
import type { WebhookConnection } from './intake.js';

export interface ServedConnections {
  /** Connections whose connector takes webhooks and whose config holds the secret, by name. */
  connections: Map<string, WebhookConnection>;
  /** Connections a pipeline reads `webhooks` from that cannot take them, and why. */
  unserved: { name: string; reason: string }[];
}

/**
 * The project's connections the listener takes deliveries for: those its pipelines use whose
 * connector declares webhooks and whose config gives the secret. Secrets are resolved here (and
 * so registered with the redactor); a reference that cannot be resolved fails like a run does.
 */
export function servedConnections(plan: ProjectPlan, options: { env: NodeJS.ProcessEnv; redactor: Redactor }): ServedConnections {
  const used = new Map<string, ConnectionPlan>();
  const readingWebhooks = new Set<string>();
  for (const pipeline of plan.pipelines) {
    for (const source of pipeline.sources) {
      used.set(source.connection.name, source.connection);
      if (source.stream === 'webhooks') readingWebhooks.add(source.connection.name);
    }
    for (const target of pipeline.targets) used.set(target.connection.name, target.connection);
  }
  const connections = new Map<string, WebhookConnection>();
  const unserved: ServedConnections['unserved'] = [];
  const problems: ConfigProblem[] = [];
  for (const [name, connection] of used) {
    const spec = connection.entry.definition.webhooks;
    if (spec === undefined) {
      if (readingWebhooks.has(name)) unserved.push({ name, reason: `connector ${connection.entry.name} takes no webhooks` });
      continue;
    }
    const resolved = resolveReferences(connection.config, { projectDir: plan.dir, env: options.env, redactor: options.redactor, source: connection.source, basePath: [...connection.path, 'config'] });
    problems.push(...resolved.problems);
    if (resolved.problems.length > 0) continue;
    const config = resolved.value as Record<string, unknown>;
    const secret = spec.secret(config);
    if (secret === undefined) {
      if (readingWebhooks.has(name)) unserved.push({ name, reason: 'its config sets no webhook_secret' });
      continue;
    }
    const maxAgeSeconds = spec.triggeredAt?.maxAgeSeconds(config);
    connections.set(name, { name, spec, secret, maxAgeMs: maxAgeSeconds === undefined ? undefined : maxAgeSeconds * 1000 });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { connections, unserved };
}
