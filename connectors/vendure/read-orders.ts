import type { Static } from '@sinclair/typebox';
import type { ReadContext, SourcePage } from '../../core/sdk/connector.js';
import { adminApiFor, type Operation } from './admin-api.js';
import type { VendureConfig } from './config.js';
import { readFullList, readIncrementalList, type ListQuery, type ListWalk } from './list-pages.js';
import { ListReadOptions } from './list-options.js';

export const OrdersReadOptions = ListReadOptions('orders');
export type OrdersReadOptions = Static<typeof OrdersReadOptions>;

/**
 * The fields of an order that mappings/vendure/order.to-canonical.json reads (its README lists
 * them), and nothing else: the mapping and this selection change together, which a test checks.
 */
export const ORDER_SELECTION = `
      id code state active orderPlacedAt createdAt updatedAt currencyCode couponCodes
      subTotalWithTax shipping shippingWithTax total totalWithTax
      customer { id firstName lastName emailAddress phoneNumber }
      shippingAddress { fullName company streetLine1 streetLine2 city province postalCode countryCode phoneNumber }
      billingAddress { fullName company streetLine1 streetLine2 city province postalCode countryCode phoneNumber }
      lines {
        id quantity orderPlacedQuantity unitPriceWithTax linePriceWithTax discountedLinePriceWithTax
        proratedLinePrice proratedLinePriceWithTax taxRate
        discounts { type description amountWithTax }
        productVariant { id sku name }
      }
      discounts { type description amountWithTax }
      shippingLines { priceWithTax discountedPriceWithTax shippingMethod { code name } }
      surcharges { description priceWithTax }
      taxSummary { description taxRate taxBase taxTotal }
      payments { method amount state transactionId createdAt refunds { state } }
      fulfillments { id state method trackingCode }`;

export const ORDERS_QUERY: Operation = {
  name: 'KeelOrders',
  document: `query KeelOrders($options: OrderListOptions) {
  orders(options: $options) {
    totalItems
    items {${ORDER_SELECTION}
    }
  }
}`,
  retrySafe: true,
};

/** Placed orders only: carts (`active: true`) change with every click and are no one's business yet. */
const ORDERS: ListQuery = { operation: ORDERS_QUERY, field: 'orders', filter: { active: { eq: false } } };

/**
 * Two walks, because Vendure 3.7 does not move an order's `updatedAt` when its state changes:
 * placing an order (and settling its payment, shipping it) leaves `updatedAt` at the last change
 * of the cart, which may be older than the boundary of the last run. `orderPlacedAt` is set at
 * placement, so every order is read once it is placed; `updatedAt` catches later changes that do
 * move it (a cancellation, a modification).
 */
export const ORDER_WALKS: readonly ListWalk[] = [
  { key: 'placed', field: 'orderPlacedAt', filter: { orderPlacedAt: { isNull: false } } },
  { key: 'updated', field: 'updatedAt' },
];

export function readOrders(ctx: ReadContext<VendureConfig, OrdersReadOptions>): AsyncIterable<SourcePage> {
  const api = adminApiFor(ctx.config);
  return ctx.sync === 'incremental' ? readIncrementalList(api, ORDERS, ORDER_WALKS, ctx.options, ctx) : readFullList(api, ORDERS, ctx.options, ctx);
}
