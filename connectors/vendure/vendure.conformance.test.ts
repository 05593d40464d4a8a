import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import { VendureEmulator, type EmulatedOrder, type JsonRecord } from '../../test-support/vendure-emulator.js';
import vendure from './index.js';

const PASSWORD = 'emulated-superadmin-password-c0n4';
/** A placed order as a real Vendure 3.7.3 answered it (fixtures/), given another id and time. */
const RECORDED = (JSON.parse(readFileSync(new URL('./fixtures/orders-answer-placed-order.json', import.meta.url), 'utf8')) as { data: { orders: { items: JsonRecord[] } } })
  .data.orders.items[0] as JsonRecord;

function order(id: number, at: string): EmulatedOrder {
  const lines = (RECORDED['lines'] as JsonRecord[]).map((line) => ({ ...line, id: `${id}01`, quantity: 2, productVariant: { ...(line['productVariant'] as JsonRecord), sku: 'L2201308' } }));
  return { ...RECORDED, id: String(id), code: `ORDER${id}`, state: 'PaymentSettled', active: false, updatedAt: at, orderPlacedAt: at, lines };
}

const at = (second: number): string => new Date(Date.UTC(2026, 10, 23, 8, 0, second)).toISOString();

/** Three orders per second and pages of two: page boundaries fall inside shared times; variants all share one updatedAt. */
async function openShop() {
  const shop = new VendureEmulator({ password: PASSWORD });
  for (let id = 1; id <= 7; id += 1) shop.addOrder(order(id, at(Math.floor(id / 3))));
  for (const sku of ['A', 'B', 'C', 'D', 'E']) shop.addVariant(sku);
  const url = await shop.start();
  return { config: { url, username: 'superadmin', password: PASSWORD, retries: 0 }, shop, teardown: () => shop.stop() };
}
type Opened = Awaited<ReturnType<typeof openShop>>;

/** The emulator's failures are one-shot per request: queued for every request a check makes of `operation`. */
const failing = (operation: string) => ({
  retryable: ({ shop }: Opened) => {
    for (let n = 0; n < 20; n += 1) shop.failNext(operation, 'http_500');
  },
  permanent: ({ shop }: Opened) => shop.removePermissions(),
});

const shipment = (id: string, orderId: string, tracking: string): JsonRecord => ({
  shipment_id: id,
  order: { channel: 'vendure', external_id: orderId },
  status: 'shipped',
  carrier: 'DHL',
  tracking_number: tracking,
  lines: [{ sku: 'L2201308', quantity: 1 }],
  created_at: '2026-11-23T09:00:00Z',
});

describeConnector(
  vendure,
  {
    setup: openShop,
    streams: {
      orders: {
        read: {
          options: { page_size: 2, lookback_seconds: 0 },
          invalidOptions: [{ options: { page_size: 5000 }, message: 'must be <= 1000' }],
          incremental: { cursorOf: (record) => record['updatedAt'] ?? null, addAt: ({ shop }, cursor) => void shop.addOrder(order(100, String(cursor))) },
          failures: failing('KeelOrders'),
        },
      },
      products: {
        read: {
          options: { page_size: 2, lookback_seconds: 0 },
          incremental: { cursorOf: (record) => record['updatedAt'] ?? null, addAt: ({ shop }) => void shop.addVariant('LATE') },
          failures: failing('KeelVariants'),
        },
      },
      stock: {
        write: {
          options: {},
          records: [
            { sku: 'A', location_id: '1', on_hand: 7 },
            { sku: 'B', location_id: '1', on_hand: 3 },
          ],
          state: ({ shop }) => shop.variants.map((variant) => [variant.sku, variant.stock]),
          rejected: { sku: 'NO-SUCH-SKU', location_id: '1', on_hand: 1 },
          failures: failing('KeelSetStock'),
        },
      },
      fulfillments: {
        write: {
          options: { method: 'Keel' },
          records: [shipment('S1', '1', 'JJD0001'), shipment('S2', '2', 'JJD0002')],
          state: ({ shop }) => shop.fulfillments,
          rejected: shipment('S9', '999', 'JJD0999'),
          failures: failing('KeelOrderForFulfillment'),
        },
      },
    },
  },
  { describe, it },
);
