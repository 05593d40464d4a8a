import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliResult } from '../../test-support/run-cli.js';
import { ShopEmulator } from '../../test-support/shop-emulator.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

// Shopify's leaky bucket (40, leaking 2 per second) scaled for a short test: 10, leaking 20 per second.
const BUCKET = { capacity: 10, perSecond: 20 };
const ORDERS_PER_PROCESS = 60;
/**
 * The warm-up: the first second after both processes got their orders and began to write. A
 * request slowed on its way then (a connection being opened) can arrive after the ledger let the
 * leak go to another one; once the bucket is full, every request the ledger grants has its room
 * in the vendor's bucket however late it arrives, so a 429 after that is the budget's fault.
 */
const WARM_UP_MS = 1000;

const projects: TempProject[] = [];
let emulator: ShopEmulator | undefined;
afterEach(async () => {
  for (const project of projects.splice(0)) project.remove();
  await emulator?.stop();
  emulator = undefined;
});

/**
 * A project with two pipelines on one shop account: each reads its own page of the shop's orders
 * and writes every order back to the shop's orders endpoint, one request each.
 */
function pushingProject(url: string): TempProject {
  const pipeline = (name: string, page: number): string => `name: ${name}
source:
  connection: shop
  stream: api
  sync: full
  options: { path: /orders.json, query: { limit: ${ORDERS_PER_PROCESS}, page: ${page} }, records: orders }
targets:
  - connection: shop
    stream: api
    options: { path: /target/orders.json, wrap: order, concurrency: 4 }
batch_size: 20
`;
  const project = tempProject({
    'keel.yaml': `name: two-processes
connections:
  shop:
    connector: http
    config:
      base_url: "${url}"
      retries: 20
      rate_limit: { burst: ${BUCKET.capacity}, per_second: ${BUCKET.perSecond}, call_limit_header: X-Shopify-Shop-Api-Call-Limit }
`,
    'pipelines/push-a.yaml': pipeline('push-a', 1),
    'pipelines/push-b.yaml': pipeline('push-b', 2),
  });
  projects.push(project);
  return project;
}

interface TwoRuns {
  results: CliResult[];
  shop: ShopEmulator;
  /** When both processes had asked for their orders and were answered: they write from here on. */
  started: number;
}

/**
 * Two `keel run` processes at once, one per pipeline, against the emulator; `apart` gives each
 * its own project (its own state file). Their reads are held until both have asked, so that they
 * write at the same time however long each took to start.
 */
async function runTwoProcesses(apart: boolean): Promise<TwoRuns> {
  let asked = 0;
  let started = 0;
  let open: () => void = () => undefined;
  const bothAsked = new Promise<void>((resolve) => {
    open = () => {
      started = Date.now();
      resolve();
    };
  });
  // Bounded: a process that never starts fails the test on its exit code, not on a hang.
  const fallback = setTimeout(open, 40_000);
  const shop = new ShopEmulator({
    orders: 2 * ORDERS_PER_PROCESS,
    bucket: BUCKET,
    beforeList: () => {
      asked += 1;
      if (asked === 2) open();
      return bothAsked;
    },
  });
  emulator = shop;
  const url = await shop.start();
  const first = pushingProject(url);
  const second = apart ? pushingProject(url) : first;
  const runs = [startCli(['run', first.dir, '-p', 'push-a']), startCli(['run', second.dir, '-p', 'push-b'])];
  const results = await Promise.all(runs.map((run) => run.done));
  clearTimeout(fallback);
  return { results, shop, started };
}

const limitedAfterWarmUp = ({ shop, started }: TwoRuns): number => shop.throttledAt.filter((at) => at > started + WARM_UP_MS).length;

describe('one rate budget per account across processes', () => {
  it('keeps two keel run processes of one project within the account leaky bucket: no 429 after the warm-up', async () => {
    const runs = await runTwoProcesses(false);
    for (const result of runs.results) expect(result.code, result.stderr).toBe(0);
    // Every order written once (the target counts by order id), each process its own 60.
    expect(runs.shop.writesPerExternalId().size).toBe(2 * ORDERS_PER_PROCESS);
    expect([...runs.shop.writesPerExternalId().values()].every((count) => count === 1)).toBe(true);
    expect(limitedAfterWarmUp(runs)).toBe(0);
  });

  it('(the control) lets two processes that keep budgets apart, in two projects, overrun the same account', async () => {
    const runs = await runTwoProcesses(true);
    expect(runs.shop.writesPerExternalId().size).toBe(2 * ORDERS_PER_PROCESS);
    expect(limitedAfterWarmUp(runs)).toBeGreaterThan(0);
  });
});
