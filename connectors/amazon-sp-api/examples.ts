import type { StreamExample } from '../../core/sdk/connector.js';

/** The seller account every example connects to; credentials from the environment. */
const SELLER = `  amazon:
    connector: amazon-sp-api
    config:
      region: eu
      selling_partner_id: A3EXAMPLESELLER
      marketplace_ids: [A1PA6795UKMFR9]
      client_id: amzn1.application-oa2-client.example
      client_secret: "\${env:AMAZON_LWA_CLIENT_SECRET}"
      refresh_token: "\${env:AMAZON_LWA_REFRESH_TOKEN}"
`;

/** Uses of the `orders` stream; a test loads each as a pipeline. */
export const ORDERS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Orders changed since the last run, with their items, into canonical orders',
    summary: 'Incremental by LastUpdateDate with a look-back; each order costs a getOrderItems call (0.5 a second by default).',
    yaml: `connections:
${SELLER}  order-outbox: { connector: file, config: { root: ./out/orders } }
source: { connection: amazon, stream: orders, options: { lookback_seconds: 600 } }
steps:
  - map: { mapping: "keel:amazon-sp-api/order.to-canonical.json" }
targets:
  - { connection: order-outbox, stream: files, key: "{{external_id}}@{{updated_at}}", options: { path: "orders-{seq}.ndjson" } }
`,
  },
  {
    title: 'Every order since a date (full sync), seller-fulfilled only',
    yaml: `connections:
${SELLER}  order-outbox: { connector: file, config: { root: ./out/orders } }
source:
  connection: amazon
  stream: orders
  sync: full
  options: { start: "2026-11-01T00:00:00Z", window_hours: 48, fulfillment_channels: [MFN] }
targets:
  - { connection: order-outbox, stream: files, options: { path: "amazon-orders-{seq}.ndjson" } }
`,
  },
];

/** Uses of the `stock` stream. */
export const STOCK_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'What the inventory engine lets Amazon sell, as a listings feed',
    summary: 'One JSON_LISTINGS_FEED per batch; a SKU Amazon refuses is dead-lettered with its message.',
    yaml: `connections:
${SELLER}  inventory: { connector: inventory }
source: { connection: inventory, stream: availability, options: { channel: amazon-de } }
targets:
  - { connection: amazon, stream: stock, key: "{{sku}}", options: { issue_locale: de_DE } }
batch_size: 500
`,
  },
];
