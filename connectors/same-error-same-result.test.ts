/**
 * Every built-in target turns an error into a record's result by the one mapping
 * (core/sdk/error-outcome.ts), so the same error gives the same outcome whichever target met it.
 * Each target is driven with its service (HTTP client, file store, inventory, routing) failing.
 * SFTP writes through the file target's writeBatchFiles, with its own store, so the file row
 * stands for it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeelError, RecordRejection } from '../core/errors.js';
import type { FileStore } from '../core/files/file-store.js';
import { writeBatchFiles } from '../core/files/write-batch-files.js';
import { HttpClient } from '../core/http/http-client.js';
import { createLogger } from '../core/logger.js';
import { Redactor } from '../core/redact.js';
import type { WriteContext, WriteRecord, WriteResult } from '../core/sdk/connector.js';
import { writeApi } from './http/write-api.js';
import { writeReservations } from './inventory/write-stock.js';
import { writeOrders } from './routing/write-orders.js';
import { writeResponses } from './routing/write-responses.js';

afterEach(() => vi.restoreAllMocks());

const ORDER = { channel: 'shop', external_id: '1001', status: 'received', lines: [{ line_id: '1', sku: 'TEE', quantity: 1 }] };

function context(options: unknown, services: { inventory?: unknown; routing?: unknown; config?: unknown } = {}): WriteContext<never, never> {
  const redactor = new Redactor();
  return {
    config: (services.config ?? {}) as never,
    options: options as never,
    connection: 'target',
    stream: 'stream',
    logger: createLogger({ level: 'error', format: 'json', redactor, write: () => undefined }),
    state: { get: async () => undefined, set: async () => undefined },
    signal: new AbortController().signal,
    projectDir: '.',
    // The engines as the seam hands them over, by definition name; here stand-ins that fail.
    engines: { get: (engine) => services[engine.name as 'inventory' | 'routing'] as never, require: (engine) => services[engine.name as 'inventory' | 'routing'] as never },
    batchKey: 'batch-1',
    sequence: 1,
  };
}

/** Each target, writing one record while its service throws `error`. */
const TARGETS: [string, (error: unknown) => Promise<WriteResult[]>][] = [
  [
    'http',
    (error) => {
      vi.spyOn(HttpClient.prototype, 'request').mockRejectedValue(error);
      return writeApi(context({ path: '/orders.json' }, { config: { base_url: 'http://127.0.0.1:9/api' } }), [{ key: 'shop:1001', data: ORDER }]);
    },
  ],
  [
    'file',
    (error) => {
      const store = { label: 'out', writeAtomic: () => Promise.reject(error) } as unknown as FileStore;
      return writeBatchFiles(context({ path: 'orders-{seq}.ndjson' }), store, [{ key: 'batch-1:0', data: ORDER }]);
    },
  ],
  ['inventory reservations', (error) => writeReservations(context({}, { inventory: { channels: ['shop'], reserve: () => Promise.reject(error) } }), [{ key: 'shop:1001', data: ORDER }])],
  ['routing orders', (error) => writeOrders(context({}, { routing: { route: () => Promise.reject(error) } }), [{ key: 'shop:1001', data: ORDER }])],
  [
    'routing responses',
    (error) => {
      const answer: WriteRecord = { key: 'a-1', data: { order: 'shop:1001', location_id: 'store-1', action: 'claim' } };
      return writeResponses(context({}, { routing: { claim: () => Promise.reject(error) } }), [answer]);
    },
  ],
];

const STOPS = 'stops the run';
const ERRORS: [string, unknown, WriteResult | typeof STOPS][] = [
  [
    'a record rejection',
    new RecordRejection('order shop:1001 was never routed here', 'order_unknown', { hint: 'give channel:id' }),
    { status: 'permanent', error: 'order shop:1001 was never routed here; give channel:id', code: 'order_unknown' },
  ],
  ['a transient error', new KeelError('transient', 'connection reset', { code: 'reset' }), { status: 'retryable', error: 'connection reset' }],
  ['a rate limit', new KeelError('rate_limited', 'HTTP 429', { code: 'http_429', retryAfterMs: 2000 }), { status: 'retryable', error: 'HTTP 429', retryAfterMs: 2000 }],
  ['refused credentials', new KeelError('auth', 'HTTP 401', { code: 'http_401' }), STOPS],
  ['a config error', new KeelError('config', 'no routing: section', { code: 'routing_missing' }), STOPS],
  ['a fatal error', new KeelError('fatal', 'the API is broken', { code: 'http_too_deep' }), STOPS],
  ['an unclassified error', new Error('SQLITE_CORRUPT: database disk image is malformed'), STOPS],
];

describe('the same error gives the same result in every built-in target', () => {
  const rows = TARGETS.flatMap(([target, write]) => ERRORS.map(([what, error, expected]) => [target, what, write, error, expected] as const));
  it.each(rows)('%s: %s', async (_target, _what, write, error, expected) => {
    if (expected === STOPS) await expect(write(error)).rejects.toBe(error);
    else expect(await write(error)).toStrictEqual([expected]);
  });
});
