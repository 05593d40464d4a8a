import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkExample, EXAMPLE_KINDS, type ExampleKind, type ExampleOutcome } from '../../test-support/doc-examples.js';
import { ConnectorRegistry } from '../connectors/registry.js';
import { fencedBlocks, type FencedBlock } from './fenced-blocks.js';

/**
 * Every YAML example in the docs, and every example a built-in stream declares, is checked
 * against what it is an example of: pipelines and keel.yaml sections must load, profiles and test
 * suites must fit their schemas. A block says what it is in its fence (```yaml keel:pipeline);
 * one that says nothing fails, so no example goes unchecked.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.keel', 'data']);

function findReadmes(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : findReadmes(join(dir, entry.name));
      return entry.name === 'README.md' ? [relative(REPO, join(dir, entry.name))] : [];
    });
}

interface CheckedBlock {
  file: string;
  block: FencedBlock;
  outcome: ExampleOutcome;
}

const readmes = findReadmes(REPO);
const blocks = new Map(readmes.map((file) => [file, fencedBlocks(readFileSync(join(REPO, file), 'utf8'))]));
const isYaml = (block: FencedBlock): boolean => block.lang === 'yaml' || block.lang === 'yml';
const checked: CheckedBlock[] = [];
const builtIns = (await ConnectorRegistry.discover(REPO)).list().filter((entry) => entry.origin === 'built-in');

beforeAll(async () => {
  for (const [file, found] of blocks) {
    for (const block of found.filter(isYaml)) {
      if (!EXAMPLE_KINDS.includes(block.kind as ExampleKind)) continue;
      const project = block.attributes['project'];
      const outcome = await checkExample(block.body, {
        kind: block.kind as ExampleKind,
        project: project === undefined ? undefined : join(REPO, project),
        excerpt: block.flags.includes('excerpt'),
      });
      checked.push({ file, block, outcome });
    }
  }
}, 120_000);

describe('the YAML examples in the READMEs', () => {
  it('are found in the root README, the connectors, the mappings and the example projects', () => {
    for (const expected of ['README.md', 'connectors/http/README.md', 'mappings/3pl-csv/README.md', 'examples/omnichannel/README.md']) expect(readmes).toContain(expected);
    const yamlBlocks = [...blocks.values()].flat().filter(isYaml);
    expect(checked.length).toBe(yamlBlocks.length);
    expect(checked.filter(({ block }) => block.kind !== 'none').length).toBeGreaterThanOrEqual(29);
  });

  it('say what each fenced block holds, and what each YAML block is an example of', () => {
    const unsaid = [...blocks].flatMap(([file, found]) =>
      found.flatMap((block) => {
        if (block.lang === '') return [`${file}:${block.line - 1}: a fence without a language; say what it holds (yaml keel:<kind>, sh, text, json …)`];
        if (isYaml(block) && !EXAMPLE_KINDS.includes(block.kind as ExampleKind)) {
          return [`${file}:${block.line - 1}: a YAML block needs keel:<kind> after yaml, one of ${EXAMPLE_KINDS.join(', ')}`];
        }
        return [];
      }),
    );
    expect(unsaid).toEqual([]);
  });

  it('are valid: pipelines and keel.yaml sections load, profiles and test suites fit their schemas', () => {
    const problems = checked.flatMap(({ file, block, outcome }) =>
      outcome.problems.map((problem) => {
        // line:col in the block → line:col in the README
        const at = /^(\d+):(\d+): /.exec(problem);
        const where = at === null ? `${file}:${block.line - 1}` : `${file}:${block.line + Number(at[1]) - 1}:${at[2]}`;
        return `${where} (keel:${String(block.kind)}): ${at === null ? problem : problem.slice(at[0].length)}`;
      }),
    );
    expect(problems).toEqual([]);
  });

  it.each(builtIns.map((entry) => [entry.name, entry] as const))('%s: its README uses every stream in each direction it takes', (_, entry) => {
    const file = `connectors/${entry.location}/README.md`;
    const shown = new Set(
      checked.filter((example) => example.file === file).flatMap(({ outcome }) => outcome.uses.filter((use) => use.connector === entry.name).map((use) => `${use.stream} ${use.direction}`)),
    );
    const streams = Object.entries(entry.definition.streams).flatMap(([name, stream]) => [
      ...(stream.read !== undefined ? [`${name} read`] : []),
      ...(stream.write !== undefined ? [`${name} write`] : []),
    ]);
    expect(streams.filter((use) => !shown.has(use))).toEqual([]);
  });

  it('deliver as the comments on on_change promise', () => {
    const policies = checked
      .filter(({ block, outcome }) => /\bon_change:/.test(block.body) && outcome.pipeline !== undefined)
      .flatMap(({ outcome }) => (outcome.pipeline?.targets ?? []).map((target) => `${target.name}: ${target.keyedBy} ${target.onChange}`));
    expect(policies).toEqual([
      'threepl: template dead_letter',
      'erp: primary_key send',
      'erp-create: primary_key send',
      // The shopify and woocommerce webhook and reconciliation pipelines send an order's new version to the ERP.
      ...Array<string>(4).fill('erp-orders: template send'),
    ]);
  });

  it('show a dedupe step, in the root README, that loads', async () => {
    const step = /`(- dedupe: \{[^`]*\})`/.exec(readFileSync(join(REPO, 'README.md'), 'utf8'))?.[1];
    expect(step).toBeDefined();
    const outcome = await checkExample(`steps:\n  ${step}\n`, { kind: 'pipeline-part' });
    expect(outcome.problems).toEqual([]);
    expect(outcome.pipeline?.steps.map((planned) => planned.type)).toEqual(['dedupe']);
  });
});

describe('the examples the built-in streams declare', () => {
  const examples = builtIns.flatMap((entry) =>
    Object.entries(entry.definition.streams).flatMap(([stream, definition]) =>
      (definition.examples ?? []).map((example) => [`${entry.name}/${stream}: ${example.title}`, entry.name, stream, example.yaml] as const),
    ),
  );

  it.each(examples)('%s', async (_, connector, stream, yaml) => {
    const outcome = await checkExample(yaml, { kind: 'pipeline-part' });
    expect(outcome.problems).toEqual([]);
    expect(outcome.uses.filter((use) => use.connector === connector && use.stream === stream)).not.toEqual([]);
  });
});
