import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProject } from '../../test-support/run-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { adminSession, GraphqlSession, placeGuestOrder, type PlacedOrder } from '../../test-support/vendure-checkout.js';
import { startVendureServer, type VendureTestServer } from '../../test-support/vendure-server.js';

/**
 * The vendure connector against a real Vendure 3.7.3 server (test-support/vendure-server.ts):
 * orders placed through the Shop API as a guest checkout, pulled by a Keel pipeline into the
 * canonical model, stock published and read back through the Admin API, shipments added as
 * fulfillments. The tests share one server and run in order.
 */
let server: VendureTestServer;
let admin: GraphqlSession;
const projects: TempProject[] = [];

beforeAll(async () => {
  // Installs Vendure into the cache folder and imports the catalogue when they are missing (minutes, once).
  server = await startVendureServer();
  admin = await adminSession(server.adminApiUrl, server.username, server.password);
}, 30 * 60_000);

afterAll(async () => {
  for (const project of projects) project.remove();
  await server?.stop();
}, 60_000);

function shopProject(pipelines: Record<string, string>, files: Record<string, string> = {}): TempProject {
  const project = tempProject({
    'keel.yaml': `name: vendure-real
connections:
  shop:
    connector: vendure
    config:
      url: "${server.adminApiUrl}"
      username: "\${env:VENDURE_USER}"
      password: "\${env:VENDURE_PASSWORD}"
  out: { connector: file, config: { root: ./out } }
  in: { connector: file, config: { root: ./in } }
`,
    ...Object.fromEntries(Object.entries(pipelines).map(([name, text]) => [`pipelines/${name}.yaml`, text])),
    ...files,
  });
  projects.push(project);
  return project;
}

const run = (project: TempProject, pipeline?: string) =>
  runProject(project.dir, { env: { VENDURE_USER: server.username, VENDURE_PASSWORD: server.password }, pipeline });

interface CanonicalOrder {
  external_id: string;
  order_number: string;
  status: string;
  payment_status: string;
  currency: string;
  lines: { sku: string; quantity: number; unit_price: { amount: string }; tax?: { amount: string }; total: { amount: string } }[];
  totals: { total: { amount: string; currency: string } };
  customer?: { email: string };
}

function written<T>(project: TempProject, from = 0): T[] {
  const records: T[] = [];
  for (const name of readdirSync(project.path('out')).filter((file) => !file.startsWith('.')).sort()) {
    for (const line of readFileSync(project.path('out', name), 'utf8').split('\n')) if (line !== '') records.push(JSON.parse(line) as T);
  }
  return records.slice(from);
}

/** Variant ids and SKUs of the sample catalogue, by SKU. */
async function variantsBySku(skus: string[]): Promise<Map<string, { id: string; levels: { location: string; onHand: number; allocated: number }[] }>> {
  const data = await admin.request<{ productVariants: { items: { id: string; sku: string; stockLevels: { stockOnHand: number; stockAllocated: number; stockLocation: { name: string } }[] }[] } }>(
    'query ($skus: [String!]!) { productVariants(options: { filter: { sku: { in: $skus } } }) { items { id sku stockLevels { stockOnHand stockAllocated stockLocation { name } } } } }',
    { skus },
  );
  return new Map(
    data.productVariants.items.map((item) => [
      item.sku,
      { id: item.id, levels: item.stockLevels.map((level) => ({ location: level.stockLocation.name, onHand: level.stockOnHand, allocated: level.stockAllocated })).sort((a, b) => a.location.localeCompare(b.location)) },
    ]),
  );
}

const ORDERS = `name: orders
source: { connection: shop, stream: orders, options: { page_size: 2 } }
steps:
  - map: { mapping: keel:vendure/order.to-canonical.json }
targets:
  - { connection: out, stream: files, key: "{{external_id}}@{{updated_at}}", options: { path: "orders-{seq}.ndjson" } }
`;

describe('vendure connector against a real Vendure 3.7.3', () => {
  const placed: PlacedOrder[] = [];

  it('pulls orders placed through the Shop API into canonical orders; a second run reads only the new and the changed ones', async () => {
    const skus = await variantsBySku(['L2201308', 'L2201508', 'L2201316']);
    const laptop = skus.get('L2201308')?.id as string;
    const other = skus.get('L2201508')?.id as string;
    for (const [index, lines] of [[{ variantId: laptop, quantity: 1 }], [{ variantId: other, quantity: 2 }], [{ variantId: laptop, quantity: 1 }, { variantId: other, quantity: 1 }], [{ variantId: laptop, quantity: 3 }]].entries()) {
      placed.push(await placeGuestOrder(server.shopApiUrl, { email: `buyer.${index}@example.com`, lines }));
    }
    expect(placed.map((order) => order.state)).toEqual(['PaymentAuthorized', 'PaymentAuthorized', 'PaymentAuthorized', 'PaymentAuthorized']);

    const project = shopProject({ orders: ORDERS });
    const first = await run(project);
    expect(first.summary).toMatchObject({ status: 'ok', read: 4, written: 4, deadLettered: 0 });
    const orders = written<CanonicalOrder>(project);
    expect(orders.map((order) => order.order_number).sort()).toEqual(placed.map((order) => order.code).sort());
    const third = orders.find((order) => order.external_id === placed[2]?.id) as CanonicalOrder;
    expect(third).toMatchObject({ channel: 'vendure', status: 'received', payment_status: 'authorized', currency: 'USD', customer: { email: 'buyer.2@example.com' } });
    expect(third.lines.map((line) => [line.sku, line.quantity])).toEqual([
      ['L2201308', 1],
      ['L2201508', 1],
    ]);
    // Prices with tax from the sample catalogue (20 % for Europe), line tax after discounts, shipping 5.00.
    expect(third.lines[0]).toMatchObject({ unit_price: { amount: '1558.80' }, tax: { amount: '259.80' }, total: { amount: '1558.80' } });
    expect(third.totals.total).toEqual({ amount: '3242.60', currency: 'USD' });

    // One order placed, one cancelled by the back office: the next run reads exactly these two.
    placed.push(await placeGuestOrder(server.shopApiUrl, { email: 'late.buyer@example.com', lines: [{ variantId: other, quantity: 1 }] }));
    await admin.mutate('cancelOrder', 'mutation ($id: ID!) { cancelOrder(input: { orderId: $id, reason: "customer asked" }) { __typename ... on ErrorResult { errorCode message } } }', {
      id: placed[1]?.id,
    });
    const second = await run(project);
    expect(second.summary).toMatchObject({ status: 'ok', read: 2, written: 2, deadLettered: 0 });
    expect(
      written<CanonicalOrder>(project, 4)
        .map((order) => [order.external_id, order.status])
        .sort(),
    ).toEqual(
      [
        [placed[1]?.id, 'cancelled'],
        [placed[4]?.id, 'received'],
      ].sort(),
    );

    const third_run = await run(project);
    expect(third_run.summary).toMatchObject({ status: 'ok', read: 0, written: 0 });
  }, 600_000);

  it('publishes stock per SKU and stock location (by map, name and available) and Vendure holds exactly that', async () => {
    await admin.mutate('createStockLocation', 'mutation { createStockLocation(input: { name: "Keel Berlin" }) { __typename } }');
    const project = shopProject(
      {
        stock: `name: stock
source: { connection: in, stream: files, options: { path: "stock-*.json", json: { path: levels } } }
targets:
  - { connection: shop, stream: stock, options: { locations: { wh-berlin: Keel Berlin } } }
`,
      },
      {
        'in/stock-1.json': JSON.stringify({
          levels: [
            { sku: 'L2201308', location_id: 'wh-berlin', on_hand: 17, source: 'erp' },
            { sku: 'L2201308', location_id: 'Default Stock Location', on_hand: 40, source: 'erp' },
            // Some of L2201508 are allocated to the open orders: available 4 means 4 plus those on hand.
            { sku: 'L2201508', location_id: 'Default Stock Location', available: 4, source: 'erp' },
            { sku: 'NO-SUCH-SKU', location_id: 'wh-berlin', on_hand: 1, source: 'erp' },
          ],
        }),
      },
    );
    const before = await variantsBySku(['L2201508']);
    const allocated = before.get('L2201508')?.levels.find((level) => level.location === 'Default Stock Location')?.allocated ?? 0;
    expect(allocated).toBeGreaterThan(0);

    const { summary } = await run(project);
    expect(summary).toMatchObject({ status: 'dead_letters', read: 4, written: 3, deadLettered: 1 });
    const after = await variantsBySku(['L2201308', 'L2201508']);
    expect(after.get('L2201308')?.levels).toEqual([
      { location: 'Default Stock Location', onHand: 40, allocated: expect.any(Number) },
      { location: 'Keel Berlin', onHand: 17, allocated: 0 },
    ]);
    expect(after.get('L2201508')?.levels.find((level) => level.location === 'Default Stock Location')).toEqual({ location: 'Default Stock Location', onHand: 4 + allocated, allocated });
  }, 300_000);

  it('adds a fulfillment with carrier and tracking number to a settled order and ships it; the same shipment again adds none', async () => {
    const order = placed[0] as PlacedOrder;
    const { order: before } = await admin.request<{ order: { payments: { id: string }[]; lines: { id: string }[] } }>('query ($id: ID!) { order(id: $id) { payments { id } lines { id } } }', {
      id: order.id,
    });
    await admin.mutate('settlePayment', 'mutation ($id: ID!) { settlePayment(id: $id) { __typename ... on ErrorResult { errorCode message } } }', { id: before.payments[0]?.id });
    const shipments = (status: string): string =>
      JSON.stringify({
        shipments: [
          { shipment_id: `S-${order.code}`, order: { channel: 'vendure', external_id: order.id }, status, carrier: 'DHL', tracking_number: 'JJD0099887766', lines: [{ sku: 'L2201308', quantity: 1 }], created_at: '2026-11-23T09:00:00Z' },
        ],
      });
    const project = shopProject(
      {
        shipments: `name: shipments
source: { connection: in, stream: files, options: { path: "shipments-*.json", json: { path: shipments } } }
targets: [{ connection: shop, stream: fulfillments }]
`,
      },
      { 'in/shipments-1.json': shipments('shipped') },
    );
    expect((await run(project)).summary).toMatchObject({ status: 'ok', read: 1, written: 1 });
    const read = async () =>
      (await admin.request<{ order: { state: string; fulfillments: { state: string; method: string; trackingCode: string }[] } }>(
        'query ($id: ID!) { order(id: $id) { state fulfillments { state method trackingCode } } }',
        { id: order.id },
      )).order;
    expect(await read()).toEqual({ state: 'Shipped', fulfillments: [{ state: 'Shipped', method: 'DHL', trackingCode: 'JJD0099887766' }] });

    project.write({ 'in/shipments-2.json': shipments('delivered') });
    expect((await run(project)).summary).toMatchObject({ status: 'ok', read: 1, outcomes: { advanced: 1 } });
    expect(await read()).toEqual({ state: 'Delivered', fulfillments: [{ state: 'Delivered', method: 'DHL', trackingCode: 'JJD0099887766' }] });
  }, 300_000);

  it('reads every variant of the sample catalogue with SKU, price and stock per location', async () => {
    const project = shopProject({
      products: `name: products
source: { connection: shop, stream: products, sync: full, options: { page_size: 50 } }
targets: [{ connection: out, stream: files, options: { path: "variants-{seq}.ndjson" } }]
`,
    });
    expect((await run(project)).summary).toMatchObject({ status: 'ok', read: 88, written: 88 });
    const laptop = written<{ sku: string; priceWithTax: number; stockLevels: { stockOnHand: number; stockLocation: { name: string } }[] }>(project).find((variant) => variant.sku === 'L2201308');
    expect(laptop?.priceWithTax).toBe(155880);
    // 40 set by Keel, one sold by the fulfillment shipped above.
    expect(laptop?.stockLevels.map((level) => [level.stockLocation.name, level.stockOnHand]).sort()).toEqual([
      ['Default Stock Location', 39],
      ['Keel Berlin', 17],
    ]);
  }, 300_000);

  it('answers as the emulator of npm test assumes: an unknown session is FORBIDDEN with HTTP 200, an unknown field is HTTP 400, `after` is strictly later, placing an order leaves updatedAt', async () => {
    const post = (body: unknown, token?: string) =>
      fetch(server.adminApiUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const refused = await post({ query: '{ orders { totalItems } }' }, 'no-such-session');
    expect(refused.status).toBe(200);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('FORBIDDEN');
    const invalid = await post({ query: '{ orders { noSuchField } }' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // A customer who pays two seconds after the last change of the cart.
    const variant = (await variantsBySku(['L2201308'])).get('L2201308')?.id as string;
    const slow = await placeGuestOrder(server.shopApiUrl, { email: 'slow.payer@example.com', lines: [{ variantId: variant, quantity: 1 }], pauseBeforePaymentMs: 2_000 });
    const { order: first } = await admin.request<{ order: { id: string; updatedAt: string; orderPlacedAt: string } }>('query ($id: ID!) { order(id: $id) { id updatedAt orderPlacedAt } }', {
      id: slow.id,
    });
    // Vendure 3.7.3 leaves updatedAt at the cart's last change when the order is placed: the connector walks orderPlacedAt too.
    expect(Date.parse(first.orderPlacedAt) - Date.parse(first.updatedAt)).toBeGreaterThan(1_000);
    const after = async (time: string) =>
      (await admin.request<{ orders: { items: { id: string }[] } }>('query ($t: DateTime!) { orders(options: { filter: { orderPlacedAt: { after: $t } }, sort: { orderPlacedAt: ASC } }) { items { id } } }', { t: time })).orders.items.map(
        (item) => item.id,
      );
    expect(await after(first.orderPlacedAt)).not.toContain(first.id);
    expect(await after(new Date(Date.parse(first.orderPlacedAt) - 1).toISOString())).toContain(first.id);
  }, 120_000);
});
