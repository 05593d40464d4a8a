import type { StreamExample } from '../../core/sdk/connector.js';

/** The shop as the examples connect to it. */
const SHOP = `  shop:
    connector: shopify
    config:
      shop: acme-de.myshopify.com
      access_token: "\${env:SHOPIFY_TOKEN}"
      api_version: "2026-10"
      locations: { wh-berlin: "gid://shopify/Location/1" }
`;

/** Uses of the shopify streams; a test loads each as a pipeline. */
export const ORDERS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Orders changed since the last run, into the canonical model',
    summary: 'Incremental by updatedAt with a look-back; the first sync as one bulk export.',
    yaml: `connections:
${SHOP}  order-outbox: { connector: file, config: { root: ./out/orders } }
source: { connection: shop, stream: orders, options: { page_size: 10, lookback_seconds: 300, bulk: true } }
steps:
  - map: { mapping: "keel:shopify/order-graphql.to-canonical.json" }
targets:
  - { connection: order-outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
  },
];

export const PRODUCTS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'The whole catalogue with its variants',
    yaml: `connections:
${SHOP}  catalogue-outbox: { connector: file, config: { root: ./out/catalogue } }
source: { connection: shop, stream: products, sync: full, options: { page_size: 10, variants_per_page: 25 } }
targets:
  - { connection: catalogue-outbox, stream: files, options: { path: "products-{seq}.ndjson" } }
`,
  },
];

export const STOCK_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'What the inventory engine lets the shop show, set with compare-and-swap',
    summary: 'A sale booked in Shopify between read and write is not overwritten.',
    yaml: `connections:
${SHOP}  inventory: { connector: inventory }
source: { connection: inventory, stream: availability, options: { channel: shopify } }
targets:
  - { connection: shop, stream: stock, options: { location: wh-berlin, conflict_retries: 2 } }
`,
  },
];

export const FULFILLMENTS_EXAMPLES: readonly StreamExample[] = [
  {
    title: "A 3PL's shipments as fulfillments with tracking",
    yaml: `connections:
${SHOP}  3pl-inbox: { connector: file, config: { root: ./in/3pl } }
source: { connection: 3pl-inbox, stream: files, options: { path: "shipments-*.csv", csv: { group_by: shipment_id } } }
steps:
  - map: { mapping: "keel:3pl-csv/shipment.to-canonical.json" }
targets:
  - { connection: shop, stream: fulfillments, key: "{{shipment_id}}", options: { notify_customer: true } }
`,
  },
];

export const WEBHOOKS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Orders Shopify pushed, into the canonical model',
    summary: 'Webhook payloads are REST orders: map them with the REST mapping. Run it often; the polling pipeline stays on as reconciliation.',
    yaml: `connections:
  shop:
    connector: shopify
    config:
      shop: acme-de.myshopify.com
      access_token: "\${env:SHOPIFY_TOKEN}"
      webhook_secret: "\${env:SHOPIFY_WEBHOOK_SECRET}"
  order-outbox: { connector: file, config: { root: ./out/orders } }
source: { connection: shop, stream: webhooks, options: { topics: [orders/create, orders/updated, orders/cancelled] } }
steps:
  - map: { mapping: "keel:shopify/order.to-canonical.json" }
targets:
  - { connection: order-outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
  },
];
