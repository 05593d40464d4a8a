/**
 * An HTTP emulator of the parts of Amazon's Selling Partner API the amazon-sp-api connector uses,
 * on 127.0.0.1, as their documentation describes them:
 *
 * - Login with Amazon: `POST /auth/o2/token` with a refresh_token grant (form-encoded), answering
 *   `{ access_token, token_type, expires_in }`; OAuth 2.0 errors (`invalid_client`, `invalid_grant`).
 *   Tokens expire after `tokenLifetimeSeconds`; an expired one is answered 403 `Unauthorized`, "The
 *   access token you provided has expired." (`expireTokens()` ends them all at once).
 * - Orders API v0: `getOrders` by LastUpdatedAfter/LastUpdatedBefore (the latter no later than two
 *   minutes ago, else 400 InvalidInput) with NextToken pages that walk the result set of the first
 *   request, in no particular order (Amazon documents none); `getOrderItems` with its own NextToken.
 * - Usage plans: a token bucket per operation (`usagePlans`), 429 QuotaExceeded when empty, with
 *   `Retry-After` when `retryAfterSeconds` is set; `x-amzn-RateLimit-Limit` on successful answers.
 * - Feeds API 2021-06-30: createFeedDocument answering an upload URL on this same server (a
 *   "presigned" URL checked for its signature and content type), createFeed, getFeed (IN_QUEUE,
 *   IN_PROGRESS, then DONE, FATAL or CANCELLED after `feedPolls` polls), getFeedDocument and the
 *   processing report of a JSON_LISTINGS_FEED: ERROR issues for the SKUs in `rejectSkus`, the other
 *   PATCHes of fulfillment_availability applied to `quantities`.
 *
 * Faults on demand: `failNext` (a status with an SP-API error body), `throttleNext` (429),
 * `slowMs` (answers held), and `beforeRequest` to change orders between two requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type EmulatedOperation = 'getOrders' | 'getOrderItems' | 'createFeedDocument' | 'createFeed' | 'getFeed' | 'getFeedDocument';
export type JsonRecord = Record<string, unknown>;

export const EMULATOR_CREDENTIALS = {
  clientId: 'amzn1.application-oa2-client.emulated',
  clientSecret: 'amzn1.oa2-cs.v1.emulated-client-secret-4f1c2d',
  refreshToken: 'Atzr|IwEBemulated-refresh-token-9b7e1a3c5d',
};
export const EMULATOR_SELLER = 'A3EMULATEDSELLER';

export interface UsagePlan {
  perSecond: number;
  burst: number;
}

export interface ListingIssue {
  code: string;
  message: string;
  severity?: 'ERROR' | 'WARNING';
  attributeName?: string;
}

export interface AmazonEmulatorOptions {
  tokenLifetimeSeconds?: number;
  /** Per operation; an operation not named is not limited. */
  usagePlans?: Partial<Record<EmulatedOperation, UsagePlan>>;
  /** Send x-amzn-RateLimit-Limit on successful answers (default yes). */
  rateHeader?: boolean;
  /** Retry-After (seconds) on 429 answers; none when left out. */
  retryAfterSeconds?: number;
  /** Order items per getOrderItems page. */
  itemsPerPage?: number;
  /** Milliseconds each answer of an operation is held. */
  slowMs?: Partial<Record<EmulatedOperation, number>>;
  /** getFeed answers before a feed settles (IN_QUEUE first, then IN_PROGRESS). */
  feedPolls?: number;
  /** How feeds end. */
  feedOutcome?: 'DONE' | 'FATAL' | 'CANCELLED';
  /** Issues the processing report gives these SKUs. */
  rejectSkus?: Record<string, ListingIssue[]>;
  /** The processing report is gzip-compressed (compressionAlgorithm: GZIP). */
  gzipReports?: boolean;
  /** Called before each SP-API request is answered: a test changes orders here. */
  beforeRequest?: (operation: EmulatedOperation, emulator: AmazonSpApiEmulator) => void | Promise<void>;
}

interface StoredOrder {
  order: JsonRecord;
  items: JsonRecord[];
}

interface EmulatedFeed {
  feedId: string;
  documentId: string;
  marketplaceIds: string[];
  polls: number;
  status: string;
  reportId?: string;
  /** The feed as uploaded. */
  document: JsonRecord;
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Scripted {
  status: number;
  times: number;
  retryAfter?: number;
}

/** Amazon refuses a LastUpdatedBefore later than this before now. */
const SETTLE_MS = 2 * 60_000;
const FEEDS = '/feeds/2021-06-30';

export class AmazonSpApiEmulator {
  readonly orders = new Map<string, StoredOrder>();
  /** Quantities set by accepted feed messages, by SKU. */
  readonly quantities = new Map<string, number>();
  readonly feeds: EmulatedFeed[] = [];
  /** Every access token handed out, so a test can look for them where they must not be. */
  readonly issuedTokens: string[] = [];
  readonly stats = {
    tokenRequests: 0,
    requests: {} as Partial<Record<EmulatedOperation, number>>,
    throttled: {} as Partial<Record<EmulatedOperation, number>>,
    /** Arrival (ms since the epoch) of each 429, per operation. */
    throttledAt: {} as Partial<Record<EmulatedOperation, number[]>>,
    /** Arrival (ms since the epoch) of each request, per operation. */
    arrivals: {} as Partial<Record<EmulatedOperation, number[]>>,
    expiredTokenAnswers: 0,
    uploads: 0,
  };
  /** The query of every getOrders request, in order. */
  readonly orderQueries: URLSearchParams[] = [];
  private readonly tokens = new Map<string, number>();
  private readonly buckets = new Map<EmulatedOperation, Bucket>();
  private readonly scripted = new Map<EmulatedOperation, Scripted[]>();
  private readonly slowed = new Map<EmulatedOperation, { ms: number; times: number }>();
  private tokenFailures = 0;
  private readonly snapshots = new Map<string, { ids: string[]; offset: number; size: number }>();
  private readonly uploads = new Map<string, { contentType: string; signature: string; body?: string }>();
  private readonly reports = new Map<string, JsonRecord>();
  private server: Server | undefined;
  private origin = '';
  private counter = 0;

  constructor(readonly options: AmazonEmulatorOptions = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => send(res, 500, { errors: [{ code: 'InternalFailure', message: String(error) }] }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The LWA token endpoint of this emulator. */
  get tokenUrl(): string {
    return `${this.origin}/auth/o2/token`;
  }

  /** Adds (or replaces) an order and its items. */
  addOrder(order: JsonRecord, items: JsonRecord[]): void {
    this.orders.set(String(order['AmazonOrderId']), { order: structuredClone(order), items: structuredClone(items) });
  }

  /** The order changes: its LastUpdateDate becomes `at` (ms since the epoch), and `changes` are applied. */
  update(id: string, at: number, changes: JsonRecord = {}): void {
    const stored = this.orders.get(id);
    if (stored === undefined) throw new Error(`no order ${id}`);
    Object.assign(stored.order, changes, { LastUpdateDate: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z') });
  }

  /** Every access token handed out so far expires now. */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** The next `times` requests of `operation` are answered `status` (with an SP-API error body). */
  failNext(operation: EmulatedOperation, status: number, times = 1): void {
    this.script(operation, { status, times });
  }

  /** The next `times` requests of `operation` are answered after `ms` (a slow or hanging server). */
  slowNext(operation: EmulatedOperation, ms: number, times = 1): void {
    this.slowed.set(operation, { ms, times });
  }

  /** The next `times` token requests are answered 503 with an OAuth server_error. */
  failTokenNext(times = 1): void {
    this.tokenFailures = times;
  }

  /** The next `times` requests of `operation` are answered 429, with Retry-After when given. */
  throttleNext(operation: EmulatedOperation, times = 1, retryAfter?: number): void {
    this.script(operation, { status: 429, times, retryAfter });
  }

  /** The listings feed messages Amazon received, over every feed. */
  get receivedMessages(): JsonRecord[] {
    return this.feeds.flatMap((feed) => (Array.isArray(feed.document['messages']) ? (feed.document['messages'] as JsonRecord[]) : []));
  }

  private script(operation: EmulatedOperation, entry: Scripted): void {
    this.scripted.set(operation, [...(this.scripted.get(operation) ?? []), entry]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const body = await readBody(req);
    if (req.method === 'POST' && url.pathname === '/auth/o2/token') return this.token(res, body, req.headers['content-type']);
    if (url.pathname.startsWith('/feed-uploads/')) return this.upload(req, res, url, body);
    if (url.pathname.startsWith('/feed-downloads/')) return this.download(res, url);
    const operation = operationOf(req.method ?? 'GET', url.pathname);
    if (operation === undefined) return send(res, 404, { errors: [{ code: 'NotFound', message: 'Resource not found' }] });
    this.stats.requests[operation] = (this.stats.requests[operation] ?? 0) + 1;
    (this.stats.arrivals[operation] ??= []).push(Date.now());
    await this.options.beforeRequest?.(operation, this);
    let slow = this.options.slowMs?.[operation];
    const slowed = this.slowed.get(operation);
    if (slowed !== undefined) {
      slow = slowed.ms;
      slowed.times -= 1;
      if (slowed.times <= 0) this.slowed.delete(operation);
    }
    if (slow !== undefined) await new Promise((resolve) => setTimeout(resolve, slow));

    const token = header(req, 'x-amz-access-token');
    const expiresAt = token === undefined ? undefined : this.tokens.get(token);
    if (expiresAt === undefined) return send(res, 403, { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The access token you provided is revoked, malformed or invalid.' }] });
    if (Date.now() >= expiresAt) {
      this.stats.expiredTokenAnswers += 1;
      return send(res, 403, { errors: [{ code: 'Unauthorized', message: 'The access token you provided has expired.', details: '' }] });
    }
    const scripted = this.scripted.get(operation)?.[0];
    if (scripted !== undefined) {
      scripted.times -= 1;
      if (scripted.times <= 0) this.scripted.get(operation)?.shift();
      if (scripted.status === 429) return this.throttle(res, operation, scripted.retryAfter);
      return send(res, scripted.status, { errors: [errorFor(scripted.status)] });
    }
    if (!this.admit(operation)) return this.throttle(res, operation, this.options.retryAfterSeconds);

    const headers: Record<string, string> = {};
    const plan = this.options.usagePlans?.[operation];
    if (plan !== undefined && this.options.rateHeader !== false) headers['x-amzn-RateLimit-Limit'] = plan.perSecond.toFixed(4).replace(/0+$/, '').replace(/\.$/, '.0');
    const answer = this.answer(operation, req.method ?? 'GET', url, body);
    return send(res, answer.status, answer.body, headers);
  }

  private answer(operation: EmulatedOperation, _method: string, url: URL, body: string): { status: number; body: unknown } {
    switch (operation) {
      case 'getOrders':
        return this.getOrders(url.searchParams);
      case 'getOrderItems':
        return this.getOrderItems(decodeURIComponent(url.pathname.split('/')[4] ?? ''), url.searchParams);
      case 'createFeedDocument':
        return this.createFeedDocument(body);
      case 'createFeed':
        return this.createFeed(body);
      case 'getFeed':
        return this.getFeed(decodeURIComponent(url.pathname.split('/').at(-1) ?? ''));
      case 'getFeedDocument':
        return this.getFeedDocument(decodeURIComponent(url.pathname.split('/').at(-1) ?? ''));
    }
  }

  private token(res: ServerResponse, body: string, contentType: string | undefined): void {
    this.stats.tokenRequests += 1;
    if (this.tokenFailures > 0) {
      this.tokenFailures -= 1;
      return send(res, 503, { error: 'server_error', error_description: 'The authorization server is temporarily unavailable' });
    }
    if (contentType?.startsWith('application/x-www-form-urlencoded') !== true) return send(res, 400, { error: 'invalid_request', error_description: 'form-encoded body expected' });
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'refresh_token') return send(res, 400, { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported' });
    if (form.get('client_id') !== EMULATOR_CREDENTIALS.clientId || form.get('client_secret') !== EMULATOR_CREDENTIALS.clientSecret) {
      return send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (form.get('refresh_token') !== EMULATOR_CREDENTIALS.refreshToken) return send(res, 400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' });
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    this.counter += 1;
    const token = `Atza|emulated-access-token-${this.counter}-${Math.random().toString(36).slice(2, 12)}`;
    this.tokens.set(token, Date.now() + lifetime * 1000);
    this.issuedTokens.push(token);
    send(res, 200, { access_token: token, refresh_token: EMULATOR_CREDENTIALS.refreshToken, token_type: 'bearer', expires_in: lifetime });
  }

  /** Takes a token from the operation's bucket; false when it is empty. */
  private admit(operation: EmulatedOperation): boolean {
    const plan = this.options.usagePlans?.[operation];
    if (plan === undefined) return true;
    const now = Date.now();
    const bucket = this.buckets.get(operation) ?? { tokens: plan.burst, at: now };
    bucket.tokens = Math.min(plan.burst, bucket.tokens + ((now - bucket.at) / 1000) * plan.perSecond);
    bucket.at = now;
    this.buckets.set(operation, bucket);
    // A whisker of tolerance for float rounding, none for a request that came early.
    if (bucket.tokens < 1 - 1e-9) return false;
    bucket.tokens -= 1;
    return true;
  }

  private throttle(res: ServerResponse, operation: EmulatedOperation, retryAfter: number | undefined): void {
    this.stats.throttled[operation] = (this.stats.throttled[operation] ?? 0) + 1;
    (this.stats.throttledAt[operation] ??= []).push(Date.now());
    send(res, 429, { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] }, retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {});
  }

  private getOrders(query: URLSearchParams): { status: number; body: unknown } {
    this.orderQueries.push(query);
    const token = query.get('NextToken');
    if (token !== null) {
      const snapshot = this.snapshots.get(token);
      if (snapshot === undefined) return invalid('Invalid NextToken');
      return { status: 200, body: { payload: this.ordersPage(snapshot.ids, snapshot.offset, snapshot.size) } };
    }
    const marketplaces = (query.get('MarketplaceIds') ?? '').split(',').filter((id) => id !== '');
    if (marketplaces.length === 0) return invalid('Missing required parameter: MarketplaceIds');
    const after = Date.parse(query.get('LastUpdatedAfter') ?? '');
    if (Number.isNaN(after)) return invalid('Either CreatedAfter or LastUpdatedAfter must be given in ISO 8601');
    const beforeText = query.get('LastUpdatedBefore');
    const before = beforeText === null ? Date.now() - SETTLE_MS : Date.parse(beforeText);
    if (Number.isNaN(before) || before < after) return invalid('LastUpdatedBefore must be on or after LastUpdatedAfter');
    if (before > Date.now() - SETTLE_MS) return invalid('LastUpdatedBefore must be at least two minutes before the current time');
    const size = Number(query.get('MaxResultsPerPage') ?? 100);
    if (!Number.isInteger(size) || size < 1 || size > 100) return invalid('MaxResultsPerPage must be between 1 and 100');
    const statuses = query.get('OrderStatuses')?.split(',');
    const channels = query.get('FulfillmentChannels')?.split(',');
    const ids = [...this.orders.values()]
      .map(({ order }) => order)
      .filter((order) => {
        const at = Date.parse(String(order['LastUpdateDate']));
        return (
          at >= after &&
          at <= before &&
          marketplaces.includes(String(order['MarketplaceId'])) &&
          (statuses === undefined || statuses.includes(String(order['OrderStatus']))) &&
          (channels === undefined || channels.includes(String(order['FulfillmentChannel'])))
        );
      })
      .map((order) => String(order['AmazonOrderId']))
      // No order Amazon documents: a fixed shuffle, so nothing can lean on one.
      .sort((a, b) => scramble(a) - scramble(b) || a.localeCompare(b));
    return { status: 200, body: { payload: { ...this.ordersPage(ids, 0, size), LastUpdatedBefore: new Date(before).toISOString() } } };
  }

  private ordersPage(ids: string[], offset: number, size: number): JsonRecord {
    const page: JsonRecord = { Orders: ids.slice(offset, offset + size).map((id) => structuredClone(this.orders.get(id)?.order)) };
    if (offset + size < ids.length) {
      this.counter += 1;
      const next = Buffer.from(`orders:${this.counter}:${offset + size}`).toString('base64');
      this.snapshots.set(next, { ids, offset: offset + size, size });
      page['NextToken'] = next;
    }
    return page;
  }

  private getOrderItems(id: string, query: URLSearchParams): { status: number; body: unknown } {
    const stored = this.orders.get(id);
    if (stored === undefined) return { status: 404, body: { errors: [{ code: 'NotFound', message: `Invalid AmazonOrderId ${id}` }] } };
    const perPage = this.options.itemsPerPage ?? 100;
    const token = query.get('NextToken');
    const offset = token === null ? 0 : Number(Buffer.from(token, 'base64').toString('utf8').split(':')[2]);
    if (!Number.isInteger(offset)) return invalid('Invalid NextToken');
    const payload: JsonRecord = { AmazonOrderId: id, OrderItems: structuredClone(stored.items.slice(offset, offset + perPage)) };
    if (offset + perPage < stored.items.length) payload['NextToken'] = Buffer.from(`items:${id}:${offset + perPage}`).toString('base64');
    return { status: 200, body: { payload } };
  }

  private createFeedDocument(body: string): { status: number; body: unknown } {
    const spec = parse(body);
    if (typeof spec?.['contentType'] !== 'string') return invalid('contentType is required');
    this.counter += 1;
    const documentId = `amzn1.tortuga.4.eu.emulated-document-${this.counter}`;
    const signature = `sig${this.counter}x${Math.random().toString(36).slice(2, 10)}`;
    this.uploads.set(documentId, { contentType: spec['contentType'], signature });
    return { status: 201, body: { feedDocumentId: documentId, url: `${this.origin}/feed-uploads/${encodeURIComponent(documentId)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${signature}` } };
  }

  private upload(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    const documentId = decodeURIComponent(url.pathname.slice('/feed-uploads/'.length));
    const upload = this.uploads.get(documentId);
    if (req.method !== 'PUT' || upload === undefined || url.searchParams.get('X-Amz-Signature') !== upload.signature) return sendXml(res, 403, 'AccessDenied');
    // A presigned URL is signed for the content type the document was created with.
    if (header(req, 'content-type') !== upload.contentType) return sendXml(res, 403, 'SignatureDoesNotMatch');
    upload.body = body;
    this.stats.uploads += 1;
    send(res, 200, '');
  }

  private createFeed(body: string): { status: number; body: unknown } {
    const spec = parse(body);
    const documentId = spec?.['inputFeedDocumentId'];
    const uploaded = typeof documentId === 'string' ? this.uploads.get(documentId) : undefined;
    if (spec?.['feedType'] !== 'JSON_LISTINGS_FEED' || uploaded?.body === undefined || !Array.isArray(spec['marketplaceIds'])) {
      return invalid('feedType, marketplaceIds and the uploaded inputFeedDocumentId are required');
    }
    const document = parse(uploaded.body);
    if (document === undefined) return invalid('The feed document is not JSON');
    const feed: EmulatedFeed = { feedId: String(50_001 + this.feeds.length), documentId: String(documentId), marketplaceIds: spec['marketplaceIds'] as string[], polls: 0, status: 'IN_QUEUE', document };
    this.feeds.push(feed);
    return { status: 202, body: { feedId: feed.feedId } };
  }

  private getFeed(feedId: string): { status: number; body: unknown } {
    const feed = this.feeds.find((candidate) => candidate.feedId === feedId);
    if (feed === undefined) return { status: 404, body: { errors: [{ code: 'NotFound', message: `Feed ${feedId} not found` }] } };
    if (!['DONE', 'FATAL', 'CANCELLED'].includes(feed.status)) {
      feed.polls += 1;
      if (feed.polls > (this.options.feedPolls ?? 1)) this.process(feed);
      else if (feed.polls > 1) feed.status = 'IN_PROGRESS';
    }
    const answer: JsonRecord = { feedId, feedType: 'JSON_LISTINGS_FEED', marketplaceIds: feed.marketplaceIds, createdTime: new Date().toISOString(), processingStatus: feed.status };
    if (feed.reportId !== undefined) answer['resultFeedDocumentId'] = feed.reportId;
    return { status: 200, body: answer };
  }

  /** Processes a feed as Amazon would, messages one by one, into a processing report. */
  private process(feed: EmulatedFeed): void {
    const outcome = this.options.feedOutcome ?? 'DONE';
    feed.status = outcome;
    if (outcome === 'CANCELLED') return;
    const header = feed.document['header'] as JsonRecord | undefined;
    const messages = Array.isArray(feed.document['messages']) ? (feed.document['messages'] as JsonRecord[]) : [];
    const issues: JsonRecord[] = [];
    let accepted = 0;
    if (header?.['sellerId'] !== EMULATOR_SELLER || header['version'] !== '2.0') {
      issues.push({ code: '100001', severity: 'ERROR', message: 'The feed header is invalid: sellerId or version' });
    } else {
      for (const message of messages) {
        const sku = String(message['sku']);
        const own = this.options.rejectSkus?.[sku] ?? [];
        for (const issue of own) issues.push({ messageId: message['messageId'], sku, ...issue, severity: issue.severity ?? 'ERROR' });
        if (own.some((issue) => (issue.severity ?? 'ERROR') === 'ERROR')) continue;
        // FATAL: Amazon stopped half way; the first half was applied.
        if (outcome === 'FATAL' && Number(message['messageId']) > messages.length / 2) continue;
        accepted += 1;
        const patch = (message['patches'] as JsonRecord[] | undefined)?.find((candidate) => candidate['path'] === '/attributes/fulfillment_availability');
        const quantity = ((patch?.['value'] as JsonRecord[] | undefined)?.[0] ?? {})['quantity'];
        if (typeof quantity === 'number') this.quantities.set(sku, quantity);
      }
    }
    this.counter += 1;
    feed.reportId = `amzn1.tortuga.4.eu.emulated-report-${this.counter}`;
    const errors = issues.filter((issue) => issue['severity'] === 'ERROR');
    this.reports.set(feed.reportId, {
      header: { sellerId: header?.['sellerId'] ?? '', version: '2.0', feedId: feed.feedId },
      issues,
      summary: {
        errors: errors.length,
        warnings: issues.length - errors.length,
        messagesProcessed: messages.length,
        messagesAccepted: accepted,
        messagesInvalid: new Set(errors.map((issue) => issue['messageId'])).size,
      },
    });
  }

  private getFeedDocument(documentId: string): { status: number; body: unknown } {
    if (!this.reports.has(documentId)) return { status: 404, body: { errors: [{ code: 'NotFound', message: `Document ${documentId} not found` }] } };
    const answer: JsonRecord = { feedDocumentId: documentId, url: `${this.origin}/feed-downloads/${encodeURIComponent(documentId)}?X-Amz-Signature=download` };
    if (this.options.gzipReports === true) answer['compressionAlgorithm'] = 'GZIP';
    return { status: 200, body: answer };
  }

  private download(res: ServerResponse, url: URL): void {
    const report = this.reports.get(decodeURIComponent(url.pathname.slice('/feed-downloads/'.length)));
    if (report === undefined || url.searchParams.get('X-Amz-Signature') !== 'download') return sendXml(res, 403, 'AccessDenied');
    const text = JSON.stringify(report);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(this.options.gzipReports === true ? gzipSync(text) : text);
  }
}

function operationOf(method: string, path: string): EmulatedOperation | undefined {
  if (method === 'GET' && path === '/orders/v0/orders') return 'getOrders';
  if (method === 'GET' && /^\/orders\/v0\/orders\/[^/]+\/orderItems$/.test(path)) return 'getOrderItems';
  if (method === 'POST' && path === `${FEEDS}/documents`) return 'createFeedDocument';
  if (method === 'POST' && path === `${FEEDS}/feeds`) return 'createFeed';
  if (method === 'GET' && path.startsWith(`${FEEDS}/feeds/`)) return 'getFeed';
  if (method === 'GET' && path.startsWith(`${FEEDS}/documents/`)) return 'getFeedDocument';
  return undefined;
}

function errorFor(status: number): JsonRecord {
  switch (status) {
    case 400:
      return { code: 'InvalidInput', message: 'Invalid Input' };
    case 403:
      return { code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' };
    case 404:
      return { code: 'NotFound', message: 'The resource specified does not exist.' };
    case 503:
      return { code: 'ServiceUnavailable', message: 'Temporary overloading or maintenance of the server.' };
    default:
      return { code: 'InternalFailure', message: 'We encountered an internal error. Please try again.' };
  }
}

function invalid(message: string): { status: number; body: unknown } {
  return { status: 400, body: { errors: [{ code: 'InvalidInput', message }] } };
}

/** A stable, order-free position for an id. */
function scramble(id: string): number {
  let hash = 2166136261;
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function parse(text: string): JsonRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-RequestId': `emulated-${Date.now()}`, ...headers });
  res.end(text);
}

function sendXml(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`);
}
