import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmazonSpApiEmulator, EMULATOR_CREDENTIALS, EMULATOR_SELLER } from '../test-support/amazon-sp-api-emulator.js';
import { addDeOrders, AMAZON_DE } from '../test-support/amazon-sp-api-project.js';
import { launcherNodeFlags } from './node-flags.js';
import { DATA_DIR } from './paths.js';
import { BenchFailure, say, toMb, type Scenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';
import { measureInChild } from './spawn-child.js';

const NAME = 'amazon-sync';
/** Amazon's default usage plans (Orders API v0) with their rates times this; bursts as they are. */
const FACTOR = 20;
const GET_ORDERS = { perSecond: 0.0167 * FACTOR, burst: 20 };
const GET_ORDER_ITEMS = { perSecond: 0.5 * FACTOR, burst: 30 };
const DEFAULT_ORDERS = 250;

/**
 * How much of Amazon's rate the connector uses reading orders: `keel run` reads orders with their
 * items through the shipped mapping against the emulator, whose usage plans are Amazon's with the
 * rates scaled by FACTOR. Each order costs one getOrderItems, the tighter plan: once its burst is
 * spent, its requests per second are compared with the plan's rate, and none may be answered 429.
 * Stock goes out as one JSON_LISTINGS_FEED per batch, so no rate is the limit there: not measured.
 */
export const amazonSyncScenario: Scenario = {
  name: NAME,
  description: `orders with items in against the SP-API emulator (rates ×${FACTOR}): getOrderItems requests/s vs the usage plan`,
  async run(options: ScenarioOptions): Promise<ScenarioResult> {
    const orders = options.rowsGiven ? Math.min(options.rows, 5000) : DEFAULT_ORDERS;
    let best: { utilisation: number; perSecond: number; throttled: number; peakRssBytes: number } | undefined;
    for (let round = 1; round <= options.repeat; round += 1) {
      const phase = await ordersIn(orders);
      say(`${NAME}: orders in  ${phase.perSecond.toFixed(2)} of ${GET_ORDER_ITEMS.perSecond} getOrderItems/s (${(phase.utilisation * 100).toFixed(1)}%), ${phase.throttled} answered 429 after the burst, peak ${toMb(phase.peakRssBytes)} MB`);
      if (phase.throttled > 0) throw new BenchFailure(`${phase.throttled} getOrderItems requests were answered 429 after the burst`);
      if (best === undefined || phase.utilisation > best.utilisation) best = phase;
    }
    if (best === undefined) throw new Error('--repeat must be at least 1');
    return {
      scenario: NAME,
      records: orders,
      records_per_s: Math.round(best.perSecond * 100) / 100,
      baseline_per_s: GET_ORDER_ITEMS.perSecond,
      ratio: Math.round(best.utilisation * 1000) / 1000,
      peak_rss_mb: toMb(best.peakRssBytes),
      unit: 'getOrderItems requests',
      throttled_after_burst: best.throttled,
    };
  },
};

async function ordersIn(orders: number) {
  const emulator = new AmazonSpApiEmulator({ usagePlans: { getOrders: GET_ORDERS, getOrderItems: GET_ORDER_ITEMS } });
  const origin = await emulator.start();
  try {
    const now = Date.now();
    // Every order last updated in the hour before the two minutes Amazon keeps back.
    addDeOrders(emulator, orders, (n) => now - 3 * 60_000 - n * 1000);
    const project = createProject(origin, emulator.tokenUrl);
    const result = await measureInChild({ kind: 'keel-run', projectDir: project.dir, statePath: project.statePath }, launcherNodeFlags());
    const outcome = result.outcome;
    if (outcome?.status !== 'ok' || outcome.written !== orders) {
      throw new BenchFailure(`orders: ${outcome?.status ?? 'no summary'}, written ${outcome?.written ?? 0} of ${orders}${outcome?.error !== undefined ? `: ${outcome.error}` : ''}`);
    }
    const arrivals = emulator.stats.arrivals.getOrderItems ?? [];
    // The burst: the first `burst` requests may come at once; the steady rate is measured from the last of them.
    const from = arrivals[GET_ORDER_ITEMS.burst - 1];
    const to = arrivals.at(-1);
    if (from === undefined || to === undefined || to - from < 2000) throw new BenchFailure(`too few orders for two seconds after the burst: give more with --rows`);
    const steady = arrivals.length - GET_ORDER_ITEMS.burst;
    // Allowed since the burst: what the bucket restores in that time.
    const perSecond = (steady * 1000) / (to - from);
    const throttled = (emulator.stats.throttledAt.getOrderItems ?? []).filter((at) => at > from).length;
    return { perSecond, utilisation: perSecond / GET_ORDER_ITEMS.perSecond, throttled, peakRssBytes: result.peakRssBytes };
  } finally {
    await emulator.stop();
  }
}

function createProject(origin: string, tokenUrl: string): { dir: string; statePath: string } {
  const dir = join(DATA_DIR, NAME);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  writeFileSync(
    join(dir, 'keel.yaml'),
    [
      `name: bench-${NAME}`,
      'connections:',
      '  amazon:',
      '    connector: amazon-sp-api',
      '    config:',
      '      region: eu',
      `      endpoint: ${JSON.stringify(origin)}`,
      `      token_url: ${JSON.stringify(tokenUrl)}`,
      `      selling_partner_id: ${EMULATOR_SELLER}`,
      `      marketplace_ids: [${AMAZON_DE}]`,
      `      client_id: ${EMULATOR_CREDENTIALS.clientId}`,
      '      client_secret: "${file:lwa-client-secret.txt}"',
      '      refresh_token: "${file:lwa-refresh-token.txt}"',
      // The plan an integrator with a raised usage plan writes down (the rate header would correct it anyway).
      `      usage_plans: { getOrders: { per_second: ${GET_ORDERS.perSecond}, burst: ${GET_ORDERS.burst} }, getOrderItems: { per_second: ${GET_ORDER_ITEMS.perSecond}, burst: ${GET_ORDER_ITEMS.burst} } }`,
      '  outbox: { connector: file, config: { root: ./out } }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'lwa-client-secret.txt'), EMULATOR_CREDENTIALS.clientSecret);
  writeFileSync(join(dir, 'lwa-refresh-token.txt'), EMULATOR_CREDENTIALS.refreshToken);
  writeFileSync(
    join(dir, 'pipelines', 'orders.yaml'),
    [
      'name: orders',
      'source: { connection: amazon, stream: orders, sync: full }',
      'steps:',
      '  - map: { mapping: "keel:amazon-sp-api/order.to-canonical.json" }',
      'targets:',
      '  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }',
      '',
    ].join('\n'),
  );
  return { dir, statePath: join(dir, '.keel', 'state.db') };
}
