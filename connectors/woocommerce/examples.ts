import type { StreamExample } from '../../core/sdk/connector.js';

/** The shop as the examples connect to it. */
const SHOP = `  shop:
    connector: woocommerce
    config:
      base_url: https://shop.example/wp-json/wc/v3
      consumer_key: "\${env:WOO_CONSUMER_KEY}"
      consumer_secret: "\${env:WOO_CONSUMER_SECRET}"
`;

/** Uses of the woocommerce streams; a test loads each as a pipeline. */
export const ORDERS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Orders changed since the last run, into the canonical model',
    summary: 'Incremental by date_modified_gmt with a look-back.',
    yaml: `connections:
${SHOP}  order-outbox: { connector: file, config: { root: ./out/orders } }
source: { connection: shop, stream: orders, options: { page_size: 100, lookback_seconds: 300 } }
steps:
  - map: { mapping: "keel:woocommerce/order.to-canonical.json" }
targets:
  - { connection: order-outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
  },
];

export const PRODUCTS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'The whole catalogue with the variations of variable products',
    yaml: `connections:
${SHOP}  catalogue-outbox: { connector: file, config: { root: ./out/catalogue } }
source: { connection: shop, stream: products, sync: full, options: { page_size: 100 } }
targets:
  - { connection: catalogue-outbox, stream: files, options: { path: "products-{seq}.ndjson" } }
`,
  },
];

export const STOCK_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'What the inventory engine lets the shop sell, as stock_quantity',
    summary: 'SKUs looked up once per run; up to 100 products or variations per batch request.',
    yaml: `connections:
${SHOP}  inventory: { connector: inventory }
source: { connection: inventory, stream: availability, options: { channel: woocommerce } }
targets:
  - { connection: shop, stream: stock, options: { unknown_sku: dead_letter } }
`,
  },
];

export const WEBHOOKS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Orders WooCommerce pushed, into the canonical model',
    summary: 'An order webhook carries the order as GET /orders/<id> returns it. Run it often; the polling pipeline stays on as reconciliation.',
    yaml: `connections:
${SHOP}      webhook_secret: "\${env:WOO_WEBHOOK_SECRET}"
  order-outbox: { connector: file, config: { root: ./out/orders } }
source: { connection: shop, stream: webhooks, options: { topics: [order.created, order.updated] } }
steps:
  - map: { mapping: "keel:woocommerce/order.to-canonical.json" }
targets:
  - { connection: order-outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
  },
];
