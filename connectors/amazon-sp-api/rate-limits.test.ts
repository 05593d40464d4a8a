import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { rateBudgetFor } from '../../core/http/rate-budget.js';
import type { AmazonSpApiEmulator } from '../../test-support/amazon-sp-api-emulator.js';
import { addDeOrders, AMAZON_ENV, amazonTestBed, readAmazonOrders } from '../../test-support/amazon-sp-api-project.js';
import { runProject } from '../../test-support/run-project.js';
import { amazonSettings, type AmazonConfig } from './config.js';

const bed = amazonTestBed();

const START = (): string => new Date(Date.now() - 3600_000).toISOString();
/** getOrders and getOrderItems scaled down from Amazon's defaults (0.0167/s of 20, 0.5/s of 30) for a short test. */
const PLANS = { getOrders: { perSecond: 2, burst: 2 }, getOrderItems: { perSecond: 8, burst: 3 } };
const throttled = (amazon: AmazonSpApiEmulator): number => Object.values(amazon.stats.throttled).reduce((sum, count) => sum + count, 0);

describe('amazon-sp-api usage plans', () => {
  it('paces getOrders and getOrderItems each by its own bucket, at the rate x-amzn-RateLimit-Limit says: no 429', async () => {
    const { amazon, config } = await bed.start({ usagePlans: PLANS });
    addDeOrders(amazon, 16, (n) => Date.now() - n * 60_000 - 180_000);
    // getOrderItems configured five times too fast: Amazon's header on the first answer corrects it.
    const paced: AmazonConfig = { ...config, usage_plans: { getOrders: { per_second: 2, burst: 2 }, getOrderItems: { per_second: 40, burst: 3 } } };
    const read = await readAmazonOrders(paced, { page_size: 4, start: START() }, undefined);
    expect(read.records).toHaveLength(16);
    expect(amazon.stats.requests).toMatchObject({ getOrders: 4, getOrderItems: 16 });
    // Both buckets were drained (past their bursts), yet no request came early.
    expect(throttled(amazon)).toBe(0);
    const settings = amazonSettings(paced);
    const budget = (operation: 'getOrders' | 'getOrderItems') => rateBudgetFor(settings.operations[operation].rate_limit?.account ?? '', {});
    expect(budget('getOrderItems').perSecond).toBe(8);
    expect(budget('getOrders').perSecond).toBe(2);
  });

  it('(the control) overruns getOrderItems at the configured rate when Amazon does not say its own, and still reads everything through the 429s', async () => {
    const { amazon, config } = await bed.start({ usagePlans: PLANS, rateHeader: false });
    addDeOrders(amazon, 12, (n) => Date.now() - n * 60_000 - 180_000);
    const read = await readAmazonOrders({ ...config, usage_plans: { getOrderItems: { per_second: 40, burst: 3 } } }, { page_size: 12, start: START() }, undefined);
    expect(read.records).toHaveLength(12);
    expect(amazon.stats.throttled.getOrderItems ?? 0).toBeGreaterThan(0);
    expect(amazon.stats.throttled.getOrders ?? 0).toBe(0);
  });

  it('waits out a 429 with Retry-After for as long as it says, and one without in the bucket, then reads on', async () => {
    const { amazon, config } = await bed.start();
    addDeOrders(amazon, 3, (n) => Date.now() - n * 60_000 - 180_000);
    amazon.throttleNext('getOrders', 1, 2);
    amazon.throttleNext('getOrderItems', 2);
    // After a 429 the bucket is taken to be empty: at Amazon's getOrders rate that is a minute; scaled down here.
    const fast: AmazonConfig = { ...config, usage_plans: { getOrders: { per_second: 2, burst: 2 }, getOrderItems: { per_second: 8, burst: 3 } } };
    const read = await readAmazonOrders(fast, { start: START() }, undefined);
    expect(read.records).toHaveLength(3);
    expect(amazon.stats.throttled).toEqual({ getOrders: 1, getOrderItems: 2 });
    // The request after the 429 came no earlier than Retry-After: 2 said.
    const [refused, next] = amazon.stats.arrivals.getOrders ?? [];
    expect((next ?? 0) - (refused ?? 0)).toBeGreaterThanOrEqual(1990);
    // Without Retry-After the bucket, taken to be empty, waits at least a second.
    const items = amazon.stats.arrivals.getOrderItems ?? [];
    expect((items[1] ?? 0) - (items[0] ?? 0)).toBeGreaterThanOrEqual(990);
    expect(read.log).toMatch(/"msg":"HTTP request failed; retrying".*"status":429/);
  });

  it("keeps each operation's bucket in the project's state store, which every process of the project shares", async () => {
    const under = await bed.start({ usagePlans: PLANS });
    const { amazon } = under;
    addDeOrders(amazon, 3, (n) => Date.now() - n * 60_000 - 180_000);
    const project = bed.project(under, {
      orders: `name: orders
source: { connection: amazon, stream: orders, options: { start: "${START()}" } }
targets:
  - { connection: out, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
    });
    const { summary } = await runProject(project.dir, { env: AMAZON_ENV });
    expect(summary).toMatchObject({ status: 'ok', written: 3 });
    const db = new Database(project.path('.keel', 'state.db'), { readonly: true });
    try {
      const accounts = (db.prepare('SELECT account FROM rate_buckets ORDER BY account').all() as { account: string }[]).map((row) => row.account.replace(/:\d+ /, ':<port> '));
      expect(accounts).toEqual([
        'amazon-sp-api 127.0.0.1:<port> A3EMULATEDSELLER amzn1.application-oa2-client.emulated getOrderItems',
        'amazon-sp-api 127.0.0.1:<port> A3EMULATEDSELLER amzn1.application-oa2-client.emulated getOrders',
      ]);
    } finally {
      db.close();
    }
  });
});
