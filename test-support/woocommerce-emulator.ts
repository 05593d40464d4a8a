/**
 * A WooCommerce REST API (wc/v3) emulator on 127.0.0.1 for tests: HTTP Basic auth with a consumer
 * key and secret, `GET /orders` with `modified_after` (strictly later, `dates_are_gmt`),
 * `orderby=modified|id`, `page`/`per_page` (≤ 100) and the `X-WP-Total`/`X-WP-TotalPages`/`Link`
 * headers, orders changed between page requests (`beforeList`), products with variations, SKU
 * lookups, the product and variation batch endpoints with per-item errors, and 429/5xx on demand.
 *
 * Webhooks as WC_Webhook delivers them (woocommerce/woocommerce, plugins/woocommerce/includes/
 * class-wc-webhook.php): the body is the resource as the REST API answers it, JSON-encoded the
 * way wp_json_encode does (slashes and non-ASCII escaped), signed with HMAC-SHA256 of those bytes
 * keyed with the webhook's secret, base64 in X-WC-Webhook-Signature; X-WC-Webhook-Delivery-ID is
 * a hash of the webhook id and the current second, so two deliveries in one second share it. The
 * ping sent when a webhook is saved is `webhook_id=<id>`, form-encoded and unsigned.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postDelivery, type DeliveryAnswer, type SignedDelivery } from './post-webhook.js';

export const WOO_KEY = 'ck_emulator_0123456789abcdef';
export const WOO_SECRET = 'cs_emulator_secret_fedcba9876543210';
export const WOO_ENV = { WOO_CONSUMER_KEY: WOO_KEY, WOO_CONSUMER_SECRET: WOO_SECRET };

type Json = Record<string, unknown>;
const PREFIX = '/wp-json/wc/v3';
const START = Date.parse('2026-11-01T00:00:00Z');
const TEMPLATE = (JSON.parse(readFileSync(join(packageRoot(), 'mappings/woocommerce/samples/orders-list.json'), 'utf8')) as Json[])[0] as Json;

export interface WooEmulatorOptions {
  orders?: number;
  /** Orders sharing one date_modified_gmt (they straddle pages). */
  perTimestamp?: number;
  /** Called before an order list is answered: a test changes orders here, between two page requests. */
  beforeList?: (url: URL, shop: WooCommerceEmulator) => void;
}

export interface WooProduct {
  id: number;
  name: string;
  type: 'simple' | 'variable' | 'variation';
  sku: string;
  price: string;
  stock_quantity: number | null;
  manage_stock: boolean;
  parent_id: number;
  date_modified_gmt: string;
  variations: number[];
}

const gmt = (ms: number): string => new Date(ms).toISOString().slice(0, 19);
const USER_AGENT = 'WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)';

/** JSON as PHP's json_encode writes it by default (wp_json_encode): `/` as `\/`, non-ASCII as `\uXXXX`. */
function wpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class WooCommerceEmulator {
  readonly orders: Json[] = [];
  readonly products: WooProduct[] = [];
  readonly stats = { requests: 0, unauthorized: 0, listRequests: 0, lookups: 0, batches: 0, failed: 0 };
  /** Statuses the next requests are answered with (429 carries Retry-After: 0). */
  readonly failNext: number[] = [];
  /** Product or variation ids whose batch item WooCommerce refuses, with this message. */
  readonly refuseItems = new Map<number, string>();
  private clock: number;
  private server: Server | undefined;
  private keyRevoked = false;

  constructor(private readonly options: WooEmulatorOptions = {}) {
    const per = options.perTimestamp ?? 1;
    for (let index = 0; index < (options.orders ?? 0); index += 1) this.orders.push(this.order(1001 + index, START + Math.floor(index / per) * 1000));
    this.clock = START + (options.orders ?? 0) * 1000;
    this.addProduct({ id: 10, name: 'Mug', type: 'simple', sku: 'MUG-1', price: '9.50', stock_quantity: 3 });
    this.addProduct({ id: 20, name: 'Tee', type: 'variable', sku: 'TEE', price: '19.00', stock_quantity: null });
    this.addProduct({ id: 21, name: 'Tee - S', type: 'variation', sku: 'TEE-S', price: '19.00', stock_quantity: 1, parent_id: 20 });
    this.addProduct({ id: 22, name: 'Tee - M', type: 'variation', sku: 'TEE-M', price: '19.00', stock_quantity: 2, parent_id: 20 });
    this.addProduct({ id: 30, name: 'Cap', type: 'simple', sku: 'CAP-1', price: '12.00', stock_quantity: 0 });
  }

  addProduct(product: Partial<WooProduct> & Pick<WooProduct, 'id' | 'name' | 'type' | 'sku' | 'price' | 'stock_quantity'>): void {
    this.products.push({ manage_stock: product.stock_quantity !== null, parent_id: 0, date_modified_gmt: gmt(START), variations: [], ...product });
    const parent = this.products.find((candidate) => candidate.id === product.parent_id);
    if (parent !== undefined) parent.variations.push(product.id);
  }

  /** An order like the documented example, with its own id, SKUs and times. */
  private order(id: number, modifiedMs: number): Json {
    const order = structuredClone(TEMPLATE);
    order['id'] = id;
    order['number'] = String(id);
    order['date_created_gmt'] = gmt(modifiedMs - 60_000);
    order['date_created'] = order['date_created_gmt'];
    order['date_modified_gmt'] = gmt(modifiedMs);
    order['date_modified'] = order['date_modified_gmt'];
    const lines = order['line_items'] as Json[];
    lines.forEach((line, position) => {
      line['id'] = id * 10 + position;
      line['sku'] = position === 0 ? 'MUG-1' : 'TEE-S';
    });
    return order;
  }

  /** A new order last modified at `modifiedMs` (a time other orders may share); returns its id. */
  addOrderAt(modifiedMs: number): number {
    const id = 1001 + this.orders.length + 1000;
    this.orders.push(this.order(id, modifiedMs));
    return id;
  }

  /** A new simple product last modified at `modifiedMs`. */
  addProductAt(modifiedMs: number, sku: string): void {
    const id = 100 + this.products.length;
    this.addProduct({ id, name: `Product ${sku}`, type: 'simple', sku, price: '5.00', stock_quantity: 1, date_modified_gmt: gmt(modifiedMs) });
  }

  /** The shop owner revokes the REST API key: every request is refused 401 from now on. */
  revokeKey(): void {
    this.keyRevoked = true;
  }

  /** Changes an order now: its date_modified_gmt moves to the emulator's clock (one second later each time). */
  update(id: number): void {
    const order = this.orders.find((candidate) => candidate['id'] === id);
    if (order === undefined) throw new Error(`no order ${id}`);
    this.clock += 1000;
    order['date_modified_gmt'] = gmt(this.clock);
    order['date_modified'] = order['date_modified_gmt'];
    order['status'] = 'completed';
  }

  product(sku: string): WooProduct | undefined {
    return this.products.find((product) => product.sku === sku);
  }

  /**
   * POSTs a webhook of `topic` (order.created, order.updated) for order `id` to `url` as
   * WooCommerce does, signed with `secret` (give another than the connection's to be refused).
   * `at` (ms) is the second the delivery id is made from. Answers the listener's answer and the
   * delivery, which `resendWebhook` sends again byte for byte.
   */
  async deliverWebhook(url: string, topic: string, id: number, options: { secret: string; webhookId?: number; at?: number }): Promise<{ answer: DeliveryAnswer; delivery: SignedDelivery }> {
    const delivery = this.webhookDelivery(topic, id, options);
    return { answer: await postDelivery(url, delivery), delivery };
  }

  resendWebhook(url: string, delivery: SignedDelivery): Promise<DeliveryAnswer> {
    return postDelivery(url, delivery);
  }

  /** The ping WooCommerce sends to a webhook's URL when the webhook is saved; it wants 200. */
  pingWebhook(url: string, webhookId = 7): Promise<DeliveryAnswer> {
    return postDelivery(url, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT }, body: Buffer.from(`webhook_id=${webhookId}`) });
  }

  /** A signed delivery of `topic` for order `id`, not sent. */
  webhookDelivery(topic: string, id: number, options: { secret: string; webhookId?: number; at?: number }): SignedDelivery {
    const order = this.orders.find((candidate) => candidate['id'] === id);
    if (order === undefined) throw new Error(`no order ${id}`);
    const webhookId = options.webhookId ?? 7;
    const [resource = '', event = ''] = topic.split('.');
    const body = Buffer.from(wpJsonEncode(event === 'deleted' ? { id } : order));
    const second = Math.floor((options.at ?? Date.now()) / 1000);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'x-wc-webhook-source': 'https://shop.example/',
        'x-wc-webhook-topic': topic,
        'x-wc-webhook-resource': resource,
        'x-wc-webhook-event': event,
        'x-wc-webhook-signature': createHmac('sha256', options.secret).update(body).digest('base64'),
        'x-wc-webhook-id': String(webhookId),
        'x-wc-webhook-delivery-id': createHash('md5').update(`${webhookId}${second}`).digest('hex'),
      },
    };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${PREFIX}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(data));
    };
    const expected = `Basic ${Buffer.from(`${WOO_KEY}:${WOO_SECRET}`).toString('base64')}`;
    if (this.keyRevoked || req.headers.authorization !== expected) {
      this.stats.unauthorized += 1;
      return send(401, { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } });
    }
    const failure = this.failNext.shift();
    if (failure !== undefined) {
      this.stats.failed += 1;
      return send(failure, { code: 'internal_server_error', message: 'emulated failure', data: { status: failure } }, failure === 429 ? { 'retry-after': '0' } : {});
    }
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : '';
    const variations = /^\/products\/(\d+)\/variations(\/batch)?$/.exec(path);
    if (req.method === 'GET' && path === '/orders') return this.list(url, this.orders, send, true);
    if (req.method === 'GET' && path === '/products') {
      const sku = url.searchParams.get('sku');
      if (sku !== null) {
        this.stats.lookups += 1;
        const wanted = sku.split(',');
        return this.list(url, this.products.filter((product) => wanted.includes(product.sku)) as unknown as Json[], send, false);
      }
      return this.list(url, this.products.filter((product) => product.type !== 'variation') as unknown as Json[], send, false);
    }
    if (req.method === 'GET' && variations !== null && variations[2] === undefined) {
      return this.list(url, this.products.filter((product) => product.parent_id === Number(variations[1])) as unknown as Json[], send, false);
    }
    if (req.method === 'POST' && (path === '/products/batch' || (variations !== null && variations[2] !== undefined))) {
      return this.batch(JSON.parse(body) as { update?: Json[] }, variations !== null ? Number(variations[1]) : undefined, send);
    }
    send(404, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } });
  }

  private list(url: URL, all: Json[], send: (status: number, data: unknown, headers?: Record<string, string>) => void, orders: boolean): void {
    if (orders) {
      this.stats.listRequests += 1;
      this.options.beforeList?.(url, this);
    }
    const perPage = Number(url.searchParams.get('per_page') ?? 10);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      return send(400, { code: 'rest_invalid_param', message: 'Invalid parameter(s): per_page', data: { status: 400, params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } } });
    }
    const page = Number(url.searchParams.get('page') ?? 1);
    const after = url.searchParams.get('modified_after');
    const afterMs = after === null ? undefined : Date.parse(`${after.replace(/Z$/, '')}Z`);
    const stamp = (record: Json) => Date.parse(`${String(record['date_modified_gmt'])}Z`);
    const matching = all
      .filter((record) => afterMs === undefined || stamp(record) > afterMs)
      .sort((a, b) => (url.searchParams.get('orderby') === 'modified' ? stamp(a) - stamp(b) : 0) || Number(a['id']) - Number(b['id']));
    const pages = Math.ceil(matching.length / perPage);
    const headers: Record<string, string> = { 'x-wp-total': String(matching.length), 'x-wp-totalpages': String(pages) };
    if (page < pages) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers['link'] = `<http://${url.host}${next.pathname}${next.search}>; rel="next"`;
    }
    send(200, structuredClone(matching.slice((page - 1) * perPage, page * perPage)), headers);
  }

  private batch(body: { update?: Json[] }, parentId: number | undefined, send: (status: number, data: unknown) => void): void {
    this.stats.batches += 1;
    const items = body.update ?? [];
    if (items.length > 100) return send(413, { code: 'woocommerce_rest_request_entity_too_large', message: 'Unable to accept more than 100 items for this request.', data: { status: 413 } });
    const update = items.map((item) => {
      const id = Number(item['id']);
      const product = this.products.find((candidate) => candidate.id === id && (parentId === undefined ? candidate.type !== 'variation' : candidate.parent_id === parentId));
      if (product === undefined) {
        const code = parentId === undefined ? 'woocommerce_rest_product_invalid_id' : 'woocommerce_rest_product_variation_invalid_id';
        return { id, error: { code, message: 'Invalid ID.', data: { status: 400 } } };
      }
      const refused = this.refuseItems.get(id);
      if (refused !== undefined) return { id, error: { code: 'woocommerce_rest_invalid_product_sku', message: refused, data: { status: 400 } } };
      product.stock_quantity = Number(item['stock_quantity']);
      product.manage_stock = item['manage_stock'] === true;
      this.clock += 1000;
      product.date_modified_gmt = gmt(this.clock);
      return structuredClone(product);
    });
    send(200, { update });
  }
}
