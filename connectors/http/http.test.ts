import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { loadProject } from '../../core/config/load-project.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runProject } from '../../test-support/run-project.js';
import { ShopEmulator, type EmulatorOptions } from '../../test-support/shop-emulator.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

const TOKEN = 'shpat_live_5e4d3c2b1a0f';
const ENV = { SHOP_TOKEN: TOKEN };

let project: TempProject | undefined;
let emulator: ShopEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

async function startShop(options: EmulatorOptions): Promise<string> {
  emulator = new ShopEmulator({ seed: 7, ...options });
  return emulator.start();
}

/** A project whose `shop` connection is the emulator, with one pipeline. */
function shopProject(url: string, pipeline: string): TempProject {
  return tempProject({
    'keel.yaml': `name: http-test
connections:
  shop:
    connector: http
    config:
      base_url: "${url}"
      auth: { type: api_key_header, header: X-Shopify-Access-Token, value: "\${env:SHOP_TOKEN}" }
      retries: 8
  outbox: { connector: file, config: { root: ./out } }
`,
    'pipelines/orders.yaml': pipeline,
  });
}

function idsInFiles(dir: string): number[] {
  const ids: number[] = [];
  for (const name of readdirSync(`${dir}/out`).filter((file) => !file.startsWith('.'))) {
    for (const line of readFileSync(`${dir}/out/${name}`, 'utf8').split('\n')) if (line !== '') ids.push((JSON.parse(line) as { id: number }).id);
  }
  return ids.sort((a, b) => a - b);
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, index) => from + index);

describe('http source: pagination', () => {
  it.each([
    ['page numbers', '/orders.json', 'orders', '{ type: page, size_param: limit, size: 10 }'],
    ['offsets', '/orders.json', 'orders', '{ type: offset, size_param: limit, size: 10 }'],
    ['a cursor in the body', '/orders-by-cursor.json', 'orders', '{ type: cursor, path: meta.next_cursor, param: cursor }'],
    ['a Link header', '/orders.json', 'orders', '{ type: link }'],
    ['a NextToken (SP-API)', '/orders/v0/orders', 'payload.Orders', '{ type: next_token, path: payload.NextToken }'],
  ])('reads every record once by %s', async (_name, path, records, pagination) => {
    const url = await startShop({ orders: 57, errorRate: 0.1 });
    project = shopProject(
      url,
      `name: orders
source:
  connection: shop
  stream: api
  sync: full
  options: { path: ${path}, query: { limit: 10 }, records: ${records}, pagination: ${pagination} }
targets:
  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
    );
    const { summary } = await runProject(project.dir, { env: ENV });
    expect(summary).toMatchObject({ status: 'ok', read: 57, written: 57 });
    expect(idsInFiles(project.dir)).toEqual(range(1001, 57));
    expect(emulator?.stats.errors).toBeGreaterThan(0);
  });
});

describe('http source: incremental by updated_at', () => {
  const pipeline = (pagination: string): string => `name: orders
source:
  connection: shop
  stream: api
  options:
    path: /orders.json
    query: { limit: 5 }
    records: orders
    pagination: ${pagination}
    incremental: { field: updated_at, param: updated_at_min, lookback_seconds: 30 }
targets:
  - connection: shop
    stream: api
    key: "{{id}}@{{updated_at}}"
    options: { path: /target/orders.json, wrap: order }
batch_size: 7
`;

  it.each([
    ['page numbers', '{ type: page, size_param: limit, size: 5 }'],
    ['a Link header', '{ type: link }'],
  ])(
    'loses no record and repeats none when orders share timestamps across pages and change while paging (%s)',
    async (_name, pagination) => {
      // Four orders per timestamp with pages of five: every boundary is shared. Every third list
      // request updates three orders, which jump to the end of the sort order mid-walk.
      const url = await startShop({ orders: 120, perTimestamp: 4, mutateEvery: 3, mutateCount: 3 });
      project = shopProject(url, pipeline(pagination));
      const shop = emulator as ShopEmulator;
      const first = await runProject(project.dir, { env: ENV });
      expect(first.summary.status).toBe('ok');
      const changedBetweenRuns = shop.mutate(5);
      const second = await runProject(project.dir, { env: ENV });
      expect(second.summary.status).toBe('ok');

      const versions = new Map<string, number>();
      for (const write of shop.written) {
        const order = write.body as { id: number; updated_at: string };
        const version = `${order.id}@${order.updated_at}`;
        versions.set(version, (versions.get(version) ?? 0) + 1);
      }
      // No version twice, and the current version of every order arrived.
      expect([...versions].filter(([, count]) => count > 1)).toEqual([]);
      expect(shop.orders.filter((order) => !versions.has(`${order.id}@${order.updated_at}`)).map((order) => order.id)).toEqual([]);
      expect(shop.stats.mutations).toBeGreaterThan(changedBetweenRuns.length);
      // The second run brought the orders changed since (and those changed while it paged), not the rest again.
      expect(second.summary.written).toBeGreaterThanOrEqual(changedBetweenRuns.length);
      expect(second.summary.written).toBeLessThan(30);
    },
  );
});

describe('http target', () => {
  const target = (options: string): string => `name: orders
source:
  connection: shop
  stream: api
  sync: full
  options: { path: /orders.json, query: { limit: 50 }, records: orders, pagination: { type: link } }
targets:
  - connection: shop
    stream: api
    options: ${options}
batch_size: 25
`;

  it('writes each order once when the target commits but the connection drops before the answer (Idempotency-Key)', async () => {
    const url = await startShop({ orders: 200, resetAfterCommitRate: 0.25 });
    project = shopProject(url, target('{ path: /target/orders.json, wrap: order }'));
    const { summary } = await runProject(project.dir, { env: ENV });
    const shop = emulator as ShopEmulator;
    expect(summary).toMatchObject({ status: 'ok', written: 200, deadLettered: 0 });
    expect(shop.stats.resets).toBeGreaterThan(20);
    expect(shop.stats.replayed).toBe(shop.stats.resets);
    expect([...shop.writesPerExternalId().values()].every((count) => count === 1)).toBe(true);
    expect(shop.writesPerExternalId().size).toBe(200);
  });

  it('writes each order once through an API without idempotency keys, by looking it up before the create', async () => {
    const url = await startShop({ orders: 200, resetAfterCommitRate: 0.25 });
    project = shopProject(
      url,
      target('{ path: /target/orders.json, wrap: order, idempotency_header: false, find_before_create: { path: /target/orders.json, query: { external_id: "{{id}}" }, records: orders } }'),
    );
    const { summary } = await runProject(project.dir, { env: ENV });
    const shop = emulator as ShopEmulator;
    expect(summary).toMatchObject({ status: 'ok', written: 200 });
    expect(shop.stats.resets).toBeGreaterThan(20);
    expect(shop.stats.replayed).toBe(0);
    expect([...shop.writesPerExternalId().values()].every((count) => count === 1)).toBe(true);
    expect(shop.writesPerExternalId().size).toBe(200);
  });

  it('does not count a changed order as a duplicate: with POST it waits with a diff; on_change: send sends it under a new Idempotency-Key', async () => {
    const url = await startShop({ orders: 10 });
    const shop = emulator as ShopEmulator;
    project = shopProject(url, target('{ path: /target/orders.json, wrap: order }'));
    expect((await runProject(project.dir, { env: ENV })).summary).toMatchObject({ status: 'ok', written: 10 });
    const order = shop.orders[2] as (typeof shop.orders)[number];
    const before = order.total_price;
    order.total_price = '99.00';
    expect((await runProject(project.dir, { env: ENV })).summary).toMatchObject({ status: 'dead_letters', written: 0, duplicates: 9, deadLettered: 1 });
    const store = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    const letters = await store.listDeadLetters({ pipeline: 'orders' });
    await store.close();
    expect(letters.map((letter) => [letter.recordKey, letter.code])).toEqual([['1003', 'changed_after_delivery']]);
    expect(letters[0]?.reason).toContain(`with other content: total_price "${before}" → "99.00". on_change: dead_letter holds it for a person`);

    project.write({ 'pipelines/orders.yaml': target('{ path: /target/orders.json, wrap: order }').replace('    options:', '    on_change: send\n    options:') });
    expect((await runProject(project.dir, { env: ENV })).summary).toMatchObject({ status: 'ok', written: 1, duplicates: 9 });
    const writes = shop.written.filter((write) => write.externalId === '1003');
    expect(writes.map((write) => [write.key?.replace(/#[0-9a-f]{16}$/, '#<version>'), (write.body as { total_price: string }).total_price])).toEqual([
      ['1003', before],
      ['1003#<version>', '99.00'],
    ]);
  });

  it('sends a changed record by default where the API updates by id (PUT, PATCH)', async () => {
    const url = await startShop({ orders: 1 });
    project = shopProject(url, target('{ path: "/orders/{{id}}.json", method: PUT }'));
    expect((await loadProject(project.dir)).plan.pipelines[0]?.targets[0]).toMatchObject({ keyedBy: 'primary_key', onChange: 'send' });
    project.write({ 'pipelines/orders.yaml': target('{ path: /target/orders.json }') });
    expect((await loadProject(project.dir)).plan.pipelines[0]?.targets[0]).toMatchObject({ keyedBy: 'primary_key', onChange: 'dead_letter' });
  });

  it('refuses at load time a target that could write twice, naming the way out', async () => {
    const url = await startShop({ orders: 1 });
    project = shopProject(url, target('{ path: /target/orders.json, idempotency_header: false }'));
    const error = await loadProject(project.dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/orders\.yaml:\d+:\d+: target "shop".*no idempotency key.*idempotency_header or find_before_create/);
  });

  it('dead-letters a record the API rejects with 4xx, with the response body and without the credential', async () => {
    const url = await startShop({ orders: 12 });
    // Wrapped under the wrong name, the target finds no order id and answers 422.
    project = shopProject(url, target('{ path: /target/orders.json, wrap: bestellung }'));
    const { summary, log } = await runProject(project.dir, { env: ENV });
    expect(summary).toMatchObject({ status: 'dead_letters', written: 0, deadLettered: 12 });
    const store = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    try {
      const letters = await store.listDeadLetters({ pipeline: 'orders' });
      expect(letters).toHaveLength(12);
      expect(letters[0]?.reason).toMatch(/^POST 127\.0\.0\.1:\d+\/admin\/api\/2024-10\/target\/orders\.json → HTTP 422: \{"errors":\{"id":\["can't be blank"\]\}\}$/);
      expect(letters.every((letter) => letter.code === 'http_422' && !JSON.stringify(letter).includes(TOKEN))).toBe(true);
    } finally {
      await store.close();
    }
    expect(log).not.toContain(TOKEN);
  });
});
