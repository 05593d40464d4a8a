/**
 * The `orders` stream: Orders API v0 `getOrders` by `LastUpdatedAfter`/`LastUpdatedBefore`, pages
 * by `NextToken`, and each order's items from `getOrderItems` (pages by their own `NextToken`),
 * put under `OrderItems` as mappings/amazon-sp-api/order.to-canonical.json reads them.
 *
 * Amazon documents no sort order for getOrders, so the walk does not page "from the newest time
 * on the page" as core/http's walk over sorted pages does (incremental-pages.ts). It reads fixed
 * windows instead: every order updated from the window's start up to its end, to the last
 * NextToken, and only then moves the boundary to the window's end. What it passed on is known by
 * (AmazonOrderId, LastUpdateDate) (core/http's UpdatedAtWalk), saved with every page, so orders
 * on the same timestamp, in the look-back window, or read again after a crash in the middle of a
 * window are passed on once. Windows end `settle_seconds` in the past: Amazon takes no
 * LastUpdatedBefore later than two minutes ago and shows most changes two minutes after they
 * happen; `lookback_seconds` covers the rest.
 */
import { Type, type Static } from '@sinclair/typebox';
import { KeelError, RecordRejection } from '../../core/errors.js';
import { UpdatedAtWalk } from '../../core/http/incremental.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { DecodeReject, ReadContext, SourcePage, SourceRecord } from '../../core/sdk/connector.js';
import type { AmazonConfig } from './config.js';
import { spApiFor, type CallContext, type SpApi } from './sp-api.js';

export const OrdersReadOptions = Type.Object(
  {
    page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'orders per getOrders request (MaxResultsPerPage, at most 100)' })),
    lookback_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 7 * 86_400,
        default: 300,
        description: 'incremental sync: read this far behind the saved boundary on each run, for changes Amazon shows late; orders already passed on are dropped',
      }),
    ),
    start: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'where the very first incremental run, and every full sync, starts (ISO 8601, LastUpdatedAfter); default: 30 days before the run. Amazon keeps two years (JP, AU, SG: from 2016)',
      }),
    ),
    window_hours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 24 * 90,
        default: 168,
        description: 'a catch-up reads windows of this length one after the other; the boundary moves (and the orders remembered are forgotten) at the end of each',
      }),
    ),
    settle_seconds: Type.Optional(
      Type.Integer({
        minimum: 120,
        maximum: 3600,
        default: 120,
        description: 'read orders last updated at least this long ago: Amazon refuses a LastUpdatedBefore later than two minutes ago',
      }),
    ),
    order_statuses: Type.Optional(
      Type.Array(
        Type.Union(
          ['PendingAvailability', 'Pending', 'Unshipped', 'PartiallyShipped', 'Shipped', 'InvoiceUnconfirmed', 'Canceled', 'Unfulfillable'].map((status) => Type.Literal(status)),
        ),
        { minItems: 1, description: 'only orders in these statuses (OrderStatuses); default: all. An order whose status leaves the list is not read again' },
      ),
    ),
    fulfillment_channels: Type.Optional(
      Type.Array(Type.Union([Type.Literal('MFN'), Type.Literal('AFN')]), {
        minItems: 1,
        description: 'only orders fulfilled by the seller (MFN) or by Amazon (AFN); default: both',
      }),
    ),
  },
  { additionalProperties: false },
);
export type OrdersReadOptions = Static<typeof OrdersReadOptions>;

const DEFAULT_START_MS = 30 * 86_400_000;
/** Item pages of one order before the API is taken to be looping: no real order has more. */
const MAX_ITEM_PAGES = 1000;

export async function* readOrders(ctx: ReadContext<AmazonConfig, OrdersReadOptions>): AsyncIterable<SourcePage> {
  const api = spApiFor(ctx.config);
  const options = ctx.options;
  const call: CallContext = { signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger, rates: ctx.rates };
  const now = Date.now();
  const walk = new UpdatedAtWalk(
    {
      field: 'LastUpdateDate',
      param: 'LastUpdatedAfter',
      id: 'AmazonOrderId',
      lookback_seconds: options.lookback_seconds ?? 300,
      start: options.start ?? new Date(now - DEFAULT_START_MS).toISOString(),
    },
    ctx.sync === 'incremental' ? ctx.cursor : undefined,
  );
  const until = now - (options.settle_seconds ?? 120) * 1000;
  const windowMs = (options.window_hours ?? 168) * 3600_000;
  const unit = `${api.settings.place} orders`;
  let from = walk.runStart ?? now - DEFAULT_START_MS;
  while (from < until && !ctx.signal.aborted) {
    const to = Math.min(from + windowMs, until);
    walk.readFrom(from);
    const query = {
      MarketplaceIds: api.settings.marketplaceIds,
      LastUpdatedAfter: new Date(from).toISOString(),
      LastUpdatedBefore: new Date(to).toISOString(),
      MaxResultsPerPage: options.page_size ?? 100,
      OrderStatuses: options.order_statuses,
      FulfillmentChannels: options.fulfillment_channels,
    };
    let nextToken: string | undefined;
    do {
      const body = await api.call('getOrders', { path: '/orders/v0/orders', query: nextToken === undefined ? query : { ...query, NextToken: nextToken } }, call);
      const payload = payloadOf(body, 'getOrders', api);
      const orders = Array.isArray(payload['Orders']) ? payload['Orders'].filter(isJsonObject) : [];
      nextToken = tokenOf(payload);
      const { fresh, unplaceable } = walk.take(orders);
      const records: SourceRecord[] = [];
      const rejects: DecodeReject[] = unplaceable.map(({ record, reason }) => ({ raw: JSON.stringify(record), origin: unit, reason }));
      for (const order of fresh) {
        try {
          records.push({ data: { ...order, OrderItems: await orderItems(api, String(order['AmazonOrderId']), call) } });
        } catch (error) {
          // An order whose items Amazon does not have is dead-lettered; anything else stops the read.
          if (!(error instanceof RecordRejection)) throw error;
          rejects.push({ raw: JSON.stringify(order), origin: unit, reason: `order ${String(order['AmazonOrderId'])}: its items could not be read: ${error.message}` });
        }
      }
      // The window is read to its end: every order updated before `to` has been seen.
      if (nextToken === undefined) walk.reach(to);
      yield { unit, positions: 'item', records, rejects, checkpoint: walk.checkpoint() };
    } while (nextToken !== undefined && !ctx.signal.aborted);
    from = to;
  }
}

/** Every item of an order, page after page. */
async function orderItems(api: SpApi, orderId: string, call: CallContext): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  const path = `/orders/v0/orders/${encodeURIComponent(orderId)}/orderItems`;
  let nextToken: string | undefined;
  for (let page = 1; ; page += 1) {
    const body = await api.call('getOrderItems', { path, query: nextToken === undefined ? {} : { NextToken: nextToken } }, call);
    const payload = payloadOf(body, 'getOrderItems', api);
    if (Array.isArray(payload['OrderItems'])) items.push(...payload['OrderItems'].filter(isJsonObject));
    const next = tokenOf(payload);
    if (next === undefined) return items;
    if (next === nextToken || page >= MAX_ITEM_PAGES) {
      throw new KeelError('fatal', `${api.settings.place}: getOrderItems of order ${orderId} keeps answering with a next page (${page} pages); the API is misbehaving`, {
        code: 'amazon_items_loop',
        stage: 'amazon-sp-api',
      });
    }
    nextToken = next;
  }
}

function payloadOf(body: unknown, operation: string, api: SpApi): JsonObject {
  const payload = isJsonObject(body) ? body['payload'] : undefined;
  if (!isJsonObject(payload)) {
    throw new KeelError('transient', `${api.settings.place}: ${operation} answered without a payload`, { code: 'amazon_no_payload', stage: 'amazon-sp-api' });
  }
  return payload;
}

/** "When present and not empty, pass this string token in the next request." */
function tokenOf(payload: JsonObject): string | undefined {
  const token = payload['NextToken'];
  return typeof token === 'string' && token !== '' ? token : undefined;
}
