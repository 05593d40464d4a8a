/**
 * An HTTP emulator of a shop API, for tests and benchmarks, and runnable on its own:
 *
 *   node dist/test-support/shop-emulator.js --port 8080 --orders 1000 --bucket 40/2 --errors 0.05
 *
 * It serves orders the way Shopify's REST Admin API does (`/admin/api/2024-10/orders.json`,
 * `updated_at_min`, page/offset or `page_info` cursors in a `Link` header, a leaky-bucket limit
 * reported in `X-Shopify-Shop-Api-Call-Limit`, 429 with `Retry-After`), WooCommerce's `Link`
 * headers that carry page numbers (`/orders-paged.json`), and misbehaves on demand: random 500s,
 * slow responses, orders updated while a client pages through them (at random, or scripted
 * between two page requests with `beforeList`). Its orders
 * target (`POST /admin/api/2024-10/target/orders.json`) stores what it receives and counts writes
 * per `Idempotency-Key`, answering a repeated key with the first result (or, with
 * `ignoreIdempotencyKey`, storing every request like an API without such a header); it can drop
 * the connection after committing, before the response.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from './random.js';

export interface EmulatorOptions {
  orders?: number;
  /** Orders per shared updated_at value (records on one timestamp straddle pages). */
  perTimestamp?: number;
  seed?: number;
  /** Leaky bucket: capacity and leak per second (Shopify REST: 40 and 2). */
  bucket?: { capacity: number; perSecond: number; retryAfter?: 'seconds' | 'date' };
  /** Share of requests answered 500 before anything happens. */
  errorRate?: number;
  slowRate?: number;
  slowMs?: number;
  /** Every n-th order list request updates `mutateCount` orders (they move to the end). */
  mutateEvery?: number;
  mutateCount?: number;
  /**
   * Called before an order list request is answered, after `mutateEvery`: a test changes orders
   * here (`update`, `add`) to script what happens between two page requests, or holds the answer
   * until the promise it returns settles (two processes start reading at once).
   */
  beforeList?: (url: URL, shop: ShopEmulator) => void | Promise<void>;
  /** Share of target writes that commit and then lose the connection before the response. */
  resetAfterCommitRate?: number;
  /** Largest page the API hands out. */
  maxPageSize?: number;
  /** The orders target ignores `Idempotency-Key`: every request it receives is a new order, as with many real APIs. */
  ignoreIdempotencyKey?: boolean;
}

export interface EmulatedOrder {
  id: number;
  name: string;
  email: string;
  currency: string;
  total_price: string;
  created_at: string;
  updated_at: string;
  line_items: { sku: string; quantity: number; price: string }[];
}

export interface StoredWrite {
  key: string | undefined;
  body: unknown;
  externalId: string | undefined;
  /** When it was committed (ms since the epoch). */
  at: number;
}

const PREFIX = '/admin/api/2024-10';
const START = Date.parse('2026-01-01T00:00:00Z');

export class ShopEmulator {
  readonly orders: EmulatedOrder[] = [];
  /** What the orders target committed, in order. */
  readonly written: StoredWrite[] = [];
  readonly stats = { requests: 0, listRequests: 0, throttled: 0, errors: 0, replayed: 0, resets: 0, mutations: 0 };
  /** Arrival time of every request that passed the rate limit, for rate measurements. */
  readonly admitted: number[] = [];
  /** Arrival time of every request answered 429, to tell a warm-up from a budget that overruns. */
  readonly throttledAt: number[] = [];
  private readonly byKey = new Map<string, { status: number; body: string }>();
  private readonly random: () => number;
  private level = 0;
  private levelAt = Date.now();
  private server: Server | undefined;
  private clock: number;

  constructor(readonly options: EmulatorOptions = {}) {
    this.random = mulberry32(options.seed ?? 1);
    const count = options.orders ?? 100;
    const per = options.perTimestamp ?? 1;
    for (let index = 0; index < count; index += 1) this.orders.push(newOrder(1001 + index, new Date(START + Math.floor(index / per) * 1000).toISOString()));
    this.clock = START + count * 1000;
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ errors: String(error) }));
      });
    });
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${PREFIX}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Updates orders now, as a shop would while a client pages: they get a newer updated_at. */
  mutate(count: number): EmulatedOrder[] {
    const changed: EmulatedOrder[] = [];
    for (let n = 0; n < count && this.orders.length > 0; n += 1) {
      const order = this.orders[Math.floor(this.random() * this.orders.length)] as EmulatedOrder;
      changed.push(this.update(order.id));
    }
    return changed;
  }

  /** Updates one order: updated_at becomes `at` (epoch ms), by default a second after the last change. */
  update(id: number, at?: number): EmulatedOrder {
    const order = this.orders.find((candidate) => candidate.id === id);
    if (order === undefined) throw new Error(`no order ${id}`);
    order.updated_at = new Date(this.tick(at)).toISOString();
    this.stats.mutations += 1;
    return order;
  }

  /** Creates an order with the next id, updated (and created) at `at`, by default a second after the last change. */
  add(at?: number): EmulatedOrder {
    const order = newOrder((this.orders.at(-1)?.id ?? 1000) + 1, new Date(this.tick(at)).toISOString());
    this.orders.push(order);
    return order;
  }

  /** The shop's clock moves forward only, so a change given no time sorts after every earlier one. */
  private tick(at: number | undefined): number {
    this.clock = at === undefined ? this.clock + 1000 : Math.max(this.clock, at);
    return at ?? this.clock;
  }

  /** How many times the target committed each external id (an order id): 1 everywhere means exactly once. */
  writesPerExternalId(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const write of this.written) if (write.externalId !== undefined) counts.set(write.externalId, (counts.get(write.externalId) ?? 0) + 1);
    return counts;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    res.setHeader('content-type', 'application/json');
    if (!url.pathname.startsWith(PREFIX)) return send(res, 404, { errors: 'Not Found' });
    const path = url.pathname.slice(PREFIX.length);

    if (!this.admit(res)) return;
    if (this.options.slowRate !== undefined && this.random() < this.options.slowRate) await delay(this.options.slowMs ?? 200);
    if (this.options.errorRate !== undefined && this.random() < this.options.errorRate) {
      this.stats.errors += 1;
      return send(res, 500, { errors: 'Internal Server Error' });
    }

    if (req.method === 'GET' && path === '/orders.json') return this.listOrders(url, res, 'link');
    // The same orders with the cursor in the body, and Amazon SP-API style with a NextToken.
    if (req.method === 'GET' && path === '/orders-by-cursor.json') return this.listOrders(url, res, 'body');
    if (req.method === 'GET' && path === '/orders/v0/orders') return this.listOrders(url, res, 'next_token');
    // WooCommerce style: ?page=N, and a Link header whose next URL is the same query with page N+1.
    if (req.method === 'GET' && path === '/orders-paged.json') return this.listOrders(url, res, 'link_pages');
    if (req.method === 'POST' && path === '/target/orders.json') return this.writeOrder(req, body, res);
    if (req.method === 'GET' && path === '/target/orders.json') {
      const external = url.searchParams.get('external_id');
      const found = this.written.filter((write) => external !== null && write.externalId === external).map((write) => write.body);
      return send(res, 200, { orders: found });
    }
    return send(res, 404, { errors: 'Not Found' });
  }

  /** The leaky bucket: 429 when full, the fill level reported on every response. */
  private admit(res: ServerResponse): boolean {
    const bucket = this.options.bucket;
    const now = Date.now();
    if (bucket === undefined) {
      this.admitted.push(now);
      return true;
    }
    this.level = Math.max(0, this.level - ((now - this.levelAt) / 1000) * bucket.perSecond);
    this.levelAt = now;
    if (this.level + 1 > bucket.capacity + 1e-9) {
      this.stats.throttled += 1;
      this.throttledAt.push(now);
      const waitMs = ((this.level + 1 - bucket.capacity) / bucket.perSecond) * 1000;
      res.setHeader(
        'retry-after',
        bucket.retryAfter === 'date' ? new Date(now + Math.max(1000, waitMs)).toUTCString() : String(Math.max(1, Math.ceil(waitMs / 1000))),
      );
      res.setHeader('x-shopify-shop-api-call-limit', `${bucket.capacity}/${bucket.capacity}`);
      send(res, 429, { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' });
      return false;
    }
    this.level += 1;
    this.admitted.push(now);
    res.setHeader('x-shopify-shop-api-call-limit', `${Math.ceil(this.level)}/${bucket.capacity}`);
    return true;
  }

  private async listOrders(url: URL, res: ServerResponse, style: 'link' | 'link_pages' | 'body' | 'next_token'): Promise<void> {
    this.stats.listRequests += 1;
    const every = this.options.mutateEvery;
    if (every !== undefined && this.stats.listRequests % every === 0) this.mutate(this.options.mutateCount ?? 1);
    const held = this.options.beforeList?.(url, this);
    if (held !== undefined) await held;
    const max = this.options.maxPageSize ?? 250;
    const cursorParam = style === 'link' ? 'page_info' : style === 'body' ? 'cursor' : style === 'next_token' ? 'NextToken' : undefined;
    const pageInfo = cursorParam === undefined ? null : url.searchParams.get(cursorParam);
    let filter: { min: number | undefined; after: [number, number] | undefined; limit: number };
    if (pageInfo !== null) {
      try {
        filter = JSON.parse(Buffer.from(pageInfo, 'base64url').toString('utf8')) as typeof filter;
      } catch {
        return send(res, 400, { errors: 'page_info is invalid' });
      }
      // Like Shopify: a page_info request takes no other filters.
      if (style === 'link' && [...url.searchParams.keys()].some((key) => key !== 'page_info' && key !== 'limit')) {
        return send(res, 400, { errors: 'page_info cannot be combined with other filters' });
      }
    } else {
      const min = url.searchParams.get('updated_at_min');
      filter = { min: min === null ? undefined : Date.parse(min), after: undefined, limit: Math.min(max, Number(url.searchParams.get('limit') ?? 50)) };
      if (filter.min !== undefined && Number.isNaN(filter.min)) return send(res, 400, { errors: { updated_at_min: ['is not a valid date'] } });
    }
    const sorted = this.orders
      .filter((order) => filter.min === undefined || Date.parse(order.updated_at) >= filter.min)
      .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.id - b.id);
    let from = 0;
    const after = filter.after;
    if (after !== undefined) {
      from = sorted.findIndex((order) => {
        const at = Date.parse(order.updated_at);
        return at > after[0] || (at === after[0] && order.id > after[1]);
      });
      if (from < 0) from = sorted.length;
    } else if (url.searchParams.has('page') || style === 'link_pages') {
      from = (Math.max(1, Number(url.searchParams.get('page') ?? 1)) - 1) * filter.limit;
    } else if (url.searchParams.has('offset')) {
      from = Math.max(0, Number(url.searchParams.get('offset')));
    }
    const page = sorted.slice(from, from + filter.limit);
    const last = page[page.length - 1];
    const numbered = url.searchParams.has('page') || url.searchParams.has('offset') || style === 'link_pages';
    const next =
      !numbered && last !== undefined && from + filter.limit < sorted.length
        ? Buffer.from(JSON.stringify({ min: filter.min, after: [Date.parse(last.updated_at), last.id], limit: filter.limit })).toString('base64url')
        : undefined;
    if (style === 'body') return send(res, 200, { orders: page, meta: { next_cursor: next ?? null } });
    if (style === 'next_token') return send(res, 200, { payload: { Orders: page, ...(next !== undefined ? { NextToken: next } : {}) } });
    if (style === 'link_pages') {
      if (from + filter.limit < sorted.length) {
        const following = new URLSearchParams(url.searchParams);
        following.set('page', String(from / filter.limit + 2));
        res.setHeader('link', `<http://127.0.0.1:${(this.server?.address() as AddressInfo).port}${url.pathname}?${following.toString()}>; rel="next"`);
      }
      return send(res, 200, { orders: page });
    }
    if (next !== undefined) {
      res.setHeader('link', `<http://127.0.0.1:${(this.server?.address() as AddressInfo).port}${PREFIX}/orders.json?limit=${filter.limit}&page_info=${next}>; rel="next"`);
    }
    send(res, 200, { orders: page });
  }

  private writeOrder(req: IncomingMessage, body: string, res: ServerResponse): void {
    const key = this.options.ignoreIdempotencyKey === true ? undefined : header(req, 'idempotency-key');
    if (key !== undefined) {
      const earlier = this.byKey.get(key);
      if (earlier !== undefined) {
        this.stats.replayed += 1;
        res.setHeader('idempotent-replayed', 'true');
        res.statusCode = earlier.status;
        res.end(earlier.body);
        return;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(res, 400, { errors: 'body is not JSON' });
    }
    const order = (parsed as { order?: Record<string, unknown> }).order ?? (parsed as Record<string, unknown>);
    const id = typeof order === 'object' && order !== null ? (order['id'] ?? order['external_id']) : undefined;
    if (id === undefined) return send(res, 422, { errors: { id: ["can't be blank"] } });
    const externalId = String(id);
    this.written.push({ key, body: order, externalId, at: Date.now() });
    const answer = JSON.stringify({ order: { id: this.written.length, external_id: externalId } });
    if (key !== undefined) this.byKey.set(key, { status: 201, body: answer });
    if (this.options.resetAfterCommitRate !== undefined && this.random() < this.options.resetAfterCommitRate) {
      this.stats.resets += 1;
      req.socket.destroy();
      return;
    }
    res.statusCode = 201;
    res.end(answer);
  }
}

function newOrder(id: number, at: string): EmulatedOrder {
  const price = ((id % 97) + 9.99).toFixed(2);
  return {
    id,
    name: `#${id}`,
    email: `customer${id}@example.com`,
    currency: 'EUR',
    total_price: price,
    created_at: at,
    updated_at: at,
    line_items: [{ sku: `SKU-${id % 50}`, quantity: 1 + (id % 3), price }],
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.end(JSON.stringify(body));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 10 * 1024 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
