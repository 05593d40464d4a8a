import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../test-support/run-cli.js';
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

/** A project reading the emulator's orders (Link pages, incremental) and writing them back to its target endpoint. */
function shopToTargetProject(name: string, url: string, target: { key?: string; concurrency: number; batchSize: number }): TempProject {
  return tempProject({
    'keel.yaml': `name: ${name}
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
${target.key !== undefined ? `    key: "${target.key}"\n` : ''}    options: { path: /target/orders.json, wrap: order, concurrency: ${target.concurrency} }
batch_size: ${target.batchSize}
`,
  });
}

/** Kill points spread over a run of `orders` target writes, each a little random. */
function killPoints(orders: number, kills: number): number[] {
  const step = orders / (kills + 2);
  return Array.from({ length: kills }, (_, index) => Math.round(step * (index + 1) + (Math.random() - 0.5) * step));
}

describe('http crash safety', () => {
  it(`delivers ${ORDERS} orders from the shop API to the orders API exactly once across ${KILLS} SIGKILLs`, async () => {
    // Faults on top of the kills: some 500s, and some writes that commit but lose their answer.
    emulator = new ShopEmulator({ orders: ORDERS, seed: Date.now() % 100_000, errorRate: 0.01, resetAfterCommitRate: 0.01, maxPageSize: 250 });
    const url = await emulator.start();
    project = shopToTargetProject('http-crash', url, { key: '{{id}}@{{updated_at}}', concurrency: 8, batchSize: 100 });
    const shop = emulator;
    // Kill points spread over the whole run, in target-order counts, each a little random.
    const points = killPoints(ORDERS, KILLS);
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

  it('sends again after each SIGKILL at most the orders in flight to a target that ignores Idempotency-Key, and counts them as re-sent', async () => {
    // Batches of 1000 and a target that stores every request: before effects were recorded as
    // their answers arrived, each kill sent the whole uncommitted batch again (thousands of copies).
    const orders = 3000;
    const kills = 8;
    const concurrency = 8;
    emulator = new ShopEmulator({ orders, seed: Date.now() % 100_000, errorRate: 0.01, ignoreIdempotencyKey: true, maxPageSize: 250 });
    const url = await emulator.start();
    project = shopToTargetProject('http-resend', url, { concurrency, batchSize: 1000 });
    const shop = emulator;
    const points = killPoints(orders, kills);
    const outcomes: string[] = [];
    for (const point of points) outcomes.push(await runUntilKilled(project.dir, shop, point));
    const killed = outcomes.filter((outcome) => outcome === 'killed').length;
    expect(killed).toBeGreaterThanOrEqual(kills - 2);
    const final = await startCli(['run', project.dir], { env: { SHOP_TOKEN: 'shpat_crash_test_token' } }).done;
    expect(final.code).toBe(0);

    const counts = shop.writesPerExternalId();
    const missing = Array.from({ length: orders }, (_, index) => String(1001 + index)).filter((id) => !counts.has(id));
    const copies = [...counts.values()].reduce((sum, count) => sum + count - 1, 0);
    const doubled = [...counts].filter(([, count]) => count > 1).length;
    // A kill can catch at most `concurrency` orders between the target's commit and Keel's record
    // of it: a worker either has one request out, or one answer waiting for the group commit that
    // its next send waits for, never both.
    expect({ points, missing: missing.slice(0, 10), tooManyCopies: copies > killed * concurrency ? copies : 0 }).toEqual({ points, missing: [], tooManyCopies: 0 });

    // Every order that may be at the target twice is counted as re-sent by the run that committed it.
    const history = JSON.parse((await runCli(['runs', '--json', '--limit', '100', '--project', project.dir])).stdout) as { runs: { resent?: number }[] };
    const resent = history.runs.reduce((sum, run) => sum + (run.resent ?? 0), 0);
    expect(resent).toBeGreaterThanOrEqual(doubled);
    expect(resent).toBeLessThanOrEqual(killed * concurrency);
  }, 300_000); // about 15 s alone; nine CLI runs, so a bound for a hang beside a second suite, not a pace
});
