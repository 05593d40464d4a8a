import { Type } from '@sinclair/typebox';
import { stockReport } from '../inventory/stock-report.js';
import { renderReceipt } from '../routing/explain-receipt.js';
import type { RouteRequest } from '../routing/routing-store.js';
import inventory from '../../engines/inventory/index.js';
import routingEngine from '../../engines/routing/index.js';
import { securityOf } from './guard.js';
import { AnyObject, AUTH_ERRORS, responses } from './http-schemas.js';
import type { KeelServer, ServeContext } from './serve-context.js';

const READ = { kind: 'read' } as const;

const Explain = Type.Array(Type.Object({ step: Type.String(), detail: Type.String(), quantity: Type.Number() }, { additionalProperties: false }));
const StockBody = Type.Object(
  {
    sku: Type.String(),
    on_hand: Type.Array(Type.Object({ location_id: Type.String(), on_hand: Type.Number(), held: Type.Optional(Type.Number()) }, { additionalProperties: false })),
    reserved: Type.Number(),
    backordered: Type.Record(Type.String(), Type.Number()),
    preordered: Type.Number(),
    incoming: Type.Array(Type.Object({ location_id: Type.String(), quantity: Type.Number(), expected_at: Type.String() }, { additionalProperties: false })),
    channels: Type.Array(
      Type.Object(
        { sku: Type.String(), channel: Type.String(), quantity: Type.Number(), status: Type.String(), available_from: Type.Optional(Type.String()), explain: Type.Optional(Explain) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'as keel stock --json prints it' },
);

/** A request to a location, as `keel route explain --json` shows it (times as ISO 8601). */
export const RequestSchema = Type.Object(
  {
    request_id: Type.String(),
    order_key: Type.String(),
    group_id: Type.String(),
    kind: Type.String({ enum: ['fulfil', 'offer', 'hold'] }),
    location_id: Type.String(),
    status: Type.String(),
    part: Type.Optional(AnyObject('the lines this location is asked for')),
    note: Type.Optional(Type.String()),
    created_at: Type.String(),
    expires_at: Type.Optional(Type.String()),
    updated_at: Type.String(),
  },
  { additionalProperties: false },
);

/** A request with its times as ISO 8601, as the API shows times. */
export function requestBody(request: RouteRequest) {
  return {
    ...request,
    created_at: new Date(request.created_at).toISOString(),
    updated_at: new Date(request.updated_at).toISOString(),
    expires_at: request.expires_at === undefined ? undefined : new Date(request.expires_at).toISOString(),
  };
}

/** The central API's reads: stock per SKU and channel, a customer's orders, an order's routing. */
export function centralRoutes(app: KeelServer, ctx: ServeContext): void {
  const { engines } = ctx.project;

  app.get(
    '/api/stock/:sku',
    {
      schema: {
        summary: "a SKU's stock per location and what each channel may show, with the arithmetic when explain=true (keel stock --explain)",
        tags: ['central'],
        security: securityOf(READ),
        params: Type.Object({ sku: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object(
          { channel: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100, description: 'only these channels (repeat it)' })), explain: Type.Boolean({ default: false }) },
          { additionalProperties: false },
        ),
        response: responses({ 200: StockBody }, [400, ...AUTH_ERRORS, 404]),
      },
      preHandler: ctx.guard(READ),
    },
    async (request) => {
      const engine = engines.require(inventory, 'stock lookups');
      return stockReport(engine, request.params.sku, { channels: request.query.channel, explain: request.query.explain });
    },
  );

  app.get(
    '/api/customers/orders',
    {
      schema: {
        summary: "a customer's orders on every channel, by email (any case) or the customer id the channels give; last routed first",
        tags: ['central'],
        security: securityOf(READ),
        querystring: Type.Object(
          {
            email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
            customer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: responses(
          {
            200: Type.Object({
              orders: Type.Array(
                Type.Object(
                  { order_key: Type.String(), channel: Type.String(), external_id: Type.String(), routed_at: Type.String(), order: AnyObject('the canonical order as Keel saw it') },
                  { additionalProperties: false },
                ),
              ),
            }),
          },
          [400, ...AUTH_ERRORS, 404],
        ),
      },
      preHandler: ctx.guard(READ),
    },
    async (request, reply) => {
      const { email, customer_id: customerId, limit } = request.query;
      if ((email === undefined) === (customerId === undefined)) {
        return reply.code(400).send({ error: 'invalid_request', message: 'give exactly one of email and customer_id' });
      }
      const routing = engines.require(routingEngine, "a customer's orders");
      const rows = await routing.store.ordersOfCustomer(email !== undefined ? { email } : { customerId: customerId as string }, limit);
      return {
        orders: rows.map((row) => ({ order_key: row.order_key, channel: row.channel, external_id: row.external_id, routed_at: new Date(row.routed_at).toISOString(), order: row.order })),
      };
    },
  );

  app.get(
    '/api/orders/:order/routing',
    {
      schema: {
        summary: 'why an order went where it went, or is held: every decision with its receipt, then its requests (keel route explain)',
        tags: ['central'],
        security: securityOf(READ),
        params: Type.Object({ order: Type.String({ minLength: 1, maxLength: 300, description: 'channel:id (shopify:1001), or the id alone when it is unique' }) }),
        response: responses(
          {
            200: Type.Object({
              order_key: Type.String(),
              receipts: Type.Array(
                Type.Object(
                  { seq: Type.Integer(), decided_at: Type.String(), cause: Type.String(), explanation: Type.String({ description: 'the receipt in words' }), receipt: AnyObject('the receipt: codes and facts') },
                  { additionalProperties: false },
                ),
              ),
              requests: Type.Array(RequestSchema),
            }),
          },
          [400, ...AUTH_ERRORS, 404, 409],
        ),
      },
      preHandler: ctx.guard(READ),
    },
    async (request) => {
      const explained = await engines.require(routingEngine, 'routing receipts').explain(request.params.order);
      return {
        order_key: explained.order_key,
        receipts: explained.receipts.map((stored) => ({
          seq: stored.seq,
          decided_at: new Date(stored.decided_at).toISOString(),
          cause: stored.cause,
          explanation: renderReceipt(stored.receipt),
          receipt: stored.receipt as unknown as Record<string, unknown>,
        })),
        requests: explained.requests.map(requestBody),
      };
    },
  );
}
