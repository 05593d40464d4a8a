import { defineConnector } from '../../core/sdk/connector.js';
import { ShopifyConfig } from './config.js';
import { fulfillments } from './fulfillments.js';
import { orders } from './orders.js';
import { products } from './products.js';
import { stock } from './stock.js';
import { SHOPIFY_WEBHOOKS, webhooks } from './webhooks.js';

export default defineConnector({
  name: 'shopify',
  kind: 'shop',
  description:
    'Shopify over the GraphQL Admin API: orders and products by updatedAt (or one bulk export), stock set with compare-and-swap, shipments as fulfillments; paced by the shop\'s point bucket; signed webhook deliveries.',
  configSchema: ShopifyConfig,
  streams: { orders, products, stock, fulfillments, webhooks },
  webhooks: SHOPIFY_WEBHOOKS,
});
