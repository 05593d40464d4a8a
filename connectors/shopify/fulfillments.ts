/**
 * The `fulfillments` stream: a shipment with tracking becomes a fulfillment of the order's
 * fulfillment orders (`fulfillmentCreate`). Shopify takes no idempotency key for it, so the order
 * is read first: a fulfillment with the shipment's tracking number means it went through already
 * (a retry after a lost answer, a re-run), and the record is answered with that fulfillment
 * instead of fulfilling twice. Otherwise the shipment's lines are matched to the open fulfillment
 * order line items (by order line id, else by SKU) and fulfilled with the tracking information.
 *
 * Records: canonical shipments (core/model/shipment.ts): `order.external_id` (Shopify's order id,
 * numeric or global), `tracking_number` (or the parcels'), `carrier`, `tracking_url`, and
 * `lines[]` with `sku`, `quantity` and optionally `line_id`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FULFILLMENTS_EXAMPLES } from './examples.js';
import { isJsonObject, readPath, type JsonObject, type JsonValue } from '../../core/json.js';
import { defineStream, type WriteContext, type WriteRecord, type WriteResult } from '../../core/sdk/connector.js';
import { shopifySettings, toGid, type ShopifyConfig } from './config.js';
import { callFrom, shopifyGraphqlFor, type CallContext, type Operation, type ShopifyGraphql } from './graphql-client.js';
import { userErrorsResult, type UserError } from './shopify-errors.js';
import { failureResult, writeGrouped } from './write-results.js';

export const FulfillmentWriteOptions = Type.Object(
  {
    notify_customer: Type.Optional(Type.Boolean({ default: false, description: 'let Shopify email the buyer the shipping confirmation' })),
    carriers: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1, description: 'the tracking company as Shopify lists it' }), {
        description: 'carrier code → tracking company as Shopify knows it, e.g. { dhl: "DHL Express" }, so Shopify builds the tracking link; other codes are sent as they are',
      }),
    ),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, default: 2, description: 'orders fulfilled at once (the shipments of one order one after another)' })),
  },
  { additionalProperties: false },
);
export type FulfillmentWriteOptions = Static<typeof FulfillmentWriteOptions>;

const TARGETS: Operation = {
  name: 'KeelFulfillmentTargets',
  document: `query KeelFulfillmentTargets($id: ID!) {
  order(id: $id) {
    id
    name
    fulfillments(first: 50) { id status trackingInfo(first: 5) { number } }
    fulfillmentOrders(first: 5) {
      nodes {
        id
        status
        assignedLocation { location { id } }
        lineItems(first: 50) { nodes { id remainingQuantity lineItem { id sku } } }
      }
    }
  }
}`,
  // Sized to stay under Shopify's 1000 points for one query: 50 fulfillments, 5 fulfillment orders of 50 lines.
  estimate: () => 1 + 50 * 6 + 2 + 5 * (3 + 2 + 50 * 2),
};

const CREATE: Operation = {
  name: 'KeelFulfillmentCreate',
  document: `mutation KeelFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`,
  estimate: () => 10,
  // No idempotency key: never sent twice by the HTTP client; a failure is retried by reading the order first.
  unsafe: true,
};

/** Fulfillment order states that still take fulfillments. */
const OPEN_STATES = new Set(['OPEN', 'IN_PROGRESS']);

interface Shipment {
  orderId: string;
  trackingNumbers: string[];
  company: string | undefined;
  url: string | undefined;
  lines: { sku: string | undefined; lineId: string | undefined; quantity: number }[];
}

async function writeFulfillments(ctx: WriteContext<ShopifyConfig, FulfillmentWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const settings = shopifySettings(ctx.config);
  const client = shopifyGraphqlFor(settings);
  const call = callFrom(ctx);
  const shipments = new Map(batch.map((record) => [record, shipmentOf(record.data, ctx.options)]));
  return writeGrouped(
    ctx,
    batch,
    (record) => {
      const shipment = shipments.get(record);
      return typeof shipment === 'string' || shipment === undefined ? `!${record.key}` : shipment.orderId;
    },
    ctx.options.concurrency ?? 2,
    async (record) => {
      const shipment = shipments.get(record) as Shipment | string;
      if (typeof shipment === 'string') return { status: 'permanent', error: shipment, code: 'shopify_bad_shipment' };
      try {
        return await fulfil(client, shipment, ctx.options, record, call);
      } catch (error) {
        return failureResult(error);
      }
    },
  );
}

async function fulfil(client: ShopifyGraphql, shipment: Shipment, options: FulfillmentWriteOptions, record: WriteRecord, call: CallContext): Promise<WriteResult> {
  const data = await client.run(TARGETS, { id: shipment.orderId }, call);
  const order = data['order'];
  if (!isJsonObject(order)) return { status: 'permanent', error: `order ${shipment.orderId} is not in Shopify (or not visible to the app)`, code: 'shopify_order_not_found' };
  const name = typeof order['name'] === 'string' ? order['name'] : shipment.orderId;

  // Fulfilled already under this tracking number: a retry after a lost answer, or the same shipment again.
  const existing = (Array.isArray(order['fulfillments']) ? order['fulfillments'] : []).filter(isJsonObject).find((fulfillment) => {
    if (fulfillment['status'] === 'CANCELLED') return false;
    const numbers = (Array.isArray(fulfillment['trackingInfo']) ? fulfillment['trackingInfo'] : []).filter(isJsonObject).map((info) => info['number']);
    return shipment.trackingNumbers.some((number) => numbers.includes(number));
  });
  if (existing !== undefined) {
    call.logger.info('Shopify has this shipment already; not fulfilling again', { order: name, fulfillment: String(existing['id']), record: record.key });
    return { status: 'ok', ref: String(existing['id']), outcome: 'existing' };
  }

  const allocation = allocate(shipment, order, name);
  if (typeof allocation === 'string') return { status: 'permanent', error: allocation, code: 'shopify_nothing_to_fulfil' };
  const [first, ...others] = shipment.trackingNumbers;
  const created = await client.run(
    CREATE,
    {
      fulfillment: {
        lineItemsByFulfillmentOrder: allocation,
        notifyCustomer: options.notify_customer ?? false,
        trackingInfo: {
          number: first ?? null,
          ...(others.length > 0 ? { numbers: shipment.trackingNumbers } : {}),
          ...(shipment.company !== undefined ? { company: shipment.company } : {}),
          ...(shipment.url !== undefined ? { url: shipment.url } : {}),
        },
      },
    },
    call,
  );
  const payload = created['fulfillmentCreate'];
  const errors = (isJsonObject(payload) && Array.isArray(payload['userErrors']) ? payload['userErrors'] : []) as unknown as UserError[];
  if (errors.length > 0) return userErrorsResult(errors, `order ${name}`);
  const fulfillment = isJsonObject(payload) ? payload['fulfillment'] : undefined;
  return { status: 'ok', ref: isJsonObject(fulfillment) ? String(fulfillment['id']) : undefined, outcome: 'fulfilled' };
}

/**
 * The shipment's lines as fulfillment order line items: by order line id where the line has one,
 * else by SKU, from fulfillment orders that are still open, all at one location (one fulfillment
 * is one location's). Returns why not when the order has too little left open.
 */
function allocate(shipment: Shipment, order: JsonObject, name: string): JsonValue[] | string {
  const connection = order['fulfillmentOrders'];
  const fulfillmentOrders = (isJsonObject(connection) && Array.isArray(connection['nodes']) ? connection['nodes'] : [])
    .filter(isJsonObject)
    .filter((fo) => typeof fo['status'] === 'string' && OPEN_STATES.has(fo['status']));
  const left = new Map<string, number>();
  const candidates = fulfillmentOrders.flatMap((fo) => {
    const items = readPath(fo, ['lineItems', 'nodes']);
    return (Array.isArray(items) ? items : []).filter(isJsonObject).map((item) => {
      left.set(String(item['id']), typeof item['remainingQuantity'] === 'number' ? item['remainingQuantity'] : 0);
      return {
        fulfillmentOrderId: String(fo['id']),
        location: String(readPath(fo, ['assignedLocation', 'location', 'id']) ?? ''),
        id: String(item['id']),
        lineItemId: String(readPath(item, ['lineItem', 'id']) ?? ''),
        sku: readPath(item, ['lineItem', 'sku']),
      };
    });
  });
  const taken = new Map<string, Map<string, number>>();
  for (const line of shipment.lines) {
    let wanted = line.quantity;
    const matches = candidates.filter((candidate) => (line.lineId !== undefined ? candidate.lineItemId === toGid('LineItem', line.lineId) : candidate.sku === line.sku));
    for (const candidate of matches) {
      const open = left.get(candidate.id) ?? 0;
      const take = Math.min(open, wanted);
      if (take <= 0) continue;
      left.set(candidate.id, open - take);
      wanted -= take;
      const items = taken.get(candidate.fulfillmentOrderId) ?? new Map<string, number>();
      items.set(candidate.id, (items.get(candidate.id) ?? 0) + take);
      taken.set(candidate.fulfillmentOrderId, items);
      if (wanted === 0) break;
    }
    if (wanted > 0) {
      const label = line.lineId !== undefined ? `line ${line.lineId}` : `SKU ${line.sku ?? '?'}`;
      return `order ${name}: ${label}: ${line.quantity} to fulfil, ${line.quantity - wanted} left open in Shopify (fulfilled already, cancelled, or not on the order)`;
    }
  }
  const locations = new Set(candidates.filter((candidate) => taken.has(candidate.fulfillmentOrderId)).map((candidate) => candidate.location));
  if (locations.size > 1) {
    return `order ${name}: the shipment's lines are assigned to ${locations.size} locations in Shopify (${[...locations].join(', ')}); one fulfillment is one location's, so send one shipment per location`;
  }
  return [...taken].map(([fulfillmentOrderId, items]) => ({
    fulfillmentOrderId,
    fulfillmentOrderLineItems: [...items].map(([id, quantity]) => ({ id, quantity })),
  }));
}

/** A record as a shipment, or why it is not one. */
function shipmentOf(data: JsonObject, options: FulfillmentWriteOptions): Shipment | string {
  const orderRef = readPath(data, ['order', 'external_id']) ?? data['order_id'];
  if (typeof orderRef !== 'string' && typeof orderRef !== 'number') return 'the shipment names no order (order.external_id)';
  const numbers = new Set<string>();
  if (typeof data['tracking_number'] === 'string' && data['tracking_number'].trim() !== '') numbers.add(data['tracking_number'].trim());
  for (const parcel of Array.isArray(data['parcels']) ? data['parcels'] : []) {
    if (isJsonObject(parcel) && typeof parcel['tracking_number'] === 'string' && parcel['tracking_number'].trim() !== '') numbers.add(parcel['tracking_number'].trim());
  }
  // The tracking number is how a shipment is recognized in Shopify when it comes again.
  if (numbers.size === 0) return `shipment for order ${String(orderRef)} has no tracking number; fulfillments are matched by it, so none is created without`;
  const lines: Shipment['lines'] = [];
  for (const line of Array.isArray(data['lines']) ? data['lines'] : []) {
    if (!isJsonObject(line)) continue;
    const quantity = line['quantity'];
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) return `shipment for order ${String(orderRef)}: a line has no whole positive quantity`;
    const sku = typeof line['sku'] === 'string' ? line['sku'] : undefined;
    const lineId = typeof line['line_id'] === 'string' || typeof line['line_id'] === 'number' ? String(line['line_id']) : undefined;
    if (sku === undefined && lineId === undefined) return `shipment for order ${String(orderRef)}: a line has neither sku nor line_id`;
    lines.push({ sku, lineId, quantity });
  }
  if (lines.length === 0) return `shipment for order ${String(orderRef)} has no lines`;
  const carrier = typeof data['carrier'] === 'string' ? data['carrier'] : undefined;
  return {
    orderId: toGid('Order', orderRef),
    trackingNumbers: [...numbers],
    company: carrier !== undefined ? (options.carriers?.[carrier] ?? carrier) : undefined,
    url: typeof data['tracking_url'] === 'string' ? data['tracking_url'] : undefined,
    lines,
  };
}

export const fulfillments = defineStream<ShopifyConfig, TSchema, typeof FulfillmentWriteOptions>({
  description: 'Shipments with tracking as fulfillments of the order\'s fulfillment orders; a shipment Shopify has already (same tracking number) is not fulfilled twice.',
  status: 'beta',
  examples: FULFILLMENTS_EXAMPLES,
  write: {
    options: FulfillmentWriteOptions,
    // Not a key Shopify keeps, but a lookup by tracking number before each create (see above).
    idempotency: 'record',
    perRecordProgress: true,
    write: writeFulfillments,
  },
});
