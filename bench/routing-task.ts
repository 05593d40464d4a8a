import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import type { Order } from '../core/model/order.js';
import { MemoryRoutingState } from '../core/routing/batch-router.js';
import { profileVersion } from '../core/routing/load-profile.js';
import { createOrderRouter } from '../core/routing/route-order.js';
import { routingLocations } from '../core/routing/routing-input.js';
import { LARGE_ORDER_PROFILE, syntheticNetwork } from '../test-support/large-orders.js';
import { mulberry32 } from '../test-support/random.js';
import type { Measured } from './child-tasks.js';
import { DATA_DIR } from './paths.js';

/** As many SKUs as the synthetic network stocks. */
const SKUS = 2_000;
/** Receipts are written in chunks of about this much text, small enough to die young in the GC. */
const CHUNK_CHARS = 64 * 1024;

const PROFILE = LARGE_ORDER_PROFILE;

/**
 * Routes `count` generated orders in one process, taking stock and capacity out as it goes, and
 * (with receipts) writes every receipt to an NDJSON file in chunks, as a store would persist them.
 * The digest is "split:held:hash of all decisions", so both runs can be compared.
 */
export function routeOrders(count: number, receipts: boolean): Measured {
  const random = mulberry32(0xb0a7);
  const { locations, stock } = syntheticNetwork(random, 0.4);
  const routed = routingLocations(locations, PROFILE);
  const state = new MemoryRoutingState(routed, { stock });
  const route = createOrderRouter({ profile: PROFILE, version: profileVersion(PROFILE) }, { locations: routed, sku: () => undefined, state, now: new Date('2026-11-23T12:00:00Z') });
  const orders: Order[] = Array.from({ length: Math.min(count, 10_000) }, (_, index) => ({
    channel: 'shop',
    external_id: String(index),
    status: 'received',
    currency: 'EUR',
    created_at: '2026-11-23T09:00:00Z',
    shipping_address: { country_code: random() < 0.9 ? 'DE' : 'AT', coordinates: { lat: 47.5 + random() * 7, lon: 6 + random() * 9 } },
    lines: Array.from({ length: 1 + Math.floor(random() * 5) }, (_, line) => ({
      line_id: `${index}-${line}`,
      sku: `SKU-${Math.floor(random() * SKUS)}`,
      quantity: 1 + Math.floor(random() * 3),
      unit_price: { amount: '19.90', currency: 'EUR' },
    })),
  }));
  mkdirSync(join(DATA_DIR, 'routing'), { recursive: true });
  const fd = receipts ? openSync(join(DATA_DIR, 'routing', 'receipts.ndjson'), 'w') : undefined;
  const hash = createHash('sha256');
  let split = 0;
  let held = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    // A pool of 10,000 distinct orders, cycled with fresh ids.
    const template = orders[index % orders.length] as Order;
    const order = index < orders.length ? template : { ...template, external_id: String(index) };
    const decision = route(order, { receipt: receipts });
    if (decision.status === 'allocated') {
      state.commit(decision.parts);
      if (decision.parts.length > 1) split += 1;
      hash.update(decision.parts.map((part) => `${part.location_id}:${part.lines.map((line) => `${line.sku}x${line.quantity}`).join(',')}`).join('+'));
    } else {
      held += 1;
      hash.update(`held:${decision.hold.code}`);
    }
    if (fd !== undefined && decision.receipt !== undefined) {
      const text = JSON.stringify(decision.receipt);
      pending.push(text);
      pendingChars += text.length;
      if (pendingChars >= CHUNK_CHARS) {
        writeSync(fd, `${pending.join('\n')}\n`);
        pending = [];
        pendingChars = 0;
      }
    }
  }
  if (fd !== undefined) {
    if (pending.length > 0) writeSync(fd, `${pending.join('\n')}\n`);
    closeSync(fd);
  }
  return { records: count, elapsedMs: performance.now() - started, digest: `${split}:${held}:${hash.digest('hex').slice(0, 16)}` };
}
