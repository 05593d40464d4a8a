import type { StreamExample } from '../../core/sdk/connector.js';

/** Uses of the routing streams; a test loads each as a pipeline. */
export const ORDERS_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Route canonical call-centre orders',
    yaml: `connections:
  callcenter: { connector: file, config: { root: ./data/callcenter } }
  routing: { connector: routing }
source: { connection: callcenter, stream: files, options: { path: "orders-*.json" } }
targets:
  - { connection: routing, stream: orders }
`,
  },
];

export const REQUESTS_EXAMPLES: readonly StreamExample[] = [
  {
    title: "Hand the stores' offers, withdrawals and cancellations to their app",
    yaml: `connections:
  routing: { connector: routing }
  store-inbox: { connector: file, config: { root: ./data/store-inbox } }
source: { connection: routing, stream: requests, options: { location_types: [store] } }
targets:
  - { connection: store-inbox, stream: files, options: { path: "store-requests-{seq}.ndjson" } }
`,
  },
  {
    title: "Send one warehouse's fulfilment requests as openTRANS orders",
    yaml: `connections:
  routing: { connector: routing }
  erp-outbox: { connector: file, config: { root: ./data/erp-outbox } }
source: { connection: routing, stream: requests, options: { locations: [wh-berlin] } }
steps:
  - map: { mapping: "keel:opentrans/order.from-canonical.json" }
targets:
  - { connection: erp-outbox, stream: files, options: { path: "ORDER-{seq}.xml", xml: { record: ORDER, document: true } } }
`,
  },
];

export const RESPONSES_EXAMPLES: readonly StreamExample[] = [
  {
    title: "Take the stores' claims and unclaims from a CSV file",
    summary: 'Rows of order, location_id, action (claim, unclaim, reject or shipped) and reason.',
    yaml: `connections:
  store-answers: { connector: file, config: { root: ./data/store-answers } }
  routing: { connector: routing }
source: { connection: store-answers, stream: files, options: { path: "answers-*.csv" } }
targets:
  - { connection: routing, stream: responses }
`,
  },
];
