import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import type { JsonObject } from '../../core/json.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { connectionInbox } from '../../core/state/webhook-inbox.js';
import { EMULATOR_TOKEN, ShopifyEmulator } from '../../test-support/shopify-emulator.js';
import shopify from './index.js';

/** A canonical shipment of all of emulator order `number`'s lines (SKU-(n % 50)…, quantities 1 + (n % 3)…). */
const SHIPPED = { status: 'shipped', carrier: 'dhl', created_at: '2026-12-01T12:00:00Z' };

function shipment(shop: ShopifyEmulator, number: number, tracking: string): JsonObject {
  const order = shop.orders.find((candidate) => candidate.number === number);
  return {
    ...SHIPPED,
    shipment_id: `SHP-${tracking}`,
    order: { channel: 'shopify', external_id: String(number) },
    tracking_number: tracking,
    lines: (order?.lines ?? []).map((line) => ({ sku: line.sku, quantity: line.quantity })),
  };
}

const WEBHOOK_SECRET = 'shpss_c0nf0rmance0123456789abcdef0000';

/**
 * Three orders and three products per updatedAt, and pages of two: page boundaries fall inside
 * shared times. The webhook deliveries of three orders are stored in a state file's inbox, as
 * `keel webhooks listen` stores them.
 */
async function openShop() {
  const shop = new ShopifyEmulator({
    orders: 9,
    perTimestamp: 3,
    products: 6,
    productsPerTimestamp: 3,
    bucket: { maximum: 2000, restoreRate: 20_000 },
    inventory: [{ sku: 'MUG', levels: { 1: 5 } }],
  });
  const base_url = await shop.start();
  const folder = mkdtempSync(join(tmpdir(), 'keel-shopify-conformance-'));
  const state = new SqliteStateStore(join(folder, 'state.db'));
  const deliver = async (number: number): Promise<void> => {
    const { body, headers } = shop.webhookDelivery('orders/updated', number, { secret: WEBHOOK_SECRET });
    await state.webhooks.append({ connection: 'shop', topic: 'orders/updated', deliveryId: String(headers['x-shopify-webhook-id']), receivedAt: new Date().toISOString(), body, headers: {} });
  };
  for (const number of [1001, 1002, 1003]) await deliver(number);
  return {
    config: { base_url, access_token: EMULATOR_TOKEN, webhook_secret: WEBHOOK_SECRET, retries: 0, locations: { berlin: '1' } },
    shop,
    deliver,
    inbox: connectionInbox(state.webhooks, 'shop'),
    teardown: async () => {
      await shop.stop();
      await state.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

const failures = {
  // 502s and 503s, and no retries configured: transient at once.
  retryable: ({ shop }: Awaited<ReturnType<typeof openShop>>) => void (shop.options.errorRate = 1),
  permanent: ({ shop }: Awaited<ReturnType<typeof openShop>>) => shop.revokeToken(),
};

describeConnector(
  shopify,
  {
    setup: openShop,
    streams: {
      orders: {
        read: {
          options: { page_size: 2, lookback_seconds: 0 },
          invalidOptions: [{ options: { page_size: 0 }, message: 'must be >= 1' }],
          incremental: { cursorOf: (order) => order['updatedAt'] ?? null, addAt: ({ shop }, cursor) => void shop.add(Date.parse(String(cursor))) },
          failures,
        },
      },
      products: {
        read: {
          options: { page_size: 2, lookback_seconds: 0 },
          incremental: { cursorOf: (product) => product['updatedAt'] ?? null, addAt: ({ shop }, cursor) => shop.addProductAt(Date.parse(String(cursor))) },
          failures,
        },
      },
      stock: {
        write: {
          options: { location: 'berlin' },
          records: [{ channel: 'shopify', sku: 'MUG', quantity: 3, status: 'in_stock', revision: 1, computed_at: '2026-12-01T10:00:00Z' }],
          state: ({ shop }) => shop.items.map((item) => [item.sku, Object.fromEntries(item.levels)]),
          // A location the connection does not map is refused for that record alone.
          rejected: { sku: 'MUG', location_id: 'nowhere', available: 1, updated_at: '2026-12-01T10:00:00Z', source: 'pos' },
          failures,
        },
      },
      webhooks: {
        read: {
          options: { page_size: 2 },
          incremental: { uniqueCursor: 'each delivery has its own number in the inbox', addAt: ({ deliver }) => deliver(1004) },
        },
      },
      fulfillments: {
        write: {
          options: { notify_customer: false },
          records: ({ shop }) => [shipment(shop, 1001, '00340434161094042557'), shipment(shop, 1002, '00340434161094042558')],
          state: ({ shop }) => shop.fulfillments,
          // A shipment of an order the shop does not have.
          rejected: { ...SHIPPED, shipment_id: 'SHP-9999', order: { channel: 'shopify', external_id: '9999' }, tracking_number: '00340434161094049999', lines: [{ sku: 'SKU-1', quantity: 1 }] },
          failures,
        },
      },
    },
  },
  { describe, it },
);
