import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runProject } from '../../test-support/run-project.js';
import { outboxRecords, STOCK_IN_PIPELINE } from '../../test-support/shopify-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { WOO_ENV, WooCommerceEmulator } from '../../test-support/woocommerce-emulator.js';

let project: TempProject | undefined;
let emulator: WooCommerceEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

type Block = Record<string, unknown>;
const README = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const PIPELINES = [...README.matchAll(/```yaml keel:pipeline[^\n]*\n([\s\S]*?)```/g)].map((match) => parse(match[1] ?? '') as Block);
const FIXTURE = parse(readFileSync(new URL('./fixtures/readme-project/keel.yaml', import.meta.url), 'utf8')) as { connections: Record<string, { config?: Record<string, unknown> }> };

/** The README's pipelines as they are, with the fixture project's connections, the shop at the emulator. */
function readmeProject(origin: string): TempProject {
  const keel = structuredClone(FIXTURE) as Block & { connections: Record<string, { connector?: string; config?: Record<string, unknown> }> };
  const shop = keel.connections['shop'];
  if (shop?.config === undefined) throw new Error('the fixture project has no shop connection');
  shop.config['base_url'] = origin;
  keel.connections['order-outbox'] = { connector: 'file', config: { root: './orders' } };
  keel.connections['erp-counts'] = { connector: 'file', config: { root: './erp' } };
  return tempProject({
    'keel.yaml': stringify(keel),
    ...Object.fromEntries(PIPELINES.map((block) => [`pipelines/${String(block['name'])}.yaml`, stringify(block)])),
    ...STOCK_IN_PIPELINE,
  });
}

interface Money {
  amount: string;
  currency: string;
}
interface CanonicalOrder {
  channel: string;
  external_id: string;
  status: string;
  payment_status: string;
  currency: string;
  created_at: string;
  updated_at: string;
  lines: { line_id: string; sku: string; quantity: number; unit_price: Money; tax: Money }[];
  totals: Record<'subtotal' | 'shipping' | 'tax' | 'total', Money>;
}

describe('the README pipelines, run against the emulator', () => {
  it('maps orders through keel:woocommerce/order.to-canonical.json and sets what the inventory engine publishes', async () => {
    emulator = new WooCommerceEmulator({ orders: 3 });
    const shop = emulator;
    project = readmeProject(await shop.start());
    const run = async (pipeline: string) => (await runProject(project?.dir ?? '', { env: WOO_ENV, pipeline })).summary;

    expect(await run('woocommerce-orders')).toMatchObject({ status: 'ok', read: 3, written: 3, deadLettered: 0 });
    const orders = outboxRecords<CanonicalOrder>(project, 'orders');
    expect(orders.map((order) => order.external_id)).toEqual(['1001', '1002', '1003']);
    // By hand from the documented example order (2 × 3.00 net + 1 × 12.00 net, 10.00 shipping,
    // 1.35 tax, 29.35 total; processing and paid) with the emulator's ids, SKUs and times
    // (order 1001 changed at 2026-11-01T00:00:00 GMT, created a minute before).
    const USD = (amount: string): Money => ({ amount, currency: 'USD' });
    expect(orders[0]).toMatchObject({
      channel: 'woocommerce',
      status: 'received',
      payment_status: 'paid',
      currency: 'USD',
      created_at: '2026-10-31T23:59:00Z',
      updated_at: '2026-11-01T00:00:00Z',
      totals: { subtotal: USD('18.00'), shipping: USD('10.00'), tax: USD('1.35'), total: USD('29.35') },
    });
    expect(orders[0]?.lines.map((line) => [line.line_id, line.sku, line.quantity, line.unit_price, line.tax])).toEqual([
      ['10010', 'MUG-1', 2, USD('3.00'), USD('0.45')],
      ['10011', 'TEE-S', 1, USD('12.00'), USD('0.90')],
    ]);
    expect(orders[2]?.updated_at).toBe('2026-11-01T00:00:02Z');

    // A second run reads what changed since, and only that.
    shop.update(1002);
    expect(await run('woocommerce-orders')).toMatchObject({ status: 'ok', written: 1 });
    expect(outboxRecords<CanonicalOrder>(project, 'orders').at(-1)).toMatchObject({ external_id: '1002', status: 'shipped', updated_at: '2026-11-01T00:00:04Z' });

    // Stock: counts into the engine, then what WooCommerce may sell to the products and variations.
    const count = (sku: string, on_hand: number) => JSON.stringify({ sku, location_id: 'wh-berlin', on_hand, updated_at: '2026-12-01T08:00:00Z', source: 'erp' });
    project.write({ 'erp/counts-1.ndjson': [count('MUG-1', 7), count('TEE-S', 0), count('TEE-M', 12)].join('\n') });
    expect(await run('stock-in')).toMatchObject({ status: 'ok', written: 3 });
    expect(await run('stock-to-woocommerce')).toMatchObject({ status: 'ok', written: 3, deadLettered: 0 });
    expect(['MUG-1', 'TEE-S', 'TEE-M', 'CAP-1'].map((sku) => shop.product(sku)?.stock_quantity)).toEqual([7, 0, 12, 0]);
  });
});
