import { afterEach, describe, expect, it } from 'vitest';
import { runProject } from '../../test-support/run-project.js';
import { startCli } from '../../test-support/run-cli.js';
import { ShopEmulator } from '../../test-support/shop-emulator.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

const ORDERS = 40;

let project: TempProject | undefined;
let shop: ShopEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await shop?.stop();
  project = undefined;
  shop = undefined;
});

/** A port nothing listens on: a shop API that is down. */
async function downPort(): Promise<number> {
  const probe = new ShopEmulator({});
  const url = await probe.start();
  await probe.stop();
  return Number(new URL(url).port);
}

/** Orders from a file to an orders API; retries that alone would go on for hours. */
function ordersProject(port: number, onError: string): TempProject {
  const orders = Array.from({ length: ORDERS }, (_, index) => JSON.stringify({ id: 5000 + index, total: '9.99' })).join('\n');
  return tempProject({
    'keel.yaml': `name: outage
connections:
  inbox: { connector: file, config: { root: ./in } }
  shop: { connector: http, config: { base_url: "http://127.0.0.1:${port}/admin/api/2024-10", down_after_ms: 300, timeout_ms: 2000 } }
`,
    'in/orders.ndjson': `${orders}\n`,
    'pipelines/orders.yaml': `name: orders
source: { connection: inbox, stream: files, options: { path: "*.ndjson" } }
targets:
  - { connection: shop, stream: api, options: { path: /target/orders.json, wrap: order, concurrency: 4 } }
batch_size: 10
on_error: ${onError}
`,
  });
}

describe('a target that is down', () => {
  it('stops the run in bounded time with its state saved, not record by record; the next run delivers every record once', async () => {
    const port = await downPort();
    // The runner's patience outlasts the host's probe interval (a quarter of down_after_ms, at least 1 s), as the defaults do (60 s, 15 s).
    project = ordersProject(port, '{ target_down_after_ms: 2500, retry: { max_attempts: 100, initial_delay_ms: 50, max_delay_ms: 200 } }');
    const down = await runProject(project.dir);
    expect(down.summary).toMatchObject({ status: 'failed', written: 0, deadLettered: 0 });
    expect(down.summary.error).toMatch(/^target shop is down: nothing could be written for \d+ s \(last error: .*127\.0\.0\.1:\d+.*\); the run stops here with its state saved/);

    shop = new ShopEmulator({});
    await shop.start(port);
    const up = await runProject(project.dir);
    expect(up.summary).toMatchObject({ status: 'ok', read: ORDERS, written: ORDERS, deadLettered: 0 });
    expect([...shop.writesPerExternalId().values()].every((count) => count === 1)).toBe(true);
    expect(shop.writesPerExternalId().size).toBe(ORDERS);
  });

  it('a stop request (SIGTERM) ends the retry wait at once: exit 130, state saved, nothing lost on the next run', async () => {
    const port = await downPort();
    // Left alone, this run would wait minutes between attempts and take an hour to give up.
    project = ordersProject(port, '{ target_down_after_ms: 3600000, retry: { max_attempts: 100, initial_delay_ms: 120000, max_delay_ms: 120000 } }');
    const { child, done } = startCli(['run', project.dir, '--log-level', 'warn', '--log-format', 'json']);
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('target refused records for now; retrying them')) resolve();
      });
    });
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/orders: interrupted — read \d+, written 0/);
    expect(result.stderr).not.toContain('the run was stopped while waiting for the rate limit');

    shop = new ShopEmulator({});
    await shop.start(port);
    const again = await startCli(['run', project.dir]).done;
    expect(again.code).toBe(0);
    expect(shop.writesPerExternalId().size).toBe(ORDERS);
    expect([...shop.writesPerExternalId().values()].every((count) => count === 1)).toBe(true);
  });
});
