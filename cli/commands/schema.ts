import type { Command } from 'commander';
import { publishedSchema } from '../../core/config/published-schema.js';
import { ConnectorRegistry } from '../../core/connectors/registry.js';
import { MappingDocumentSchema } from '../../core/mapping/mapping-schema.js';
import { MODEL_SCHEMAS } from '../../core/model/index.js';
import { RoutingProfileSchema } from '../../core/routing/profile-schema.js';
import { suggest } from '../../core/config/schema-check.js';
import { EXIT } from '../exit-codes.js';
import { printJson, reportError } from '../output.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print a JSON Schema: pipeline, project, mapping, routing-profile, a canonical entity (order, stock_level, ...) or connector NAME')
    .argument('<what>', 'pipeline | project | mapping | routing-profile | <entity> | connector')
    .argument('[name]', 'connector name')
    .option('--project <dir>', 'project directory (for connector packages)', '.')
    .action(async (what: string, name: string | undefined, flags: { project: string }) => {
      try {
        if (what === 'pipeline' || what === 'project') {
          printJson(await publishedSchema(what));
          return;
        }
        if (what === 'mapping') {
          printJson({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Keel mapping', ...MappingDocumentSchema });
          return;
        }
        if (what === 'routing-profile') {
          printJson({
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            $id: 'https://keel.dev/schemas/routing-profile.schema.json',
            title: 'Keel routing profile',
            ...RoutingProfileSchema,
          });
          return;
        }
        const entity = (MODEL_SCHEMAS as Record<string, object | undefined>)[what.replace(/-/g, '_')];
        if (entity !== undefined) {
          printJson({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...entity });
          return;
        }
        if (what === 'connector') {
          const registry = await ConnectorRegistry.discover(flags.project);
          const entry = name === undefined ? undefined : await registry.resolve(name, flags.project);
          if (entry === undefined) {
            const hint = name === undefined ? undefined : suggest(name, registry.names());
            process.stderr.write(`keel: no connector ${name ?? '(name missing)'}${hint !== undefined ? `; did you mean ${hint}?` : `; known: ${registry.names().join(', ')}`}\n`);
            process.exitCode = EXIT.invalid;
            return;
          }
          const streams: Record<string, unknown> = {};
          for (const [streamName, stream] of Object.entries(entry.definition.streams)) {
            streams[streamName] = {
              description: stream.description ?? null,
              status: stream.status ?? null,
              read_options: stream.read?.options ?? null,
              write_options: stream.write?.options ?? null,
              examples: stream.examples ?? [],
            };
          }
          printJson({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: `connector ${entry.name}`, config: entry.definition.configSchema, streams });
          return;
        }
        const known = ['pipeline', 'project', 'mapping', 'connector', ...Object.keys(MODEL_SCHEMAS)];
        const hint = suggest(what, known);
        process.stderr.write(`keel: unknown schema "${what}"${hint !== undefined ? `; did you mean ${hint}?` : ''}; use one of: ${known.join(', ')}\n`);
        process.exitCode = EXIT.invalid;
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}
