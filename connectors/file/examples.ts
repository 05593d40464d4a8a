import type { StreamExample } from '../../core/sdk/connector.js';

/** Uses of the `files` stream; a test loads each as a pipeline. */
export const FILES_EXAMPLES: readonly StreamExample[] = [
  {
    title: 'Read JSON order exports, archiving each file once its records are delivered',
    summary: 'Files still being written are left alone until their size and time stay put for 2 s.',
    yaml: `connections:
  shop-exports: { connector: file, config: { root: ./data/shop } }
source:
  connection: shop-exports
  stream: files
  options:
    path: "orders-*.json"
    json: { path: orders }
    archive_dir: processed
    stable_interval_ms: 2000
`,
  },
  {
    title: 'Read semicolon-separated CSV in Windows-1252',
    yaml: `connections:
  pos-exports: { connector: file, config: { root: ./data/pos } }
source:
  connection: pos-exports
  stream: files
  options:
    path: "stock-*.csv"
    csv: { delimiter: ";", encoding: windows-1252 }
`,
  },
  {
    title: 'Write one CSV pick list per batch, each order once',
    summary: 'An order exported again is a duplicate; one changed after it went out waits in the dead-letter queue.',
    yaml: `connections:
  threepl-outbox: { connector: file, config: { root: ./data/3pl-outbox } }
targets:
  - connection: threepl-outbox
    stream: files
    key: "{{channel}}:{{external_id}}"
    options: { path: "pick-{seq}.csv", csv: { escape_formulas: false } }
`,
  },
  {
    title: 'Write each order as its own XML document',
    yaml: `connections:
  erp-inbox: { connector: file, config: { root: ./data/erp-inbox } }
targets:
  - connection: erp-inbox
    stream: files
    options: { path: "ORDER-{seq}.xml", xml: { record: ORDER, document: true } }
`,
  },
];
