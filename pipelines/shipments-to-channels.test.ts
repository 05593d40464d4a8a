import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_TOKEN, type ShopifyEmulator } from '../test-support/shopify-emulator.js';
import type { VendureEmulator } from '../test-support/vendure-emulator.js';
import {
  CLI_TEST_TIMEOUT_MS,
  initReadyMade,
  pointShopifyAt,
  runsOf,
  startShopify,
  startVendure,
  Teardown,
  validateAndTest,
  vendureFixtureOrder,
} from '../test-support/ready-made-project.js';

/**
 * The ready-made pipeline shipments-to-channels, started with `keel init --from` and run with
 * the CLI on its sample shipment confirmations: Shopify order 1001 and Vendure order 41 are in
 * the emulators, as the pick orders of marketplace-orders-to-3pl would have sent them; the third
 * shipment is an Amazon order, for neither shop.
 */
const teardown = new Teardown();
afterEach(() => teardown.run());

async function startShops(): Promise<{ shopify: ShopifyEmulator; vendure: VendureEmulator; env: Record<string, string> }> {
  // #1001: 2 tees (line 100100) and a mug (line 100101), unfulfilled, at the emulator's warehouse.
  const tee = { sku: 'NH-TEE-BLK-M', name: 'Harbour Tee', quantity: 2, unitCents: 2495 };
  const mug = { sku: 'NH-MUG-WHT', name: 'Anchor Mug', quantity: 1, unitCents: 1490 };
  const cap = { sku: 'NH-CAP-NVY', name: 'Dock Cap', quantity: 1, unitCents: 1995 };
  const shopify = await startShopify({ orders: 2, orderLines: (number) => (number === 1001 ? [tee, mug] : [cap]) }, teardown);
  // Order 41: 2 tees (line 101) and socks (line 102), payment settled.
  const vendure = await startVendure('emulated-admin-password-09be', teardown);
  vendure.shop.addOrder(vendureFixtureOrder('41'));
  return { shopify: shopify.shop, vendure: vendure.shop, env: { SHOPIFY_TOKEN: EMULATOR_TOKEN, SHOPIFY_BASE_URL: shopify.url, ...vendure.env } };
}

describe('ready-made pipeline shipments-to-channels', () => {
  it('fulfils each shipment in the shop its order came from, with carrier and tracking number, once', async () => {
    const { shopify, vendure, env } = await startShops();
    const { project, init } = await initReadyMade('shipments-to-channels', env, teardown);
    expect(init.stdout).toContain('3pl_shipments (file), shopify_shop (shopify), vendure_shop (vendure)');
    pointShopifyAt(project, 'shopify_shop', 'SHOPIFY_BASE_URL');
    expect(await validateAndTest(project)).toEqual({ validate: 'exit 0: ok: 2 pipeline(s) valid: shipments-to-shopify, shipments-to-vendure', test: 'exit 0: 3 passed, 0 failed' });

    const first = await project.keel(['run', project.dir, '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // Three shipments in the file: each pipeline takes its channel's and filters the other two.
    expect(runsOf(first)['shipments-to-shopify']).toMatchObject({ status: 'ok', read: 3, written: 1, skipped: 2, outcomes: { fulfilled: 1 } });
    expect(runsOf(first)['shipments-to-vendure']).toMatchObject({ status: 'ok', read: 3, written: 1, skipped: 2 });
    expect(shopify.fulfillments).toEqual([
      expect.objectContaining({
        orderId: 'gid://shopify/Order/1001',
        trackingInfo: [{ number: '00340434161094042557', company: 'DHL Express', url: null }],
        lines: [
          { id: 'gid://shopify/FulfillmentOrderLineItem/100100', quantity: 2 },
          { id: 'gid://shopify/FulfillmentOrderLineItem/100101', quantity: 1 },
        ],
      }),
    ]);
    expect(shopify.orders.map((order) => order.fulfillmentStatus)).toEqual(['FULFILLED', 'UNFULFILLED']);
    expect(vendure.fulfillments).toEqual([
      expect.objectContaining({
        orderId: '41',
        state: 'Shipped',
        // Carrier and service, as the 3PL wrote them (the carrier code in lower case).
        method: 'dpd Classic',
        trackingCode: '01505012345678',
        lines: [
          { orderLineId: '101', quantity: 2 },
          { orderLineId: '102', quantity: 1 },
        ],
      }),
    ]);

    // The 3PL sends the Shopify confirmation again in its next file, with one for an order Shopify does not know:
    // the first is a duplicate (nothing fulfilled twice), the second waits in the dead-letter queue saying why.
    const header = readFileSync(project.path('data/3pl-shipments/shipments-2026-05-15.csv'), 'utf8').split('\n').slice(0, 3).join('\n');
    writeFileSync(
      project.path('data/3pl-shipments/shipments-2026-05-16.csv'),
      `${header}\nSHP-260516-0001,9999,shopify,LEJ1,2026-05-16 10:00:00,DHL,Paket,,00340434161094049999,0.40,,NH-CAP-NVY,1\n`,
    );
    const second = await project.keel(['run', project.dir, '--json']);
    expect(second.code).toBe(1);
    expect(runsOf(second)['shipments-to-shopify']).toMatchObject({ read: 2, written: 0, duplicates: 1, deadLettered: 1 });
    expect(runsOf(second)['shipments-to-vendure']).toMatchObject({ read: 2, written: 0, skipped: 2 });
    expect(shopify.fulfillments).toHaveLength(1);
    expect(vendure.fulfillments).toHaveLength(1);
    const letters = JSON.parse((await project.keel(['dlq', 'list', '--json', '--project', project.dir])).stdout) as { deadLetters: { stage: string; reason: string }[] };
    expect(letters.deadLetters).toEqual([
      expect.objectContaining({ stage: 'target:shopify_shop', code: 'shopify_order_not_found', origin: 'shipments-2026-05-16.csv:4', reason: expect.stringContaining('order gid://shopify/Order/9999 is not in Shopify') }),
    ]);
  }, CLI_TEST_TIMEOUT_MS);
});
