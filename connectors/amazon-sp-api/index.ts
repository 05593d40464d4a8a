import { checkWalkStart } from '../../core/http/walk-read-options.js';
import { defineConnector, defineStream } from '../../core/sdk/connector.js';
import { AmazonConfig } from './config.js';
import { ORDERS_EXAMPLES, STOCK_EXAMPLES } from './examples.js';
import { OrdersReadOptions, readOrders } from './read-orders.js';
import { StockWriteOptions, writeStock } from './write-stock.js';

export default defineConnector({
  name: 'amazon-sp-api',
  kind: 'marketplace',
  description: "Amazon's Selling Partner API for a seller: orders with their items in (Orders API v0), seller-fulfilled stock out as JSON_LISTINGS_FEED feeds.",
  configSchema: AmazonConfig,
  streams: {
    orders: defineStream({
      description: 'Orders with their items under OrderItems (getOrders and getOrderItems), as mappings/amazon-sp-api/order.to-canonical.json reads them; incremental by LastUpdateDate.',
      primaryKey: ['AmazonOrderId'],
      // Tested against an emulator of the documented API, not yet against a seller account.
      status: 'experimental',
      examples: ORDERS_EXAMPLES,
      read: {
        options: OrdersReadOptions,
        // Windows read to their end before the boundary moves; (id, time) pairs near it are remembered.
        incremental: { cursor: 'LastUpdateDate, in windows read to their end, with look-back and (AmazonOrderId, LastUpdateDate) de-duplication', monotonic: true },
        // A live API answers differently the second time: resume from the checkpoint, not by counting.
        replayable: false,
        check: checkWalkStart,
        read: readOrders,
      },
    }),
    stock: defineStream({
      description:
        "Canonical stock levels (or the inventory engine's availability) as the seller-fulfilled quantity of each SKU: one JSON_LISTINGS_FEED per batch, by keel:amazon-listings/stock.from-canonical.json; SKUs Amazon refuses are dead-lettered with its message.",
      primaryKey: ['sku'],
      status: 'experimental',
      examples: STOCK_EXAMPLES,
      write: {
        options: StockWriteOptions,
        // An absolute quantity per SKU: a feed sent again sets the same value; a new level replaces the old.
        idempotency: 'record',
        onChange: 'send',
        write: writeStock,
      },
    }),
  },
});
