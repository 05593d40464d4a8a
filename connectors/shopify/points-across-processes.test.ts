import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../../test-support/run-cli.js';
import { ShopifyEmulator, WAREHOUSE } from '../../test-support/shopify-emulator.js';
import { SHOPIFY_ENV, shopifyProject } from '../../test-support/shopify-project.js';
import type { TempProject } from '../../test-support/temp-project.js';

// A small point bucket that restores fast, so two processes drain it within a second or two.
const BUCKET = { maximum: 400, restoreRate: 800 };
const SKUS_PER_PROCESS = 150;
/** From when both processes sent their first query: until an answer tells a process the bucket's size, it sends one query at a time. */
const WARM_UP_MS = 1000;

const projects: TempProject[] = [];
let emulator: ShopifyEmulator | undefined;
afterEach(async () => {
  for (const project of projects.splice(0)) project.remove();
  await emulator?.stop();
  emulator = undefined;
});

const sku = (process: string, index: number): string => `${process}-${String(index).padStart(4, '0')}`;

/** A project whose pipeline `name` sets the levels of its own SKUs on the shop. */
function stockProject(origin: string, names: string[]): TempProject {
  const project = shopifyProject(
    origin,
    Object.fromEntries(
      names.map((name) => [
        `${name}.yaml`,
        `name: ${name}
source: { connection: inbox, stream: files, options: { path: "${name}.ndjson" } }
targets:
  - { connection: shop, stream: stock, options: { location: wh-berlin } }
batch_size: 50
`,
      ]),
    ),
    { config: `locations: { wh-berlin: "${WAREHOUSE}" }`, keel: '  inbox: { connector: file, config: { root: ./in } }\n' },
  );
  for (const name of names) {
    const lines = Array.from({ length: SKUS_PER_PROCESS }, (_, index) => JSON.stringify({ channel: 'shopify', sku: sku(name, index), quantity: 5 + (index % 7), revision: 1, computed_at: '2026-12-01T10:00:00Z' }));
    project.write({ [`in/${name}.ndjson`]: lines.join('\n') });
  }
  projects.push(project);
  return project;
}

/** Two `keel run` processes at once, one per pipeline; `apart` gives each its own project and state file. */
async function runTwoProcesses(apart: boolean) {
  const names = ['stock-a', 'stock-b'];
  // Each process sends one query until an answer tells it the bucket: the first two queries are one
  // from each. They are held until both came, so the two write at once however long each took to start.
  let arrived = 0;
  let released = 0;
  let bothStarted: () => void = () => undefined;
  const barrier = new Promise<void>((resolve) => {
    bothStarted = () => {
      released = performance.now();
      resolve();
    };
  });
  const fallback = setTimeout(bothStarted, 40_000);
  const shop = new ShopifyEmulator({
    orders: 0,
    bucket: BUCKET,
    beforeRequest: () => {
      arrived += 1;
      if (arrived === 2) bothStarted();
      return arrived <= 2 ? barrier : undefined;
    },
    inventory: names.flatMap((name) => Array.from({ length: SKUS_PER_PROCESS }, (_, index) => ({ sku: sku(name, index), levels: { 1: 0 } }))),
  });
  emulator = shop;
  const origin = await shop.start();
  const first = stockProject(origin, names);
  const second = apart ? stockProject(origin, names) : first;
  const runs = [startCli(['run', first.dir, '-p', 'stock-a'], { env: SHOPIFY_ENV }), startCli(['run', second.dir, '-p', 'stock-b'], { env: SHOPIFY_ENV })];
  const results = await Promise.all(runs.map((run) => run.done));
  clearTimeout(fallback);
  const throttledLate = shop.stats.throttledAt.filter((request) => {
    const charge = shop.stats.charges.find((candidate) => candidate.request > request);
    return charge !== undefined && charge.at > released + WARM_UP_MS;
  }).length;
  const wrong = names.flatMap((name) => Array.from({ length: SKUS_PER_PROCESS }, (_, index) => index).filter((index) => shop.available(sku(name, index), WAREHOUSE) !== 5 + (index % 7)));
  return { results, throttledLate, throttled: shop.stats.throttled, wrong };
}

describe('one point bucket per shop across processes', () => {
  it('keeps two keel run processes of one project within the shop point bucket: nothing THROTTLED after the warm-up', async () => {
    const runs = await runTwoProcesses(false);
    for (const result of runs.results) expect(result.code, result.stderr).toBe(0);
    expect(runs.wrong).toEqual([]);
    expect(runs.throttledLate).toBe(0);
  });

  it('(the control) lets two processes that keep their buckets apart, in two projects, overrun the shop', async () => {
    const runs = await runTwoProcesses(true);
    for (const result of runs.results) expect(result.code, result.stderr).toBe(0);
    expect(runs.wrong).toEqual([]);
    expect(runs.throttledLate).toBeGreaterThan(0);
  });
});
