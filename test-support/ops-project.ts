import { NEAREST_PROFILE, STOCK_THEN_ROUTE, TWO_LOCATIONS } from './routing-fixtures.js';
import { tempProject, type TempProject } from './temp-project.js';

const order = (id: string, sku: string, quantity: number) => ({
  channel: 'shop',
  external_id: id,
  status: 'received',
  currency: 'EUR',
  created_at: '2026-11-23T08:00:00Z',
  shipping_address: { country_code: 'DE', coordinates: { lat: 52.5, lon: 13.4 } },
  lines: [{ line_id: '1', sku, quantity }],
});

/**
 * A project to watch (metrics, alerts), on local files: `stock` counts TEE and MUG into the
 * inventory; `route` routes three orders (two TEE that are in stock, one for 5 MUG, of which there
 * is 1: held); `export` validates order rows (2 of 5 have no valid qty: dead letters) into a
 * folder named by ${env:OUT_ROOT}, so a run without it fails.
 */
export function opsProject(): TempProject {
  return tempProject({
    'keel.yaml': `name: watched
connections:
  counts: { connector: file, config: { root: ./counts } }
  orders: { connector: file, config: { root: ./orders } }
  rows: { connector: file, config: { root: ./rows } }
  outbox: { connector: file, config: { root: "\${env:OUT_ROOT}" } }
  inventory: { connector: inventory }
  routing: { connector: routing }
${TWO_LOCATIONS}`,
    'profile.yaml': NEAREST_PROFILE,
    ...STOCK_THEN_ROUTE,
    'pipelines/export.yaml': `name: export
source: { connection: rows, stream: files, options: { path: "*.csv" } }
steps:
  - validate: { schema: row.schema.json }
targets:
  - { connection: outbox, stream: files, options: { path: "rows-{seq}.ndjson" } }
`,
    'row.schema.json': JSON.stringify({ type: 'object', required: ['qty'], properties: { qty: { type: 'string', pattern: '^[0-9]+$' } } }),
    'counts/day1.csv': 'sku,location_id,on_hand,updated_at\nTEE,wh,10,2026-11-23T06:00:00Z\nTEE,store-1,2,2026-11-23T06:00:00Z\nMUG,wh,1,2026-11-23T06:00:00Z\n',
    'orders/batch1.json': JSON.stringify([order('1', 'TEE', 1), order('2', 'TEE', 2), order('3', 'MUG', 5)]),
    'rows/day1.csv': 'id,qty\n1,3\n2,x\n3,4\n4,\n5,1\n',
  });
}
