/**
 * `npm run docs`: rewrites the option tables in every built-in connector's README from its
 * schemas (between `<!-- keel:options … -->` markers). Prose stays as written; a test fails when a
 * README and the schemas disagree. Exits 1 when a README lacks a table a schema needs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConnectorRegistry } from '../core/connectors/registry.js';
import { generateOptionTables } from '../core/docs/options-table.js';

// Run from dist/scripts/: the READMEs are in the sources, two folders up.
const CONNECTORS_DIR = new URL('../../connectors/', import.meta.url);

const registry = await ConnectorRegistry.discover(process.cwd());
let failed = false;
for (const entry of registry.list().filter((candidate) => candidate.origin === 'built-in')) {
  const file = fileURLToPath(new URL(`${entry.location}/README.md`, CONNECTORS_DIR));
  const before = readFileSync(file, 'utf8');
  const { text, problems } = generateOptionTables(before, entry.definition);
  for (const problem of problems) process.stderr.write(`connectors/${entry.location}/README.md: ${problem}\n`);
  failed ||= problems.length > 0;
  if (text !== before) {
    writeFileSync(file, text);
    process.stdout.write(`connectors/${entry.location}/README.md: option tables rewritten\n`);
  }
}
process.exitCode = failed ? 1 : 0;
