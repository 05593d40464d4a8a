import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATOR_TOKEN, ShopifyEmulator, WAREHOUSE } from '../test-support/shopify-emulator.js';
import { launcherNodeFlags } from './node-flags.js';
import { DATA_DIR } from './paths.js';
import { BenchFailure, say, toMb, type Scenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';
import { measureInChild } from './spawn-child.js';

const NAME = 'shopify-sync';
/** Shopify's limits (the emulator's defaults: a 2,000-point bucket restoring 100 points/s) times this. */
const FACTOR = 10;
const BUCKET = { maximum: 2000 * FACTOR, restoreRate: 100 * FACTOR };
const DEFAULT_ORDERS = 1500;
const DEFAULT_STOCK = 3000;
/** The burst is spent once the bucket holds less than this share of its size: what comes after is the steady rate. */
const WARM = 0.1;

interface Phase {
  records: number;
  pointsPerS: number;
  utilisation: number;
  throttledAfterWarmUp: number;
  peakRssBytes: number;
}

/**
 * How much of Shopify's rate the connector uses: `keel run` reads orders (through the shipped
 * mapping) and then writes stock levels against the emulator, whose point bucket is Shopify's
 * scaled up by FACTOR. After the first burst has drained the bucket, the points the emulator
 * charged per second are compared with its restore rate: 1.0 spends every point Shopify gives
 * back, and no query may be THROTTLED once the client knows the bucket. Every order and every
 * level is checked at the end.
 */
export const shopifySyncScenario: Scenario = {
  name: NAME,
  description: `orders in and stock out against the Shopify emulator (limits ×${FACTOR}): points/s spent vs the restore rate`,
  async run(options: ScenarioOptions): Promise<ScenarioResult> {
    const orders = options.rowsGiven ? Math.min(options.rows, 20_000) : DEFAULT_ORDERS;
    const stock = options.rowsGiven ? Math.min(options.rows * 2, 40_000) : DEFAULT_STOCK;
    let ordersPhase: Phase | undefined;
    let stockPhase: Phase | undefined;
    for (let round = 1; round <= options.repeat; round += 1) {
      const read = await ordersIn(orders);
      say(`${NAME}: orders in  ${describe(read)}`);
      if (ordersPhase === undefined || read.utilisation > ordersPhase.utilisation) ordersPhase = read;
      const written = await stockOut(stock);
      say(`${NAME}: stock out  ${describe(written)}`);
      if (stockPhase === undefined || written.utilisation > stockPhase.utilisation) stockPhase = written;
    }
    if (ordersPhase === undefined || stockPhase === undefined) throw new Error('--repeat must be at least 1');
    const throttled = ordersPhase.throttledAfterWarmUp + stockPhase.throttledAfterWarmUp;
    if (throttled > 0) throw new BenchFailure(`${throttled} queries were THROTTLED after the first burst: the client's copy of the bucket ran ahead of Shopify's`);
    const worst = Math.min(ordersPhase.utilisation, stockPhase.utilisation);
    return {
      scenario: NAME,
      records: ordersPhase.records + stockPhase.records,
      records_per_s: Math.round(Math.min(ordersPhase.pointsPerS, stockPhase.pointsPerS)),
      baseline_per_s: BUCKET.restoreRate,
      ratio: round3(worst),
      peak_rss_mb: toMb(Math.max(ordersPhase.peakRssBytes, stockPhase.peakRssBytes)),
      unit: 'points',
      orders_points_per_s: Math.round(ordersPhase.pointsPerS),
      orders_utilisation: round3(ordersPhase.utilisation),
      stock_points_per_s: Math.round(stockPhase.pointsPerS),
      stock_utilisation: round3(stockPhase.utilisation),
      throttled_after_warm_up: throttled,
    };
  },
};

const round3 = (value: number): number => Math.round(value * 1000) / 1000;
const describe = (phase: Phase): string =>
  `${Math.round(phase.pointsPerS)} of ${BUCKET.restoreRate} points/s (${(phase.utilisation * 100).toFixed(1)}%), ${phase.throttledAfterWarmUp} throttled after warm-up, peak ${toMb(phase.peakRssBytes)} MB`;

async function ordersIn(orders: number): Promise<Phase> {
  const shop = new ShopifyEmulator({ orders, perTimestamp: 3, bucket: BUCKET });
  const origin = await shop.start();
  try {
    const project = createProject(origin, 'orders', [
      'name: orders',
      'source: { connection: shop, stream: orders, sync: full }',
      'steps:',
      '  - map: { mapping: "keel:shopify/order-graphql.to-canonical.json" }',
      'targets:',
      '  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }',
    ]);
    const result = await measureInChild({ kind: 'keel-run', projectDir: project.dir, statePath: project.statePath }, launcherNodeFlags());
    const outcome = result.outcome;
    if (outcome?.status !== 'ok' || outcome.written !== orders) {
      throw new BenchFailure(`orders: ${outcome?.status ?? 'no summary'}, written ${outcome?.written ?? 0} of ${orders}${outcome?.error !== undefined ? `: ${outcome.error}` : ''}`);
    }
    return { records: orders, peakRssBytes: result.peakRssBytes, ...rateUse(shop) };
  } finally {
    await shop.stop();
  }
}

async function stockOut(levels: number): Promise<Phase> {
  const skus = Array.from({ length: levels }, (_, index) => `BENCH-${String(index).padStart(6, '0')}`);
  const shop = new ShopifyEmulator({ orders: 0, bucket: BUCKET, inventory: skus.map((sku) => ({ sku, levels: { 1: 0 } })) });
  const origin = await shop.start();
  try {
    const project = createProject(origin, 'stock', [
      'name: stock',
      'source: { connection: inbox, stream: files, options: { path: "levels.ndjson" } }',
      'targets:',
      '  - { connection: shop, stream: stock, options: { location: wh-berlin } }',
      'batch_size: 100',
    ]);
    // What the inventory engine publishes per channel; quantity n % 50 so every level changes from 0 but most.
    const quantity = (index: number): number => 1 + (index % 50);
    const lines = skus.map((sku, index) => JSON.stringify({ channel: 'shopify', sku, quantity: quantity(index), status: 'in_stock', revision: 1, computed_at: '2026-12-01T10:00:00Z' }));
    writeFileSync(join(project.dir, 'in', 'levels.ndjson'), `${lines.join('\n')}\n`);
    const result = await measureInChild({ kind: 'keel-run', projectDir: project.dir, statePath: project.statePath }, launcherNodeFlags());
    const outcome = result.outcome;
    if (outcome?.status !== 'ok' || outcome.written !== levels) {
      throw new BenchFailure(`stock: ${outcome?.status ?? 'no summary'}, written ${outcome?.written ?? 0} of ${levels}${outcome?.error !== undefined ? `: ${outcome.error}` : ''}`);
    }
    const wrong = skus.filter((sku, index) => shop.available(sku, WAREHOUSE) !== quantity(index));
    if (wrong.length > 0) throw new BenchFailure(`stock: ${wrong.length} levels differ from what was sent, e.g. ${wrong[0]}`);
    return { records: levels, peakRssBytes: result.peakRssBytes, ...rateUse(shop) };
  } finally {
    await shop.stop();
  }
}

/**
 * Points charged once the first burst has drained the bucket, against what the client could have
 * spent: the bucket's level at that moment and everything restored since. Points left in the
 * bucket at the end, or restored while the client idled, count against it.
 */
function rateUse(shop: ShopifyEmulator): Pick<Phase, 'pointsPerS' | 'utilisation' | 'throttledAfterWarmUp'> {
  const charges = shop.stats.charges;
  const warm = charges.findIndex((charge) => charge.level < BUCKET.maximum * WARM);
  const first = charges[warm];
  const last = charges.at(-1);
  if (warm < 0 || first === undefined || last === undefined || last.at - first.at < 2000) {
    throw new BenchFailure(`the run ended before two seconds of steady rate (${charges.length} charged queries): give it more records with --rows`);
  }
  // What the client could have spent after the burst: what the bucket held then, and all it restored since.
  const seconds = (last.at - first.at) / 1000;
  const spent = charges.slice(warm + 1).reduce((sum, charge) => sum + charge.actual, 0);
  return {
    pointsPerS: (spent / (first.level + BUCKET.restoreRate * seconds)) * BUCKET.restoreRate,
    utilisation: spent / (first.level + BUCKET.restoreRate * seconds),
    throttledAfterWarmUp: shop.stats.throttledAt.filter((request) => request > first.request).length,
  };
}

function createProject(origin: string, name: string, pipeline: string[]): { dir: string; statePath: string } {
  const dir = join(DATA_DIR, `${NAME}-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  mkdirSync(join(dir, 'in'), { recursive: true });
  writeFileSync(
    join(dir, 'keel.yaml'),
    [
      `name: bench-${NAME}-${name}`,
      'connections:',
      '  shop:',
      '    connector: shopify',
      `    config: { base_url: ${JSON.stringify(origin)}, access_token: "\${file:shop-token.txt}", api_version: "2026-10", locations: { wh-berlin: "${WAREHOUSE}" } }`,
      '  inbox: { connector: file, config: { root: ./in } }',
      '  outbox: { connector: file, config: { root: ./out } }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'pipelines', `${name}.yaml`), `${pipeline.join('\n')}\n`);
  // The emulator's own token, read the way a project reads a secret.
  writeFileSync(join(dir, 'shop-token.txt'), EMULATOR_TOKEN);
  return { dir, statePath: join(dir, '.keel', 'state.db') };
}
