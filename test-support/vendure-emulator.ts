/**
 * A small emulator of Vendure's Admin GraphQL API for `npm test`: it answers the operations the
 * vendure connector sends, by operation name (it parses no GraphQL), the way Vendure 3.7.3 does
 * (checked against a real server by connectors/vendure/vendure.real.test.ts):
 *
 * - `login` answers a token in the `vendure-auth-token` header; a request with an unknown or
 *   expired token gets HTTP 200 and a FORBIDDEN error (or HTTP 401, as a proxy might say).
 * - list queries take `options: { skip, take, sort, filter }` with `after` (strictly later),
 *   `isNull`, `eq` and `in`, sort by one field with ties in insertion order, as SQL gives them.
 * - mutations answer ErrorResults (`__typename`, `errorCode`, `message`) for business failures,
 *   and `updateProductVariants` fails as a whole (ENTITY_NOT_FOUND) for an unknown variant.
 * - unknown operations get HTTP 400 with GRAPHQL_VALIDATION_FAILED.
 *
 * Tests script what happens between requests (`beforeRequest`), expire sessions, and make the
 * next answer of an operation fail (`failNext`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRecord = { [key: string]: Json };

export interface EmulatedOrder extends JsonRecord {
  id: string;
  active: boolean;
  updatedAt: string;
  orderPlacedAt: string | null;
}

export interface EmulatedVariant {
  id: string;
  sku: string;
  name: string;
  updatedAt: string;
  /** Stock per stock location id. */
  stock: Record<string, { onHand: number; allocated: number }>;
}

export interface EmulatedFulfillment {
  id: string;
  orderId: string;
  state: string;
  method: string;
  trackingCode: string;
  lines: { orderLineId: string; quantity: number }[];
}

export interface VendureEmulatorOptions {
  username?: string;
  password?: string;
  /** When set, requests must carry it in `vendure-token`, else CHANNEL_NOT_FOUND. */
  channelToken?: string;
  /** How an unknown session is refused: Vendure's 200 with FORBIDDEN, or a proxy's 401. */
  refuseWith?: 'forbidden' | 401;
  /** Administrators whose role lacks permissions: they log in, then every operation is FORBIDDEN. */
  powerless?: boolean;
}

export interface ReceivedRequest {
  operationName: string;
  variables: JsonRecord;
  authorization: string | undefined;
}

type Failure = 'http_500' | 'internal_error' | 'drop_after_commit';

const FORBIDDEN_MESSAGE = 'You are not currently authorized to perform this action';

export class VendureEmulator {
  readonly orders: EmulatedOrder[] = [];
  readonly variants: EmulatedVariant[] = [];
  readonly stockLocations: { id: string; name: string }[] = [{ id: '1', name: 'Default Stock Location' }];
  readonly fulfillments: EmulatedFulfillment[] = [];
  readonly requests: ReceivedRequest[] = [];
  readonly stats = { logins: 0, refused: 0 };
  /** Every token handed out; tests look for them in logs. */
  readonly issuedTokens: string[] = [];
  /** Called before each request is answered: a test changes orders here, between two page requests. */
  beforeRequest: ((request: ReceivedRequest, emulator: VendureEmulator) => void) | undefined;
  private readonly sessions = new Set<string>();
  private readonly failures = new Map<string, Failure[]>();
  private server: Server | undefined;
  private nextId = 1;

  constructor(private readonly options: VendureEmulatorOptions = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/admin-api`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every session ends, as after a logout or a cleared session store: the next request is refused. */
  expireSessions(): void {
    this.sessions.clear();
  }

  /** The administrator's role loses its permissions: logins still work, every operation after them is FORBIDDEN. */
  removePermissions(): void {
    this.options.powerless = true;
  }

  /** The next answer to `operationName` fails this way (queued: call twice for two failures). */
  failNext(operationName: string, failure: Failure): void {
    this.failures.set(operationName, [...(this.failures.get(operationName) ?? []), failure]);
  }

  /** How often an operation was asked for. */
  count(operationName: string): number {
    return this.requests.filter((request) => request.operationName === operationName).length;
  }

  addOrder(order: EmulatedOrder): EmulatedOrder {
    this.orders.push(order);
    return order;
  }

  /** Changes an order as Vendure's cancelOrder does: new state, `updatedAt` now; it sorts after the rest. */
  touchOrder(id: string, at: string, changes: JsonRecord = {}): void {
    const order = this.orders.find((candidate) => candidate.id === id);
    if (order === undefined) throw new Error(`no order ${id}`);
    Object.assign(order, changes, { updatedAt: at });
  }

  addVariant(sku: string, stock: EmulatedVariant['stock'] = { '1': { onHand: 0, allocated: 0 } }): EmulatedVariant {
    const variant = { id: String(this.variants.length + 1), sku, name: `Variant ${sku}`, updatedAt: '2026-01-01T00:00:00.000Z', stock };
    this.variants.push(variant);
    return variant;
  }

  addStockLocation(name: string): string {
    const id = String(this.stockLocations.length + 1);
    this.stockLocations.push({ id, name });
    return id;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { operationName?: string; variables?: JsonRecord };
    const request: ReceivedRequest = {
      operationName: body.operationName ?? '',
      variables: body.variables ?? {},
      authorization: req.headers['authorization'],
    };
    this.requests.push(request);
    this.beforeRequest?.(request, this);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    const failure = this.failures.get(request.operationName)?.shift();
    if (failure === 'http_500') return send(500, { errors: [{ message: 'Internal Server Error' }] });
    if (failure === 'internal_error') return send(200, { errors: [{ message: 'SQLITE_BUSY: database is locked', path: [request.operationName], extensions: { code: 'INTERNAL_SERVER_ERROR' } }], data: null });

    if (this.options.channelToken !== undefined && req.headers['vendure-token'] !== this.options.channelToken) {
      return send(200, { errors: [{ message: `No channel with the token "${String(req.headers['vendure-token'])}" exists`, extensions: { code: 'CHANNEL_NOT_FOUND' } }], data: null });
    }
    if (request.operationName === 'KeelLogin') return this.login(request, send);

    const token = /^Bearer (.+)$/.exec(request.authorization ?? '')?.[1];
    if (token === undefined || !this.sessions.has(token) || this.options.powerless === true) {
      this.stats.refused += 1;
      if (this.options.refuseWith === 401 && (token === undefined || !this.sessions.has(token))) return send(401, { message: 'Unauthorized' });
      return send(200, { errors: [{ message: FORBIDDEN_MESSAGE, path: [request.operationName], extensions: { code: 'FORBIDDEN' } }], data: null });
    }
    const answer = this.answer(request);
    if ('status' in answer) return send(answer.status, answer.body);
    if (failure === 'drop_after_commit') {
      // Committed, but the answer never arrives: the connection drops.
      req.socket.destroy();
      return;
    }
    return send(200, answer);
  }

  private login(request: ReceivedRequest, send: (status: number, payload: unknown, headers?: Record<string, string>) => void): void {
    const { username, password } = request.variables;
    if (username !== (this.options.username ?? 'superadmin') || password !== (this.options.password ?? 'superadmin')) {
      return send(200, { data: { login: { __typename: 'InvalidCredentialsError', errorCode: 'INVALID_CREDENTIALS_ERROR', message: 'The provided credentials are invalid' } } });
    }
    this.stats.logins += 1;
    const token = `emulated-session-${this.stats.logins}-${Math.random().toString(36).slice(2)}`;
    this.sessions.add(token);
    this.issuedTokens.push(token);
    send(200, { data: { login: { __typename: 'CurrentUser', id: '1', identifier: username } } }, { 'vendure-auth-token': token });
  }

  private answer(request: ReceivedRequest): { data: JsonRecord } | { errors: Json[]; data: null } | { status: number; body: unknown } {
    const options = (request.variables['options'] ?? {}) as JsonRecord;
    switch (request.operationName) {
      case 'KeelOrders':
        return { data: { orders: list(this.orders as unknown as JsonRecord[], options) } };
      case 'KeelVariants':
        return { data: { productVariants: list(this.variants.map((variant) => this.variantRecord(variant)), options) } };
      case 'KeelVariantsBySku':
      case 'KeelStockAllocated':
        return { data: { productVariants: list(this.variants.map((variant) => this.variantRecord(variant)), options) } };
      case 'KeelStockLocations':
        return { data: { stockLocations: list(this.stockLocations, options) } };
      case 'KeelSetStock':
        return this.setStock(request.variables['input'] as JsonRecord[]);
      case 'KeelOrderForFulfillment':
        return { data: { order: this.orderForFulfillment(String(request.variables['id'])) } };
      case 'KeelAddFulfillment':
        return { data: { addFulfillmentToOrder: this.addFulfillment(request.variables['input'] as JsonRecord) } };
      case 'KeelTransitionFulfillment':
        return { data: { transitionFulfillmentToState: this.transition(String(request.variables['id']), String(request.variables['state'])) } };
      default:
        return {
          status: 400,
          body: { errors: [{ message: `Unknown operation "${request.operationName}"`, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] },
        };
    }
  }

  private variantRecord(variant: EmulatedVariant): JsonRecord {
    const levels = Object.entries(variant.stock).map(([stockLocationId, level]) => ({
      stockLocationId,
      stockOnHand: level.onHand,
      stockAllocated: level.allocated,
      stockLocation: { id: stockLocationId, name: this.stockLocations.find((location) => location.id === stockLocationId)?.name ?? '' },
    }));
    return {
      id: variant.id,
      sku: variant.sku,
      name: variant.name,
      enabled: true,
      updatedAt: variant.updatedAt,
      stockOnHand: levels.reduce((sum, level) => sum + level.stockOnHand, 0),
      stockAllocated: levels.reduce((sum, level) => sum + level.stockAllocated, 0),
      stockLevels: levels,
    };
  }

  private setStock(input: JsonRecord[]): { data: JsonRecord } | { errors: Json[]; data: null } {
    // One transaction: an unknown variant fails the whole request and nothing changes.
    const unknown = input.find((item) => !this.variants.some((variant) => variant.id === item['id']));
    if (unknown !== undefined) {
      return { errors: [{ message: `No ProductVariant with the id "${String(unknown['id'])}" could be found`, path: ['updateProductVariants'], extensions: { code: 'ENTITY_NOT_FOUND' } }], data: null };
    }
    for (const item of input) {
      const variant = this.variants.find((candidate) => candidate.id === item['id']) as EmulatedVariant;
      for (const level of item['stockLevels'] as JsonRecord[]) {
        const location = String(level['stockLocationId']);
        variant.stock[location] = { onHand: Number(level['stockOnHand']), allocated: variant.stock[location]?.allocated ?? 0 };
      }
      variant.updatedAt = new Date().toISOString();
    }
    return { data: { updateProductVariants: input.map((item) => ({ id: item['id'] as Json })) } };
  }

  private orderForFulfillment(id: string): Json {
    const order = this.orders.find((candidate) => candidate.id === id);
    if (order === undefined) return null;
    return {
      id: order.id,
      code: order['code'] ?? `CODE${order.id}`,
      state: order['state'] ?? 'PaymentSettled',
      lines: order['lines'] as Json,
      fulfillments: this.fulfillments
        .filter((fulfillment) => fulfillment.orderId === id)
        .map(({ id: fulfillmentId, state, method, trackingCode, lines }) => ({ id: fulfillmentId, state, method, trackingCode, lines })),
    };
  }

  private addFulfillment(input: JsonRecord): Json {
    const lines = (input['lines'] as JsonRecord[]).map((line) => ({ orderLineId: String(line['orderLineId']), quantity: Number(line['quantity']) }));
    const order = this.orders.find((candidate) => (candidate['lines'] as JsonRecord[]).some((line) => line['id'] === lines[0]?.orderLineId));
    if (order === undefined || lines.length === 0) return { __typename: 'EmptyOrderLineSelectionError', errorCode: 'EMPTY_ORDER_LINE_SELECTION_ERROR', message: 'At least one OrderLine must be specified' };
    for (const line of lines) {
      const ordered = Number((order['lines'] as JsonRecord[]).find((candidate) => candidate['id'] === line.orderLineId)?.['quantity'] ?? 0);
      const fulfilled = this.fulfillments
        .filter((fulfillment) => fulfillment.state !== 'Cancelled')
        .flatMap((fulfillment) => fulfillment.lines)
        .filter((candidate) => candidate.orderLineId === line.orderLineId)
        .reduce((sum, candidate) => sum + candidate.quantity, 0);
      if (fulfilled + line.quantity > ordered) {
        return { __typename: 'ItemsAlreadyFulfilledError', errorCode: 'ITEMS_ALREADY_FULFILLED_ERROR', message: 'One or more OrderItems are already part of a Fulfillment' };
      }
    }
    const args = Object.fromEntries(((input['handler'] as JsonRecord)['arguments'] as JsonRecord[]).map((arg) => [String(arg['name']), String(arg['value'])]));
    const fulfillment: EmulatedFulfillment = {
      id: String(this.nextId++),
      orderId: order.id,
      state: 'Pending',
      method: args['method'] ?? '',
      trackingCode: args['trackingCode'] ?? '',
      lines,
    };
    this.fulfillments.push(fulfillment);
    return { __typename: 'Fulfillment', id: fulfillment.id, state: fulfillment.state };
  }

  private transition(id: string, state: string): Json {
    const fulfillment = this.fulfillments.find((candidate) => candidate.id === id);
    const allowed: Record<string, string> = { Pending: 'Shipped', Shipped: 'Delivered' };
    const order = this.orders.find((candidate) => candidate.id === fulfillment?.orderId);
    if (fulfillment === undefined || allowed[fulfillment.state] !== state || (state === 'Shipped' && order?.['state'] === 'PaymentAuthorized')) {
      return {
        __typename: 'FulfillmentStateTransitionError',
        errorCode: 'FULFILLMENT_STATE_TRANSITION_ERROR',
        message: 'errorResult.FULFILLMENT_STATE_TRANSITION_ERROR',
        transitionError: `Cannot transition Order from "${String(order?.['state'])}" to "Shipped"`,
        fromState: fulfillment?.state ?? '',
        toState: state,
      };
    }
    fulfillment.state = state;
    return { __typename: 'Fulfillment', id, state };
  }
}

/** A Vendure list answer: filter, sort by one field (ties in insertion order), skip and take. */
function list(records: readonly JsonRecord[], options: JsonRecord): { items: JsonRecord[]; totalItems: number } {
  const filter = (options['filter'] ?? {}) as JsonRecord;
  const matching = records.filter((record) => Object.entries(filter).every(([field, operators]) => matches(record[field], operators as JsonRecord)));
  const sort = Object.entries((options['sort'] ?? {}) as JsonRecord)[0];
  const sorted = sort === undefined ? matching : [...matching].sort((a, b) => compare(a[sort[0]], b[sort[0]]) * (sort[1] === 'DESC' ? -1 : 1));
  const skip = Number(options['skip'] ?? 0);
  const take = Number(options['take'] ?? 100);
  return { items: sorted.slice(skip, skip + take), totalItems: matching.length };
}

function matches(value: Json | undefined, operators: JsonRecord): boolean {
  return Object.entries(operators).every(([operator, operand]) => {
    switch (operator) {
      case 'eq':
        return value === operand;
      case 'in':
        return (operand as Json[]).includes(value ?? null);
      case 'isNull':
        return (value === null || value === undefined) === operand;
      case 'after':
        return typeof value === 'string' && Date.parse(value) > Date.parse(String(operand));
      default:
        throw new Error(`the emulator does not know the filter operator ${operator}`);
    }
  });
}

function compare(a: Json | undefined, b: Json | undefined): number {
  const left = typeof a === 'string' && !Number.isNaN(Date.parse(a)) && /^\d{4}-/.test(a) ? Date.parse(a) : Number(a);
  const right = typeof b === 'string' && !Number.isNaN(Date.parse(b)) && /^\d{4}-/.test(b) ? Date.parse(b) : Number(b);
  return left - right;
}
