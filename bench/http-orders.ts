import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShopEmulator } from '../test-support/shop-emulator.js';
import { launcherNodeFlags } from './node-flags.js';
import { DATA_DIR } from './paths.js';
import type { ChildResult } from './protocol.js';
import { BenchFailure, perSecond, say, toMb, type Scenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';
import { measureInChild } from './spawn-child.js';

const NAME = 'http-orders';
const DEFAULT_ORDERS = 20_000;
const PAGE_SIZE = 250;
const CONCURRENCY = 8;

/**
 * Orders from the shop emulator through a mapping to the emulator's orders target, no rate limit:
 * Keel (`keel run` with the http connector, a map step validating canonical orders, the effect
 * ledger) against a plain axios loop doing the same fetches and posts. Each side gets a fresh
 * emulator in this process, and the target's own count is checked after each.
 */
export const httpOrdersScenario: Scenario = {
  name: NAME,
  description: 'N orders: shop API emulator → mapping → orders API, Keel vs a plain axios loop',
  async run(options: ScenarioOptions): Promise<ScenarioResult> {
    const orders = options.rowsGiven ? options.rows : DEFAULT_ORDERS;
    let keel: ChildResult | undefined;
    let baseline: ChildResult | undefined;
    for (let round = 1; round <= options.repeat; round += 1) {
      const plain = await withEmulator(orders, (url) => measureInChild({ kind: 'http-baseline', url, pageSize: PAGE_SIZE, concurrency: CONCURRENCY }));
      say(`${NAME}: axios loop ${perSecond(plain.records, plain.elapsedMs)} orders/s, peak ${toMb(plain.peakRssBytes)} MB`);
      if (baseline === undefined || plain.elapsedMs < baseline.elapsedMs) baseline = plain;
      const ours = await withEmulator(orders, (url) => {
        const project = createProject(url);
        return measureInChild({ kind: 'keel-run', projectDir: project.dir, statePath: project.statePath }, launcherNodeFlags());
      });
      const outcome = ours.outcome;
      if (outcome?.status !== 'ok' || outcome.written !== orders) {
        throw new BenchFailure(`keel run: ${outcome?.status ?? 'no summary'}, written ${outcome?.written ?? 0} of ${orders}${outcome?.error !== undefined ? `: ${outcome.error}` : ''}`);
      }
      say(`${NAME}: keel       ${perSecond(ours.records, ours.elapsedMs)} orders/s, peak ${toMb(ours.peakRssBytes)} MB`);
      if (keel === undefined || ours.elapsedMs < keel.elapsedMs) keel = ours;
    }
    if (keel === undefined || baseline === undefined) throw new Error('--repeat must be at least 1');
    const ours = perSecond(keel.records, keel.elapsedMs);
    const theirs = perSecond(baseline.records, baseline.elapsedMs);
    return { scenario: NAME, records: keel.records, records_per_s: ours, baseline_per_s: theirs, ratio: Math.round((ours / theirs) * 1000) / 1000, peak_rss_mb: toMb(keel.peakRssBytes) };
  },
};

/** Runs `measure` against a fresh emulator and checks the target got every order exactly once. */
async function withEmulator(orders: number, measure: (url: string) => Promise<ChildResult>): Promise<ChildResult> {
  const emulator = new ShopEmulator({ orders, maxPageSize: PAGE_SIZE });
  const url = await emulator.start();
  try {
    const result = await measure(url);
    const counts = emulator.writesPerExternalId();
    if (counts.size !== orders || emulator.written.length !== orders) {
      throw new BenchFailure(`the target holds ${counts.size} distinct orders in ${emulator.written.length} writes; expected ${orders} once each`);
    }
    return result;
  } finally {
    await emulator.stop();
  }
}

function createProject(url: string): { dir: string; statePath: string } {
  const dir = join(DATA_DIR, NAME);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  writeFileSync(
    join(dir, 'keel.yaml'),
    ['name: bench-http', 'connections:', '  shop:', '    connector: http', `    config: { base_url: ${JSON.stringify(url)}, timeout_ms: 30000 }`, ''].join('\n'),
  );
  writeFileSync(
    join(dir, 'mappings', 'emulated-order.to-canonical.json'),
    JSON.stringify(
      {
        name: 'emulated-order-to-canonical',
        target: 'order',
        output: {
          channel: { const: 'web-shop' },
          external_id: { path: 'id', as: 'string' },
          status: { const: 'received' },
          currency: 'currency',
          lines: { each: 'line_items', map: { object: { sku: 'sku', quantity: 'quantity', total: { money: { amount: 'price', currency: { root: 'currency' } } } } } },
          created_at: 'created_at',
          updated_at: 'updated_at',
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, 'pipelines', `${NAME}.yaml`),
    [
      `name: ${NAME}`,
      'source:',
      '  connection: shop',
      '  stream: api',
      '  sync: full',
      `  options: { path: /orders.json, query: { limit: ${PAGE_SIZE} }, records: orders, pagination: { type: link } }`,
      'steps:',
      '  - map: { mapping: mappings/emulated-order.to-canonical.json }',
      'targets:',
      '  - connection: shop',
      '    stream: api',
      '    key: "{{external_id}}@{{updated_at}}"',
      `    options: { path: /target/orders.json, wrap: order, concurrency: ${CONCURRENCY} }`,
      `batch_size: ${PAGE_SIZE}`,
      '',
    ].join('\n'),
  );
  return { dir, statePath: join(dir, '.keel', 'state.db') };
}
