import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../../test-support/run-cli.js';
import { ShopEmulator } from '../../test-support/shop-emulator.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

const ORDERS = 10_000;
const KILLS = 20;

let project: TempProject | undefined;
let emulator: ShopEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
});

/** Starts `keel run` and SIGKILLs it once the target holds `killAt` orders (or lets it finish). */
async function runUntilKilled(dir: string, shop: ShopEmulator, killAt: number): Promise<'killed' | 'finished'> {
  const { child, done } = startCli(['run', dir], { env: { SHOP_TOKEN: 'shpat_crash_test_token' } });
  const deadline = Date.now() + 120_000;
  const poll = setInterval(() => {
    if (shop.written.length >= killAt || Date.now() > deadline) child.kill('SIGKILL');
  }, 1);
  const result = await done;
  clearInterval(poll);
  return result.signal === 'SIGKILL' ? 'killed' : 'finished';
}

describe('http crash safety', () => {
  it(`delivers ${ORDERS} orders from the shop API to the orders API exactly once across ${KILLS} SIGKILLs`, async () => {
    // Faults on top of the kills: some 500s, and some writes that commit but lose their answer.
    emulator = new ShopEmulator({ orders: ORDERS, seed: Date.now() % 100_000, errorRate: 0.01, resetAfterCommitRate: 0.01, maxPageSize: 250 });
    const url = await emulator.start();
    project = tempProject({
      'keel.yaml': `name: http-crash
connections:
  shop:
    connector: http
    config: { base_url: "${url}", auth: { type: api_key_header, header: X-Shopify-Access-Token, value: "\${env:SHOP_TOKEN}" }, retries: 8 }
`,
      'pipelines/orders.yaml': `name: orders
source:
  connection: shop
  stream: api
  options:
    path: /orders.json
    query: { limit: 250 }
    records: orders
    pagination: { type: link }
    incremental: { field: updated_at, param: updated_at_min }
targets:
  - connection: shop
    stream: api
    key: "{{id}}@{{updated_at}}"
    options: { path: /target/orders.json, wrap: order, concurrency: 8 }
batch_size: 100
`,
    });
    const shop = emulator;
    // Kill points spread over the whole run, in target-order counts, each a little random.
    const step = ORDERS / (KILLS + 2);
    const points = Array.from({ length: KILLS }, (_, index) => Math.round(step * (index + 1) + (Math.random() - 0.5) * step));
    const outcomes: string[] = [];
    for (const point of points) outcomes.push(await runUntilKilled(project.dir, shop, point));
    expect(outcomes.filter((outcome) => outcome === 'killed').length).toBeGreaterThanOrEqual(KILLS - 2);

    const final = await startCli(['run', project.dir], { env: { SHOP_TOKEN: 'shpat_crash_test_token' } }).done;
    expect(final.code).toBe(0);

    // The target's own record, not Keel's state: every order committed once, none missing.
    const counts = shop.writesPerExternalId();
    const missing = Array.from({ length: ORDERS }, (_, index) => String(1001 + index)).filter((id) => !counts.has(id));
    const doubled = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
    expect({ points, missing: missing.slice(0, 10), doubled: doubled.slice(0, 10) }).toEqual({ points, missing: [], doubled: [] });
    expect(shop.written).toHaveLength(ORDERS);
  }, 600_000); // about 45 s alone, 150 s beside a second suite: a bound for a hang, not a pace
});
