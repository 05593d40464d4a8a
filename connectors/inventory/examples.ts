import type { StreamExample } from '../../core/sdk/connector.js';

/** Uses of the inventory streams; a test loads each as a pipeline. */
export const LEDGER_EXAMPLES: readonly StreamExample[] = [
  {
    title: "Feed a warehouse's stock counts into the ledger",
    summary: 'Canonical stock levels: sku, location_id, on_hand, updated_at and source. A count older than the one held is stale.',
    yaml: `connections:
  wms-export: { connector: file, config: { root: ./data/wms } }
  inventory: { connector: inventory }
source: { connection: wms-export, stream: files, options: { path: "stock-*.csv" } }
steps:
  - set: { fields: { location_id: { from: location }, source: { value: wms } } }
targets:
  - { connection: inventory, stream: ledger }
`,
  },
];

export const RESERVATIONS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Reserve the lines of shop orders as they come in',
    yaml: `connections:
  shop-export: { connector: file, config: { root: ./data/shop } }
  inventory: { connector: inventory }
source: { connection: shop-export, stream: files, options: { path: "orders-*.json", json: { path: orders } } }
steps:
  - map: { mapping: "keel:shopify/order.to-canonical.json" }
targets:
  - { connection: inventory, stream: reservations, options: { location_field: shipped_from } }
`,
  },
];

export const AVAILABILITY_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Publish what changed for a channel since its last publish',
    yaml: `connections:
  inventory: { connector: inventory }
  channel-outbox: { connector: file, config: { root: ./data/channel-outbox } }
source: { connection: inventory, stream: availability, options: { channel: shopify } }
targets:
  - { connection: channel-outbox, stream: files, options: { path: "shopify-inventory-{seq}.ndjson" } }
`,
  },
];

export const SHOWN_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Record what a channel shows, so the next delta corrects the drift',
    summary: 'Records are { sku, quantity } as the channel shows them.',
    yaml: `connections:
  shop-api: { connector: http, config: { base_url: https://shop.example/api } }
  inventory: { connector: inventory }
source: { connection: shop-api, stream: api, sync: full, options: { path: /inventory-levels, records: levels } }
targets:
  - { connection: inventory, stream: shown, options: { channel: shopify } }
`,
  },
];
