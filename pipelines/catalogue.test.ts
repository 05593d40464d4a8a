import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listReadyMade } from '../core/project/ready-made.js';
import { runCli } from '../test-support/run-cli.js';

/**
 * What every ready-made pipeline must hold, checked for each folder found here (so a new one
 * cannot leave anything out), and what `keel init` says about them.
 */
const HERE = fileURLToPath(new URL('./', import.meta.url));
const folders = readdirSync(HERE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const catalogue = listReadyMade(HERE);
const SECTIONS = ['## What it does', '## Connections', '## Options to adjust', '## When something goes wrong'];

describe('the ready-made pipelines', () => {
  it('are every folder here, each found by keel init with a one-line description', () => {
    expect(catalogue.map((readyMade) => readyMade.name)).toEqual(folders);
    expect(folders).toEqual(['marketplace-orders-to-3pl', 'shipments-to-channels', 'shopify-orders-to-erp', 'stock-to-channels']);
    for (const readyMade of catalogue) expect({ name: readyMade.name, description: readyMade.description }).toEqual({ name: readyMade.name, description: expect.stringMatching(/^[^\n]{20,200}$/) });
  });

  it.each(folders)('%s has a README with its sections, naming every role, its connector and every variable', (name) => {
    const readme = readFileSync(join(HERE, name, 'README.md'), 'utf8');
    expect(SECTIONS.filter((section) => !readme.includes(`\n${section}\n`))).toEqual([]);
    const readyMade = catalogue.find((candidate) => candidate.name === name);
    const connections = readme.slice(readme.indexOf('## Connections'), readme.indexOf('\n## ', readme.indexOf('## Connections') + 3));
    for (const { role, connector } of readyMade?.connections ?? []) {
      expect({ role, row: connections.split('\n').find((line) => line.startsWith(`| \`${role}\` |`)) }).toEqual({ role, row: expect.stringContaining(`\`${connector}\``) });
    }
    expect((readyMade?.environment ?? []).filter((variable) => !readme.includes(variable))).toEqual([]);
  });

  it.each(folders)('%s names connections only by the roles keel.yaml binds, has test suites and sample data, and a test of its own', (name) => {
    const dir = join(HERE, name);
    const pipelines = readdirSync(join(dir, 'pipelines')).filter((file) => file.endsWith('.yaml'));
    const suites = pipelines.filter((file) => file.endsWith('.test.yaml'));
    expect(suites.length).toBeGreaterThan(0);
    const roles = new Set(catalogue.find((candidate) => candidate.name === name)?.connections.map((connection) => connection.role));
    for (const file of pipelines.filter((candidate) => !suites.includes(candidate))) {
      const text = readFileSync(join(dir, 'pipelines', file), 'utf8');
      expect(text).not.toMatch(/^connections:/m);
      const named = [...text.matchAll(/connection: ([\w-]+)/g)].map((match) => match[1] as string);
      expect({ file, unbound: named.filter((role) => !roles.has(role)) }).toEqual({ file, unbound: [] });
    }
    const samples = ['fixtures', 'data'].filter((folder) => existsSync(join(dir, folder)));
    expect(samples.length).toBeGreaterThan(0);
    expect(existsSync(join(HERE, `${name}.test.ts`))).toBe(true);
  });

  it('are all in the table of pipelines/README.md, with the description keel init --list prints', () => {
    const index = readFileSync(join(HERE, 'README.md'), 'utf8');
    for (const { name, description } of catalogue) expect(index).toContain(`| [${name}](${name}/README.md) | ${description} |`);
  });
});

describe('keel init with ready-made pipelines', () => {
  it('--list prints each with its description, and --json what to bind', async () => {
    const listed = await runCli(['init', '--list']);
    expect(listed.code).toBe(0);
    const rows = listed.stdout.split('\n');
    expect(rows[0]).toMatch(/^NAME\s+DESCRIPTION$/);
    for (const { name, description } of catalogue) expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^${name}\\s+${description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)));
    const json = JSON.parse((await runCli(['init', '--list', '--json'])).stdout) as { pipelines: { name: string; connections: { role: string; connector: string }[]; environment: string[] }[] };
    expect(json.pipelines.find((readyMade) => readyMade.name === 'shopify-orders-to-erp')).toEqual({
      name: 'shopify-orders-to-erp',
      description: expect.any(String),
      connections: [
        { role: 'shop', connector: 'shopify' },
        { role: 'erp_inbox', connector: 'file' },
      ],
      environment: ['SHOPIFY_SHOP', 'SHOPIFY_TOKEN'],
    });
  });

  it('--from with an unknown name changes nothing, suggests the closest and lists them all, exit 2', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'keel-init-'));
    try {
      const result = await runCli(['init', '--from', 'shopify-order-to-erp', join(parent, 'p')]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[0]).toBe('keel: there is no ready-made pipeline "shopify-order-to-erp"; did you mean "shopify-orders-to-erp"?');
      for (const name of folders) expect(result.stderr).toContain(`  ${name}  `);
      expect(existsSync(join(parent, 'p'))).toBe(false);
      const far = await runCli(['init', '--from', 'zzz', join(parent, 'p')]);
      expect([far.code, far.stderr.split('\n')[0]]).toEqual([2, 'keel: there is no ready-made pipeline "zzz"']);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('--from into a folder that has a project already changes nothing, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-init-'));
    try {
      writeFileSync(join(dir, 'keel.yaml'), 'name: mine\n');
      const result = await runCli(['init', '--from', 'stock-to-channels', dir]);
      expect([result.code, result.stderr]).toEqual([2, `keel: ${dir} already has a keel.yaml; nothing changed\n`]);
      expect(readdirSync(dir)).toEqual(['keel.yaml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is written in the READMEs with ready-made names and options that exist', () => {
    const readmes = ['../README.md', 'README.md', ...folders.map((name) => `${name}/README.md`)].map((file) => [file, readFileSync(join(HERE, file), 'utf8')] as const);
    const uses = readmes.flatMap(([file, text]) => [...text.matchAll(/keel init((?:\s+--?[a-z-]+(?:\s+(?!--)[^\s`]+)?)+)/g)].map((match) => ({ file, use: (match[1] ?? '').trim().replace(/\s+/g, ' ') })));
    expect(uses.length).toBeGreaterThanOrEqual(folders.length + 2);
    const wrong = uses.filter(({ use }) => {
      const from = /--from (\S+)/.exec(use)?.[1];
      const options = [...use.matchAll(/--([a-z-]+)/g)].map((match) => match[1]);
      return (from !== undefined && from !== '<name>' && !folders.includes(from)) || options.some((option) => !['from', 'list', 'json', 'help'].includes(option ?? ''));
    });
    expect(wrong).toEqual([]);
  });

  it('--help says how to list them and start from one', async () => {
    const help = (await runCli(['init', '--help'])).stdout;
    expect(help).toContain('--from <name>');
    expect(help).toContain('--list');
    expect(help).toContain('keel init --from shopify-orders-to-erp acme');
  });
});
