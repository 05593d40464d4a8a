import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { connectionInbox } from '../../core/state/webhook-inbox.js';
import { WOO_KEY, WOO_SECRET, WooCommerceEmulator } from '../../test-support/woocommerce-emulator.js';
import woocommerce from './index.js';

const WEBHOOK_SECRET = 'woo-conformance-webhook-secret-0123';

/**
 * Nine orders, three per modified second, and pages of two: page boundaries fall inside shared
 * times. Three order deliveries are stored in a state file's inbox, as `keel webhooks listen`
 * stores them. The shop refuses the Cap's stock (product 30) with a message.
 */
async function openShop() {
  const shop = new WooCommerceEmulator({ orders: 9, perTimestamp: 3 });
  shop.refuseItems.set(30, 'Invalid stock quantity.');
  const base_url = await shop.start();
  const folder = mkdtempSync(join(tmpdir(), 'keel-woo-conformance-'));
  const state = new SqliteStateStore(join(folder, 'state.db'));
  const deliver = async (id: number): Promise<void> => {
    const { body, headers } = shop.webhookDelivery('order.updated', id, { secret: WEBHOOK_SECRET, at: Date.now() + id * 1000 });
    await state.webhooks.append({ connection: 'shop', topic: 'order.updated', deliveryId: String(headers['x-wc-webhook-delivery-id']), receivedAt: new Date().toISOString(), body, headers: {} });
  };
  for (const id of [1001, 1002, 1003]) await deliver(id);
  return {
    config: { base_url, consumer_key: WOO_KEY, consumer_secret: WOO_SECRET, webhook_secret: WEBHOOK_SECRET, retries: 0 },
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
type Opened = Awaited<ReturnType<typeof openShop>>;

const failures = {
  // 503s, and no retries configured: transient at once.
  retryable: ({ shop }: Opened) => void shop.failNext.push(...Array.from({ length: 20 }, () => 503)),
  permanent: ({ shop }: Opened) => shop.revokeKey(),
};

describeConnector(
  woocommerce,
  {
    setup: openShop,
    streams: {
      orders: {
        read: {
          options: { page_size: 2, lookback_seconds: 0 },
          invalidOptions: [{ options: { page_size: 101 }, message: 'must be <= 100' }],
          incremental: { cursorOf: (order) => order['date_modified_gmt'] ?? null, addAt: ({ shop }, cursor) => void shop.addOrderAt(Date.parse(String(cursor))) },
          failures,
        },
      },
      products: {
        read: {
          options: { page_size: 2, lookback_seconds: 0 },
          incremental: { cursorOf: (product) => product['date_modified_gmt'] ?? null, addAt: ({ shop }, cursor) => shop.addProductAt(Date.parse(String(cursor)), `ADDED-${Date.now()}`) },
          failures,
        },
      },
      stock: {
        write: {
          records: [
            { sku: 'MUG-1', quantity: 4 },
            { sku: 'TEE-M', quantity: 9 },
          ],
          state: ({ shop }) => shop.products.map((product) => [product.sku, product.stock_quantity]),
          // The shop refuses this product's quantity: that record alone is refused.
          rejected: { sku: 'CAP-1', quantity: 2 },
          failures,
        },
      },
      webhooks: {
        read: {
          options: { page_size: 2 },
          incremental: { uniqueCursor: 'each delivery has its own number in the inbox', addAt: ({ deliver }) => deliver(1004) },
        },
      },
    },
  },
  { describe, it },
);
