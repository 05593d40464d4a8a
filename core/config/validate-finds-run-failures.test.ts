import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { ConfigError } from '../errors.js';
import { loadProject } from './load-project.js';

/**
 * Each of these loaded without a problem once, and then failed at run time, or lost data without
 * failing (a filter on a misspelt field dropped every order, exit 0). Offline validation finds them.
 */
const PROJECT = `name: shop
connections:
  inbox: { connector: file, config: { root: ./in } }
  outbox: { connector: file, config: { root: ./out } }
`;

const MAPPING = JSON.stringify({
  name: 'orders',
  target: 'order',
  output: { channel: { const: 'web' }, external_id: 'id', payment_status: { const: 'paid' }, currency: { const: 'EUR' }, lines: { each: 'lines', map: { object: { sku: 'sku', quantity: { path: 'qty', as: 'integer' } } } }, created_at: { path: 'at', as: 'datetime' } },
});

let project: TempProject | undefined;
afterEach(() => project?.remove());

async function problems(files: Record<string, string>, options: { env?: Record<string, string>; path?: string } = {}): Promise<string[]> {
  project = tempProject({ 'keel.yaml': PROJECT, ...files });
  try {
    await loadProject(project.path(options.path ?? '.'), { checkEnvironment: true, env: options.env ?? {} });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.file.replace(/^.*?(pipelines\/|keel\.yaml)/, '$1')}:${problem.line}:${problem.col}: ${problem.message}`);
  }
}

const pipeline = (steps: string, source = '{ connection: inbox, stream: files, options: { path: "*.json" } }'): string =>
  `name: orders\nsource: ${source}\nsteps:\n${steps}\ntargets:\n  - { connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" } }\n`;

describe('keel validate finds what a run would', () => {
  it('a filter or set on a field the mapping never writes, with the field it meant', async () => {
    const found = await problems({
      'mappings/orders.json': MAPPING,
      'pipelines/orders.yaml': pipeline(
        '  - map: { mapping: mappings/orders.json }\n  - filter: { where: [{ field: paymnet_status, equals: paid }] }\n  - set: { fields: { country: { from: shipping_address.country_code } } }',
      ),
    });
    expect(found).toEqual([
      'pipelines/orders.yaml:5:32: filter on "paymnet_status": the records here have no field "paymnet_status"; did you mean "payment_status"?',
      'pipelines/orders.yaml:6:39: set country from "shipping_address.country_code": the records here have no field "shipping_address"; they have: channel, external_id, payment_status, currency, lines, created_at',
    ]);
  });

  it('a field after set is known, and a source that declares its records is checked too', async () => {
    expect(
      await problems({
        'mappings/orders.json': MAPPING,
        'pipelines/orders.yaml': pipeline('  - map: { mapping: mappings/orders.json }\n  - set: { fields: { shop: { value: eu } } }\n  - filter: { where: [{ field: shop, equals: eu }] }'),
      }),
    ).toEqual([]);
  });

  it('a dedupe or target key naming a field the records cannot have: every record would be refused', async () => {
    const found = await problems({
      'mappings/orders.json': MAPPING,
      'pipelines/orders.yaml':
        `name: orders\nsource: { connection: inbox, stream: files, options: { path: "*.json" } }\nsteps:\n  - map: { mapping: mappings/orders.json }\n` +
        `  - dedupe: { key: "order-{{exernal_id}}" }\ntargets:\n  - { connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" }, key: "{{channel}}:{{order_id}}" }\n`,
    });
    expect(found).toEqual([
      'pipelines/orders.yaml:5:20: dedupe key field "exernal_id": the records here have no field "exernal_id"; did you mean "external_id"?',
      'pipelines/orders.yaml:7:86: key field "order_id": the records here have no field "order_id"; they have: channel, external_id, payment_status, currency, lines, created_at',
    ]);
  });

  it('a mapping output field the canonical model does not have, with the nearest one', async () => {
    const broken = JSON.stringify({ ...JSON.parse(MAPPING), output: { ...JSON.parse(MAPPING).output, paymnet_status: { const: 'paid' } } });
    const found = await problems({ 'mappings/orders.json': broken, 'pipelines/orders.yaml': pipeline('  - map: { mapping: mappings/orders.json }') });
    expect(found).toEqual([
      'pipelines/orders.yaml:4:10: step "map": mappings/orders.json#/output/paymnet_status: the canonical order has no field "paymnet_status"; did you mean "payment_status"?',
    ]);
  });

  it('an HTTP source in incremental sync without its incremental settings', async () => {
    const found = await problems({
      'pipelines/orders.yaml': `name: orders\nconnections:\n  shop: { connector: http, config: { base_url: "https://shop.example" } }\nsource: { connection: shop, stream: api, options: { path: /orders } }\ntargets:\n  - { connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" } }\n`,
    });
    expect(found).toEqual([expect.stringMatching(/^pipelines\/orders\.yaml:4:51: source "shop": incremental sync needs options\.incremental/)]);
  });

  it('a missing ${env:…} secret, and a base_url from the environment checked once resolved', async () => {
    const files = {
      'pipelines/orders.yaml': `name: orders\nconnections:\n  shop: { connector: http, config: { base_url: "\${env:SHOP_URL}", auth: { type: bearer, token: "\${env:SHOP_TOKEN}" } } }\nsource: { connection: shop, stream: api, sync: full, options: { path: /orders } }\ntargets:\n  - { connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" } }\n`,
    };
    expect(await problems(files)).toEqual([
      'pipelines/orders.yaml:3:48: environment variable SHOP_URL is not set; export it before running',
      'pipelines/orders.yaml:3:96: environment variable SHOP_TOKEN is not set; export it before running',
    ]);
    expect(await problems(files, { env: { SHOP_URL: 'https://shop.example', SHOP_TOKEN: 'tok-123456' } })).toEqual([]);
    // Resolved, the value is checked; the message shows the reference, never the value.
    expect(await problems(files, { env: { SHOP_URL: 'ftp://secret-host.example', SHOP_TOKEN: 'tok-123456' } })).toEqual([
      'pipelines/orders.yaml:3:48: config of connection "shop" at base_url must match pattern "^https?://"',
    ]);
  });

  it('globs, output names and archive folders that leave the connection root', async () => {
    const found = await problems({
      'pipelines/orders.yaml': `name: orders\nsource: { connection: inbox, stream: files, options: { path: "../*.csv", archive_dir: /tmp/done } }\ntargets:\n  - { connection: outbox, stream: files, options: { path: "../../out-{seq}.csv" } }\n`,
    });
    expect(found).toEqual([
      'pipelines/orders.yaml:2:62: source "inbox": path "../*.csv" must stay inside the connection root: no "..", "." or leading "/"',
      'pipelines/orders.yaml:2:87: source "inbox": path "/tmp/done" must be relative to the connection root',
      'pipelines/orders.yaml:4:59: target "outbox": path "../../out-000001.csv" leaves the connection root; keep paths inside it',
    ]);
  });

  it('a schedule that is no cron expression', async () => {
    const found = await problems({ 'pipelines/orders.yaml': `schedule: every tuesday-ish\n${pipeline('  - filter: { where: [{ field: id, exists: true }] }')}` });
    expect(found).toEqual([expect.stringMatching(/^pipelines\/orders\.yaml:1:11: schedule "every tuesday-ish" is not a cron expression \(.*\): write five fields/)]);
  });

  it('after: a pipeline that is invalid is not reported again as unknown, and one pipeline file loads alone', async () => {
    const stock = `name: stock\nsource: { connection: inbox, stream: files, options: { path: "*.csv" } }\ntargets:\n  - { connection: nowhere, stream: files }\n`;
    const after = `after: [stock]\n${pipeline('  - filter: { where: [{ field: id, exists: true }] }')}`;
    expect(await problems({ 'pipelines/a-stock.yaml': stock, 'pipelines/orders.yaml': after })).toEqual([
      'pipelines/a-stock.yaml:4:19: unknown connection "nowhere"; defined: inbox, outbox',
    ]);
    expect(await problems({ 'pipelines/a-stock.yaml': stock, 'pipelines/orders.yaml': after }, { path: 'pipelines/orders.yaml' })).toEqual([]);
    expect(await problems({ 'pipelines/orders.yaml': after.replace('[stock]', '[stok]') }, { path: 'pipelines/orders.yaml' })).toEqual([
      'pipelines/orders.yaml:1:9: no pipeline is named "stok"',
    ]);
  });
});
