import type { StreamExample } from '../../core/sdk/connector.js';

/** Uses of the `api` stream; a test loads each as a pipeline. */
export const API_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Read orders incrementally by updated_at, following Link headers (Shopify REST)',
    summary: 'One rate budget per shop, kept in step with the call-limit header; orders go before catalogue traffic.',
    yaml: `connections:
  shop:
    connector: http
    config:
      base_url: https://example.myshopify.com/admin/api/2024-10
      auth: { type: api_key_header, header: X-Shopify-Access-Token, value: "\${env:SHOPIFY_TOKEN}" }
      rate_limit: { burst: 40, per_second: 2, call_limit_header: X-Shopify-Shop-Api-Call-Limit }
source:
  connection: shop
  stream: api
  options:
    path: /orders.json
    query: { status: any, limit: 250, order: updated_at asc }
    records: orders
    pagination: { type: link }
    incremental: { field: updated_at, param: updated_at_min }
    priority: high
`,
  },
  {
    title: 'Read a whole collection by page number',
    yaml: `connections:
  woo:
    connector: http
    config:
      base_url: https://shop.example/wp-json/wc/v3
      auth: { type: basic, username: ck_keel, password: "\${env:WOO_SECRET}" }
source:
  connection: woo
  stream: api
  sync: full
  options:
    path: /products
    pagination: { type: page, size_param: per_page, size: 100 }
    priority: low
`,
  },
  {
    title: 'Create each order once, with its idempotency key in a header',
    yaml: `connections:
  erp:
    connector: http
    config:
      base_url: https://erp.example/api
      auth: { type: bearer, token: "\${env:ERP_TOKEN}" }
targets:
  - connection: erp
    stream: api
    options: { path: /orders, wrap: order }
`,
  },
  {
    title: 'Create orders in an API without idempotency keys: look each up first',
    yaml: `connections:
  erp: { connector: http, config: { base_url: https://erp.example/api } }
targets:
  - connection: erp
    stream: api
    options:
      path: /orders
      idempotency_header: false
      find_before_create: { path: /orders, query: { external_id: "{{id}}" }, records: orders }
`,
  },
  {
    title: 'Update products by SKU (PUT): a changed record is sent again',
    yaml: `connections:
  erp: { connector: http, config: { base_url: https://erp.example/api } }
targets:
  - connection: erp
    stream: api
    key: "{{sku}}"
    options: { path: "/products/{{sku}}", method: PUT, concurrency: 8, priority: low }
`,
  },
];
