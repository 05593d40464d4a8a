import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator } from '../../test-support/shopify-emulator.js';
import { SHOPIFY_ENV, shopifyProject } from '../../test-support/shopify-project.js';
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

/** Canonical shipments in an NDJSON file, written to the shop's fulfillments stream. */
function shipmentsProject(origin: string, shipments: object[]): TempProject {
  const created = shopifyProject(
    origin,
    {
      'shipments.yaml': `name: shipments
source: { connection: inbox, stream: files, sync: full, options: { path: "shipments-*.ndjson" } }
targets:
  - { connection: shop, stream: fulfillments, key: "{{shipment_id}}", options: { notify_customer: true, carriers: { dhl: DHL Express } } }
on_error: { retry: { max_attempts: 4, initial_delay_ms: 10 } }
`,
    },
    { keel: '  inbox: { connector: file, config: { root: ./in } }\n' },
  );
  created.write({ 'in/shipments-1.ndjson': shipments.map((shipment) => JSON.stringify(shipment)).join('\n') });
  return created;
}

/** A shipment of order `number` of the emulator (whose lines are SKU-(n % 50)…, quantities 1 + (n % 3)…). */
function shipment(shop: ShopifyEmulator, number: number, tracking: string, lines?: object[]): object {
  const order = shop.orders.find((candidate) => candidate.number === number);
  if (order === undefined) throw new Error(`no order ${number}`);
  return {
    shipment_id: `SHP-${tracking}`,
    order: { channel: 'shopify', external_id: String(number) },
    status: 'shipped',
    carrier: 'dhl',
    tracking_number: tracking,
    tracking_url: `https://www.dhl.de/track?piececode=${tracking}`,
    lines: lines ?? order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    created_at: '2026-12-01T12:00:00Z',
  };
}

describe('shopify fulfillments', () => {
  it('fulfils each shipment once, though Shopify committed the first and the answer was lost, and when the shipments come again', async () => {
    emulator = new ShopifyEmulator({ orders: 6, bucket: FAST_BUCKET, dropFulfillmentAnswers: 1 });
    const shop = emulator;
    project = shipmentsProject(await shop.start(), [shipment(shop, 1001, '00340434161094042557'), shipment(shop, 1002, '00340434161094042558'), shipment(shop, 1003, '00340434161094042559')]);
    const first = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(first.summary).toMatchObject({ status: 'ok', written: 3, outcomes: { fulfilled: 2, existing: 1 } });
    expect(shop.stats).toMatchObject({ droppedAnswers: 1, fulfillmentsCreated: 3 });
    expect(shop.fulfillments.map((fulfillment) => [fulfillment.orderId, fulfillment.trackingInfo])).toEqual([
      ['gid://shopify/Order/1001', [{ number: '00340434161094042557', company: 'DHL Express', url: 'https://www.dhl.de/track?piececode=00340434161094042557' }]],
      ['gid://shopify/Order/1002', [{ number: '00340434161094042558', company: 'DHL Express', url: 'https://www.dhl.de/track?piececode=00340434161094042558' }]],
      ['gid://shopify/Order/1003', [{ number: '00340434161094042559', company: 'DHL Express', url: 'https://www.dhl.de/track?piececode=00340434161094042559' }]],
    ]);
    expect(shop.fulfillmentOrders.slice(0, 3).map((fo) => fo.status)).toEqual(['CLOSED', 'CLOSED', 'CLOSED']);

    // The same shipments again: the effect ledger knows them.
    const again = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(again.summary).toMatchObject({ status: 'ok', written: 0, duplicates: 3 });
    // And without the ledger (a new state file): Shopify's fulfillments with these tracking numbers are found.
    rmSync(project.path('.keel'), { recursive: true, force: true });
    const fresh = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(fresh.summary).toMatchObject({ status: 'ok', written: 3, outcomes: { existing: 3 } });
    expect(shop.stats.fulfillmentsCreated).toBe(3);
  });

  it('fulfils part of an order by line and SKU, and dead-letters what Shopify has no open units for, or no order', async () => {
    emulator = new ShopifyEmulator({ orders: 3, bucket: FAST_BUCKET, linesPerOrder: () => 2 });
    const shop = emulator;
    const order = shop.orders[0];
    if (order === undefined) throw new Error('no order');
    const [a, b] = order.lines;
    project = shipmentsProject(await shop.start(), [
      // Part of the first line, by the order line's id.
      shipment(shop, 1001, 'PARTIAL-1', [{ sku: a?.sku, line_id: a?.id.split('/').at(-1), quantity: 1 }]),
      // More of the second line than the order holds.
      shipment(shop, 1001, 'TOO-MANY', [{ sku: b?.sku, quantity: (b?.quantity ?? 0) + 5 }]),
      { ...shipment(shop, 1002, 'GONE'), order: { channel: 'shopify', external_id: '999999' } },
      { ...shipment(shop, 1003, 'NONE'), tracking_number: undefined },
    ]);
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ written: 1, deadLettered: 3 });
    const fo = shop.fulfillmentOrders[0];
    expect(fo?.status).toBe('IN_PROGRESS');
    expect(fo?.lineItems.map((item) => item.remaining)).toEqual([(a?.quantity ?? 0) - 1, b?.quantity]);
    const store = new SqliteStateStore(project.path('.keel/state.db'));
    const letters = await store.listDeadLetters({});
    await store.close();
    expect(letters.map((letter) => `${letter.code}: ${letter.reason}`)).toEqual([
      `shopify_nothing_to_fulfil: order #1001: SKU ${b?.sku}: ${(b?.quantity ?? 0) + 5} to fulfil, ${b?.quantity} left open in Shopify (fulfilled already, cancelled, or not on the order)`,
      'shopify_order_not_found: order gid://shopify/Order/999999 is not in Shopify (or not visible to the app)',
      'shopify_bad_shipment: shipment for order 1003 has no tracking number; fulfillments are matched by it, so none is created without',
    ]);
  });
});
