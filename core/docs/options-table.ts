/**
 * The option tables of a connector's README, generated from its schemas between markers:
 *
 *   <!-- keel:options connection -->            the connection's config
 *   <!-- keel:options stream=orders read -->     a stream's read (or write) options
 *   …table…
 *   <!-- /keel:options -->
 *
 * `npm run docs` rewrites what lies between the markers; a test fails when a README differs from
 * what the schemas give, or lacks the table of a schema that has options.
 */
import type { ConnectorDefinition } from '../sdk/connector.js';
import { optionRows, type OptionRow } from './option-rows.js';

const OPEN = /<!-- keel:options ([^>]*?) -->\n/g;
const CLOSE = '<!-- /keel:options -->';

/** Renders rows as a Markdown table: option, type, default, required, description. */
export function renderOptionsTable(rows: readonly OptionRow[]): string {
  if (rows.length === 0) return 'No options.\n';
  const lines = ['| option | type | default | required | description |', '|---|---|---|---|---|'];
  for (const row of rows) {
    const fallback = row.default === undefined ? '' : `\`${JSON.stringify(row.default)}\``;
    lines.push(`| \`${row.path}\` | ${cell(row.type)} | ${cell(fallback)} | ${cell(row.required)} | ${cell(row.description ?? '')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** A table cell: one line, pipes escaped (GitHub honours `\|` inside code spans too), `<x>` shown rather than taken for HTML. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\s*\n\s*/g, ' ');
}

/** The option schemas of a connector by marker name: `connection`, `stream=files read`, ... */
export function optionSchemas(connector: ConnectorDefinition): Map<string, object> {
  const out = new Map<string, object>([['connection', connector.configSchema]]);
  for (const [name, stream] of Object.entries(connector.streams)) {
    if (stream.read?.options !== undefined) out.set(`stream=${name} read`, stream.read.options);
    if (stream.write?.options !== undefined) out.set(`stream=${name} write`, stream.write.options);
  }
  return out;
}

export interface GeneratedReadme {
  text: string;
  /** What is wrong beyond stale tables: markers naming nothing, schemas with options but no table. */
  problems: string[];
}

/** The README with every marked table generated afresh from the connector's schemas. */
export function generateOptionTables(readme: string, connector: ConnectorDefinition): GeneratedReadme {
  const schemas = optionSchemas(connector);
  const problems: string[] = [];
  const seen = new Set<string>();
  let text = '';
  let rest = readme;
  for (;;) {
    OPEN.lastIndex = 0;
    const open = OPEN.exec(rest);
    if (open === null) break;
    const name = (open[1] as string).trim();
    const start = open.index + open[0].length;
    const end = rest.indexOf(CLOSE, start);
    if (end === -1) {
      problems.push(`<!-- keel:options ${name} --> has no ${CLOSE} after it`);
      break;
    }
    const schema = schemas.get(name);
    if (schema === undefined) problems.push(`<!-- keel:options ${name} --> names no options of connector ${connector.name}; known: ${[...schemas.keys()].join(', ')}`);
    seen.add(name);
    text += rest.slice(0, start) + (schema === undefined ? rest.slice(start, end) : renderOptionsTable(optionRows(schema)));
    rest = rest.slice(end);
  }
  text += rest;
  for (const [name, schema] of schemas) {
    if (!seen.has(name) && optionRows(schema).length > 0) problems.push(`no table of ${name}: add <!-- keel:options ${name} --> and ${CLOSE} where it belongs`);
  }
  return { text, problems };
}
