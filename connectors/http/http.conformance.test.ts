import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import { ShopEmulator } from '../../test-support/shop-emulator.js';
import http from './index.js';

describeConnector(
  http,
  {
    setup: async () => {
      // Three orders per updated_at and pages of four: every page boundary falls inside a shared time.
      const shop = new ShopEmulator({ orders: 12, perTimestamp: 3 });
      const base_url = await shop.start();
      return {
        config: { base_url, auth: { type: 'bearer' as const, token: 'conformance-bearer-7c1e9d' }, retries: 0 },
        shop,
        teardown: () => shop.stop(),
      };
    },
    streams: {
      api: {
        read: {
          options: {
            path: '/orders.json',
            records: 'orders',
            query: { limit: 4 },
            pagination: { type: 'link' },
            incremental: { field: 'updated_at', param: 'updated_at_min', lookback_seconds: 0 },
          },
          invalidOptions: [{ options: { path: '/orders.json', pagination: { type: 'cursor' } }, message: 'missing required key "param"' }],
          incremental: {
            cursorOf: (record) => record['updated_at'] ?? null,
            addAt: ({ shop }, cursor) => void shop.add(Date.parse(String(cursor))),
          },
          failures: {
            // Every request answered 500, and no retries configured: transient at once.
            retryable: ({ shop }) => void (shop.options.errorRate = 1),
          },
        },
        write: {
          options: { path: '/target/orders.json' },
          invalidOptions: [{ options: { path: '/target/orders.json', method: 'DELETE' }, message: 'must be one of: POST, PUT, PATCH' }],
          records: [
            { id: 'W-1', total_price: '9.90' },
            { id: 'W-2', total_price: '5.00' },
          ],
          state: ({ shop }) => shop.written.map(({ key, externalId, body }) => ({ key: key ?? null, externalId: externalId ?? null, body })),
          // The emulator takes a body's `order` object as the order; one without an id is answered 422.
          rejected: { id: 'W-3', order: { total_price: '1.00' } },
          failures: {
            retryable: ({ shop }) => void (shop.options.errorRate = 1),
          },
        },
      },
    },
  },
  { describe, it },
);
