import { OpenEngines } from '../../core/engines/open-engines.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpConnection } from '../../core/http/http-client.js';
import type { JsonValue } from '../../core/json.js';
import { createLogger } from '../../core/logger.js';
import { Redactor } from '../../core/redact.js';
import { mulberry32 } from '../../test-support/random.js';
import { ShopEmulator, type EmulatedOrder } from '../../test-support/shop-emulator.js';
import type { ApiReadOptions } from './options.js';
import { readApi } from './read-api.js';

const PAGE = 10;
const SEEDS = [11, 23, 37, 41, 59, 73, 89, 97, 101, 113];
const RUNS = 6;

let emulator: ShopEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

/** One run of the source as the runner makes it: every page, then the last checkpoint is what the next run gets. */
async function readOnce(config: HttpConnection, options: ApiReadOptions, cursor: JsonValue | undefined): Promise<{ versions: string[]; cursor: JsonValue | undefined }> {
  const logger = createLogger({ level: 'error', format: 'json', redactor: new Redactor(), write: () => undefined });
  const versions: string[] = [];
  let last = cursor;
  const pages = readApi({
    config,
    options,
    connection: 'shop',
    stream: 'api',
    logger,
    state: { get: () => Promise.resolve(undefined), set: () => Promise.resolve() },
    signal: new AbortController().signal,
    projectDir: '.',
    engines: OpenEngines.none(),
    cursor,
    sync: 'incremental',
  });
  for await (const page of pages) {
    for (const { data } of page.records) versions.push(`${String(data['id'])}@${String(data['updated_at'])}`);
    if (page.checkpoint !== undefined) last = page.checkpoint;
  }
  return { versions, cursor: last };
}

const current = (orders: readonly EmulatedOrder[]): string[] => orders.map((order) => `${order.id}@${order.updated_at}`);

/**
 * What a busy shop does, from a seed: single orders updated (they move to the end of the sort
 * order), new orders, and bulk updates that put more orders on one timestamp than fit a page.
 */
function change(shop: ShopEmulator, random: () => number, count: number): void {
  for (let n = 0; n < count; n += 1) {
    const roll = random();
    if (roll < 0.7) shop.mutate(1);
    else if (roll < 0.9) shop.add();
    else {
      const at = Date.parse(shop.add().updated_at) + 1000;
      for (const order of shop.orders.filter(() => random() < 0.2)) shop.update(order.id, at);
    }
  }
}

describe('incremental http sync with orders changing between page requests and between runs (seeded)', () => {
  it.each([
    ['page numbers', '/orders.json', 'orders', { type: 'page', size_param: 'limit', size: PAGE }],
    ['offsets', '/orders.json', 'orders', { type: 'offset', size_param: 'limit', size: PAGE }],
    ['a Link header with page numbers', '/orders-paged.json', 'orders', { type: 'link' }],
    ['a Link header with keyset cursors', '/orders.json', 'orders', { type: 'link' }],
    ['a cursor in the body', '/orders-by-cursor.json', 'orders', { type: 'cursor', path: 'meta.next_cursor', param: 'cursor' }],
    ['a NextToken', '/orders/v0/orders', 'payload.Orders', { type: 'next_token', path: 'payload.NextToken' }],
  ] as const)('delivers every version that existed at the end of a run, and none twice (%s)', async (_name, path, records, pagination) => {
    const failures: unknown[] = [];
    let changesWhilePaging = 0;
    for (const seed of SEEDS) {
      const random = mulberry32(seed);
      let busy = false;
      const perTimestamp = [1, 3, PAGE, 13, 31][Math.floor(random() * 5)] ?? 1;
      emulator = new ShopEmulator({
        seed,
        orders: 30 + Math.floor(random() * 60),
        perTimestamp,
        // Between page requests (and before the walk reads a page again): a change now and then.
        beforeList: (_url, shop) => {
          if (!busy || random() >= 0.3) return;
          const count = 1 + Math.floor(random() * 2);
          change(shop, random, count);
          changesWhilePaging += count;
        },
      });
      const config: HttpConnection = { base_url: await emulator.start() };
      const options: ApiReadOptions = {
        path,
        query: { limit: PAGE },
        records,
        pagination,
        incremental: { field: 'updated_at', param: 'updated_at_min', lookback_seconds: 30 },
      };
      const delivered: string[] = [];
      const existedAtEnd = new Set<string>();
      let cursor: JsonValue | undefined;
      for (let run = 0; run <= RUNS; run += 1) {
        // The last run is quiet: what existed at the end of a busy run must have arrived by then.
        busy = run < RUNS;
        const result = await readOnce(config, options, cursor);
        delivered.push(...result.versions);
        cursor = result.cursor;
        for (const version of current(emulator.orders)) existedAtEnd.add(version);
        if (busy) change(emulator, random, Math.floor(random() * 8));
      }
      const seen = new Set(delivered);
      const twice = delivered.filter((version, index) => delivered.indexOf(version) !== index);
      const missing = [...existedAtEnd].filter((version) => !seen.has(version));
      if (twice.length > 0 || missing.length > 0) failures.push({ seed, perTimestamp, twice, missing });
      await emulator.stop();
      emulator = undefined;
    }
    expect(failures).toEqual([]);
    // Orders did change while the walks paged (a test without changes proves nothing).
    expect(changesWhilePaging).toBeGreaterThan(SEEDS.length);
  });
});
