import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import type { JsonObject } from '../../core/json.js';
import { AmazonSpApiEmulator, type EmulatedOperation, type UsagePlan } from '../../test-support/amazon-sp-api-emulator.js';
import { addDeOrders, deOrder, emulatorConfig } from '../../test-support/amazon-sp-api-project.js';
import type { SpOperation } from './usage-plans.js';
import amazon from './index.js';

/**
 * Amazon's plans are a few requests a minute (getOrders 0.0167/s); the kit reads and writes dozens
 * of times per check. The emulator and the connection agree on a fast plan, so the budget is
 * exercised (and the x-amzn-RateLimit-Limit header read) without waiting.
 */
const FAST: UsagePlan = { perSecond: 200, burst: 200 };
const OPERATIONS: readonly (EmulatedOperation & SpOperation)[] = ['getOrders', 'getOrderItems', 'createFeedDocument', 'createFeed', 'getFeed', 'getFeedDocument'];

/**
 * The orders are seeded this long ago: past the two minutes Amazon keeps out of reach, and inside
 * the default five-minute look-back, which is what reads an order Amazon shows late at an instant
 * already read ((AmazonOrderId, LastUpdateDate) pairs keep the others from coming again).
 */
const SEEDED_AGO_MS = 3 * 60_000;

const REFUSED_SKU = 'NH-BATTERY';

/**
 * Seven Amazon.de orders three minutes ago, five in one second and two in the next, and pages of
 * two. getOrders answers in no documented order (the emulator shuffles), but of the three pairs
 * that straddle a page boundary the two later orders can spoil at most two: a boundary always
 * falls inside a shared LastUpdateDate. A feed settles on the second getFeed.
 */
async function openAmazon() {
  const emulator = new AmazonSpApiEmulator({
    usagePlans: Object.fromEntries(OPERATIONS.map((operation) => [operation, FAST])),
    feedPolls: 1,
    rejectSkus: { [REFUSED_SKU]: [{ code: '90220', message: "'[batteries_required]' is required but not supplied." }] },
  });
  const second = Math.floor((Date.now() - SEEDED_AGO_MS) / 1000) * 1000;
  addDeOrders(emulator, 7, (n) => second + (n > 5 ? 1000 : 0));
  const origin = await emulator.start();
  const usage_plans = Object.fromEntries(OPERATIONS.map((operation) => [operation, { per_second: FAST.perSecond, burst: FAST.burst }]));
  // No retries: a 503 is transient at once, and a check does not wait out back-offs.
  return { config: emulatorConfig(emulator, origin, { retries: 0, usage_plans }), amazon: emulator, teardown: () => emulator.stop() };
}
type Opened = Awaited<ReturnType<typeof openAmazon>>;

/** The emulator's faults are per request: queued for every request a check makes of `operation`. */
const failing = (operation: EmulatedOperation) => ({
  retryable: ({ amazon: emulator }: Opened) => emulator.failNext(operation, 503, 50),
  // 403 without the "access token … has expired" wording: the app lacks the role, no refresh helps.
  permanent: ({ amazon: emulator }: Opened) => emulator.failNext(operation, 403, 50),
});

const level = (sku: string, available: number): JsonObject => ({ sku, location_id: 'channel-amazon-de', available, updated_at: '2026-12-01T10:00:00Z', source: 'keel' });

describeConnector(
  amazon,
  {
    setup: openAmazon,
    streams: {
      orders: {
        read: {
          // lookback_seconds left at its default (300): see SEEDED_AGO_MS.
          options: { page_size: 2, start: new Date(Date.now() - 2 * 3600_000).toISOString(), settle_seconds: 120 },
          invalidOptions: [
            { options: { page_size: 101 }, message: 'must be <= 100' },
            { options: { settle_seconds: 60 }, message: 'must be >= 120' },
          ],
          incremental: {
            cursorOf: (order) => order['LastUpdateDate'] ?? null,
            addAt: ({ amazon: emulator }, cursor) => {
              const { order, items } = deOrder('302-0000000-0000100', Date.parse(String(cursor)));
              emulator.addOrder(order, items);
            },
          },
          failures: failing('getOrders'),
        },
      },
      stock: {
        write: {
          options: { poll_interval_ms: 100, max_poll_interval_ms: 200, processing_timeout_seconds: 10 },
          invalidOptions: [{ options: { poll_interval_ms: 10 }, message: 'must be >= 100' }],
          records: [level('NH-TEE-BLK-M', 10), level('NH-MUG-WHT', 3)],
          state: ({ amazon: emulator }) => Object.fromEntries(emulator.quantities),
          // Amazon's processing report refuses this SKU with an ERROR issue.
          rejected: level(REFUSED_SKU, 5),
          failures: failing('createFeedDocument'),
        },
      },
    },
  },
  { describe, it },
);
