import { defineConnector, defineStream } from '../../core/sdk/connector.js';
import { WooCommerceConfig } from './config.js';
import { STOCK_EXAMPLES } from './examples.js';
import { orders } from './orders.js';
import { products } from './products.js';
import { StockWriteOptions, writeStock } from './stock.js';
import { WOOCOMMERCE_WEBHOOKS, webhooks } from './webhooks.js';

export default defineConnector({
  name: 'woocommerce',
  kind: 'shop',
  description: "A WooCommerce shop's REST API (wc/v3): orders and products by date_modified_gmt, stock quantities set in batches of up to 100; signed webhook deliveries.",
  configSchema: WooCommerceConfig,
  streams: {
    orders,
    products,
    stock: defineStream({
      description: "What a channel may sell ({ sku, quantity }): sets the product's or variation's stock_quantity (manage_stock on), SKU looked up once per run.",
      primaryKey: ['sku'],
      status: 'beta',
      examples: STOCK_EXAMPLES,
      write: {
        options: StockWriteOptions,
        // An absolute quantity per SKU: sending it again changes nothing, a new one replaces the old.
        idempotency: 'record',
        onChange: 'send',
        write: writeStock,
      },
    }),
    webhooks,
  },
  webhooks: WOOCOMMERCE_WEBHOOKS,
});
