import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../core/json.js';
import type { SyncMode, WriteRecord } from '../../core/sdk/connector.js';
import { runProject } from '../../test-support/run-project.js';
import { outboxRecords } from '../../test-support/shopify-project.js';
import { bareStreamContext } from '../../test-support/stream-context.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { WOO_ENV, WOO_KEY, WOO_SECRET, WooCommerceEmulator } from '../../test-support/woocommerce-emulator.js';
import type { WooCommerceConfig } from './config.js';
import woocommerce from './index.js';

let emulator: WooCommerceEmulator | undefined;
let project: TempProject | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

// One config object per shop, as a project's run holds one: the SKU lookup is cached on it.
const configs = new Map<string, WooCommerceConfig>();
const configFor = (origin: string): WooCommerceConfig => {
  const config = configs.get(origin) ?? { base_url: origin, consumer_key: WOO_KEY, consumer_secret: WOO_SECRET, retries: 3 };
  configs.set(origin, config);
  return config;
};
const common = (origin: string, options: Record<string, unknown>, stream: string) => bareStreamContext(configFor(origin), options, { connection: 'shop', stream });

async function read(origin: string, stream: string, options: Record<string, unknown>, cursor: JsonValue | undefined, sync: SyncMode = 'incremental') {
  const records: JsonObject[] = [];
  let last = cursor;
  for await (const page of woocommerce.streams[stream]?.read?.read({ ...common(origin, options, stream), cursor, sync }) ?? []) {
    records.push(...page.records.map((record) => record.data));
    if (page.checkpoint !== undefined) last = page.checkpoint;
  }
  return { records, cursor: last };
}

async function writeStock(origin: string, data: JsonObject[], options: Record<string, unknown> = {}) {
  const batch: WriteRecord[] = data.map((record, index) => ({ key: `k${index}`, data: record }) as WriteRecord);
  const write = woocommerce.streams['stock']?.write?.write;
  if (write === undefined) throw new Error('no stock write');
  return write({ ...common(origin, options, 'stock'), batchKey: 'b1', sequence: 1 }, batch);
}

describe('woocommerce orders', () => {
  it('reads every order once across pages and runs, ties on one modified second included, and orders changed between page requests', async () => {
    let changed = false;
    emulator = new WooCommerceEmulator({
      orders: 23,
      perTimestamp: 3,
      beforeList: (url, shop) => {
        // Between two page requests of the first run, an order of page one changes and moves to the end.
        if (!changed && url.searchParams.get('page') === '2') {
          changed = true;
          shop.update(1002);
        }
      },
    });
    const origin = await emulator.start();
    const first = await read(origin, 'orders', { page_size: 5, lookback_seconds: 300 }, undefined);
    const ids = first.records.map((order) => order['id']);
    expect(new Set(ids).size).toBe(23);
    // The changed order is passed on in both versions, nothing twice otherwise.
    expect(ids.filter((id) => id === 1002).length).toBeLessThanOrEqual(2);
    expect(ids.length).toBeLessThanOrEqual(24);

    // A second run: nothing new, nothing repeated (its look-back re-reads every order, and drops them as known).
    expect((await read(origin, 'orders', { page_size: 5, lookback_seconds: 300 }, first.cursor)).records).toEqual([]);

    // Two orders change in the same second: both come, once.
    emulator.update(1010);
    const order = emulator.orders.find((candidate) => candidate['id'] === 1011) as JsonObject;
    order['date_modified_gmt'] = emulator.orders.find((candidate) => candidate['id'] === 1010)?.['date_modified_gmt'] as string;
    const second = await read(origin, 'orders', { page_size: 1, lookback_seconds: 300 }, first.cursor);
    // Over both runs every version went out once, and the latest version of every order went out.
    const versions = [...first.records, ...second.records].map((record) => `${String(record['id'])}@${String(record['date_modified_gmt'])}`);
    expect(new Set(versions).size).toBe(versions.length);
    for (const current of emulator.orders) expect(versions).toContain(`${String(current['id'])}@${String(current['date_modified_gmt'])}Z`);
    expect(second.records.map((record) => record['id'])).toEqual(expect.arrayContaining([1010, 1011]));
    expect(second.records[0]?.['date_modified_gmt']).toMatch(/Z$/);
    expect((await read(origin, 'orders', { page_size: 1 }, second.cursor)).records).toEqual([]);
  });

  it('reads through a 429 and a 503 without losing a page', async () => {
    emulator = new WooCommerceEmulator({ orders: 4 });
    const origin = await emulator.start();
    emulator.failNext.push(429, 503);
    const { records } = await read(origin, 'orders', { page_size: 2 }, undefined, 'full');
    expect(records.map((order) => order['id'])).toEqual([1001, 1002, 1003, 1004]);
    expect(emulator.stats.failed).toBe(2);
  });
});

describe('woocommerce products', () => {
  it('reads products with sku, price and stock, variable ones with their variations', async () => {
    emulator = new WooCommerceEmulator();
    const { records } = await read(await emulator.start(), 'products', { page_size: 2 }, undefined, 'full');
    expect(records.map((product) => product['sku'])).toEqual(['MUG-1', 'TEE', 'CAP-1']);
    const tee = records.find((product) => product['sku'] === 'TEE');
    expect(tee?.['variation_records']).toEqual([expect.objectContaining({ id: 21, sku: 'TEE-S', stock_quantity: 1 }), expect.objectContaining({ id: 22, sku: 'TEE-M', price: '19.00' })]);
  });
});

describe('woocommerce stock', () => {
  it('sets products and variations in batches, dead-letters an unknown SKU and an item WooCommerce refuses with its message, and looks SKUs up once per run', async () => {
    emulator = new WooCommerceEmulator();
    const origin = await emulator.start();
    emulator.refuseItems.set(30, 'Stock cannot be managed for this product.');
    const results = await writeStock(origin, [
      { sku: 'MUG-1', quantity: 7 },
      { sku: 'TEE-S', quantity: 0 },
      { sku: 'NOPE-1', quantity: 4 },
      { sku: 'CAP-1', quantity: 5 },
      { sku: 'TEE-M', available: 9 },
    ]);
    expect(results).toEqual([
      { status: 'ok', ref: '10' },
      { status: 'ok', ref: '21' },
      { status: 'permanent', error: 'no product or variation has SKU NOPE-1; create it in WooCommerce or set unknown_sku: skip', code: 'woocommerce_sku_unknown' },
      {
        status: 'permanent',
        error: 'SKU CAP-1 (product 30): WooCommerce refused it (woocommerce_rest_invalid_product_sku): Stock cannot be managed for this product.; WooCommerce refused the item',
        code: 'woocommerce_item_refused',
      },
      { status: 'ok', ref: '22' },
    ]);
    expect([emulator.product('MUG-1')?.stock_quantity, emulator.product('TEE-S')?.stock_quantity, emulator.product('TEE-M')?.stock_quantity]).toEqual([7, 0, 9]);
    expect(emulator.product('MUG-1')?.manage_stock).toBe(true);
    // One batch for products, one for the variations of product 20.
    expect(emulator.stats.batches).toBe(2);
    // The same values again change nothing, and the SKUs are not looked up again.
    const lookups = emulator.stats.lookups;
    expect((await writeStock(origin, [{ sku: 'MUG-1', quantity: 7 }])).map((result) => result.status)).toEqual(['ok']);
    expect(emulator.stats.lookups).toBe(lookups);
  });

  it('skips unknown SKUs when told, and gives a product deleted since the lookup its own error', async () => {
    emulator = new WooCommerceEmulator();
    const origin = await emulator.start();
    const shop = emulator;
    const results = await writeStock(origin, [{ sku: 'GONE', quantity: 1 }], { unknown_sku: 'skip' });
    expect(results).toEqual([{ status: 'ok', outcome: 'unknown_sku' }]);
    await writeStock(origin, [{ sku: 'CAP-1', quantity: 1 }]);
    shop.products.splice(shop.products.findIndex((product) => product.sku === 'CAP-1'), 1);
    const gone = await writeStock(origin, [{ sku: 'CAP-1', quantity: 2 }]);
    expect(gone).toEqual([expect.objectContaining({ status: 'permanent', code: 'woocommerce_product_gone' })]);
  });
});

describe('woocommerce connection', () => {
  it('stops at a refused key once, saying what to check, and the secret appears nowhere', async () => {
    emulator = new WooCommerceEmulator({ orders: 2 });
    const origin = await emulator.start();
    project = tempProject({
      'keel.yaml': `name: woo-auth
connections:
  shop:
    connector: woocommerce
    config: { base_url: "${origin}", consumer_key: "\${env:WOO_CONSUMER_KEY}", consumer_secret: "\${env:WOO_CONSUMER_SECRET}" }
  outbox: { connector: file, config: { root: ./out } }
`,
      'pipelines/orders.yaml': `name: orders
source: { connection: shop, stream: orders }
targets:
  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
    });
    const wrongSecret = 'cs_wrong_secret_do_not_log_000';
    const { summary, log } = await runProject(project.dir, { env: { ...WOO_ENV, WOO_CONSUMER_SECRET: wrongSecret } });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/HTTP 401: the REST API key was refused: check consumer_key and consumer_secret/);
    expect(summary.error).toMatch(/woocommerce_rest_cannot_view/);
    expect(JSON.stringify(summary)).not.toContain(wrongSecret);
    expect(log).not.toContain(wrongSecret);
    expect(log).not.toContain(Buffer.from(`${WOO_KEY}:${wrongSecret}`).toString('base64'));
    expect(emulator.stats.unauthorized).toBe(1);
    expect(outboxRecords(project, 'out')).toEqual([]);
  });
});
