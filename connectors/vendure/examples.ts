import type { StreamExample } from '../../core/sdk/connector.js';

/** The connection every example uses: an administrator's login, secrets from the environment. */
const SHOP = `connections:
  shop:
    connector: vendure
    config:
      url: https://shop.example/admin-api
      username: "\${env:VENDURE_ADMIN}"
      password: "\${env:VENDURE_ADMIN_PASSWORD}"
`;

/** Uses of the `orders` stream; a test loads each as a pipeline. */
export const ORDERS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Read placed orders incrementally into canonical orders',
    summary: 'Each run reads the orders placed or changed since the last one, by orderPlacedAt and updatedAt.',
    yaml: `${SHOP}source:
  connection: shop
  stream: orders
  options: { page_size: 100, lookback_seconds: 300 }
steps:
  - map: { mapping: keel:vendure/order.to-canonical.json }
`,
  },
  {
    title: 'Read every placed order (full sync)',
    summary: 'For a first load, or to catch state changes that move neither orderPlacedAt nor updatedAt.',
    yaml: `${SHOP}source: { connection: shop, stream: orders, sync: full, options: { page_size: 250 } }
steps:
  - map: { mapping: keel:vendure/order.to-canonical.json }
`,
  },
];

/** Uses of the `products` stream. */
export const PRODUCTS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Take a snapshot of every variant with its stock per stock location',
    yaml: `${SHOP}source: { connection: shop, stream: products, sync: full, options: { page_size: 200 } }
`,
  },
];

/** Uses of the `stock` stream. */
export const STOCK_EXAMPLES: readonly StreamExample[] = [
  {
    title: "Publish stock levels per warehouse to Vendure's stock locations",
    summary: 'Keel location ids are mapped to stock locations by name or id; SKUs the shop does not sell are skipped.',
    yaml: `${SHOP}targets:
  - connection: shop
    stream: stock
    options:
      locations: { wh-berlin: Berlin, 3pl-leipzig: "3" }
      unknown_sku: skip
`,
  },
  {
    title: 'Publish what may be sold to one stock location',
    summary: "Records with sku and available only: stock on hand becomes available plus what Vendure holds for open orders.",
    yaml: `${SHOP}targets:
  - connection: shop
    stream: stock
    key: "{{sku}}"
    options: { location: Default Stock Location }
`,
  },
];

/** Uses of the `fulfillments` stream. */
export const FULFILLMENT_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Add shipments as fulfillments with carrier and tracking number',
    summary: 'The fulfillment moves to Shipped or Delivered as the shipment says; a shipment sent again adds none.',
    yaml: `${SHOP}targets:
  - { connection: shop, stream: fulfillments, options: { handler: manual-fulfillment } }
`,
  },
];
