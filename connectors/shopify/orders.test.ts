import { afterEach, describe, expect, it } from 'vitest';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator } from '../../test-support/shopify-emulator.js';
import { outboxRecords, SHOPIFY_ENV, shopifyProject } from '../../test-support/shopify-project.js';
import type { TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let emulator: ShopifyEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

interface OrderRecord {
  id: string;
  updatedAt: string;
  lineItems: { nodes: { id: string; sku: string }[] };
}

const ordersPipeline = (options: string): string => `name: orders
source:
  connection: shop
  stream: orders
  options: ${options}
targets:
  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
batch_size: 7
`;

/** Points restore fast enough that pacing is not what these tests wait for (throttle.test.ts is about that). */
const FAST_BUCKET = { maximum: 2000, restoreRate: 20_000 };

const twice = (versions: readonly string[]): string[] => versions.filter((version, index) => versions.indexOf(version) !== index);

describe('shopify orders, incremental by updatedAt', () => {
  it('passes every version once across runs while orders share updatedAt across pages and change between page requests', async () => {
    // Seven orders per second with pages of five: every page boundary falls inside a shared
    // timestamp. While a run is busy, every third page request updates two orders first, which
    // move behind the cursor.
    let busy = true;
    let pageRequests = 0;
    emulator = new ShopifyEmulator({
      orders: 60,
      perTimestamp: 7,
      seed: 5,
      bucket: FAST_BUCKET,
      beforeOrdersPage: (_variables, shop) => {
        pageRequests += 1;
        if (busy && pageRequests % 3 === 0) shop.mutate(2);
      },
    });
    const shop = emulator;
    project = shopifyProject(await shop.start(), { 'orders.yaml': ordersPipeline('{ page_size: 5, line_items_per_page: 2, lookback_seconds: 60 }') });
    const existed = new Set<string>();

    const first = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(first.summary.status).toBe('ok');
    for (const version of shop.versions()) existed.add(version);
    shop.mutate(4);
    shop.add();
    const second = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(second.summary.status).toBe('ok');
    for (const version of shop.versions()) existed.add(version);
    busy = false;
    const quiet = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(quiet.summary).toMatchObject({ status: 'ok', written: 0 });

    const records = outboxRecords<OrderRecord>(project);
    const delivered = records.map((order) => `${order.id}@${order.updatedAt}`);
    expect(twice(delivered)).toEqual([]);
    // Every version that existed at the end of a run arrived: nothing slid past a page boundary.
    expect([...existed].filter((version) => !delivered.includes(version))).toEqual([]);
    expect(shop.stats.mutations).toBeGreaterThan(5);
    // The second run brought what changed since (and while it paged), not the shop again.
    expect(second.summary.written).toBeLessThan(30);
    // Orders with more lines than a page holds were completed by follow-up queries.
    const byId = new Map(shop.orders.map((order) => [order.id, order]));
    expect(records.filter((order) => order.lineItems.nodes.length !== byId.get(order.id)?.lines.length).map((order) => order.id)).toEqual([]);
    expect(shop.stats.operations['KeelOrderLineItems']).toBeGreaterThan(0);
  });

  it('asks Shopify for orders updated since the boundary less the look-back, sorted by UPDATED_AT', async () => {
    const filters: string[] = [];
    emulator = new ShopifyEmulator({ orders: 12, bucket: FAST_BUCKET, beforeOrdersPage: (variables) => filters.push(String(variables['query'])) });
    project = shopifyProject(await emulator.start(), { 'orders.yaml': ordersPipeline('{ page_size: 10, lookback_seconds: 120, filter: "status:any" }') });
    await runProject(project.dir, { env: SHOPIFY_ENV });
    filters.length = 0;
    await runProject(project.dir, { env: SHOPIFY_ENV });
    // The last order is at 00:00:11; the next run starts two minutes before it.
    expect(filters[0]).toBe("(status:any) AND updated_at:>='2025-12-31T23:58:11.000Z'");
  });
});
