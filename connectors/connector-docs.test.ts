import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../core/connectors/registry.js';
import { optionRows } from '../core/docs/option-rows.js';
import { generateOptionTables, optionSchemas } from '../core/docs/options-table.js';
import { STREAM_STATUSES } from '../core/sdk/connector.js';

const builtIns = (await ConnectorRegistry.discover('.')).list().filter((entry) => entry.origin === 'built-in');
const readmeOf = (folder: string): URL => new URL(`./${folder}/README.md`, import.meta.url);

describe('the built-in connectors document themselves', () => {
  it('are found', () => {
    expect(builtIns.map((entry) => entry.name)).toEqual(['amazon-sp-api', 'file', 'http', 'inventory', 'routing', 'sftp', 'shopify', 'vendure', 'woocommerce']);
  });

  it('describe every option of their connection config and stream options, nested ones included', () => {
    const undescribed = builtIns.flatMap(({ definition }) =>
      [...optionSchemas(definition)].flatMap(([where, schema]) =>
        optionRows(schema)
          .filter((row) => row.description === undefined || row.description.trim() === '')
          .map((row) => `${definition.name} ${where}: ${row.path}`),
      ),
    );
    expect(undescribed).toEqual([]);
  });

  it.each(builtIns.map((entry) => [entry.name, entry] as const))('%s: the README holds the option tables its schemas give (run `npm run docs`)', (_, entry) => {
    const readme = readFileSync(readmeOf(entry.location), 'utf8');
    const generated = generateOptionTables(readme, entry.definition);
    expect(generated.problems).toEqual([]);
    expect(readme === generated.text, `connectors/${entry.location}/README.md: its option tables differ from the schemas; run \`npm run docs\``).toBe(true);
  });

  it('give every stream a status and at least one titled example', () => {
    const missing = builtIns.flatMap(({ definition }) =>
      Object.entries(definition.streams).flatMap(([name, stream]) => [
        ...(stream.status !== undefined && STREAM_STATUSES.includes(stream.status) ? [] : [`${definition.name}/${name}: no status`]),
        ...((stream.examples ?? []).length > 0 ? [] : [`${definition.name}/${name}: no example`]),
      ]),
    );
    expect(missing).toEqual([]);
  });
});
