/**
 * An emulator of Shopify's GraphQL Admin API for tests: a real HTTP server on 127.0.0.1 that
 * answers the operations the shopify connector sends, known by their operation names (it does
 * not parse GraphQL; it answers each named operation with the fields that operation asks for).
 *
 * What it does as Shopify documents it:
 * - `POST /admin/api/<version>/graphql.json` with `X-Shopify-Access-Token`; another version is
 *   404, a wrong token 401 with Shopify's body (shopify.dev/docs/api/usage/response-codes).
 * - A leaky bucket of points per shop: each query requests a cost (object 1, connection 2 + its
 *   page size times a node), runs only when the bucket holds it, and is refunded down to its
 *   actual cost; every answer reports `extensions.cost` with `throttleStatus`, and a query the
 *   bucket cannot pay is answered `THROTTLED` (HTTP 200, no data). A query requesting more than
 *   1000 points is refused MAX_COST_EXCEEDED (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
 *   The node weights are the emulator's own simplification, not Shopify's cost tables.
 * - `orders`/`products` sorted by UPDATED_AT with `updated_at:>='…'` filters and keyset cursors
 *   in `pageInfo { hasNextPage endCursor }`; nested line items and variants in pages of their own.
 * - Bulk exports: `bulkOperationRunQuery` (one query export at a time), `node(id:)` polling
 *   through CREATED → RUNNING → COMPLETED, and a JSONL file at a signed URL on the same server
 *   (children after their parent with `__parentId`, or all at the end when not grouped).
 * - `inventorySetQuantities` with `changeFromQuantity` compare-and-swap (CHANGE_FROM_QUANTITY_STALE)
 *   and `@idempotent` keys (the same key answers the first result; other values with the same key
 *   are IDEMPOTENCY_KEY_PARAMETER_MISMATCH).
 * - `fulfillmentCreate` on fulfillment orders with remaining quantities and tracking info.
 *
 * - Webhook deliveries (`deliverWebhook`): the order's REST payload, signed with HMAC-SHA256 of
 *   the body keyed with the app's client secret, base64 in X-Shopify-Hmac-Sha256, with
 *   X-Shopify-Topic, -Webhook-Id (one per delivery, the same on a retry: `resendWebhook`),
 *   -Event-Id, -Triggered-At (nanoseconds, as Shopify sends), -Shop-Domain and -API-Version
 *   (shopify.dev/docs/apps/build/webhooks/delivery-structure).
 *
 * And misbehaves on demand: random 502/503s, slow answers, orders changing between page requests
 * (`beforeOrdersPage`, `mutateEvery`), a sale between a stock read and its write
 * (`beforeInventorySet`), answers of committed fulfillments lost (`dropFulfillmentAnswers`).
 * Deterministic from `seed`; every loop is bounded by the data it holds.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postDelivery, type DeliveryAnswer, type SignedDelivery } from './post-webhook.js';
import { mulberry32 } from './random.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

export interface ShopifyEmulatorOptions {
  apiVersion?: string;
  token?: string;
  seed?: number;
  /** Orders to start with (ids 1001…), `perTimestamp` of them per updatedAt second. */
  orders?: number;
  perTimestamp?: number;
  /** Line items of order n (default 1 + n % 3). */
  linesPerOrder?: (orderNumber: number) => number;
  /** The lines of order n in place of the generated ones (SKU-…), for tests whose SKUs must match other data. */
  orderLines?: (orderNumber: number) => { sku: string; name: string; quantity: number; unitCents: number }[];
  products?: number;
  /** Products per updatedAt second (default 1). */
  productsPerTimestamp?: number;
  variantsPerProduct?: number;
  /** Extra inventory items: a SKU and its available quantity per location (global id or number). */
  inventory?: { sku: string; levels: Record<string, number> }[];
  /** Called as each GraphQL request arrives, before its cost is charged (another app spending points, say); a promise holds the request. */
  beforeRequest?: (operation: string, shop: ShopifyEmulator) => void | Promise<void>;
  /** The point bucket: size and restore per second (Shopify Standard: 100/s). */
  bucket?: { maximum: number; restoreRate: number };
  errorRate?: number;
  slowRate?: number;
  slowMs?: number;
  /** Called before an orders page is answered: a test changes orders here, between two page requests. */
  beforeOrdersPage?: (variables: JsonMap, shop: ShopifyEmulator) => void;
  /** Every n-th orders request updates `mutateCount` orders first. */
  mutateEvery?: number;
  mutateCount?: number;
  /** Called when a stock write arrives, before it is compared: a sale booked meanwhile. */
  beforeInventorySet?: (change: { inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity: number | null }, shop: ShopifyEmulator) => void;
  /** Polls a bulk export takes from CREATED to COMPLETED (default 2). */
  bulkPollsToComplete?: number;
  /** A bulk export ends FAILED with this error code. */
  bulkFailure?: string;
  /** The first n fulfillments are committed and then the connection is dropped before the answer. */
  dropFulfillmentAnswers?: number;
  /** The first n stock writes are committed and then the connection is dropped before the answer. */
  dropStockAnswers?: number;
}

export interface EmulatedLine {
  id: string;
  sku: string | null;
  name: string;
  title: string;
  quantity: number;
  unitCents: number;
}

export interface EmulatedOrder {
  number: number;
  id: string;
  updatedAt: string;
  createdAt: string;
  cancelledAt: string | null;
  financialStatus: string;
  fulfillmentStatus: string;
  email: string;
  lines: EmulatedLine[];
}

interface FulfillmentOrder {
  id: string;
  orderId: string;
  status: string;
  locationId: string;
  lineItems: { id: string; lineItemId: string; sku: string | null; remaining: number }[];
}

interface Fulfillment {
  id: string;
  orderId: string;
  status: string;
  trackingInfo: { number: string | null; company: string | null; url: string | null }[];
  lines: { id: string; quantity: number }[];
}

interface InventoryItem {
  id: string;
  sku: string;
  levels: Map<string, number>;
}

interface EmulatedProduct {
  id: string;
  number: number;
  updatedAt: string;
  variants: JsonMap[];
}

interface BulkOperation {
  id: string;
  status: string;
  root: 'orders' | 'products';
  query: string;
  grouped: boolean;
  createdAt: string;
  completedAt: string | null;
  polls: number;
  file: string | undefined;
  signature: string;
  errorCode: string | null;
}

const START = Date.parse('2026-01-01T00:00:00Z');
/** The access token the emulator takes unless told another. */
export const EMULATOR_TOKEN = 'shpat_0123456789abcdef0123456789abcdef';
export const WAREHOUSE = 'gid://shopify/Location/1';
export const STORE = 'gid://shopify/Location/2';
const MAX_QUERY_COST = 1000;
/** Points of one node, with the objects nested in it (the emulator's simplification). */
const WEIGHT = { order: 14, line: 6, product: 3, variant: 3, item: 1, level: 3, fulfillmentTargets: 40, mutation: 10, poll: 1 };

export class ShopifyEmulator {
  readonly orders: EmulatedOrder[] = [];
  readonly products: EmulatedProduct[] = [];
  readonly items: InventoryItem[] = [];
  readonly fulfillmentOrders: FulfillmentOrder[] = [];
  readonly fulfillments: Fulfillment[] = [];
  readonly bulkOperations: BulkOperation[] = [];
  readonly stats = {
    requests: 0,
    /** Requests per operation name. */
    operations: {} as Record<string, number>,
    /** THROTTLED answers, with the request number each came at (a test tells warm-up from the rest). */
    throttled: 0,
    throttledAt: [] as number[],
    maxCostExceeded: 0,
    errors: 0,
    unauthorized: 0,
    mutations: 0,
    stockWrites: 0,
    stockConflicts: 0,
    idempotentReplays: 0,
    fulfillmentsCreated: 0,
    droppedAnswers: 0,
    /** SKU terms received by inventory item lookups (a cached SKU is not asked for again). */
    skuLookups: 0,
    /** The lowest the point bucket went after charging a request: how close a client came to being throttled. */
    lowestPoints: Number.POSITIVE_INFINITY,
    /** Every query the bucket paid for: when it was answered, its actual cost and the level left after it (a bench measures use of the rate). */
    charges: [] as { at: number; request: number; actual: number; level: number }[],
    bulkDownloads: 0,
    /** Downloads of a bulk file that carried the access token (must stay 0: the URL is the credential). */
    downloadsWithToken: 0,
  };
  readonly version: string;
  readonly token: string;
  private readonly random: () => number;
  private readonly idempotency = new Map<string, { params: string; answer: JsonMap }>();
  private server: Server | undefined;
  private clock: number;
  private points: number;
  private pointsAt = Date.now();
  private ordersRequests = 0;
  private counter = 0;
  private deliveries = 0;
  private dropFulfillmentAnswers: number;
  private dropStockAnswers: number;
  private ungrouped = false;
  private revoked = false;

  constructor(readonly options: ShopifyEmulatorOptions = {}) {
    this.version = options.apiVersion ?? '2026-10';
    this.token = options.token ?? EMULATOR_TOKEN;
    this.random = mulberry32(options.seed ?? 1);
    this.points = options.bucket?.maximum ?? 2000;
    this.dropFulfillmentAnswers = options.dropFulfillmentAnswers ?? 0;
    this.dropStockAnswers = options.dropStockAnswers ?? 0;
    const count = options.orders ?? 20;
    const per = options.perTimestamp ?? 1;
    for (let index = 0; index < count; index += 1) this.addOrder(1001 + index, START + Math.floor(index / per) * 1000);
    const products = options.products ?? 0;
    const productsPer = options.productsPerTimestamp ?? 1;
    for (let index = 0; index < products; index += 1) this.addProduct(index + 1, START + Math.floor(index / productsPer) * 1000);
    for (const { sku, levels } of options.inventory ?? []) {
      this.items.push({ id: `gid://shopify/InventoryItem/${900_000 + this.items.length}`, sku, levels: new Map(Object.entries(levels).map(([location, quantity]) => [gid('Location', location), quantity])) });
    }
    this.clock = START + Math.max(count, products) * 1000;
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
    return this.origin;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  // --- changes a test makes, as a shop would ------------------------------------------------

  /** Updates an order now: its updatedAt becomes `at` (epoch ms), by default a second after the last change. */
  update(number: number, at?: number): EmulatedOrder {
    const order = this.orders.find((candidate) => candidate.number === number);
    if (order === undefined) throw new Error(`no order ${number}`);
    order.updatedAt = iso(this.tick(at));
    this.stats.mutations += 1;
    return order;
  }

  /** Updates `count` orders picked by the seeded random source. */
  mutate(count: number): EmulatedOrder[] {
    const changed: EmulatedOrder[] = [];
    for (let n = 0; n < count && this.orders.length > 0; n += 1) {
      changed.push(this.update((this.orders[Math.floor(this.random() * this.orders.length)] as EmulatedOrder).number));
    }
    return changed;
  }

  /** A new order with the next number, created (and updated) at `at`. */
  add(at?: number): EmulatedOrder {
    return this.addOrder((this.orders.at(-1)?.number ?? 1000) + 1, this.tick(at));
  }

  /** A new product with the next number, updated at `at`, by default a second after the last change. */
  addProductAt(at?: number): void {
    this.addProduct((this.products.at(-1)?.number ?? 0) + 1, this.tick(at));
  }

  /** The app is uninstalled: its token is refused from now on (401). */
  revokeToken(): void {
    this.revoked = true;
  }

  /** Books a sale (or any change) of available stock in the shop itself. */
  sell(sku: string, location: string, units: number): number {
    const item = this.items.find((candidate) => candidate.sku === sku);
    const locationId = gid('Location', location);
    if (item === undefined || !item.levels.has(locationId)) throw new Error(`${sku} is not stocked at ${location}`);
    const left = (item.levels.get(locationId) as number) - units;
    item.levels.set(locationId, left);
    return left;
  }

  available(sku: string, location: string): number | undefined {
    return this.items.find((candidate) => candidate.sku === sku)?.levels.get(gid('Location', location));
  }

  /** Another app on the same shop spends the points: the bucket holds `left` now. */
  drainPoints(left = 0): void {
    this.restore();
    this.points = left;
  }

  /** The current version of every order as `id@updatedAt`. */
  versions(): string[] {
    return this.orders.map((order) => `${order.id}@${order.updatedAt}`);
  }

  // --- webhooks ---------------------------------------------------------------------------

  /**
   * POSTs a webhook for order `number` to `url` as Shopify does, signed with `secret` (give
   * another than the connection's to be refused). Answers the listener's answer and the delivery,
   * which `resendWebhook` sends again byte for byte (a retry).
   */
  async deliverWebhook(
    url: string,
    topic: string,
    number: number,
    options: { secret: string; triggeredAt?: number },
  ): Promise<{ answer: DeliveryAnswer; delivery: SignedDelivery }> {
    const delivery = this.webhookDelivery(topic, number, options);
    return { answer: await postDelivery(url, delivery), delivery };
  }

  resendWebhook(url: string, delivery: SignedDelivery): Promise<DeliveryAnswer> {
    return postDelivery(url, delivery);
  }

  /** A signed delivery of `topic` for order `number`, not sent. */
  webhookDelivery(topic: string, number: number, options: { secret: string; triggeredAt?: number }): SignedDelivery {
    const order = this.orders.find((candidate) => candidate.number === number);
    if (order === undefined) throw new Error(`no order ${number}`);
    this.deliveries += 1;
    const body = Buffer.from(JSON.stringify(restOrder(order)));
    const at = new Date(options.triggeredAt ?? Date.now()).toISOString().replace('Z', '000000Z');
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': createHmac('sha256', options.secret).update(body).digest('base64'),
        'x-shopify-shop-domain': 'acme-de.myshopify.com',
        'x-shopify-api-version': this.version,
        'x-shopify-webhook-id': `00000000-0000-4000-8000-${String(this.deliveries).padStart(12, '0')}`,
        'x-shopify-event-id': `00000000-0000-4000-9000-${String(this.deliveries).padStart(12, '0')}`,
        'x-shopify-triggered-at': at,
      },
    };
  }

  // --- HTTP -------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    res.setHeader('content-type', 'application/json');
    const download = /^\/bulk-results\/(\d+)\.jsonl$/.exec(url.pathname);
    if (req.method === 'GET' && download !== null) return this.download(Number(download[1]), url, req, res);
    if (req.method !== 'POST' || url.pathname !== `/admin/api/${this.version}/graphql.json`) return send(res, 404, { errors: 'Not Found' });
    if (this.revoked || header(req, 'x-shopify-access-token') !== this.token) {
      this.stats.unauthorized += 1;
      return send(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    if (this.options.slowRate !== undefined && this.random() < this.options.slowRate) await delay(this.options.slowMs ?? 100);
    if (this.options.errorRate !== undefined && this.random() < this.options.errorRate) {
      this.stats.errors += 1;
      return send(res, this.random() < 0.5 ? 502 : 503, { errors: 'Service Unavailable' });
    }
    let request: { query?: string; variables?: JsonMap; operationName?: string };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return send(res, 400, { errors: 'Bad Request' });
    }
    const document = request.query ?? '';
    const name = request.operationName ?? /^\s*(?:query|mutation)\s+(\w+)/.exec(document)?.[1] ?? '';
    const variables = request.variables ?? {};
    this.stats.operations[name] = (this.stats.operations[name] ?? 0) + 1;

    await this.options.beforeRequest?.(name, this);
    const requested = this.requestedCost(name, variables);
    this.restore();
    if (requested > MAX_QUERY_COST) {
      this.stats.maxCostExceeded += 1;
      return send(res, 200, {
        errors: [{ message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`, extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST } }],
        extensions: { cost: this.cost(requested, null) },
      });
    }
    if (requested > this.points) {
      this.stats.throttled += 1;
      this.stats.throttledAt.push(this.stats.requests);
      return send(res, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: this.cost(requested, null) },
      });
    }
    this.points -= requested;
    this.stats.lowestPoints = Math.min(this.stats.lowestPoints, this.points);
    const answer = this.execute(name, document, variables);
    if ('errors' in answer) return send(res, 200, { errors: answer.errors, extensions: { cost: this.cost(requested, 0) } });
    const actual = Math.min(requested, answer.actual);
    this.points = Math.min(this.maximum, this.points + requested - actual);
    this.stats.charges.push({ at: performance.now(), request: this.stats.requests, actual, level: this.points });
    if (answer.drop === true) {
      this.stats.droppedAnswers += 1;
      req.socket.destroy();
      return;
    }
    send(res, 200, { data: answer.data, extensions: { cost: this.cost(requested, actual) } });
  }

  private get maximum(): number {
    return this.options.bucket?.maximum ?? 2000;
  }

  private restore(): void {
    const now = Date.now();
    const rate = this.options.bucket?.restoreRate ?? 100;
    this.points = Math.min(this.maximum, this.points + ((now - this.pointsAt) / 1000) * rate);
    this.pointsAt = now;
  }

  private cost(requested: number, actual: number | null): JsonMap {
    return {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: { maximumAvailable: this.maximum, currentlyAvailable: Math.floor(this.points), restoreRate: this.options.bucket?.restoreRate ?? 100 },
    };
  }

  /** Object 1, connection 2 + first × node: the cost a query requests before it runs. */
  private requestedCost(name: string, variables: JsonMap): number {
    const first = (key: string, fallback = 1): number => (typeof variables[key] === 'number' ? (variables[key] as number) : fallback);
    switch (name) {
      case 'KeelOrders':
        return 2 + first('first') * (WEIGHT.order + 2 + first('lineItems') * WEIGHT.line);
      case 'KeelOrderLineItems':
        return 1 + 2 + first('first') * WEIGHT.line;
      case 'KeelProducts':
        return 2 + first('first') * (WEIGHT.product + 2 + first('variants') * WEIGHT.variant);
      case 'KeelProductVariants':
        return 1 + 2 + first('first') * WEIGHT.variant;
      case 'KeelInventoryItemsBySku':
        return 2 + first('first') * WEIGHT.item;
      case 'KeelInventoryLevels':
        return 1 + (Array.isArray(variables['ids']) ? variables['ids'].length : 1) * WEIGHT.level;
      case 'KeelFulfillmentTargets':
        return WEIGHT.fulfillmentTargets;
      case 'KeelSetAvailable':
      case 'KeelFulfillmentCreate':
      case 'KeelBulkRun':
        return WEIGHT.mutation;
      default:
        return WEIGHT.poll;
    }
  }

  private execute(name: string, document: string, variables: JsonMap): { data: JsonMap; actual: number; drop?: boolean } | { errors: JsonMap[] } {
    switch (name) {
      case 'KeelOrders':
        return this.ordersPage(variables);
      case 'KeelOrderLineItems':
        return this.nestedPage(variables, 'Order');
      case 'KeelProducts':
        return this.productsPage(variables);
      case 'KeelProductVariants':
        return this.nestedPage(variables, 'Product');
      case 'KeelInventoryItemsBySku':
        return this.itemsBySku(variables);
      case 'KeelInventoryLevels':
        return this.levels(variables);
      case 'KeelSetAvailable':
        return this.setAvailable(document, variables);
      case 'KeelFulfillmentTargets':
        return this.fulfillmentTargets(variables);
      case 'KeelFulfillmentCreate':
        return this.fulfillmentCreate(variables);
      case 'KeelBulkRun':
        return this.bulkRun(variables);
      case 'KeelBulkPoll':
        return this.bulkPoll(variables);
      case 'KeelCurrentBulk': {
        const current = this.bulkOperations.at(-1);
        return { data: { currentBulkOperation: current === undefined ? null : this.bulkView(current) }, actual: 1 };
      }
      default:
        return { errors: [{ message: `The emulator does not know the operation "${name}"`, extensions: { code: 'UNDEFINED_FIELD' } }] };
    }
  }

  // --- orders and products ----------------------------------------------------------------

  private ordersPage(variables: JsonMap): { data: JsonMap; actual: number } {
    this.ordersRequests += 1;
    const every = this.options.mutateEvery;
    if (every !== undefined && this.ordersRequests % every === 0) this.mutate(this.options.mutateCount ?? 1);
    this.options.beforeOrdersPage?.(variables, this);
    const lineFirst = typeof variables['lineItems'] === 'number' ? variables['lineItems'] : 10;
    const { nodes, pageInfo } = keysetPage(this.orders.map((order) => ({ at: Date.parse(order.updatedAt), number: order.number, value: order })), variables);
    const out = nodes.map((order) => ({ ...this.orderView(order), lineItems: slice(order.lines.map(lineView), lineFirst, null) }));
    const actual = 2 + nodes.reduce((sum, order) => sum + WEIGHT.order + 2 + Math.min(order.lines.length, lineFirst) * WEIGHT.line, 0);
    return { data: { orders: { nodes: out, pageInfo } }, actual };
  }

  private productsPage(variables: JsonMap): { data: JsonMap; actual: number } {
    const variantFirst = typeof variables['variants'] === 'number' ? variables['variants'] : 25;
    const { nodes, pageInfo } = keysetPage(this.products.map((product) => ({ at: Date.parse(product.updatedAt), number: product.number, value: product })), variables);
    const out = nodes.map((product) => ({ ...productView(product), variants: slice(product.variants, variantFirst, null) }));
    const actual = 2 + nodes.reduce((sum, product) => sum + WEIGHT.product + 2 + Math.min(product.variants.length, variantFirst) * WEIGHT.variant, 0);
    return { data: { products: { nodes: out, pageInfo } }, actual };
  }

  /** node(id:) { … on Order { lineItems(first, after) } } and the same for a product's variants. */
  private nestedPage(variables: JsonMap, type: 'Order' | 'Product'): { data: JsonMap; actual: number } {
    const id = String(variables['id']);
    const first = typeof variables['first'] === 'number' ? variables['first'] : 10;
    const after = typeof variables['after'] === 'string' ? variables['after'] : null;
    if (type === 'Order') {
      const order = this.orders.find((candidate) => candidate.id === id);
      return { data: { node: order === undefined ? null : { lineItems: slice(order.lines.map(lineView), first, after) } }, actual: 3 + first * WEIGHT.line };
    }
    const product = this.products.find((candidate) => candidate.id === id);
    return { data: { node: product === undefined ? null : { variants: slice(product.variants, first, after) } }, actual: 3 + first * WEIGHT.variant };
  }

  private orderView(order: EmulatedOrder): JsonMap {
    const money = (cents: number): JsonMap => ({ shopMoney: { amount: decimal(cents), currencyCode: 'EUR' } });
    const subtotal = order.lines.reduce((sum, line) => sum + line.unitCents * line.quantity, 0);
    const shipping = 490;
    const total = subtotal + shipping;
    const tax = Math.round((total * 19) / 119);
    const address: JsonMap = {
      firstName: 'Erika',
      lastName: `Muster${order.number}`,
      company: null,
      address1: 'Musterstraße 1',
      address2: null,
      zip: '10115',
      city: 'Berlin',
      provinceCode: 'BE',
      countryCodeV2: 'DE',
      phone: null,
      latitude: 52.532,
      longitude: 13.384,
    };
    return {
      id: order.id,
      legacyResourceId: String(order.number),
      name: `#${order.number}`,
      email: order.email,
      phone: null,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
      processedAt: order.createdAt,
      cancelledAt: order.cancelledAt,
      cancelReason: null,
      closedAt: null,
      currencyCode: 'EUR',
      taxesIncluded: true,
      displayFinancialStatus: order.financialStatus,
      displayFulfillmentStatus: order.fulfillmentStatus,
      note: null,
      tags: [],
      sourceName: 'web',
      discountCodes: [],
      customer: { id: `gid://shopify/Customer/${order.number + 5000}`, firstName: 'Erika', lastName: `Muster${order.number}`, defaultEmailAddress: { emailAddress: order.email }, defaultPhoneNumber: null },
      billingAddress: address,
      shippingAddress: address,
      subtotalPriceSet: money(subtotal),
      totalDiscountsSet: money(0),
      totalShippingPriceSet: money(shipping),
      totalTaxSet: money(tax),
      totalPriceSet: money(total),
      taxLines: [{ title: 'MwSt', rate: 0.19, priceSet: money(tax) }],
      shippingLine: { code: 'standard', title: 'Standard', originalPriceSet: money(shipping) },
    };
  }

  // --- inventory --------------------------------------------------------------------------

  private itemsBySku(variables: JsonMap): { data: JsonMap; actual: number } {
    const skus = new Set<string>();
    // sku:'A' OR sku:'B', values quoted with \' and \\ escaped (search syntax).
    for (const match of String(variables['query'] ?? '').matchAll(/sku:'((?:[^'\\]|\\.)*)'/g)) skus.add((match[1] ?? '').replace(/\\(.)/g, '$1'));
    this.stats.skuLookups += skus.size;
    const first = typeof variables['first'] === 'number' ? variables['first'] : 50;
    const nodes = this.items.filter((item) => skus.has(item.sku)).slice(0, first);
    return { data: { inventoryItems: { nodes: nodes.map((item) => ({ id: item.id, sku: item.sku })) } }, actual: 2 + nodes.length * WEIGHT.item };
  }

  private levels(variables: JsonMap): { data: JsonMap; actual: number } {
    const ids = Array.isArray(variables['ids']) ? variables['ids'].map(String) : [];
    const locationId = String(variables['locationId']);
    const nodes = ids.map((id) => {
      const item = this.items.find((candidate) => candidate.id === id);
      if (item === undefined) return null;
      const quantity = item.levels.get(locationId);
      return { id, inventoryLevel: quantity === undefined ? null : { id: `${id}|${locationId}`, quantities: [{ name: 'available', quantity }] } };
    });
    return { data: { nodes }, actual: 1 + ids.length * WEIGHT.level };
  }

  private setAvailable(document: string, variables: JsonMap): { data: JsonMap; actual: number; drop?: boolean } | { errors: JsonMap[] } {
    const key = /@idempotent\s*\(\s*key:\s*\$idempotencyKey\s*\)/.test(document) ? variables['idempotencyKey'] : undefined;
    if (typeof key !== 'string' || key === '') {
      // Mandatory for inventory mutations since 2026-04 (shopify.dev changelog "Making idempotency mandatory …").
      return { errors: [{ message: 'The @idempotent directive is required for this mutation.', extensions: { code: 'BAD_REQUEST' } }] };
    }
    const params = JSON.stringify(variables['input']);
    const earlier = this.idempotency.get(key);
    if (earlier !== undefined) {
      if (earlier.params !== params) return { data: payload([{ field: ['idempotencyKey'], message: 'The same idempotency key cannot be used with different operation parameters.', code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' }]), actual: 10 };
      this.stats.idempotentReplays += 1;
      return { data: earlier.answer, actual: 10 };
    }
    const input = (variables['input'] ?? {}) as JsonMap;
    const quantities = (Array.isArray(input['quantities']) ? input['quantities'] : []) as JsonMap[];
    const errors: JsonMap[] = [];
    for (const [index, change] of quantities.entries()) {
      const item = this.items.find((candidate) => candidate.id === change['inventoryItemId']);
      const locationId = String(change['locationId']);
      if (!('changeFromQuantity' in change)) {
        errors.push({ field: ['input', 'quantities', String(index), 'changeFromQuantity'], message: 'changeFromQuantity must be given for each quantity.', code: 'COMPARE_QUANTITY_REQUIRED' });
        continue;
      }
      if (item === undefined) {
        errors.push({ field: ['input', 'quantities', String(index), 'inventoryItemId'], message: 'The specified inventory item could not be found.', code: 'INVALID_INVENTORY_ITEM' });
        continue;
      }
      this.options.beforeInventorySet?.(
        { inventoryItemId: item.id, locationId, quantity: Number(change['quantity']), changeFromQuantity: (change['changeFromQuantity'] as number | null) ?? null },
        this,
      );
      const current = item.levels.get(locationId);
      if (current === undefined) {
        errors.push({ field: ['input', 'quantities', String(index), 'locationId'], message: 'The specified inventory item is not stocked at the location.', code: 'ITEM_NOT_STOCKED_AT_LOCATION' });
      } else if (change['changeFromQuantity'] !== null && change['changeFromQuantity'] !== current) {
        this.stats.stockConflicts += 1;
        errors.push({ field: ['input', 'quantities', String(index), 'changeFromQuantity'], message: 'The changeFromQuantity value does not match persisted value.', code: 'CHANGE_FROM_QUANTITY_STALE' });
      }
    }
    let answer: JsonMap;
    if (errors.length > 0) {
      answer = payload(errors);
    } else {
      for (const change of quantities) {
        (this.items.find((candidate) => candidate.id === change['inventoryItemId']) as InventoryItem).levels.set(String(change['locationId']), Number(change['quantity']));
      }
      this.stats.stockWrites += 1;
      answer = { inventorySetQuantities: { inventoryAdjustmentGroup: { id: `gid://shopify/InventoryAdjustmentGroup/${(this.counter += 1)}` }, userErrors: [] } };
    }
    this.idempotency.set(key, { params, answer });
    const drop = errors.length === 0 && this.dropStockAnswers > 0;
    if (drop) this.dropStockAnswers -= 1;
    return { data: answer, actual: 10, drop };
  }

  // --- fulfillments -----------------------------------------------------------------------

  private fulfillmentTargets(variables: JsonMap): { data: JsonMap; actual: number } {
    const order = this.orders.find((candidate) => candidate.id === variables['id']);
    if (order === undefined) return { data: { order: null }, actual: 1 };
    return {
      data: {
        order: {
          id: order.id,
          name: `#${order.number}`,
          fulfillments: this.fulfillments
            .filter((fulfillment) => fulfillment.orderId === order.id)
            .map((fulfillment) => ({ id: fulfillment.id, status: fulfillment.status, trackingInfo: fulfillment.trackingInfo.map((info) => ({ number: info.number })) })),
          fulfillmentOrders: {
            nodes: this.fulfillmentOrders
              .filter((fo) => fo.orderId === order.id)
              .map((fo) => ({
                id: fo.id,
                status: fo.status,
                assignedLocation: { location: { id: fo.locationId } },
                lineItems: { nodes: fo.lineItems.map((item) => ({ id: item.id, remainingQuantity: item.remaining, lineItem: { id: item.lineItemId, sku: item.sku } })) },
              })),
          },
        },
      },
      actual: 20,
    };
  }

  private fulfillmentCreate(variables: JsonMap): { data: JsonMap; actual: number; drop?: boolean } {
    const input = (variables['fulfillment'] ?? {}) as JsonMap;
    const groups = (Array.isArray(input['lineItemsByFulfillmentOrder']) ? input['lineItemsByFulfillmentOrder'] : []) as JsonMap[];
    const refuse = (message: string): { data: JsonMap; actual: number } => ({ data: { fulfillmentCreate: { fulfillment: null, userErrors: [{ field: ['fulfillment'], message }] } }, actual: 10 });
    const planned: { item: FulfillmentOrder['lineItems'][number]; quantity: number }[] = [];
    let orderId: string | undefined;
    for (const group of groups) {
      const fo = this.fulfillmentOrders.find((candidate) => candidate.id === group['fulfillmentOrderId']);
      if (fo === undefined) return refuse('Fulfillment order does not exist.');
      if (fo.status !== 'OPEN' && fo.status !== 'IN_PROGRESS') return refuse('Fulfillment order is not in a fulfillable state.');
      if (orderId !== undefined && orderId !== fo.orderId) return refuse('Fulfillment orders must belong to the same order.');
      orderId = fo.orderId;
      const wanted = (Array.isArray(group['fulfillmentOrderLineItems']) ? group['fulfillmentOrderLineItems'] : []) as JsonMap[];
      const lines = wanted.length > 0 ? wanted : fo.lineItems.map((item) => ({ id: item.id, quantity: item.remaining }));
      for (const line of lines) {
        const item = fo.lineItems.find((candidate) => candidate.id === line['id']);
        const quantity = Number(line['quantity']);
        if (item === undefined || !(quantity > 0) || quantity > item.remaining) return refuse('Invalid fulfillment order line item quantity requested.');
        planned.push({ item, quantity });
      }
    }
    if (orderId === undefined || planned.length === 0) return refuse('Line items by fulfillment order must not be empty.');
    for (const { item, quantity } of planned) item.remaining -= quantity;
    for (const fo of new Set(planned.map(({ item }) => this.fulfillmentOrders.find((candidate) => candidate.lineItems.includes(item)) as FulfillmentOrder))) {
      fo.status = fo.lineItems.every((item) => item.remaining === 0) ? 'CLOSED' : 'IN_PROGRESS';
    }
    const tracking = (input['trackingInfo'] ?? {}) as JsonMap;
    const numbers = Array.isArray(tracking['numbers']) ? tracking['numbers'].map(String) : typeof tracking['number'] === 'string' ? [tracking['number']] : [];
    const fulfillment: Fulfillment = {
      id: `gid://shopify/Fulfillment/${(this.counter += 1)}`,
      orderId,
      status: 'SUCCESS',
      trackingInfo: (numbers.length > 0 ? numbers : [null]).map((number) => ({
        number,
        company: typeof tracking['company'] === 'string' ? tracking['company'] : null,
        url: typeof tracking['url'] === 'string' ? tracking['url'] : null,
      })),
      lines: planned.map(({ item, quantity }) => ({ id: item.id, quantity })),
    };
    this.fulfillments.push(fulfillment);
    this.stats.fulfillmentsCreated += 1;
    const order = this.orders.find((candidate) => candidate.id === orderId) as EmulatedOrder;
    const open = this.fulfillmentOrders.filter((fo) => fo.orderId === orderId).some((fo) => fo.lineItems.some((item) => item.remaining > 0));
    order.fulfillmentStatus = open ? 'PARTIALLY_FULFILLED' : 'FULFILLED';
    order.updatedAt = iso(this.tick(undefined));
    const drop = this.dropFulfillmentAnswers > 0;
    if (drop) this.dropFulfillmentAnswers -= 1;
    return { data: { fulfillmentCreate: { fulfillment: { id: fulfillment.id, status: fulfillment.status }, userErrors: [] } }, actual: 10, drop };
  }

  // --- bulk operations --------------------------------------------------------------------

  private bulkRun(variables: JsonMap): { data: JsonMap; actual: number } {
    const query = String(variables['query'] ?? '');
    const running = this.bulkOperations.find((operation) => operation.status === 'CREATED' || operation.status === 'RUNNING');
    if (running !== undefined) {
      return {
        data: { bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${running.id}.`, code: 'OPERATION_IN_PROGRESS' }] } },
        actual: 10,
      };
    }
    const root = /^\s*\{\s*(orders|products)\b/.exec(query)?.[1] as 'orders' | 'products' | undefined;
    if (root === undefined) {
      return { data: { bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: ['query'], message: 'The emulator exports only orders and products.', code: 'INVALID' }] } }, actual: 10 };
    }
    const number = this.bulkOperations.length + 1;
    const operation: BulkOperation = {
      id: `gid://shopify/BulkOperation/${number}`,
      status: 'CREATED',
      root,
      query,
      // The mutation's groupObjects argument as the connector writes it into the document.
      grouped: true,
      // The shop's own clock: changes after the export sort after its start.
      createdAt: iso(this.clock),
      completedAt: null,
      polls: 0,
      file: undefined,
      signature: createHash('sha256').update(`${number}:${this.random()}`).digest('hex').slice(0, 24),
      errorCode: null,
    };
    this.bulkOperations.push(operation);
    return { data: { bulkOperationRunQuery: { bulkOperation: this.bulkView(operation), userErrors: [] } }, actual: 10 };
  }

  /** The next export lists every child line after all parents, as an export without groupObjects may. */
  ungroupNextExport(): void {
    this.ungrouped = true;
  }

  private bulkPoll(variables: JsonMap): { data: JsonMap; actual: number } {
    const operation = this.bulkOperations.find((candidate) => candidate.id === variables['id']);
    if (operation === undefined) return { data: { node: null }, actual: 1 };
    if (operation.status === 'CREATED' || operation.status === 'RUNNING') {
      operation.polls += 1;
      operation.status = 'RUNNING';
      if (operation.polls >= (this.options.bulkPollsToComplete ?? 2)) this.finishExport(operation);
    }
    return { data: { node: this.bulkView(operation) }, actual: 1 };
  }

  private finishExport(operation: BulkOperation): void {
    operation.completedAt = iso(Date.now());
    if (this.options.bulkFailure !== undefined) {
      operation.status = 'FAILED';
      operation.errorCode = this.options.bulkFailure;
      return;
    }
    if (this.ungrouped) {
      operation.grouped = false;
      this.ungrouped = false;
    }
    const roots: string[] = [];
    const children: string[] = [];
    const filter = /query:\s*"((?:[^"\\]|\\.)*)"/.exec(operation.query)?.[1];
    const from = filter !== undefined ? /updated_at:>='([^']+)'/.exec(filter)?.[1] : undefined;
    const since = from !== undefined ? Date.parse(from) : Number.NEGATIVE_INFINITY;
    const push = (parent: JsonMap, nested: JsonMap[]): void => {
      roots.push(JSON.stringify(parent));
      const lines = nested.map((child) => JSON.stringify({ ...child, __parentId: parent['id'] as string }));
      if (operation.grouped) roots.push(...lines);
      else children.push(...lines);
    };
    if (operation.root === 'orders') {
      for (const order of sortByUpdated(this.orders.map((value) => ({ at: Date.parse(value.updatedAt), number: value.number, value })))) {
        if (Date.parse(order.updatedAt) >= since) push(this.orderView(order), order.lines.map(lineView));
      }
    } else {
      for (const product of sortByUpdated(this.products.map((value) => ({ at: Date.parse(value.updatedAt), number: value.number, value })))) {
        if (Date.parse(product.updatedAt) >= since) push(productView(product), product.variants);
      }
    }
    const lines = [...roots, ...children];
    operation.file = lines.length === 0 ? undefined : `${lines.join('\n')}\n`;
    operation.status = 'COMPLETED';
  }

  private bulkView(operation: BulkOperation): JsonMap {
    const number = operation.id.split('/').at(-1) as string;
    return {
      id: operation.id,
      status: operation.status,
      errorCode: operation.errorCode,
      createdAt: operation.createdAt,
      completedAt: operation.completedAt,
      objectCount: String(operation.file?.split('\n').filter((line) => line !== '').length ?? 0),
      rootObjectCount: '0',
      url: operation.status === 'COMPLETED' && operation.file !== undefined ? `${this.origin}/bulk-results/${number}.jsonl?signature=${operation.signature}` : null,
      partialDataUrl: null,
      query: operation.query,
    };
  }

  private download(number: number, url: URL, req: IncomingMessage, res: ServerResponse): void {
    this.stats.bulkDownloads += 1;
    if (header(req, 'x-shopify-access-token') !== undefined) this.stats.downloadsWithToken += 1;
    const operation = this.bulkOperations[number - 1];
    if (operation?.file === undefined || url.searchParams.get('signature') !== operation.signature) {
      res.statusCode = 403;
      res.end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    res.setHeader('content-type', 'application/jsonl');
    // In chunks that split lines, as a download does.
    const text = operation.file;
    for (let at = 0; at < text.length; at += 777) res.write(text.slice(at, at + 777));
    res.end();
  }

  // --- data -------------------------------------------------------------------------------

  private addOrder(number: number, at: number): EmulatedOrder {
    const given = this.options.orderLines?.(number);
    const count = given?.length ?? this.options.linesPerOrder?.(number) ?? 1 + (number % 3);
    const lines: EmulatedLine[] = Array.from({ length: count }, (_, index) => {
      const line = given?.[index];
      return {
        id: `gid://shopify/LineItem/${number * 100 + index}`,
        sku: line?.sku ?? `SKU-${(number + index) % 50}`,
        name: line?.name ?? `Shirt ${(number + index) % 50}`,
        title: line?.name ?? `Shirt ${(number + index) % 50}`,
        quantity: line?.quantity ?? 1 + ((number + index) % 3),
        unitCents: line?.unitCents ?? 1990 + ((number * 7 + index) % 10) * 100,
      };
    });
    const order: EmulatedOrder = {
      number,
      id: `gid://shopify/Order/${number}`,
      createdAt: iso(at),
      updatedAt: iso(at),
      cancelledAt: null,
      financialStatus: 'PAID',
      fulfillmentStatus: 'UNFULFILLED',
      email: `customer${number}@example.com`,
      lines,
    };
    this.orders.push(order);
    this.fulfillmentOrders.push({
      id: `gid://shopify/FulfillmentOrder/${number}`,
      orderId: order.id,
      status: 'OPEN',
      locationId: WAREHOUSE,
      lineItems: lines.map((line) => ({ id: line.id.replace('LineItem', 'FulfillmentOrderLineItem'), lineItemId: line.id, sku: line.sku, remaining: line.quantity })),
    });
    return order;
  }

  private addProduct(number: number, at: number): void {
    const sizes = ['S', 'M', 'L', 'XL', 'XXL'];
    const count = this.options.variantsPerProduct ?? 3;
    const variants = Array.from({ length: count }, (_, index) => {
      const sku = `TEE-${number}-${sizes[index % sizes.length] as string}${index >= sizes.length ? String(index) : ''}`;
      const item: InventoryItem = { id: `gid://shopify/InventoryItem/${number * 100 + index}`, sku, levels: new Map([[WAREHOUSE, 10 + index], [STORE, 2]]) };
      this.items.push(item);
      return {
        id: `gid://shopify/ProductVariant/${number * 100 + index}`,
        legacyResourceId: String(number * 100 + index),
        sku,
        barcode: `400000${String(number * 100 + index).padStart(7, '0')}`,
        title: sizes[index % sizes.length] as string,
        price: decimal(1990 + number * 10),
        compareAtPrice: null,
        position: index + 1,
        inventoryQuantity: 12 + index,
        selectedOptions: [{ name: 'Size', value: sizes[index % sizes.length] as string }],
        inventoryItem: { id: item.id, tracked: true },
      } satisfies JsonMap;
    });
    this.products.push({ id: `gid://shopify/Product/${number}`, number, updatedAt: iso(at), variants });
  }

  /** The shop's clock moves forward only, so a change given no time sorts after every earlier one. */
  private tick(at: number | undefined): number {
    this.clock = at === undefined ? this.clock + 1000 : Math.max(this.clock, at);
    return at ?? this.clock;
  }
}

/** The order as Shopify's REST resource (and so its webhooks) carry it: numeric ids, money as decimal strings. */
function restOrder(order: EmulatedOrder): JsonMap {
  const subtotal = order.lines.reduce((sum, line) => sum + line.unitCents * line.quantity, 0);
  const shipping = 490;
  const total = subtotal + shipping;
  const tax = Math.round((total * 19) / 119);
  const address: JsonMap = {
    first_name: 'Erika',
    last_name: `Muster${order.number}`,
    company: null,
    address1: 'Musterstraße 1',
    address2: null,
    zip: '10115',
    city: 'Berlin',
    province_code: 'BE',
    country_code: 'DE',
    phone: null,
    latitude: 52.532,
    longitude: 13.384,
  };
  const fulfillment: Record<string, string> = { FULFILLED: 'fulfilled', PARTIALLY_FULFILLED: 'partial', RESTOCKED: 'restocked' };
  return {
    id: order.number,
    admin_graphql_api_id: order.id,
    name: `#${order.number}`,
    order_number: order.number,
    email: order.email,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    processed_at: order.createdAt,
    cancelled_at: order.cancelledAt,
    cancel_reason: null,
    closed_at: null,
    currency: 'EUR',
    presentment_currency: 'EUR',
    taxes_included: true,
    financial_status: order.financialStatus.toLowerCase(),
    fulfillment_status: fulfillment[order.fulfillmentStatus] ?? null,
    note: null,
    tags: '',
    source_name: 'web',
    gateway: 'manual',
    discount_codes: [],
    customer: { id: order.number + 5000, email: order.email, first_name: 'Erika', last_name: `Muster${order.number}`, phone: null },
    billing_address: address,
    shipping_address: address,
    line_items: order.lines.map((line) => {
      const lineTax = Math.round((line.unitCents * line.quantity * 19) / 119);
      const id = Number(line.id.replace('gid://shopify/LineItem/', ''));
      return {
        id,
        admin_graphql_api_id: line.id,
        variant_id: id,
        sku: line.sku,
        name: line.name,
        title: line.title,
        quantity: line.quantity,
        price: decimal(line.unitCents),
        total_discount: '0.00',
        tax_lines: [{ title: 'MwSt', rate: 0.19, price: decimal(lineTax) }],
      };
    }),
    shipping_lines: [{ code: 'standard', title: 'Standard', price: decimal(shipping) }],
    tax_lines: [{ title: 'MwSt', rate: 0.19, price: decimal(tax) }],
    subtotal_price: decimal(subtotal),
    total_discounts: '0.00',
    total_tax: decimal(tax),
    total_price: decimal(total),
  };
}

function productView(product: EmulatedProduct): JsonMap {
  return {
    id: product.id,
    legacyResourceId: String(product.number),
    title: `Tee ${product.number}`,
    handle: `tee-${product.number}`,
    status: 'ACTIVE',
    vendor: 'Northern Hemp',
    productType: 'T-Shirt',
    tags: ['organic'],
    descriptionHtml: '<p>Organic cotton.</p>',
    createdAt: iso(START),
    updatedAt: product.updatedAt,
    publishedAt: iso(START),
  };
}

function lineView(line: EmulatedLine): JsonMap {
  const money = (cents: number): JsonMap => ({ shopMoney: { amount: decimal(cents), currencyCode: 'EUR' } });
  const total = line.unitCents * line.quantity;
  const tax = Math.round((total * 19) / 119);
  return {
    id: line.id,
    sku: line.sku,
    name: line.name,
    title: line.title,
    quantity: line.quantity,
    currentQuantity: line.quantity,
    variant: { id: line.id.replace('LineItem', 'ProductVariant') },
    originalUnitPriceSet: money(line.unitCents),
    discountedTotalSet: money(total),
    taxLines: [{ title: 'MwSt', rate: 0.19, priceSet: money(tax) }],
  };
}

interface Sortable<T> {
  at: number;
  number: number;
  value: T;
}

function sortByUpdated<T>(entries: Sortable<T>[]): T[] {
  return entries.sort((a, b) => a.at - b.at || a.number - b.number).map((entry) => entry.value);
}

/**
 * A page of a connection sorted by UPDATED_AT: `query` may hold `updated_at:>='…'` (other terms
 * are ignored), `after` is a keyset cursor (the last node's updatedAt and number), as Shopify's
 * cursors behave: a node updated between two requests moves to the end, behind the cursor.
 */
function keysetPage<T>(entries: Sortable<T>[], variables: JsonMap): { nodes: T[]; pageInfo: JsonMap } {
  const first = Math.min(250, typeof variables['first'] === 'number' ? variables['first'] : 10);
  const from = /updated_at:>='([^']+)'/.exec(String(variables['query'] ?? ''))?.[1];
  const since = from !== undefined ? Date.parse(from) : Number.NEGATIVE_INFINITY;
  let after: [number, number] | undefined;
  if (typeof variables['after'] === 'string') after = JSON.parse(Buffer.from(variables['after'], 'base64url').toString('utf8')) as [number, number];
  const sorted = entries.filter((entry) => entry.at >= since).sort((a, b) => a.at - b.at || a.number - b.number);
  const start = after === undefined ? 0 : sorted.findIndex((entry) => entry.at > (after as [number, number])[0] || (entry.at === (after as [number, number])[0] && entry.number > (after as [number, number])[1]));
  const begin = start < 0 ? sorted.length : start;
  const page = sorted.slice(begin, begin + first);
  const last = page.at(-1);
  const endCursor = last === undefined ? null : Buffer.from(JSON.stringify([last.at, last.number])).toString('base64url');
  return { nodes: page.map((entry) => entry.value), pageInfo: { hasNextPage: begin + first < sorted.length, endCursor } };
}

/** A nested connection page with index cursors. */
function slice(nodes: JsonMap[], first: number, after: string | null): JsonMap {
  const begin = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString('utf8')) + 1;
  const page = nodes.slice(begin, begin + first);
  const end = begin + page.length - 1;
  return { nodes: page, pageInfo: { hasNextPage: begin + first < nodes.length, endCursor: page.length === 0 ? null : Buffer.from(String(end)).toString('base64url') } };
}

function payload(userErrors: JsonMap[]): JsonMap {
  return { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors } };
}

function gid(type: string, id: string | number): string {
  const text = String(id);
  return text.startsWith('gid://') ? text : `gid://shopify/${type}/${text}`;
}

function decimal(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
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
