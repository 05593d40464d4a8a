import { symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { ConnectorRegistry } from './registry.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A partner package as published: ESM, importing the SDK from 'keel', with an exports map. */
const ACME_PACKAGE = {
  'node_modules/keel-connector-acme/package.json': JSON.stringify({
    name: 'keel-connector-acme',
    version: '1.0.0',
    type: 'module',
    exports: { '.': { import: './dist/index.js' } },
  }),
  'node_modules/keel-connector-acme/dist/index.js': `
import { defineConnector, Type } from 'keel';
export default defineConnector({
  name: 'acme',
  kind: 'marketplace',
  description: 'ACME marketplace',
  configSchema: Type.Object({ api_key: Type.String({ secret: true }) }, { additionalProperties: false }),
  streams: {
    orders: {
      primaryKey: ['id'],
      read: {
        incremental: { cursor: 'updated_at', monotonic: true },
        read: async function* () {
          yield { records: [{ data: { id: 'A-1', total: '9.99' } }, { data: { id: 'A-2', total: '5.00' } }], checkpoint: { page: 1 } };
        },
      },
    },
  },
});
`,
  'node_modules/@partner/keel-connector-till/package.json': JSON.stringify({ name: '@partner/keel-connector-till', type: 'module', main: 'main.js' }),
  'node_modules/@partner/keel-connector-till/main.js': `
export default {
  name: 'till', kind: 'pos', sdkVersion: 1,
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  streams: { sales: { write: { idempotency: 'record', write: async (ctx, batch) => batch.map(() => ({ status: 'ok' })) } } },
};
`,
  // Not a connector package by name: never loaded.
  'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', main: 'index.js' }),
  'node_modules/left-pad/index.js': 'throw new Error("must not be imported");',
};

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe('connector discovery', () => {
  it('finds built-ins and keel-connector-* packages, scoped or not', async () => {
    project = tempProject(ACME_PACKAGE);
    symlinkSync(REPO, project.path('node_modules/keel'), 'dir');
    const registry = await ConnectorRegistry.discover(project.dir);
    expect(registry.list().map((entry) => [entry.name, entry.origin, entry.location, entry.definition.kind])).toEqual([
      ['acme', 'package', 'keel-connector-acme', 'marketplace'],
      ['amazon-sp-api', 'built-in', 'amazon-sp-api', 'marketplace'],
      ['file', 'built-in', 'file', 'generic'],
      ['http', 'built-in', 'http', 'generic'],
      ['inventory', 'built-in', 'inventory', 'engine'],
      ['routing', 'built-in', 'routing', 'engine'],
      ['sftp', 'built-in', 'sftp', 'generic'],
      ['shopify', 'built-in', 'shopify', 'shop'],
      ['till', 'package', '@partner/keel-connector-till', 'pos'],
      ['vendure', 'built-in', 'vendure', 'shop'],
      ['woocommerce', 'built-in', 'woocommerce', 'shop'],
    ]);
    expect((await registry.resolve('keel-connector-acme', project.dir))?.name).toBe('acme');
  });

  it('runs a pipeline from a discovered package, listed by `keel connectors --json`', async () => {
    project = tempProject({
      ...ACME_PACKAGE,
      'keel.yaml': 'name: partner\nconnections:\n  acme: { connector: acme, config: { api_key: "${env:ACME_KEY}" } }\n  out: { connector: file, config: { root: ./out } }\n',
      'pipelines/orders.yaml': 'name: orders\nsource: { connection: acme, stream: orders }\ntargets:\n  - { connection: out, stream: files, options: { path: "orders-{seq}.ndjson" } }\n',
    });
    symlinkSync(REPO, project.path('node_modules/keel'), 'dir');
    const listing = await runCli(['connectors', '--json', '--project', project.dir]);
    expect(listing.code).toBe(0);
    const connectors = (JSON.parse(listing.stdout) as { connectors: { name: string; kind: string; streams: unknown[] }[] }).connectors;
    expect(connectors.find((connector) => connector.name === 'acme')).toMatchObject({
      kind: 'marketplace',
      origin: 'package',
      streams: [{ name: 'orders', read: true, write: false, incremental: { cursor: 'updated_at', monotonic: true }, primaryKey: ['id'] }],
    });
    const run = await runCli(['run', project.dir, '--json'], { env: { ACME_KEY: 'k-123456' } });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ runs: [{ pipeline: 'orders', status: 'ok', read: 2, written: 2 }] });
  });

  it('refuses a package that does not export a connector', async () => {
    project = tempProject({
      'node_modules/keel-connector-broken/package.json': JSON.stringify({ name: 'keel-connector-broken', type: 'module', main: 'index.js' }),
      'node_modules/keel-connector-broken/index.js': 'export const hello = 1;',
    });
    await expect(ConnectorRegistry.discover(project.dir)).rejects.toThrow(
      "package keel-connector-broken does not export a connector: default-export the result of defineConnector() from 'keel'",
    );
  });
});
