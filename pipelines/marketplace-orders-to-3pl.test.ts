import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_TOKEN } from '../test-support/shopify-emulator.js';
import type { EmulatedOrder, JsonRecord } from '../test-support/vendure-emulator.js';
import {
  CLI_TEST_TIMEOUT_MS,
  initReadyMade,
  pointShopifyAt,
  runsOf,
  startShopify,
  startVendure,
  Teardown,
  validateAndTest,
  type ReadyMadeProject,
} from '../test-support/ready-made-project.js';

/**
 * The ready-made pipeline marketplace-orders-to-3pl, started with `keel init --from` and run with
 * the CLI: as shipped, its channel is a Vendure shop (the emulator serves the project's own
 * sample orders); then the same pipeline with the channel bound to Shopify. The 3PL's inbox is a
 * folder. Expected rows are worked out from the orders by hand.
 */
const teardown = new Teardown();
afterEach(() => teardown.run());

type PickRow = Record<string, string>;

function pickRows(ready: ReadyMadeProject): PickRow[] {
  return ready.files('data/3pl-inbox').flatMap((name) => parse(readFileSync(ready.path('data/3pl-inbox', name), 'utf8'), { columns: true }) as PickRow[]);
}

const COLUMNS = 'order_ref,channel,order_no,order_date,line_ref,sku,ean,description,qty,ship_name,ship_company,ship_street,ship_street2,ship_zip,ship_city,ship_region,ship_country,ship_phone,ship_email,ship_method';

describe('ready-made pipeline marketplace-orders-to-3pl', () => {
  it('sends the paid open orders of a Vendure channel to the 3PL as pick rows, one per line, and dead-letters what it cannot ship', async () => {
    const { shop, env } = await startVendure('emulated-admin-password-41c9', teardown);
    const { project, init } = await initReadyMade('marketplace-orders-to-3pl', env, teardown);
    expect(init.stdout).toContain('marketplace (vendure), 3pl_inbox (file)');
    // The shop holds the project's sample orders: 41 paid, 42 authorized, 43 cancelled, 44 paid for pick-up.
    const samples = JSON.parse(readFileSync(project.path('fixtures/vendure-orders-paid-authorized-cancelled-pickup.json'), 'utf8')) as { data: { orders: { items: EmulatedOrder[] } } };
    for (const order of samples.data.orders.items) shop.addOrder(structuredClone(order));

    expect(await validateAndTest(project)).toEqual({ validate: 'exit 0: ok: 1 pipeline(s) valid: orders-to-3pl', test: 'exit 0: 3 passed, 0 failed' });

    const first = await project.keel(['run', project.dir, '--json']);
    expect(first.stderr).toBe('');
    // Exit 1: finished, with order 44 (no address to ship to) in the dead-letter queue.
    expect(first.code).toBe(1);
    expect(runsOf(first)['orders-to-3pl']).toMatchObject({ status: 'dead_letters', read: 4, written: 3, skipped: 1, deadLettered: 1 });
    expect(readFileSync(project.path('data/3pl-inbox', project.files('data/3pl-inbox')[0] ?? ''), 'utf8').split('\n')[0]).toBe(COLUMNS);
    expect(pickRows(project)).toEqual([
      {
        order_ref: '41', channel: 'vendure', order_no: 'K7Q2M9XW4TB1RZ8A', order_date: '2026-05-14', line_ref: '101', sku: 'NH-TEE-BLK-M', ean: '',
        description: 'Harbour Tee, Black, M', qty: '2', ship_name: 'Jana Krüger', ship_company: 'Atelier Krüger GmbH', ship_street: 'Hafenstraße 12a',
        ship_street2: 'Hinterhaus', ship_zip: '20457', ship_city: 'Hamburg', ship_region: '', ship_country: 'DE', ship_phone: '+49 40 5550123',
        ship_email: 'jana.krueger@example.de', ship_method: 'STD',
      },
      expect.objectContaining({ order_ref: '41', line_ref: '102', sku: 'NH-SOCK-3PK', description: 'Deck Socks, 3-Pack', qty: '1', ship_city: 'Hamburg' }),
      expect.objectContaining({ order_ref: '42', line_ref: '103', sku: 'NH-HOOD-GRY-L', qty: '1', ship_name: 'Tom Becker', ship_company: '', ship_zip: '50667', ship_city: 'Köln' }),
    ]);
    const letters = await project.keel(['dlq', 'list', '--json', '--project', project.dir]);
    expect((JSON.parse(letters.stdout) as { deadLetters: { stage: string; reason: string }[] }).deadLetters).toEqual([
      expect.objectContaining({ stage: 'step:3:map', reason: expect.stringContaining('ship_name: is required but missing') }),
    ]);

    // A new order, and order 41 changed after it went out (modified to 3 tees, which moves updatedAt):
    // the new one goes to the 3PL; the changed line is not sent as a second pick, it waits with the difference.
    const template = samples.data.orders.items[0] as EmulatedOrder;
    const lines = template['lines'] as JsonRecord[];
    shop.addOrder({ ...structuredClone(template), id: '45', code: 'B9T3E5LW8GV2QS4M', orderPlacedAt: '2026-05-14T10:20:00.000Z', updatedAt: '2026-05-14T10:19:58.000Z', lines: [{ ...lines[1], id: '106' }] });
    shop.touchOrder('41', '2026-05-14T10:25:00.000Z', { lines: [{ ...lines[0], quantity: 3 }, lines[1] as JsonRecord] });
    const second = await project.keel(['run', project.dir, '--json']);
    expect(second.code).toBe(1);
    expect(runsOf(second)['orders-to-3pl']).toMatchObject({ read: 2, written: 1, duplicates: 1, deadLettered: 1 });
    expect(pickRows(project).map((row) => `${row.order_ref} ${row.sku} ×${row.qty} → ${row.ship_city}`)).toEqual([
      '41 NH-TEE-BLK-M ×2 → Hamburg',
      '41 NH-SOCK-3PK ×1 → Hamburg',
      '42 NH-HOOD-GRY-L ×1 → Köln',
      '45 NH-SOCK-3PK ×1 → Hamburg',
    ]);
    const held = JSON.parse((await project.keel(['dlq', 'list', '--json', '--project', project.dir])).stdout) as { deadLetters: { code: string; reason: string }[] };
    expect(held.deadLetters.at(-1)).toMatchObject({ code: 'changed_after_delivery', reason: expect.stringContaining('vendure:41:101:NH-TEE-BLK-M was delivered at') });
    expect(held.deadLetters.at(-1)?.reason).toContain('with other content: qty 2 → 3.');
    expect(runsOf(await project.keel(['run', project.dir, '--json']))['orders-to-3pl']).toMatchObject({ read: 0, written: 0 });
  }, CLI_TEST_TIMEOUT_MS);

  it('takes its orders from Shopify once the marketplace role is bound to the shopify connector and the map step names its mapping', async () => {
    const { url } = await startShopify(
      { orders: 2, orderLines: (number) => [{ sku: number === 1001 ? 'NH-TEE-BLK-M' : 'NH-MUG-WHT', name: 'Shirt', quantity: number === 1001 ? 2 : 1, unitCents: 2495 }] },
      teardown,
    );
    const { project } = await initReadyMade('marketplace-orders-to-3pl', { SHOPIFY_TOKEN: EMULATOR_TOKEN, SHOPIFY_BASE_URL: url }, teardown);
    // The change README.md describes: the binding in keel.yaml, and the mapping of the connector's orders.
    project.editKeel((document) => {
      document.setIn(['connections', 'marketplace'], document.createNode({ connector: 'shopify', config: { shop: '${env:SHOPIFY_SHOP}', access_token: '${env:SHOPIFY_TOKEN}' } }));
    });
    pointShopifyAt(project, 'marketplace', 'SHOPIFY_BASE_URL');
    const pipeline = project.path('pipelines/orders-to-3pl.yaml');
    writeFileSync(pipeline, readFileSync(pipeline, 'utf8').replace('mapping: keel:vendure/order.to-canonical.json', 'mapping: keel:shopify/order-graphql.to-canonical.json'));

    expect((await project.keel(['validate', project.dir])).code).toBe(0);
    const run = await project.keel(['run', project.dir, '--json']);
    expect(run.code).toBe(0);
    expect(runsOf(run)['orders-to-3pl']).toMatchObject({ status: 'ok', read: 2, written: 2 });
    // The emulator's orders: created 2026-01-01, shipped to Erika Muster<n> in Berlin, line ids <n>00.
    expect(pickRows(project).map((row) => [row.order_ref, row.channel, row.order_no, row.order_date, row.line_ref, row.sku, row.qty, row.ship_name, row.ship_city])).toEqual([
      ['1001', 'shopify', '#1001', '2026-01-01', '100100', 'NH-TEE-BLK-M', '2', 'Erika Muster1001', 'Berlin'],
      ['1002', 'shopify', '#1002', '2026-01-01', '100200', 'NH-MUG-WHT', '1', 'Erika Muster1002', 'Berlin'],
    ]);
  }, CLI_TEST_TIMEOUT_MS);
});
