import { afterEach, describe, expect, it } from 'vitest';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator } from '../../test-support/shopify-emulator.js';
import type { JsonValue } from '../../core/json.js';
import { mulberry32 } from '../../test-support/random.js';
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

describe('shopify orders while the shop is busy (seeded)', () => {
  it('delivers every version that existed at the end of a run, and none twice, whatever changes between page requests', async () => {
    const failures: unknown[] = [];
    let changesWhilePaging = 0;
    for (const seed of [3, 17, 29, 43]) {
      const random = mulberry32(seed);
      let busy = true;
      const perTimestamp = [1, 4, 5, 12][Math.floor(random() * 4)] ?? 1;
      const shop = new ShopifyEmulator({
        seed,
        orders: 25 + Math.floor(random() * 25),
        perTimestamp,
        bucket: FAST_BUCKET,
        linesPerOrder: () => 1,
        beforeOrdersPage: (_variables, emulated) => {
          if (!busy || random() >= 0.3) return;
          changesWhilePaging += 1;
          // An update (the order moves behind the cursor), a new order, or a bulk edit onto one second.
          const roll = random();
          if (roll < 0.6) emulated.mutate(1);
          else if (roll < 0.85) emulated.add();
          else {
            const at = Date.parse(emulated.add().updatedAt) + 1000;
            for (const order of emulated.orders.filter(() => random() < 0.2)) emulated.update(order.number, at);
          }
        },
      });
      emulator = shop;
      const origin = await shop.start();
      const delivered: string[] = [];
      const existed = new Set<string>();
      let cursor: JsonValue | undefined;
      for (let run = 0; run <= 4; run += 1) {
        // The last run is quiet: what existed at the end of a busy run must have arrived by then.
        busy = run < 4;
        const result = await readShopifyStream(origin, 'orders', { page_size: 5, line_items_per_page: 1, lookback_seconds: 30 }, cursor);
        delivered.push(...result.records.map((order) => `${String(order['id'])}@${String(order['updatedAt'])}`));
        cursor = result.cursor;
        for (const version of shop.versions()) existed.add(version);
        if (busy) shop.mutate(Math.floor(random() * 4));
      }
      const seen = new Set(delivered);
      const missing = [...existed].filter((version) => !seen.has(version));
      if (twice(delivered).length > 0 || missing.length > 0) failures.push({ seed, perTimestamp, twice: twice(delivered), missing });
      await shop.stop();
      emulator = undefined;
    }
    expect(failures).toEqual([]);
    expect(changesWhilePaging).toBeGreaterThan(4);
  });

  it('reads every order once through 502/503 answers and slow ones', async () => {
    emulator = new ShopifyEmulator({ orders: 30, seed: 2, errorRate: 0.3, slowRate: 0.2, slowMs: 50, bucket: FAST_BUCKET });
    project = shopifyProject(await emulator.start(), { 'orders.yaml': ordersPipeline('{ page_size: 5 }') });
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ status: 'ok', written: 30 });
    expect(twice(outboxRecords<OrderRecord>(project).map((order) => order.id))).toEqual([]);
    expect(emulator.stats.errors).toBeGreaterThan(0);
  });
});
