import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';
import { Redactor } from '../../core/redact.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runProject, type ProjectRun } from '../../test-support/run-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { VendureEmulator, type EmulatedOrder, type JsonRecord, type VendureEmulatorOptions } from '../../test-support/vendure-emulator.js';
import { VendureAdminApi } from './admin-api.js';
import { vendureSettings } from './config.js';

/**
 * The vendure connector against an emulator of the Admin API (test-support/vendure-emulator.ts),
 * serving an order recorded from a real Vendure 3.7.3 server. vendure.real.test.ts runs the same
 * streams against the real server.
 */
const PASSWORD = 'emulated-superadmin-password-7f3a';
const ENV = { VENDURE_USER: 'superadmin', VENDURE_PASSWORD: PASSWORD };
const RECORDED = (JSON.parse(readFileSync(new URL('./fixtures/orders-answer-placed-order.json', import.meta.url), 'utf8')) as { data: { orders: { items: JsonRecord[] } } })
  .data.orders.items[0] as JsonRecord;

let project: TempProject | undefined;
let emulator: VendureEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

async function startShop(options: VendureEmulatorOptions = {}): Promise<{ shop: VendureEmulator; url: string }> {
  emulator = new VendureEmulator({ password: PASSWORD, ...options });
  return { shop: emulator, url: await emulator.start() };
}

/** A placed order like the recorded one, with its own id, times and one line. */
function order(id: number, updatedAt: string, orderPlacedAt: string | null = updatedAt, sku = 'L2201308'): EmulatedOrder {
  const lines = (RECORDED['lines'] as JsonRecord[]).map((line) => ({ ...line, id: `${id}01`, quantity: 2, productVariant: { ...(line['productVariant'] as JsonRecord), sku } }));
  return { ...RECORDED, id: String(id), code: `ORDER${id}`, active: orderPlacedAt !== null ? false : true, updatedAt, orderPlacedAt, lines };
}

const at = (second: number): string => new Date(Date.UTC(2026, 10, 23, 8, 0, second)).toISOString();

function shopProject(url: string, pipelines: Record<string, string>, config = ''): TempProject {
  const files: Record<string, string> = {
    'keel.yaml': `name: vendure-test
connections:
  shop:
    connector: vendure
    config:
      url: "${url}"
      username: "\${env:VENDURE_USER}"
      password: "\${env:VENDURE_PASSWORD}"
      retries: 2${config}
  out: { connector: file, config: { root: ./out } }
  in: { connector: file, config: { root: ./in } }
`,
  };
  for (const [name, text] of Object.entries(pipelines)) files[`pipelines/${name}.yaml`] = text;
  return tempProject(files);
}

const ORDERS_PIPELINE = (pageSize: number) => `name: orders
source: { connection: shop, stream: orders, options: { page_size: ${pageSize}, lookback_seconds: 60 } }
steps:
  - map: { mapping: keel:vendure/order.to-canonical.json }
targets:
  - { connection: out, stream: files, key: "{{external_id}}@{{updated_at}}", options: { path: "orders-{seq}.ndjson" } }
`;

function written(dir: string): { external_id: string; updated_at: string; status: string }[] {
  const out: { external_id: string; updated_at: string; status: string }[] = [];
  for (const name of readdirSync(`${dir}/out`).filter((file) => !file.startsWith('.')).sort()) {
    for (const line of readFileSync(`${dir}/out/${name}`, 'utf8').split('\n')) if (line !== '') out.push(JSON.parse(line) as (typeof out)[number]);
  }
  return out;
}

const ids = (records: { external_id: string }[]): number[] => records.map((record) => Number(record.external_id)).sort((a, b) => a - b);
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, index) => from + index);

async function run(dir: string, pipeline?: string): Promise<ProjectRun> {
  return runProject(dir, { env: ENV, pipeline });
}

describe('vendure orders: incremental by orderPlacedAt and updatedAt', () => {
  it('reads every placed order once when more orders share a timestamp than fit a page, and maps each to a canonical order', async () => {
    const { shop, url } = await startShop();
    // Five orders per second with pages of three: every page boundary falls inside a shared time.
    for (let id = 1; id <= 23; id += 1) shop.addOrder(order(id, at(Math.floor(id / 5))));
    shop.addOrder(order(99, at(1), null)); // a cart: not placed, not read
    project = shopProject(url, { orders: ORDERS_PIPELINE(3) });
    const first = await run(project.dir);
    expect(first.summary).toMatchObject({ status: 'ok', read: 23, written: 23, deadLettered: 0 });
    expect(ids(written(project.dir))).toEqual(range(1, 23));
    const mapped = written(project.dir)[0] as unknown as JsonRecord;
    expect(mapped).toMatchObject({ channel: 'vendure', order_number: 'ORDER1', status: 'received', currency: 'USD' });

    const second = await run(project.dir);
    expect(second.summary).toMatchObject({ status: 'ok', read: 0, written: 0 });
  });

  it('reads an order placed after the last run although its updatedAt is older (Vendure leaves updatedAt at the last cart change)', async () => {
    const { shop, url } = await startShop();
    shop.addOrder(order(1, at(0)));
    project = shopProject(url, { orders: ORDERS_PIPELINE(10) });
    expect((await run(project.dir)).summary).toMatchObject({ status: 'ok', read: 1 });
    // Cart changed at 0:10 (before the boundary minus the look-back of 60 s), placed at 5:00.
    shop.addOrder(order(2, at(10), new Date(Date.UTC(2026, 10, 23, 8, 5, 0)).toISOString()));
    shop.touchOrder('1', at(5)); // a change with an older time inside the look-back: read as well
    const second = await run(project.dir);
    expect(second.summary).toMatchObject({ status: 'ok', read: 2, written: 2 });
    expect(ids(written(project.dir))).toEqual([1, 1, 2]);
  });

  it('a second run reads only the orders placed or changed since, once each', async () => {
    const { shop, url } = await startShop();
    for (let id = 1; id <= 10; id += 1) shop.addOrder(order(id, at(id)));
    project = shopProject(url, { orders: ORDERS_PIPELINE(4) });
    await run(project.dir);
    shop.addOrder(order(11, at(30)));
    shop.touchOrder('3', at(31), { state: 'Cancelled' });
    shop.touchOrder('7', at(31), { state: 'Cancelled' });
    const second = await run(project.dir);
    expect(second.summary).toMatchObject({ status: 'ok', read: 3, written: 3 });
    const latest = written(project.dir).slice(10);
    expect(latest.map((record) => [record.external_id, record.status]).sort()).toEqual([
      ['11', 'received'],
      ['3', 'cancelled'],
      ['7', 'cancelled'],
    ]);
  });

  it('loses no order when orders change between two page requests of the same shared timestamp', async () => {
    const { shop, url } = await startShop();
    for (let id = 1; id <= 12; id += 1) shop.addOrder(order(id, at(1)));
    let changed = false;
    shop.beforeRequest = (request, self) => {
      // After the first page of the updatedAt walk, two orders of that page change: the rest shift up a page.
      if (request.operationName === 'KeelOrders' && !changed && request.variables['options'] !== undefined && JSON.stringify(request.variables).includes('"skip":4')) {
        changed = true;
        self.touchOrder('1', at(2), { state: 'Cancelled' });
        self.touchOrder('2', at(2), { state: 'Cancelled' });
      }
    };
    project = shopProject(url, { orders: ORDERS_PIPELINE(4) });
    const first = await run(project.dir);
    expect(first.summary.status).toBe('ok');
    expect(changed).toBe(true);
    const versions = written(project.dir).map((record) => `${record.external_id}@${record.updated_at}`);
    expect(new Set(versions).size).toBe(versions.length);
    expect([...new Set(ids(written(project.dir)))]).toEqual(range(1, 12));
  });

  it('a full sync reads every placed order in id order', async () => {
    const { shop, url } = await startShop();
    for (let id = 1; id <= 7; id += 1) shop.addOrder(order(id, at(7 - id)));
    project = shopProject(url, { orders: ORDERS_PIPELINE(3).replace('stream: orders,', 'stream: orders, sync: full,') });
    expect((await run(project.dir)).summary).toMatchObject({ status: 'ok', read: 7, written: 7 });
    expect(written(project.dir).map((record) => Number(record.external_id))).toEqual(range(1, 7));
  });
});

describe('vendure products: variants with SKU, price and stock', () => {
  it('reads every variant with its stock per location, then only the variants saved since', async () => {
    const { shop, url } = await startShop();
    const berlin = shop.addStockLocation('Berlin');
    for (const sku of ['A', 'B', 'C']) shop.addVariant(sku, { '1': { onHand: 5, allocated: 1 }, [berlin]: { onHand: 2, allocated: 0 } });
    project = shopProject(url, {
      products: `name: products
source: { connection: shop, stream: products, options: { page_size: 2 } }
targets: [{ connection: out, stream: files, key: "{{id}}@{{updatedAt}}", options: { path: "variants-{seq}.ndjson" } }]
`,
    });
    expect((await run(project.dir)).summary).toMatchObject({ status: 'ok', read: 3, written: 3 });
    const variant = JSON.parse(readFileSync(`${project.dir}/out/${readdirSync(`${project.dir}/out`).sort()[0] ?? ''}`, 'utf8').split('\n')[0] ?? '{}') as JsonRecord;
    expect(variant).toMatchObject({ sku: 'A', stockOnHand: 7, stockLevels: [{ stockLocationId: '1', stockOnHand: 5, stockAllocated: 1 }, { stockLocationId: berlin, stockOnHand: 2 }] });
    (shop.variants[1] as { updatedAt: string }).updatedAt = new Date().toISOString();
    expect((await run(project.dir)).summary).toMatchObject({ status: 'ok', read: 1, written: 1 });
  });
});

describe('vendure session: login, bearer token, refresh', () => {
  it('logs in once per connection and sends the token as a bearer token; neither token nor password is logged', async () => {
    const { shop, url } = await startShop();
    for (let id = 1; id <= 9; id += 1) shop.addOrder(order(id, at(id)));
    project = shopProject(url, { orders: ORDERS_PIPELINE(2) });
    const { summary, log } = await run(project.dir);
    expect(summary).toMatchObject({ status: 'ok', read: 9 });
    expect(shop.stats.logins).toBe(1);
    expect(shop.requests.filter((request) => request.operationName === 'KeelOrders').every((request) => request.authorization === `Bearer ${shop.issuedTokens[0]}`)).toBe(true);
    expect(log).not.toContain(shop.issuedTokens[0]);
    expect(log).not.toContain(PASSWORD);
  });

  it.each([
    ['a FORBIDDEN error (how Vendure refuses an unknown session)', 'forbidden' as const],
    ['HTTP 401 (how a proxy in front may refuse it)', 401 as const],
  ])('logs in again once when the session ends mid-run: %s', async (_name, refuseWith) => {
    const { shop, url } = await startShop({ refuseWith });
    for (let id = 1; id <= 9; id += 1) shop.addOrder(order(id, at(id)));
    let expired = false;
    shop.beforeRequest = (request, self) => {
      if (request.operationName === 'KeelOrders' && self.count('KeelOrders') === 3 && !expired) {
        expired = true;
        self.expireSessions();
      }
    };
    project = shopProject(url, { orders: ORDERS_PIPELINE(2) });
    const { summary } = await run(project.dir);
    expect(summary).toMatchObject({ status: 'ok', read: 9, written: 9 });
    expect(shop.stats.logins).toBe(2);
    expect(shop.stats.refused).toBe(1);
  });

  it('stops with an auth error naming the login when the password is wrong, without the password', async () => {
    const { url } = await startShop();
    project = shopProject(url, { orders: ORDERS_PIPELINE(2) });
    const { summary, log } = await runProject(project.dir, { env: { ...ENV, VENDURE_PASSWORD: 'wrong-password-123' } });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/login refused: Vendure InvalidCredentialsError \(INVALID_CREDENTIALS_ERROR\): The provided credentials are invalid; check username and password/);
    expect(log).not.toContain('wrong-password-123');
  });

  it('stops with an auth error saying which permission to check when the administrator may not read orders', async () => {
    const { shop, url } = await startShop({ powerless: true });
    shop.addOrder(order(1, at(1)));
    project = shopProject(url, { orders: ORDERS_PIPELINE(2) });
    const { summary } = await run(project.dir);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/KeelOrders failed with FORBIDDEN: You are not currently authorized to perform this action; .*ReadOrder/);
    expect(shop.stats.logins).toBe(2); // one fresh login, then it gives up
  });

  it('sends the channel token, and says so when the server knows no such channel', async () => {
    const { shop, url } = await startShop({ channelToken: 'de-channel' });
    shop.addOrder(order(1, at(1)));
    project = shopProject(url, { orders: ORDERS_PIPELINE(2) }, '\n      channel_token: de-channel');
    expect((await run(project.dir)).summary).toMatchObject({ status: 'ok', read: 1 });
    project.remove();
    project = shopProject(url, { orders: ORDERS_PIPELINE(2) }, '\n      channel_token: at-channel');
    const { summary } = await run(project.dir);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/CHANNEL_NOT_FOUND.*channel_token names no channel/);
  });
});

describe('vendure error table', () => {
  it('retries a server fault inside an answer (HTTP 200, INTERNAL_SERVER_ERROR) and a 500, then goes on', async () => {
    const { shop, url } = await startShop();
    for (let id = 1; id <= 3; id += 1) shop.addOrder(order(id, at(id)));
    shop.failNext('KeelOrders', 'internal_error');
    shop.failNext('KeelOrders', 'http_500');
    project = shopProject(url, { orders: ORDERS_PIPELINE(10) });
    const { summary, log } = await run(project.dir);
    expect(summary).toMatchObject({ status: 'ok', read: 3 });
    expect(log).toContain('vendure answered with a server error; retrying');
  });

  it('stops with a schema mismatch when the server does not know a query (HTTP 400, GRAPHQL_VALIDATION_FAILED)', async () => {
    const { url } = await startShop();
    // An unknown operation is what a server of another major version looks like to the emulator.
    const api = new VendureAdminApi(vendureSettings({ url, username: 'superadmin', password: PASSWORD }));
    const logger = createLogger({ level: 'error', format: 'json', redactor: new Redactor(), write: () => undefined });
    await expect(api.call({ name: 'KeelUnknown', document: 'query KeelUnknown { x }', retrySafe: true }, {}, { signal: new AbortController().signal, logger })).rejects.toMatchObject({
      kind: 'fatal',
      code: 'vendure_schema_mismatch',
      message: expect.stringMatching(/KeelUnknown failed with GRAPHQL_VALIDATION_FAILED: Unknown operation "KeelUnknown"; .*tested with 3\.7\.3/),
    });
  });
});

const STOCK_PIPELINE = (options = '{ locations: { wh-berlin: Berlin } }', batch = 50) => `name: stock
source: { connection: in, stream: files, options: { path: "stock-*.json", json: { path: levels } } }
targets:
  - { connection: shop, stream: stock, options: ${options} }
batch_size: ${batch}
`;

async function deadLetters(dir: string, pipeline: string): Promise<{ code: string; reason: string; origin: string | undefined }[]> {
  const store = new SqliteStateStore(`${dir}/.keel/state.db`);
  try {
    return (await store.listDeadLetters({ pipeline })).map(({ code, reason, origin }) => ({ code, reason, origin }));
  } finally {
    await store.close();
  }
}

describe('vendure stock: stock on hand per SKU and stock location', () => {
  it('sets each level, finding variants by SKU once per run and stock locations by map, id or name', async () => {
    const { shop, url } = await startShop();
    const berlin = shop.addStockLocation('Berlin');
    for (const sku of ['A', 'B', 'C', 'D']) shop.addVariant(sku);
    project = shopProject(url, { stock: STOCK_PIPELINE('{ locations: { wh-berlin: Berlin } }', 2) });
    project.write({
      'in/stock-1.json': JSON.stringify({
        levels: [
          { sku: 'A', location_id: 'wh-berlin', on_hand: 7 },
          { sku: 'B', location_id: 'wh-berlin', on_hand: 3 },
          { sku: 'A', location_id: 'Default Stock Location', on_hand: 11 },
          { sku: 'C', location_id: '1', on_hand: 0 },
          { sku: 'B', location_id: berlin, on_hand: 4 },
          { sku: 'D', location_id: 'wh-berlin', on_hand: -2 },
        ],
      }),
    });
    const { summary } = await run(project.dir);
    expect(summary).toMatchObject({ status: 'ok', read: 6, written: 6, deadLettered: 0 });
    const stock = Object.fromEntries(shop.variants.map((variant) => [variant.sku, Object.fromEntries(Object.entries(variant.stock).map(([id, level]) => [id, level.onHand]))]));
    expect(stock).toEqual({ A: { '1': 11, [berlin]: 7 }, B: { '1': 0, [berlin]: 4 }, C: { '1': 0 }, D: { '1': 0, [berlin]: -2 } });
    // Three batches of two, four SKUs: A and B looked up in the first, C in the second, D in the third; stock locations once.
    expect(shop.count('KeelVariantsBySku')).toBe(3);
    expect(shop.count('KeelStockLocations')).toBe(1);
    expect(shop.count('KeelSetStock')).toBe(3);
  });

  it('sets stock on hand to what may be sold plus what Vendure holds for open orders when a level says only available', async () => {
    const { shop, url } = await startShop();
    shop.addVariant('A', { '1': { onHand: 10, allocated: 3 } });
    project = shopProject(url, { stock: STOCK_PIPELINE('{ location: Default Stock Location }') });
    project.write({ 'in/stock-1.json': JSON.stringify({ levels: [{ sku: 'A', location_id: 'anything', available: 5 }] }) });
    expect((await run(project.dir)).summary).toMatchObject({ status: 'ok', written: 1 });
    expect(shop.variants[0]?.stock['1']).toEqual({ onHand: 8, allocated: 3 });
  });

  it('dead-letters an unknown SKU, an ambiguous SKU and an unknown location with what to do, and writes the rest', async () => {
    const { shop, url } = await startShop();
    shop.addVariant('A');
    shop.addVariant('TWIN');
    shop.addVariant('TWIN');
    project = shopProject(url, { stock: STOCK_PIPELINE() });
    project.write({
      'in/stock-1.json': JSON.stringify({
        levels: [
          { sku: 'A', location_id: 'wh-berlin', on_hand: 1 },
          { sku: 'NOPE', location_id: 'Default Stock Location', on_hand: 1 },
          { sku: 'TWIN', location_id: 'Default Stock Location', on_hand: 1 },
          { sku: 'A', location_id: 'Default Stock Location', on_hand: 5 },
        ],
      }),
    });
    const { summary } = await run(project.dir);
    expect(summary).toMatchObject({ status: 'dead_letters', read: 4, written: 1, deadLettered: 3 });
    expect(await deadLetters(project.dir, 'stock')).toEqual([
      { code: 'vendure_location_unknown', origin: 'stock-1.json#1', reason: expect.stringMatching(/A: no stock location of this channel has the id or name "Berlin" \(it has 1 "Default Stock Location"\); map it in options.locations/) },
      { code: 'vendure_sku_unknown', origin: 'stock-1.json#2', reason: expect.stringContaining('no variant of this channel has SKU NOPE; create it in Vendure or set unknown_sku: skip') },
      { code: 'vendure_sku_ambiguous', origin: 'stock-1.json#3', reason: expect.stringContaining('2 variants have SKU TWIN (ids 2, 3)') },
    ]);
    expect(shop.variants[0]?.stock['1']?.onHand).toBe(5);
  });

  it('skips unknown SKUs when told to, counting them', async () => {
    const { shop, url } = await startShop();
    shop.addVariant('A');
    project = shopProject(url, { stock: STOCK_PIPELINE('{ location: "1", unknown_sku: skip }') });
    project.write({ 'in/stock-1.json': JSON.stringify({ levels: [{ sku: 'A', location_id: 'pos-1', on_hand: 2 }, { sku: 'ELSEWHERE', location_id: 'pos-1', on_hand: 9 }] }) });
    const { summary } = await run(project.dir);
    expect(summary).toMatchObject({ status: 'ok', written: 2, deadLettered: 0, outcomes: { unknown_sku: 1 } });
  });

  it('dead-letters only the level of a variant deleted since it was looked up, and sets the others of the batch', async () => {
    const { shop, url } = await startShop();
    shop.addVariant('A');
    shop.addVariant('B');
    project = shopProject(url, { stock: STOCK_PIPELINE('{ location: "1" }', 2) });
    const level = (sku: string, onHand: number): JsonRecord => ({ sku, location_id: 'wh', on_hand: onHand });
    project.write({ 'in/stock-1.json': JSON.stringify({ levels: [level('A', 1), level('B', 1), level('A', 3), level('B', 4)] }) });
    shop.beforeRequest = (request, self) => {
      // B disappears after the first batch: its cached id is stale for the second.
      if (request.operationName === 'KeelSetStock' && self.count('KeelSetStock') === 2) self.variants.splice(1, 1);
    };
    const { summary } = await run(project.dir);
    expect(summary).toMatchObject({ read: 4, written: 3, deadLettered: 1 });
    expect(await deadLetters(project.dir, 'stock')).toEqual([
      { code: 'vendure_not_found', origin: 'stock-1.json#4', reason: expect.stringContaining('No ProductVariant with the id "2" could be found') },
    ]);
    expect(shop.variants[0]?.stock['1']?.onHand).toBe(3);
  });
});

const FULFILLMENT_PIPELINE = `name: shipments
source: { connection: in, stream: files, options: { path: "shipments-*.json", json: { path: shipments } } }
targets:
  - { connection: shop, stream: fulfillments }
`;

const shipment = (id: string, orderId: string, status: string, lines: JsonRecord[], tracking?: string): JsonRecord => ({
  shipment_id: id,
  order: { channel: 'vendure', external_id: orderId },
  status,
  carrier: 'DHL',
  ...(tracking !== undefined ? { tracking_number: tracking } : {}),
  lines,
  created_at: '2026-11-23T09:00:00Z',
});

describe('vendure fulfillments: shipments as fulfillments of their order', () => {
  it('adds a fulfillment with carrier and tracking number, ships it, and moves it on to Delivered when the shipment comes again delivered', async () => {
    const { shop, url } = await startShop();
    shop.addOrder({ ...order(1, at(1)), state: 'PaymentSettled' });
    project = shopProject(url, { shipments: FULFILLMENT_PIPELINE });
    project.write({ 'in/shipments-1.json': JSON.stringify({ shipments: [shipment('S1', '1', 'shipped', [{ sku: 'L2201308', quantity: 1 }], 'JJD0001')] }) });
    expect((await run(project.dir)).summary).toMatchObject({ status: 'ok', written: 1 });
    expect(shop.fulfillments).toEqual([{ id: '1', orderId: '1', state: 'Shipped', method: 'DHL', trackingCode: 'JJD0001', lines: [{ orderLineId: '101', quantity: 1 }] }]);

    project.write({ 'in/shipments-2.json': JSON.stringify({ shipments: [shipment('S1', '1', 'delivered', [{ sku: 'L2201308', quantity: 1 }], 'JJD0001')] }) });
    const again = await run(project.dir);
    expect(again.summary).toMatchObject({ status: 'ok', outcomes: { advanced: 1 } });
    expect(shop.fulfillments.map((fulfillment) => fulfillment.state)).toEqual(['Delivered']);
    expect(shop.count('KeelAddFulfillment')).toBe(1);
  });

  it('adds no second fulfillment when the answer to the first was lost: the retry finds it on the order', async () => {
    const { shop, url } = await startShop();
    shop.addOrder({ ...order(1, at(1)), state: 'PaymentSettled' });
    shop.failNext('KeelAddFulfillment', 'drop_after_commit');
    project = shopProject(url, { shipments: FULFILLMENT_PIPELINE });
    project.write({ 'in/shipments-1.json': JSON.stringify({ shipments: [shipment('S1', '1', 'shipped', [{ sku: 'L2201308', quantity: 2 }])] }) });
    const { summary } = await run(project.dir);
    expect(summary).toMatchObject({ status: 'ok', read: 1, deadLettered: 0 });
    expect(shop.count('KeelAddFulfillment')).toBe(1);
    expect(shop.fulfillments).toHaveLength(1);
    expect(shop.fulfillments[0]).toMatchObject({ state: 'Shipped', method: 'DHL', trackingCode: '' });
  });

  it("dead-letters Vendure's ErrorResults with its message: units already fulfilled, an order whose payment is not settled", async () => {
    const { shop, url } = await startShop();
    shop.addOrder({ ...order(1, at(1)), state: 'PaymentSettled' });
    shop.addOrder({ ...order(2, at(1)), state: 'PaymentAuthorized' });
    project = shopProject(url, { shipments: FULFILLMENT_PIPELINE });
    project.write({
      'in/shipments-1.json': JSON.stringify({
        shipments: [
          shipment('S1', '1', 'shipped', [{ sku: 'L2201308', quantity: 2 }], 'T1'),
          shipment('S2', '1', 'shipped', [{ sku: 'L2201308', quantity: 1, line_id: '101' }], 'T2'),
          shipment('S3', '2', 'shipped', [{ sku: 'L2201308', quantity: 1 }], 'T3'),
          shipment('S4', '77', 'shipped', [{ sku: 'L2201308', quantity: 1 }], 'T4'),
        ],
      }),
    });
    const { summary } = await run(project.dir);
    expect(summary).toMatchObject({ read: 4, written: 1, deadLettered: 3 });
    expect(await deadLetters(project.dir, 'shipments')).toEqual([
      { code: 'vendure_shipment_lines', origin: 'shipments-1.json#2', reason: expect.stringContaining('order 1: 1 of 1 units of L2201308 are more than the order has that are not in a fulfillment yet') },
      {
        code: 'vendure_fulfillment_state_transition_error',
        origin: 'shipments-1.json#3',
        reason: expect.stringMatching(
          /fulfillment 2 of order 2 was added but not moved to Shipped: Vendure FulfillmentStateTransitionError \(FULFILLMENT_STATE_TRANSITION_ERROR\): .*transitionError: Cannot transition Order from "PaymentAuthorized" to "Shipped".*payment settled/,
        ),
      },
      { code: 'vendure_order_unknown', origin: 'shipments-1.json#4', reason: expect.stringContaining('no order with id 77') },
    ]);
  });
});
