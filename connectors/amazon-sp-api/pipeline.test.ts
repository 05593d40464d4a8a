import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import type { JsonRecord } from '../../test-support/amazon-sp-api-emulator.js';
import { AMAZON_DE, AMAZON_ENV, AMAZON_US, amazonTestBed, amazonTime, deOrder } from '../../test-support/amazon-sp-api-project.js';
import { runProject } from '../../test-support/run-project.js';

const bed = amazonTestBed();

/** Amazon's public sandbox order (getOrder TEST_CASE_200 with its getOrderItems), as mappings/amazon-sp-api keeps it. */
const SANDBOX_ORDER = JSON.parse(readFileSync(new URL('../../mappings/amazon-sp-api/fixtures/order-with-items-unshipped-dated-2024.json', import.meta.url), 'utf8')) as JsonRecord;

interface CanonicalOrder {
  channel: string;
  external_id: string;
  status: string;
  currency: string;
  updated_at: string;
  lines: { line_id: string; sku: string; quantity: number; total?: { amount: string } }[];
  totals?: { total: { amount: string } };
}

function written(dir: string): CanonicalOrder[] {
  return readdirSync(`${dir}/out`)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) =>
      readFileSync(`${dir}/out/${name}`, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as CanonicalOrder),
    );
}

describe('amazon-sp-api orders through the shipped mapping', () => {
  it('turns orders with their items into canonical orders with keel:amazon-sp-api/order.to-canonical.json, and reads changes on the next run', async () => {
    const under = await bed.start({ itemsPerPage: 1 });
    const { amazon } = under;
    const now = Date.now();
    const de = deOrder('302-5528794-1846720', now - 10 * 60_000);
    amazon.addOrder(de.order, de.items);
    const { OrderItems: sandboxItems, ...sandbox } = SANDBOX_ORDER;
    amazon.addOrder({ ...sandbox, LastUpdateDate: amazonTime(now - 20 * 60_000) }, sandboxItems as JsonRecord[]);
    // An order Amazon lists without items: the canonical order needs lines, so the mapping refuses it.
    amazon.addOrder({ ...de.order, AmazonOrderId: '302-0000000-0000099', LastUpdateDate: amazonTime(now - 30 * 60_000) }, []);

    const project = bed.project(
      under,
      {
        orders: `name: amazon-orders
source: { connection: amazon, stream: orders, options: { start: "${new Date(now - 3600_000).toISOString()}", lookback_seconds: 600 } }
steps:
  - map: { mapping: "keel:amazon-sp-api/order.to-canonical.json" }
targets:
  - { connection: out, stream: files, key: "{{external_id}}@{{updated_at}}", options: { path: "orders-{seq}.ndjson" } }
`,
      },
      { marketplaceIds: [AMAZON_DE, AMAZON_US] },
    );
    const first = await runProject(project.dir, { env: AMAZON_ENV });
    expect(first.summary).toMatchObject({ status: 'dead_letters', read: 3, written: 2, deadLettered: 1 });
    const orders = written(project.dir);
    const german = orders.find((order) => order.external_id === '302-5528794-1846720');
    expect(german).toMatchObject({ channel: 'amazon-de', status: 'shipped', currency: 'EUR', totals: { total: { amount: '69.98' } } });
    expect(german?.lines.map((line) => [line.line_id, line.sku, line.quantity, line.total?.amount])).toEqual([
      ['61043390255811', 'NH-TEE-BLK-M', 2, '53.98'],
      ['61043390255812', 'NH-MUG-WHT', 1, '12.50'],
    ]);
    expect(orders.find((order) => order.external_id === '902-1845936-5435065')).toMatchObject({ channel: 'amazon-us', status: 'received', currency: 'USD' });
    const store = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    try {
      const [letter] = await store.listDeadLetters({});
      expect(letter?.stage).toMatch(/^step:1:map$/);
      expect(JSON.parse(letter?.payload ?? '{}')).toMatchObject({ AmazonOrderId: '302-0000000-0000099', OrderItems: [] });
    } finally {
      await store.close();
    }

    // The German order is shipped in part again (a return, say): the next run brings that version only.
    amazon.update('302-5528794-1846720', Date.now() - 150_000, { OrderStatus: 'PartiallyShipped' });
    const second = await runProject(project.dir, { env: AMAZON_ENV });
    expect(second.summary).toMatchObject({ status: 'ok', read: 1, written: 1 });
    expect(written(project.dir).at(-1)).toMatchObject({ external_id: '302-5528794-1846720', status: 'partially_shipped' });
  });
});
