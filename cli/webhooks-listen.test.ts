import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../core/state/sqlite-store.js';
import { listeningUrl, startCli, type CliResult } from '../test-support/run-cli.js';
import { runProject } from '../test-support/run-project.js';
import { outboxRecords } from '../test-support/shopify-project.js';
import { tempProject, type TempProject } from '../test-support/temp-project.js';
import { WOO_ENV, WooCommerceEmulator } from '../test-support/woocommerce-emulator.js';

const WEBHOOK_SECRET = 'woo-webhook-secret-cli-0123456789';
const ENV = { ...WOO_ENV, WOO_WEBHOOK_SECRET: WEBHOOK_SECRET };

let project: TempProject | undefined;
let child: ChildProcess | undefined;
afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  project?.remove();
  project = undefined;
  child = undefined;
});

/** A project reading the webhooks of a WooCommerce shop (no request goes to the shop itself). */
function webhookProject(secret = '\n      webhook_secret: "${env:WOO_WEBHOOK_SECRET}"'): TempProject {
  return tempProject({
    'keel.yaml': `name: webhooks-cli
connections:
  shop:
    connector: woocommerce
    config:
      base_url: https://shop.example/wp-json/wc/v3
      consumer_key: "\${env:WOO_CONSUMER_KEY}"
      consumer_secret: "\${env:WOO_CONSUMER_SECRET}"${secret}
  outbox: { connector: file, config: { root: ./out } }
`,
    'pipelines/woo-webhooks.yaml': `name: woo-webhooks
source: { connection: shop, stream: webhooks, options: { topics: [order.created] } }
steps:
  - map: { mapping: "keel:woocommerce/order.to-canonical.json" }
targets:
  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
  });
}

/** `keel webhooks listen` as a child process, and the URL it prints once it listens (within 20 s). */
async function listen(dir: string): Promise<{ url: string; done: Promise<CliResult> }> {
  const started = startCli(['webhooks', 'listen', dir, '--port', '0'], { env: ENV });
  child = started.child;
  const url = await listeningUrl(started);
  return { url, done: started.done };
}

describe('keel webhooks listen', () => {
  it('has the event on disk before it answers: killed right after its 200, the state file holds it, and a run maps it', async () => {
    project = webhookProject();
    const shop = new WooCommerceEmulator({ orders: 1 });
    const { url, done } = await listen(project.dir);
    const { answer, delivery } = await shop.deliverWebhook(`${url}/webhooks/shop`, 'order.created', 1001, { secret: WEBHOOK_SECRET });
    child?.kill('SIGKILL');
    expect(answer.status).toBe(200);
    expect((await done).signal).toBe('SIGKILL');

    const state = new SqliteStateStore(project.path('.keel', 'state.db'));
    try {
      const events = await state.webhooks.list({ connection: 'shop', afterSeq: 0, limit: 10 });
      expect(events.map((event) => [event.seq, event.topic, event.body.equals(delivery.body)])).toEqual([[JSON.parse(answer.body).seq, 'order.created', true]]);
    } finally {
      await state.close();
    }
    expect((await runProject(project.dir, { env: ENV })).summary).toMatchObject({ status: 'ok', read: 1, written: 1 });
    expect(outboxRecords<{ external_id: string; channel: string }>(project).map((order) => [order.channel, order.external_id])).toEqual([['woocommerce', '1001']]);
  });

  it('stops on SIGTERM after answering, exit code 0, and prints where each connection takes deliveries', async () => {
    project = webhookProject();
    const { url, done } = await listen(project.dir);
    const ping = await new WooCommerceEmulator().pingWebhook(`${url}/webhooks/shop`);
    expect(ping.status).toBe(200);
    child?.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`shop: POST ${url}/webhooks/shop`);
    expect(result.stderr).toContain('SIGTERM: taking no more deliveries');
    expect(result.stdout + result.stderr).not.toContain(WEBHOOK_SECRET);
  });

  it('refuses to start, exit code 2, when no connection has a webhook_secret, naming the one a pipeline reads webhooks from', async () => {
    project = webhookProject('');
    const started = startCli(['webhooks', 'listen', project.dir, '--port', '0'], { env: ENV });
    child = started.child;
    const result = await started.done;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a pipeline reads webhooks from shop, but it takes none: its config sets no webhook_secret');
    expect(result.stderr).toContain('no connection takes webhooks');
  });
});
