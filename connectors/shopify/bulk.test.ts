import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator } from '../../test-support/shopify-emulator.js';
import { outboxRecords, readShopifyStream, SHOPIFY_ENV, shopifyProject } from '../../test-support/shopify-project.js';
import type { TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let emulator: ShopifyEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

const FAST_BUCKET = { maximum: 2000, restoreRate: 20_000 };

interface OrderRecord {
  id: string;
  updatedAt: string;
  lineItems: { nodes: { id: string; sku: string }[] };
}

const pipeline = (stream: string, options: string): string => `name: ${stream}
source: { connection: shop, stream: ${stream}, options: ${options} }
targets:
  - { connection: outbox, stream: files, options: { path: "${stream}-{seq}.ndjson" } }
batch_size: 100
`;

describe('shopify bulk export', () => {
  it('syncs a shop first with one bulk export, its children put back under their parents, then reads pages from where the export began', async () => {
    emulator = new ShopifyEmulator({ orders: 320, perTimestamp: 3, bulkPollsToComplete: 3, bucket: FAST_BUCKET });
    const shop = emulator;
    project = shopifyProject(await shop.start(), { 'orders.yaml': pipeline('orders', '{ bulk: true, bulk_poll_ms: 10, page_size: 10, lookback_seconds: 60 }') });

    const first = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(first.summary).toMatchObject({ status: 'ok', read: 320, written: 320, deadLettered: 0 });
    // One export, polled until done, downloaded once, without the access token; no pages read.
    expect(shop.stats.operations).toMatchObject({ KeelCurrentBulk: 1, KeelBulkRun: 1, KeelBulkPoll: 3 });
    expect(shop.stats.operations['KeelOrders']).toBeUndefined();
    expect(shop.stats).toMatchObject({ bulkDownloads: 1, downloadsWithToken: 0 });
    const exported = outboxRecords<OrderRecord>(project);
    expect(exported).toHaveLength(320);
    const byId = new Map(shop.orders.map((order) => [order.id, order]));
    expect(exported.filter((order) => order.lineItems.nodes.map((line) => line.id).join() !== byId.get(order.id)?.lines.map((line) => line.id).join())).toEqual([]);

    // Changes after the export: the next run reads pages from the export's start, only those.
    const changed = [...shop.mutate(3), shop.add()].map((order) => `${order.id}@${order.updatedAt}`);
    const second = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(second.summary, second.summary.error).toMatchObject({ status: "ok", written: new Set(changed).size });
    expect(shop.stats.operations['KeelBulkRun']).toBe(1);
    expect(shop.stats.operations['KeelOrders']).toBeGreaterThan(0);
    const delivered = outboxRecords<OrderRecord>(project).map((order) => `${order.id}@${order.updatedAt}`);
    expect(delivered.slice(320).sort()).toEqual([...new Set(changed)].sort());
  });

  it('exports products with their variants on a full sync', async () => {
    emulator = new ShopifyEmulator({ orders: 0, products: 12, variantsPerProduct: 4, bucket: FAST_BUCKET });
    project = shopifyProject(await emulator.start(), { 'products.yaml': pipeline('products', '{ bulk: true, bulk_poll_ms: 10 }').replace('options:', 'sync: full, options:') });
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ status: 'ok', written: 12 });
    const products = outboxRecords<{ id: string; variants: { nodes: { sku: string; inventoryItem: { id: string } }[] } }>(project);
    expect(products.map((product) => product.variants.nodes.length)).toEqual(Array.from({ length: 12 }, () => 4));
    expect(products[0]?.variants.nodes[0]).toMatchObject({ sku: 'TEE-1-S', inventoryItem: { id: 'gid://shopify/InventoryItem/100' } });
  });

  it('dead-letters a child line that comes after its parent was passed on, instead of dropping it', async () => {
    emulator = new ShopifyEmulator({ orders: 4, bucket: FAST_BUCKET, linesPerOrder: () => 1 });
    emulator.ungroupNextExport();
    project = shopifyProject(await emulator.start(), { 'orders.yaml': pipeline('orders', '{ bulk: true, bulk_poll_ms: 10 }') });
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    // All four orders arrive; the line items of the first three come after the fourth order began.
    expect(summary).toMatchObject({ status: 'dead_letters', written: 4, deadLettered: 3 });
    const store = new SqliteStateStore(project.path('.keel/state.db'));
    const letters = await store.listDeadLetters({});
    await store.close();
    expect(letters.map((letter) => letter.reason)).toEqual([
      'a child line of gid://shopify/Order/1001 arrived after that record was passed on (is the export grouped?)',
      'a child line of gid://shopify/Order/1002 arrived after that record was passed on (is the export grouped?)',
      'a child line of gid://shopify/Order/1003 arrived after that record was passed on (is the export grouped?)',
    ]);
  });

  it('names the error code of a failed export and what to do', async () => {
    emulator = new ShopifyEmulator({ orders: 4, bucket: FAST_BUCKET, bulkFailure: 'ACCESS_DENIED' });
    project = shopifyProject(await emulator.start(), { 'orders.yaml': pipeline('orders', '{ bulk: true, bulk_poll_ms: 10 }') });
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/bulk export gid:\/\/shopify\/BulkOperation\/1 ended FAILED \(ACCESS_DENIED\): the app lacks an access scope/);
  });
});

describe('shopify bulk export, resumed', () => {
  it('downloads the same export again after a stop and passes on only what the last checkpoint had not', async () => {
    emulator = new ShopifyEmulator({ orders: 320, bucket: FAST_BUCKET });
    const shop = emulator;
    const origin = await shop.start();
    const options = { bulk: true, bulk_poll_ms: 10 };
    // The first run stops after one page of 250 (a crash after its commit, say).
    const stopped = await readShopifyStream(origin, 'orders', options, undefined, 'incremental', 1);
    expect(stopped.records).toHaveLength(250);
    expect(stopped.cursor).toMatchObject({ bulk: { id: 'gid://shopify/BulkOperation/1', records: 250 } });
    const resumed = await readShopifyStream(origin, 'orders', options, stopped.cursor);
    expect(resumed.records.map((order) => order['id'])).toEqual(shop.orders.slice(250).map((order) => order.id));
    // The same export, downloaded again; not a second one. The last checkpoint is the walk's, from the export's start.
    expect(shop.stats.operations['KeelBulkRun']).toBe(1);
    expect(shop.stats.bulkDownloads).toBe(2);
    expect(resumed.cursor).toMatchObject({ since: Date.parse(shop.bulkOperations[0]?.createdAt ?? '') });
  });
});
