import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import inventoryEngine from '../../engines/inventory/index.js';
import { openEngineProject } from '../../test-support/conformance-fixtures.js';
import inventory from './index.js';

const KEEL_YAML = `name: stock
connections:
  inventory: { connector: inventory }
inventory:
  locations:
    - { location_id: wh-a, name: A, type: warehouse, channels: [shop] }
  channels:
    shop: {}
`;

/** A project needs a pipeline to load; this one is never run. */
const PUBLISH = `name: publish
source: { connection: inventory, stream: availability, options: { channel: shop } }
targets:
  - { connection: inventory, stream: shown, options: { channel: shop } }
`;

const AT = '2026-11-23T06:00:00Z';
/** What the state of the ledger is read at: a fixed moment, so two looks at an unchanged ledger agree. */
const NOW = Date.parse('2026-11-24T00:00:00Z');
const SKUS = ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-9'];

const count = (sku: string, onHand: number, at = AT) => ({ sku, location_id: 'wh-a', on_hand: onHand, updated_at: at, source: 'wms' });

/** A project with an inventory section, opened as `keel run` opens it, and three SKUs counted. */
async function openInventory() {
  return openEngineProject({ 'keel.yaml': KEEL_YAML, 'pipelines/publish.yaml': PUBLISH }, async (project) => {
    const engine = project.engines.require(inventoryEngine, 'the conformance fixture');
    await engine.ingestRecords([count('SKU-1', 5), count('SKU-2', 3), count('SKU-3', 8)]);
    return { engine };
  });
}

type Opened = Awaited<ReturnType<typeof openInventory>>;

const stock = async ({ engine }: Opened) => Promise.all(SKUS.map((sku) => engine.store.stock(sku, NOW)));
const order = (id: string, sku: string, quantity: number) => ({ channel: 'shop', external_id: id, status: 'received', created_at: AT, lines: [{ sku, quantity }] });

describeConnector(
  inventory,
  {
    setup: openInventory,
    streams: {
      ledger: {
        write: {
          records: [count('SKU-9', 4), count('SKU-1', 7, '2026-11-23T07:00:00Z')],
          state: stock,
          // A location the inventory section does not have.
          rejected: { sku: 'SKU-2', location_id: 'nowhere', on_hand: 1, updated_at: AT, source: 'wms' },
        },
      },
      reservations: {
        write: {
          records: [order('1001', 'SKU-1', 2), order('1002', 'SKU-3', 1)],
          state: async ({ engine }) => Promise.all(['shop:1001', 'shop:1002'].map((key) => engine.store.reservations(key))),
          // More than is on hand: not enough stock is permanent, and names the SKU.
          rejected: order('1003', 'SKU-2', 99),
        },
      },
      shown: {
        write: {
          options: { channel: 'shop' },
          records: [
            { sku: 'SKU-1', quantity: 9 },
            { sku: 'SKU-2', quantity: 3 },
          ],
          // The drift recorded; `at` is when it was seen, which a later look moves on, not what the channel shows.
          state: async ({ engine }) => (await engine.store.drift('shop')).map(({ sku, shown, expected }) => ({ sku, shown, expected })),
          rejected: { sku: 'SKU-3' },
        },
      },
      availability: {
        read: {
          options: { channel: 'shop' },
          invalidOptions: [{ options: { channel: 'shop', mode: 'sometimes' }, message: 'must be' }],
        },
      },
    },
  },
  { describe, it },
);
