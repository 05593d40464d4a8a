import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator, STORE, WAREHOUSE } from '../../test-support/shopify-emulator.js';
import { SHOPIFY_ENV, shopifyProject } from '../../test-support/shopify-project.js';
import type { TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let emulator: ShopifyEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

const FAST_BUCKET = { maximum: 2000, restoreRate: 20_000 };

/** Stock records in an NDJSON file, written to the shop's stock stream at the Keel location "berlin" unless a record names another. */
function stockProject(origin: string, records: object[], options = '{ location: berlin }'): TempProject {
  const created = shopifyProject(
    origin,
    {
      'stock.yaml': `name: stock
source: { connection: inbox, stream: files, options: { path: "stock-*.ndjson" } }
targets:
  - { connection: shop, stream: stock, options: ${options} }
batch_size: 4
`,
    },
    {
      config: 'locations: { berlin: "1", store-mitte: "gid://shopify/Location/2" }',
      keel: '  inbox: { connector: file, config: { root: ./in } }\n',
    },
  );
  created.write({ 'in/stock-1.ndjson': records.map((record) => JSON.stringify(record)).join('\n') });
  return created;
}

async function deadLetters(dir: string): Promise<{ code: string; reason: string }[]> {
  const store = new SqliteStateStore(`${dir}/.keel/state.db`);
  try {
    return (await store.listDeadLetters({})).map((letter) => ({ code: letter.code, reason: letter.reason }));
  } finally {
    await store.close();
  }
}

describe('shopify stock', () => {
  it('sets available per SKU and location with compare-and-swap; a sale between read and write is read again, not overwritten', async () => {
    let sold = false;
    emulator = new ShopifyEmulator({
      orders: 0,
      bucket: FAST_BUCKET,
      inventory: [
        { sku: 'TEE-RED-M', levels: { 1: 10, 2: 3 } },
        { sku: 'TEE-BLUE-M', levels: { 1: 8 } },
        { sku: 'MUG', levels: { 1: 5 } },
      ],
      // A customer buys a blue shirt in the shop just as Keel writes its number.
      beforeInventorySet: (change, shop) => {
        if (!sold && shop.items.find((item) => item.id === change.inventoryItemId)?.sku === 'TEE-BLUE-M') {
          sold = true;
          shop.sell('TEE-BLUE-M', WAREHOUSE, 1);
        }
      },
    });
    const shop = emulator;
    project = stockProject(await shop.start(), [
      // What the inventory engine publishes for a channel: { channel, sku, quantity, revision }.
      { channel: 'shopify', sku: 'TEE-RED-M', quantity: 7, status: 'in_stock', revision: 3, computed_at: '2026-12-01T10:00:00Z' },
      { channel: 'shopify', sku: 'TEE-BLUE-M', quantity: 4, status: 'in_stock', revision: 9, computed_at: '2026-12-01T10:00:00Z' },
      // A canonical stock level names its own location.
      { sku: 'TEE-RED-M', location_id: 'store-mitte', available: 1, updated_at: '2026-12-01T10:00:00Z', source: 'pos' },
      { channel: 'shopify', sku: 'MUG', quantity: 5, status: 'in_stock', revision: 2, computed_at: '2026-12-01T10:00:00Z' },
      // Two versions of one level in one batch: written in order, the later wins.
      { channel: 'shopify', sku: 'TEE-RED-M', quantity: 6, status: 'in_stock', revision: 4, computed_at: '2026-12-01T10:05:00Z' },
    ]);
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ status: 'ok', written: 5, deadLettered: 0, outcomes: { set: 4, unchanged: 1 } });
    expect([shop.available('TEE-RED-M', WAREHOUSE), shop.available('TEE-RED-M', STORE), shop.available('TEE-BLUE-M', WAREHOUSE), shop.available('MUG', WAREHOUSE)]).toEqual([6, 1, 4, 5]);
    // The sale made one write stale; it was read again (7 left) and written with the new number.
    expect(shop.stats.stockConflicts).toBe(1);
    expect(shop.stats.stockWrites).toBe(4);
    // Each SKU was looked up once, though TEE-RED-M came in two batches.
    expect(shop.stats.skuLookups).toBe(3);
  });

  it('dead-letters a level that keeps changing with both numbers, and never overwrites it', async () => {
    emulator = new ShopifyEmulator({
      orders: 0,
      bucket: FAST_BUCKET,
      inventory: [{ sku: 'HOT-ITEM', levels: { 1: 50 } }],
      // A flash sale: every write finds one unit fewer than it read.
      beforeInventorySet: (_change, shop) => void shop.sell('HOT-ITEM', WAREHOUSE, 1),
    });
    project = stockProject(await emulator.start(), [{ channel: 'shopify', sku: 'HOT-ITEM', quantity: 20, revision: 1, computed_at: '2026-12-01T10:00:00Z' }], '{ location: berlin, conflict_retries: 2 }');
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ status: 'dead_letters', written: 0, deadLettered: 1 });
    expect(emulator.available('HOT-ITEM', WAREHOUSE)).toBe(47);
    expect(await deadLetters(project.dir)).toEqual([
      {
        code: 'shopify_quantity_conflict',
        reason:
          "SKU HOT-ITEM at gid://shopify/Location/1: Shopify's available quantity changed while Keel set it to 20 (read 50, then 49, then 48; 3 attempts); not overwritten. Replay the record once the shop is quiet, or raise conflict_retries",
      },
    ]);
  });

  it('dead-letters records Shopify cannot place: an unknown or ambiguous SKU, an unmapped location, an item not stocked there', async () => {
    emulator = new ShopifyEmulator({
      orders: 0,
      bucket: FAST_BUCKET,
      inventory: [
        { sku: 'TWIN', levels: { 1: 1 } },
        { sku: 'TWIN', levels: { 1: 1 } },
        { sku: 'WAREHOUSE-ONLY', levels: { 1: 4 } },
        { sku: "QUOTE'S", levels: { 1: 2 } },
      ],
    });
    project = stockProject(await emulator.start(), [
      { sku: 'NOT-IN-SHOP', available: 1, location_id: 'berlin' },
      { sku: 'TWIN', available: 1, location_id: 'berlin' },
      { sku: 'WAREHOUSE-ONLY', available: 1, location_id: 'leipzig' },
      { sku: 'WAREHOUSE-ONLY', available: 1, location_id: 'store-mitte' },
      { sku: "QUOTE'S", available: 3, location_id: 'berlin' },
    ]);
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ written: 1, deadLettered: 4 });
    expect(emulator.available("QUOTE'S", WAREHOUSE)).toBe(3);
    expect((await deadLetters(project.dir)).map((letter) => `${letter.code}: ${letter.reason}`)).toEqual([
      'shopify_sku_unknown: SKU NOT-IN-SHOP has no inventory item in Shopify (no variant with this SKU); create it in Shopify or set unknown_sku: skip',
      'shopify_sku_unknown: SKU TWIN belongs to 2 inventory items in Shopify (gid://shopify/InventoryItem/900000, gid://shopify/InventoryItem/900001); make the SKU unique there',
      'shopify_location_unmapped: SKU WAREHOUSE-ONLY: location "leipzig" is not in the connection\'s locations (Keel location → Shopify location id)',
      'shopify_item_not_stocked_at_location: SKU WAREHOUSE-ONLY at gid://shopify/Location/2: the item is not stocked at that location in Shopify; activate it there, or map the location elsewhere',
    ]);
  });

  it('skips a SKU no variant has when told (unknown_sku: skip), and still dead-letters one several variants share', async () => {
    emulator = new ShopifyEmulator({
      orders: 0,
      bucket: FAST_BUCKET,
      inventory: [
        { sku: 'TWIN', levels: { 1: 1 } },
        { sku: 'TWIN', levels: { 1: 1 } },
        { sku: 'MUG', levels: { 1: 2 } },
      ],
    });
    project = stockProject(
      await emulator.start(),
      [
        { sku: 'NOT-IN-SHOP', available: 1, location_id: 'berlin' },
        { sku: 'TWIN', available: 1, location_id: 'berlin' },
        { sku: 'MUG', available: 6, location_id: 'berlin' },
      ],
      '{ location: berlin, unknown_sku: skip }',
    );
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ written: 2, deadLettered: 1, outcomes: { unknown_sku: 1 } });
    expect(emulator.available('MUG', WAREHOUSE)).toBe(6);
    expect((await deadLetters(project.dir)).map((letter) => letter.code)).toEqual(['shopify_sku_unknown']);
  });

  it('sends a write whose answer was lost again under the same @idempotent key, and Shopify sets it once', async () => {
    emulator = new ShopifyEmulator({ orders: 0, bucket: FAST_BUCKET, dropStockAnswers: 1, inventory: [{ sku: 'CAP', levels: { 1: 9 } }] });
    project = stockProject(await emulator.start(), [{ channel: 'shopify', sku: 'CAP', quantity: 2, revision: 1, computed_at: '2026-12-01T10:00:00Z' }]);
    const { summary } = await runProject(project.dir, { env: SHOPIFY_ENV });
    expect(summary).toMatchObject({ status: 'ok', written: 1, outcomes: { set: 1 } });
    expect(emulator.stats).toMatchObject({ droppedAnswers: 1, idempotentReplays: 1, stockWrites: 1, stockConflicts: 0 });
    expect(emulator.available('CAP', WAREHOUSE)).toBe(2);
  });
});
