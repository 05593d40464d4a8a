import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { compileSchema } from '../core/config/schema-check.js';
import type { ConnectorDefinition } from '../core/sdk/connector.js';

interface StreamUse {
  connection: string;
  stream: string;
  options?: unknown;
}

/**
 * Checks the YAML blocks of a connector's README against the connector: every source or target
 * on one of its connections (declared in a block's `connections:`) names a stream that can be
 * read or written that way, with options its schema accepts. Returns what was checked, as
 * `pipeline: source|target stream`, so a test can also see that the examples are there.
 */
export function checkReadmePipelines(readme: URL, connector: ConnectorDefinition): string[] {
  const blocks = [...readFileSync(readme, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => parse(match[1] ?? '') as Record<string, unknown>);
  const ours = new Set<string>();
  for (const block of blocks) {
    for (const [name, connection] of Object.entries((block['connections'] ?? {}) as Record<string, { connector?: string }>)) {
      if (connection.connector === connector.name) ours.add(name);
    }
  }
  const checked: string[] = [];
  for (const block of blocks) {
    const pipeline = typeof block['name'] === 'string' ? block['name'] : '(unnamed)';
    const uses: [StreamUse, 'read' | 'write'][] = [];
    if (block['source'] !== undefined) uses.push([block['source'] as StreamUse, 'read']);
    for (const target of (block['targets'] ?? []) as StreamUse[]) uses.push([target, 'write']);
    for (const [use, direction] of uses) {
      if (!ours.has(use.connection)) continue;
      const capability = connector.streams[use.stream]?.[direction];
      if (capability === undefined) throw new Error(`${pipeline}: ${connector.name} has no stream "${use.stream}" to ${direction}`);
      if (capability.options !== undefined) {
        const validate = compileSchema(capability.options);
        if (!validate(use.options ?? {})) throw new Error(`${pipeline}: options of ${use.stream}: ${JSON.stringify(validate.errors)}`);
      } else if (use.options !== undefined) {
        throw new Error(`${pipeline}: ${use.stream} takes no options`);
      }
      checked.push(`${pipeline}: ${direction === 'read' ? 'source' : 'target'} ${use.stream}`);
    }
  }
  return checked;
}
