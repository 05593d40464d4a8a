import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator, WAREHOUSE } from '../../test-support/shopify-emulator.js';
import { outboxRecords, SHOPIFY_ENV, STOCK_IN_PIPELINE } from '../../test-support/shopify-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let emulator: ShopifyEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

type Block = Record<string, unknown>;
const BLOCKS = [...readFileSync(new URL('./README.md', import.meta.url), 'utf8').matchAll(/```yaml[^\n]*\n([\s\S]*?)```/g)].map((match) => parse(match[1] ?? '') as Block);

/**
 * The README's connection and pipelines as a project against the emulator: the `shop` connection
 * as the README writes it, but at the emulator's base_url instead of a shop domain; the README's
 * pipelines as they are; and the other ends they name (outboxes, the inventory engine, a 3PL inbox).
 */
function readmeProject(origin: string): TempProject {
  const connections = BLOCKS.find((block) => block['connections'] !== undefined && block['name'] === undefined)?.['connections'] as Record<string, { config: Record<string, unknown> }>;
  const shop = structuredClone(connections['shop']) as { config: Record<string, unknown> };
  delete shop.config['shop'];
  shop.config['base_url'] = origin;
  const keel = {
    name: 'shopify-readme',
    connections: {
      shop,
      'order-outbox': { connector: 'file', config: { root: './orders' } },
      'catalogue-outbox': { connector: 'file', config: { root: './catalogue' } },
      '3pl-inbox': { connector: 'file', config: { root: './3pl' } },
      'erp-counts': { connector: 'file', config: { root: './erp' } },
      inventory: { connector: 'inventory' },
      'erp-orders': { connector: 'http', config: { base_url: 'https://erp.example/api' } },
    },
    inventory: {
      locations: [{ location_id: 'wh-berlin', name: 'Warehouse Berlin', type: 'warehouse', channels: ['shopify'] }],
      channels: { shopify: {} },
    },
  };
  const pipelines = Object.fromEntries(BLOCKS.filter((block) => typeof block['name'] === 'string').map((block) => [`pipelines/${String(block['name'])}.yaml`, stringify(block)]));
  return tempProject({
    'keel.yaml': stringify(keel),
    ...pipelines,
    // Stock counts from the ERP into the inventory engine (not a Shopify pipeline, so not in the README).
    ...STOCK_IN_PIPELINE,
  });
}

interface CanonicalOrder {
  channel: string;
  external_id: string;
  order_number: string;
  status: string;
  lines: { line_id: string; sku: string; quantity: number; total: { amount: string; currency: string } }[];
  totals: { total: { amount: string } };
}

describe('the README pipelines, run against the emulator', () => {
  it('brings orders into the canonical model, stock from the inventory engine to Shopify, and 3PL shipments to fulfillments', async () => {
    emulator = new ShopifyEmulator({ orders: 40, perTimestamp: 2, products: 2, bulkPollsToComplete: 1, bucket: { maximum: 2000, restoreRate: 20_000 } });
    const shop = emulator;
    project = readmeProject(await shop.start());
    const run = async (pipeline: string) => (await runProject(project?.dir ?? '', { env: SHOPIFY_ENV, pipeline })).summary;

    // Orders: the first sync is a bulk export, every order canonical and valid.
    expect(await run('shopify-orders')).toMatchObject({ status: 'ok', read: 40, written: 40, deadLettered: 0 });
    expect(shop.stats.operations['KeelBulkRun']).toBe(1);
    const orders = outboxRecords<CanonicalOrder>(project, 'orders');
    expect(orders).toHaveLength(40);
    const first = orders.find((order) => order.external_id === '1001');
    expect(first).toMatchObject({ channel: 'shopify', order_number: '#1001', status: 'received' });
    expect(first?.lines.map((line) => [line.line_id, line.sku, line.quantity])).toEqual([
      ['100100', 'SKU-1', 3],
      ['100101', 'SKU-2', 1],
      ['100102', 'SKU-3', 2],
    ]);
    // Then pages, for what changed since.
    shop.update(1005);
    expect(await run('shopify-orders')).toMatchObject({ status: 'ok', written: 1 });
    expect(outboxRecords<CanonicalOrder>(project, 'orders').at(-1)?.external_id).toBe('1005');

    // Products, fully.
    expect(await run('shopify-products')).toMatchObject({ status: 'ok', written: 2 });

    // Stock: the ERP's counts go into the inventory engine, and what Shopify may sell goes to the shop.
    project.write({
      'erp/counts-1.ndjson': [
        { sku: 'TEE-1-S', location_id: 'wh-berlin', on_hand: 4, updated_at: '2026-12-01T08:00:00Z', source: 'erp' },
        { sku: 'TEE-1-M', location_id: 'wh-berlin', on_hand: 0, updated_at: '2026-12-01T08:00:00Z', source: 'erp' },
        { sku: 'TEE-2-L', location_id: 'wh-berlin', on_hand: 25, updated_at: '2026-12-01T08:00:00Z', source: 'erp' },
      ]
        .map((record) => JSON.stringify(record))
        .join('\n'),
    });
    expect(await run('stock-in')).toMatchObject({ status: 'ok', written: 3 });
    expect(await run('stock-to-shopify')).toMatchObject({ status: 'ok', written: 3, deadLettered: 0 });
    expect([shop.available('TEE-1-S', WAREHOUSE), shop.available('TEE-1-M', WAREHOUSE), shop.available('TEE-2-L', WAREHOUSE)]).toEqual([4, 0, 25]);

    // Shipments: the 3PL's confirmation CSV, mapped to canonical shipments, fulfils order 1001.
    project.write({
      '3pl/shipments-2026-12-01.csv': [
        'shipment_id,order_ref,channel,warehouse,shipped_at,carrier,service,parcel_id,tracking_number,weight_kg,line_ref,sku,qty_shipped',
        'SHP-1,1001,shopify,LEJ1,2026-12-01 16:42:10,DHL,Paket,,00340434161094042557,0.62,100100,SKU-1,3',
        'SHP-1,1001,shopify,LEJ1,2026-12-01 16:42:10,DHL,Paket,,00340434161094042557,0.62,,SKU-2,1',
        '',
      ].join('\n'),
    });
    expect(await run('shipments-to-shopify')).toMatchObject({ status: 'ok', written: 1, outcomes: { fulfilled: 1 } });
    expect(shop.fulfillments).toEqual([
      expect.objectContaining({
        orderId: 'gid://shopify/Order/1001',
        trackingInfo: [{ number: '00340434161094042557', company: 'DHL Express', url: null }],
        lines: [
          { id: 'gid://shopify/FulfillmentOrderLineItem/100100', quantity: 3 },
          { id: 'gid://shopify/FulfillmentOrderLineItem/100101', quantity: 1 },
        ],
      }),
    ]);
  });
});
