/**
 * The `orders` stream: orders as `GET /orders` returns them, mapped to Keel's order by
 * mappings/woocommerce/order.to-canonical.json; incremental by date_modified_gmt.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { defineStream, type ReadContext, type SourcePage } from '../../core/sdk/connector.js';
import type { WooCommerceConfig } from './config.js';
import { ORDERS_EXAMPLES } from './examples.js';
import { checkWalkStart } from '../../core/http/walk-read-options.js';
import { listReadOptions } from './list-options.js';
import { readCollection } from './rest-api.js';
import { walkBackfill } from '../../core/http/incremental.js';

export const OrdersReadOptions = Type.Object(
  {
    ...listReadOptions('orders'),
    status: Type.Optional(
      Type.String({
        minLength: 1,
        default: 'any',
        description: 'order statuses to read, comma-separated (processing,completed); any: every status but trash',
      }),
    ),
  },
  { additionalProperties: false },
);
export type OrdersReadOptions = Static<typeof OrdersReadOptions>;

function readOrders(ctx: ReadContext<WooCommerceConfig, OrdersReadOptions>): AsyncIterable<SourcePage> {
  return readCollection(ctx, 'orders', { status: ctx.options.status ?? 'any' });
}

export const orders = defineStream<WooCommerceConfig, typeof OrdersReadOptions, TSchema>({
  description: 'Orders with line items, addresses, taxes, shipping, fees, coupons and refunds, as GET /orders returns them; incremental by date_modified_gmt.',
  primaryKey: ['id'],
  // Tested against an emulator of the documented API, not a live shop yet.
  status: 'beta',
  examples: ORDERS_EXAMPLES,
  read: {
    options: OrdersReadOptions,
    // (id, date_modified_gmt) pairs near the boundary are remembered, so the walk is safe to resume.
    incremental: { cursor: 'date_modified_gmt with look-back and (id, date_modified_gmt) de-duplication', monotonic: true },
    // A live API answers differently the second time: resume from the checkpoint, not by counting.
    replayable: false,
    check: (options) => checkWalkStart(options),
    // A backfill moves the updated-at boundary to the time given.
    backfill: walkBackfill,
    read: readOrders,
  },
});
