import { afterEach, describe, expect, it } from 'vitest';
import { runProject } from '../../test-support/run-project.js';
import { EMULATOR_TOKEN, ShopifyEmulator } from '../../test-support/shopify-emulator.js';
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

const pipeline = `name: orders
source: { connection: shop, stream: orders, sync: full, options: { page_size: 5, line_items_per_page: 2 } }
targets:
  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`;

/** A page of five orders with two line items each requests 2 + 5 × (14 + 2 + 2 × 6) = 142 points. */
const PAGE_POINTS = 142;

/** Sends one orders query straight to the emulator, unpaced. */
async function rawOrdersQuery(origin: string): Promise<{ errors?: { extensions?: { code?: string } }[] }> {
  const response = await fetch(`${origin}/admin/api/2026-10/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': EMULATOR_TOKEN },
    body: JSON.stringify({ operationName: 'KeelOrders', query: 'query KeelOrders { … }', variables: { first: 5, lineItems: 2 } }),
  });
  return (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
}

describe('shopify cost-based throttle', () => {
  it('spends points instead of being throttled: a bucket of two pages drained, and no THROTTLED answer', async () => {
    // Two pages' worth of points, restored at Shopify Standard's 100 a second: from the third page
    // on, each page waits about 1.4 s for its points.
    emulator = new ShopifyEmulator({ orders: 25, bucket: { maximum: 300, restoreRate: 100 } });
    const origin = await emulator.start();
    project = shopifyProject(origin, { 'orders.yaml': pipeline });
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ status: 'ok', read: 25, written: 25 });
    expect(outboxRecords(project)).toHaveLength(25);
    // The bucket ran low (an unpaced client would have been throttled there), yet no request was.
    expect(emulator.stats.lowestPoints).toBeLessThan(PAGE_POINTS);
    expect(emulator.stats.throttled).toBe(0);

    // The same bucket answers an unpaced burst THROTTLED: the emulator does limit.
    const burst = await Promise.all(Array.from({ length: 6 }, () => rawOrdersQuery(origin)));
    expect(burst.filter((answer) => answer.errors?.[0]?.extensions?.code === 'THROTTLED').length).toBeGreaterThan(0);
  });

  it('after a THROTTLED answer waits until the points are restored, once, instead of retrying at once', async () => {
    // Another app has just spent the shop's points: the first request finds the bucket empty.
    let first = true;
    emulator = new ShopifyEmulator({
      orders: 20,
      bucket: { maximum: 400, restoreRate: 800 },
      beforeRequest: (_operation, shop) => {
        if (first) shop.drainPoints(0);
        first = false;
      },
    });
    const origin = await emulator.start();
    project = shopifyProject(origin, { 'orders.yaml': pipeline });
    const { summary, log } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ status: 'ok', written: 20 });
    // Only the first request (before the client knew the bucket) was throttled; the retry waited for the points.
    expect(emulator.stats.throttled).toBe(1);
    expect(emulator.stats.throttledAt).toEqual([1]);
    const waits = log
      .split('\n')
      .filter((line) => line.includes('THROTTLED'))
      .map((line) => JSON.parse(line) as { requested: number; available: number; restore_rate: number; wait_ms: number });
    expect(waits).toHaveLength(1);
    // The wait is what the points need to restore: (requested - available) / restoreRate, not a fixed or immediate retry.
    const [wait] = waits;
    expect(wait?.requested).toBe(PAGE_POINTS);
    expect(wait?.restore_rate).toBe(800);
    const expected = ((PAGE_POINTS - (wait?.available ?? 0)) / 800) * 1000;
    expect(Math.abs((wait?.wait_ms ?? 0) - expected)).toBeLessThanOrEqual(2);
    expect(wait?.wait_ms).toBeGreaterThan(100);
  });

  it('refuses a query dearer than Shopify allows for one query with what to change', async () => {
    emulator = new ShopifyEmulator({ orders: 5 });
    project = shopifyProject(await emulator.start(), {
      'orders.yaml': pipeline.replace('{ page_size: 5, line_items_per_page: 2 }', '{ page_size: 100, line_items_per_page: 50 }'),
    });
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/KeelOrders: the query costs more points than Shopify allows for one query \(MAX_COST_EXCEEDED\); lower page_size/);
  });
});
