import { defineConnector, defineStream } from '../../core/sdk/connector.js';
import { VendureConfig } from './config.js';
import { FULFILLMENT_EXAMPLES, ORDERS_EXAMPLES, PRODUCTS_EXAMPLES, STOCK_EXAMPLES } from './examples.js';
import { OrdersReadOptions, readOrders } from './read-orders.js';
import { ProductsReadOptions, readProducts } from './read-products.js';
import { FulfillmentWriteOptions, writeFulfillments } from './write-fulfillments.js';
import { StockWriteOptions, writeStock } from './write-stock.js';

export default defineConnector({
  name: 'vendure',
  kind: 'shop',
  description: "A Vendure shop's Admin GraphQL API: placed orders and variants in, stock per stock location and fulfillments out.",
  configSchema: VendureConfig,
  streams: {
    orders: defineStream({
      description: 'Placed orders with lines, addresses, payments and fulfillments, as mappings/vendure/order.to-canonical.json reads them; incremental by orderPlacedAt and updatedAt.',
      primaryKey: ['id'],
      // Every stream is tested against a real Vendure 3.7.3, but its options may still change.
      status: 'beta',
      examples: ORDERS_EXAMPLES,
      read: {
        options: OrdersReadOptions,
        // (id, time) pairs near each boundary are remembered, so the walk is safe to resume.
        incremental: { cursor: 'orderPlacedAt and updatedAt, each with look-back and (id, time) de-duplication', monotonic: true },
        // A live API answers differently the second time: resume from the checkpoint, not by counting.
        replayable: false,
        read: readOrders,
      },
    }),
    products: defineStream({
      description: 'Product variants with SKU, prices and stock per stock location; incremental by the variant updatedAt (catalogue changes, not sales).',
      primaryKey: ['id'],
      status: 'beta',
      examples: PRODUCTS_EXAMPLES,
      read: {
        options: ProductsReadOptions,
        incremental: { cursor: 'updatedAt with look-back and (id, updatedAt) de-duplication', monotonic: true },
        replayable: false,
        read: readProducts,
      },
    }),
    stock: defineStream({
      description: "Canonical stock levels: sets a variant's stock on hand at a stock location (SKU → variant and location → stock location looked up).",
      primaryKey: ['sku', 'location_id'],
      status: 'beta',
      examples: STOCK_EXAMPLES,
      write: {
        options: StockWriteOptions,
        // An absolute level per SKU and location: sending it again changes nothing, a new level replaces the old.
        idempotency: 'record',
        onChange: 'send',
        write: writeStock,
      },
    }),
    fulfillments: defineStream({
      description: "Canonical shipments: a fulfillment of the order with carrier and tracking number, moved to Shipped or Delivered as the shipment's status says.",
      primaryKey: ['shipment_id'],
      status: 'beta',
      examples: FULFILLMENT_EXAMPLES,
      write: {
        options: FulfillmentWriteOptions,
        // Vendure takes no idempotency key: the order's fulfillments are looked at before one is added.
        idempotency: 'record',
        // A shipment sent again with a later status (delivered) moves its fulfillment on.
        onChange: 'send',
        perRecordProgress: true,
        write: writeFulfillments,
      },
    }),
  },
});
