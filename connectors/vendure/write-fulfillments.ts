/**
 * Shipments (canonical `shipment` records) into Vendure as fulfillments of their order:
 * `addFulfillmentToOrder(input: { lines: [{ orderLineId, quantity }], handler })` with the
 * carrier as `method` and the tracking number as `trackingCode` (the arguments of Vendure's
 * `manual-fulfillment` handler), then `transitionFulfillmentToState` to Shipped (and Delivered)
 * as the shipment's status says.
 *
 * Vendure takes no idempotency key, so before it creates anything the write looks at the
 * order's fulfillments: one with the shipment's tracking number (or, without one, the same
 * method and the same units per SKU) is the shipment already sent, and is only moved on to the
 * shipment's state. A retry after a lost answer therefore adds no second fulfillment.
 */
import { Type, type Static } from '@sinclair/typebox';
import { KeelError } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import { writeResultFor } from '../../core/sdk/error-outcome.js';
import { adminApiFor, type CallContext, type Operation, type VendureAdminApi } from './admin-api.js';
import type { VendureConfig } from './config.js';
import { describeErrorResult, isErrorResult, type ErrorResult } from './vendure-errors.js';

export const FulfillmentWriteOptions = Type.Object(
  {
    handler: Type.Optional(
      Type.String({
        minLength: 1,
        default: 'manual-fulfillment',
        description: "code of the server's fulfillment handler; it must take the arguments method and trackingCode, as Vendure's manual-fulfillment does",
      }),
    ),
    method: Type.Optional(
      Type.String({ minLength: 1, default: 'Keel', description: 'the fulfillment method when a shipment names no carrier' }),
    ),
  },
  { additionalProperties: false },
);
export type FulfillmentWriteOptions = Static<typeof FulfillmentWriteOptions>;

const ORDER_FOR_FULFILLMENT: Operation = {
  name: 'KeelOrderForFulfillment',
  document: `query KeelOrderForFulfillment($id: ID!) {
  order(id: $id) {
    id code state
    lines { id quantity productVariant { sku } }
    fulfillments { id state method trackingCode lines { orderLineId quantity } }
  }
}`,
  retrySafe: true,
};

const ADD_FULFILLMENT: Operation = {
  name: 'KeelAddFulfillment',
  document: `mutation KeelAddFulfillment($input: FulfillOrderInput!) {
  addFulfillmentToOrder(input: $input) {
    __typename
    ... on Fulfillment { id state }
    ... on ErrorResult { errorCode message }
    ... on InsufficientStockOnHandError { productVariantName stockOnHand }
    ... on CreateFulfillmentError { fulfillmentHandlerError }
    ... on FulfillmentStateTransitionError { transitionError }
  }
}`,
  // Not idempotent on the server: a lost answer is retried by the runner, after the lookup.
  retrySafe: false,
};

const TRANSITION_FULFILLMENT: Operation = {
  name: 'KeelTransitionFulfillment',
  document: `mutation KeelTransitionFulfillment($id: ID!, $state: String!) {
  transitionFulfillmentToState(id: $id, state: $state) {
    __typename
    ... on Fulfillment { id state }
    ... on ErrorResult { errorCode message }
    ... on FulfillmentStateTransitionError { transitionError fromState toState }
  }
}`,
  // Moving to the state it is in fails with an ErrorResult and changes nothing.
  retrySafe: true,
};

/** Fulfillment states of Vendure's default process, in order, and where a shipment status takes it. */
const FULFILLMENT_STATES = ['Pending', 'Shipped', 'Delivered'] as const;
const TARGET_STATE: Readonly<Record<string, (typeof FULFILLMENT_STATES)[number]>> = {
  pending: 'Pending',
  shipped: 'Shipped',
  in_transit: 'Shipped',
  delivered: 'Delivered',
};

interface OrderLine {
  id: string;
  quantity: number;
  sku: string;
}

interface Fulfillment {
  id: string;
  state: string;
  method: string;
  trackingCode: string;
  lines: { orderLineId: string; quantity: number }[];
}

interface VendureOrder {
  id: string;
  lines: OrderLine[];
  fulfillments: Fulfillment[];
}

export async function writeFulfillments(ctx: WriteContext<VendureConfig, FulfillmentWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const api = adminApiFor(ctx.config);
  const call: CallContext = { signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger, priority: 'high' };
  const results: WriteResult[] = [];
  // One at a time: two shipments of one order must see each other's fulfillment.
  for (const [index, record] of batch.entries()) {
    await ctx.sending?.(index);
    let result: WriteResult;
    try {
      result = await writeOne(api, record.data, ctx.options, call);
    } catch (error) {
      result = writeResultFor(error);
    }
    results.push(result);
    ctx.settled?.(index, result);
  }
  return results;
}

async function writeOne(api: VendureAdminApi, shipment: JsonObject, options: FulfillmentWriteOptions, call: CallContext): Promise<WriteResult> {
  const orderRef = isJsonObject(shipment['order']) ? shipment['order']['external_id'] : undefined;
  if (typeof orderRef !== 'string' && typeof orderRef !== 'number') {
    return { status: 'permanent', error: 'the shipment has no order.external_id (the Vendure order id)', code: 'vendure_order_missing' };
  }
  const status = typeof shipment['status'] === 'string' ? shipment['status'] : 'shipped';
  const target = TARGET_STATE[status];
  if (target === undefined) {
    return { status: 'permanent', error: `a shipment with status ${status} is no fulfillment to add`, code: 'vendure_shipment_status' };
  }
  const wanted = requestedUnits(shipment);
  if (typeof wanted === 'string') return { status: 'permanent', error: wanted, code: 'vendure_shipment_lines' };

  const data = await api.call<Record<string, unknown>>(ORDER_FOR_FULFILLMENT, { id: String(orderRef) }, call);
  const order = parseOrder(data['order']);
  if (order === undefined) return { status: 'permanent', error: `no order with id ${String(orderRef)} in this channel`, code: 'vendure_order_unknown' };

  const tracking = text(shipment['tracking_number']);
  const method = [text(shipment['carrier']), text(shipment['service'])].filter((part) => part !== undefined).join(' ') || (options.method ?? 'Keel');
  const existing = findExisting(order, tracking, method, wanted);
  let fulfillment: { id: string; state: string };
  let created = false;
  if (existing !== undefined) {
    fulfillment = existing;
  } else {
    const lines = assignLines(order, wanted);
    if (typeof lines === 'string') return { status: 'permanent', error: `order ${order.id}: ${lines}`, code: 'vendure_shipment_lines' };
    const answer = await api.call<Record<string, unknown>>(
      ADD_FULFILLMENT,
      {
        input: {
          lines,
          handler: {
            code: options.handler ?? 'manual-fulfillment',
            arguments: [
              { name: 'method', value: method },
              { name: 'trackingCode', value: tracking ?? '' },
            ],
          },
        },
      },
      call,
    );
    const result = answer['addFulfillmentToOrder'];
    if (isErrorResult(result)) return permanent(result);
    if (!isJsonObject(result)) throw new KeelError('fatal', `${api.place}: addFulfillmentToOrder answered without a fulfillment`, { code: 'vendure_no_fulfillment', stage: 'vendure' });
    fulfillment = { id: String(result['id']), state: String(result['state']) };
    created = true;
  }

  let moved = false;
  // Move it on state by state (Pending → Shipped → Delivered) as far as the shipment says, never back.
  for (let step = FULFILLMENT_STATES.indexOf(fulfillment.state as (typeof FULFILLMENT_STATES)[number]) + 1; step <= FULFILLMENT_STATES.indexOf(target); step += 1) {
    if (step <= 0) break; // a state of a custom process: left as it is
    const state = FULFILLMENT_STATES[step] as string;
    const answer = await api.call<Record<string, unknown>>(TRANSITION_FULFILLMENT, { id: fulfillment.id, state }, call);
    const result = answer['transitionFulfillmentToState'];
    if (isErrorResult(result)) return permanent(result, `fulfillment ${fulfillment.id} of order ${order.id} was ${created ? 'added' : 'there already'} but not moved to ${state}: `);
    fulfillment = { id: fulfillment.id, state };
    moved = true;
  }
  if (created) return { status: 'ok', ref: fulfillment.id };
  // Found on the order: moved on to a later state (counted as advanced), or already where the shipment says (a duplicate).
  return { status: 'ok', ref: fulfillment.id, outcome: moved ? 'advanced' : 'duplicate' };
}

/** Units per SKU (and per order line, where the shipment names it), or what is wrong with the lines. */
function requestedUnits(shipment: JsonObject): { sku: string; lineId: string | undefined; quantity: number }[] | string {
  const lines = Array.isArray(shipment['lines']) ? shipment['lines'].filter(isJsonObject) : [];
  if (lines.length === 0) return 'the shipment has no lines';
  const wanted: { sku: string; lineId: string | undefined; quantity: number }[] = [];
  for (const line of lines) {
    const sku = text(line['sku']);
    const quantity = line['quantity'];
    if (sku === undefined || typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
      return `every shipment line needs a sku and a whole quantity of at least 1 (${JSON.stringify(line).slice(0, 200)})`;
    }
    wanted.push({ sku, lineId: text(line['line_id']), quantity });
  }
  return wanted;
}

/** The order's own fulfillment of this shipment: same tracking number, or same method and units per SKU. */
function findExisting(order: VendureOrder, tracking: string | undefined, method: string, wanted: { sku: string; quantity: number }[]): Fulfillment | undefined {
  const live = order.fulfillments.filter((fulfillment) => fulfillment.state !== 'Cancelled');
  if (tracking !== undefined) return live.find((fulfillment) => fulfillment.trackingCode === tracking);
  const skuOf = new Map(order.lines.map((line) => [line.id, line.sku]));
  const want = unitsBySku(wanted.map(({ sku, quantity }) => [sku, quantity]));
  return live.find(
    (fulfillment) =>
      fulfillment.method === method && fulfillment.trackingCode === '' && want === unitsBySku(fulfillment.lines.map((line) => [skuOf.get(line.orderLineId) ?? '?', line.quantity])),
  );
}

function unitsBySku(pairs: [string, number][]): string {
  const totals = new Map<string, number>();
  for (const [sku, quantity] of pairs) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return JSON.stringify([...totals].sort(([a], [b]) => a.localeCompare(b)));
}

/** Order lines for the units: the named line, else lines with the SKU in order, up to what is not yet in a fulfillment. */
function assignLines(order: VendureOrder, wanted: { sku: string; lineId: string | undefined; quantity: number }[]): { orderLineId: string; quantity: number }[] | string {
  const open = new Map(order.lines.map((line) => [line.id, line.quantity]));
  for (const fulfillment of order.fulfillments) {
    if (fulfillment.state === 'Cancelled') continue;
    for (const line of fulfillment.lines) open.set(line.orderLineId, (open.get(line.orderLineId) ?? 0) - line.quantity);
  }
  const assigned = new Map<string, number>();
  for (const { sku, lineId, quantity } of wanted) {
    const candidates = order.lines.filter((line) => (lineId !== undefined ? line.id === lineId : line.sku === sku));
    if (candidates.length === 0) return lineId !== undefined ? `it has no line ${lineId}` : `it has no line with SKU ${sku}`;
    let left = quantity;
    for (const line of candidates) {
      const take = Math.min(left, Math.max(0, open.get(line.id) ?? 0));
      if (take === 0) continue;
      open.set(line.id, (open.get(line.id) ?? 0) - take);
      assigned.set(line.id, (assigned.get(line.id) ?? 0) + take);
      left -= take;
      if (left === 0) break;
    }
    if (left > 0) return `${left} of ${quantity} units of ${sku} are more than the order has that are not in a fulfillment yet`;
  }
  return [...assigned].map(([orderLineId, quantity]) => ({ orderLineId, quantity }));
}

function parseOrder(value: unknown): VendureOrder | undefined {
  if (!isJsonObject(value)) return undefined;
  const lines = (Array.isArray(value['lines']) ? value['lines'].filter(isJsonObject) : []).map((line) => ({
    id: String(line['id']),
    quantity: Number(line['quantity'] ?? 0),
    sku: isJsonObject(line['productVariant']) ? String(line['productVariant']['sku'] ?? '') : '',
  }));
  const fulfillments = (Array.isArray(value['fulfillments']) ? value['fulfillments'].filter(isJsonObject) : []).map((fulfillment) => ({
    id: String(fulfillment['id']),
    state: String(fulfillment['state'] ?? ''),
    method: String(fulfillment['method'] ?? ''),
    trackingCode: String(fulfillment['trackingCode'] ?? ''),
    lines: (Array.isArray(fulfillment['lines']) ? fulfillment['lines'].filter(isJsonObject) : []).map((line) => ({
      orderLineId: String(line['orderLineId']),
      quantity: Number(line['quantity'] ?? 0),
    })),
  }));
  return { id: String(value['id']), lines, fulfillments };
}

function permanent(result: ErrorResult, prefix = ''): WriteResult {
  const { message, code } = describeErrorResult(result);
  return { status: 'permanent', error: `${prefix}${message}`, code };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
