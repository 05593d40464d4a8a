import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Money } from '../../core/model/money.js';
import type { Order } from '../../core/model/order.js';
import { readmeIntakePerTest } from '../../test-support/readme-webhook-project.js';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator } from '../../test-support/shopify-emulator.js';
import { SHOPIFY_ENV } from '../../test-support/shopify-project.js';

const WEBHOOK_SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const ENV = { ...SHOPIFY_ENV, SHOPIFY_WEBHOOK_SECRET: WEBHOOK_SECRET };

/** The README's Webhooks section as a project against the emulators, with its intake on a free port. */
const readmeIntake = readmeIntakePerTest<ShopifyEmulator>({
  readme: new URL('./README.md', import.meta.url),
  env: ENV,
  pipelines: ['shopify-webhook-orders', 'shopify-orders-reconcile'],
  shopAt: (config, shopUrl) => {
    delete config['shop'];
    config['base_url'] = shopUrl;
  },
});
const started = () => readmeIntake(new ShopifyEmulator({ orders: 4 }));

describe('shopify webhooks', () => {
  it('takes a delivery signed with the client secret, and refuses one signed with another secret or changed by one byte', async () => {
    const { shop, intake } = await started();
    const { answer, delivery } = await shop.deliverWebhook(intake.url, 'orders/create', 1001, { secret: WEBHOOK_SECRET });
    expect(answer.status).toBe(200);
    const [event] = await intake.events();
    expect(JSON.parse(answer.body)).toEqual({ status: 'stored', seq: event?.seq });
    expect(event?.body.equals(delivery.body)).toBe(true);
    expect(event).toMatchObject({ topic: 'orders/create', deliveryId: delivery.headers['x-shopify-webhook-id'] });
    expect(Object.keys(event?.headers ?? {}).sort()).toEqual([
      'x-shopify-api-version',
      'x-shopify-event-id',
      'x-shopify-shop-domain',
      'x-shopify-topic',
      'x-shopify-triggered-at',
      'x-shopify-webhook-id',
    ]);

    const forged = await shop.deliverWebhook(intake.url, 'orders/create', 1002, { secret: 'shpss_not_the_apps_secret_000000000' });
    expect([forged.answer.status, JSON.parse(forged.answer.body).error]).toEqual([401, 'signature_invalid']);
    const changed = shop.webhookDelivery('orders/create', 1003, { secret: WEBHOOK_SECRET });
    // One digit of a quantity, one byte: "quantity":3 becomes "quantity":4.
    const body = Buffer.from(changed.body);
    const at = body.indexOf('"quantity":') + 11;
    body[at] = (body[at] as number) + 1;
    const tampered = await shop.resendWebhook(intake.url, { headers: changed.headers, body });
    expect(tampered.status).toBe(401);
    expect((await intake.events()).map((stored) => stored.seq)).toEqual([event?.seq]);
  });

  it('stores a retried delivery once, and a replay of its body under a made-up webhook id once', async () => {
    const { shop, intake } = await started();
    const { answer, delivery } = await shop.deliverWebhook(intake.url, 'orders/create', 1001, { secret: WEBHOOK_SECRET });
    const { seq } = JSON.parse(answer.body) as { seq: number };
    const retried = await shop.resendWebhook(intake.url, delivery);
    expect([retried.status, JSON.parse(retried.body)]).toEqual([200, { status: 'duplicate', seq }]);
    const replayed = await shop.resendWebhook(intake.url, { body: delivery.body, headers: { ...delivery.headers, 'x-shopify-webhook-id': 'made-up-id' } });
    expect([replayed.status, JSON.parse(replayed.body)]).toEqual([200, { status: 'duplicate', seq }]);
    expect(await intake.events()).toHaveLength(1);
  });

  it('refuses a delivery triggered longer ago than webhook_max_age_seconds (a day)', async () => {
    const { shop, intake } = await started();
    const old = await shop.deliverWebhook(intake.url, 'orders/updated', 1001, { secret: WEBHOOK_SECRET, triggeredAt: Date.now() - 25 * 3_600_000 });
    expect([old.answer.status, JSON.parse(old.answer.body).error]).toEqual([400, 'stale']);
    // Shopify's last retry comes 4 hours after the event: taken.
    const retried = await shop.deliverWebhook(intake.url, 'orders/updated', 1001, { secret: WEBHOOK_SECRET, triggeredAt: Date.now() - 4 * 3_600_000 });
    expect(retried.answer.status).toBe(200);
    expect(await intake.events()).toHaveLength(1);
  });

  it('runs the README pipelines: webhook orders reach the ERP as canonical orders, and polling then brings what webhooks missed, nothing twice', async () => {
    const { shop, erp, project, intake } = await started();
    const run = async (pipeline: string) => (await runProject(project.dir, { env: ENV, pipeline })).summary;

    // 1001 and 1002 are created; the deliveries for 1003 and 1004 never come.
    expect((await shop.deliverWebhook(intake.url, 'orders/create', 1001, { secret: WEBHOOK_SECRET })).answer.status).toBe(200);
    expect((await shop.deliverWebhook(intake.url, 'orders/create', 1002, { secret: WEBHOOK_SECRET })).answer.status).toBe(200);
    // A topic the pipeline does not read is stored and passed over.
    expect((await shop.deliverWebhook(intake.url, 'customers/update', 1002, { secret: WEBHOOK_SECRET })).answer.status).toBe(200);
    expect(await run('shopify-webhook-orders')).toMatchObject({ status: 'ok', read: 2, written: 2, deadLettered: 0 });
    // 1001 is shipped: the next run passes the new version on.
    (shop.orders[0] as { fulfillmentStatus: string }).fulfillmentStatus = 'FULFILLED';
    shop.update(1001);
    expect((await shop.deliverWebhook(intake.url, 'orders/updated', 1001, { secret: WEBHOOK_SECRET })).answer.status).toBe(200);
    expect(await run('shopify-webhook-orders')).toMatchObject({ status: 'ok', read: 1, written: 1, deadLettered: 0 });
    const sent = erp.written.map((write) => write.body as unknown as Order);
    expect(sent.map((order) => [order.external_id, order.status])).toEqual([
      ['1001', 'received'],
      ['1002', 'received'],
      ['1001', 'shipped'],
    ]);
    // By hand from the emulator's order 1001 (lines n = 0…2: SKU-(1+n), 1 + (1001+n) mod 3 units at
    // 19.90 + ((7007+n) mod 10) euros; 4.90 shipping; 19 % VAT included).
    const EUR = (amount: string): Money => ({ amount, currency: 'EUR' });
    expect(sent[0]).toMatchObject({
      channel: 'shopify',
      order_number: '#1001',
      payment_status: 'paid',
      currency: 'EUR',
      created_at: '2026-01-01T00:00:00Z',
      shipping_charges: [{ method: 'standard', amount: EUR('4.90') }],
      totals: { subtotal: EUR('166.40'), tax: EUR('27.35'), total: EUR('171.30') },
    });
    expect(sent[0]?.lines.map((line) => [line.line_id, line.sku, line.quantity, line.unit_price?.amount, line.total?.amount])).toEqual([
      ['100100', 'SKU-1', 3, '26.90', '80.70'],
      ['100101', 'SKU-2', 1, '27.90', '27.90'],
      ['100102', 'SKU-3', 2, '28.90', '57.80'],
    ]);
    // Nothing new: the checkpoint is after the last event.
    expect(await run('shopify-webhook-orders')).toMatchObject({ status: 'ok', read: 0 });

    // Reconciliation: polling reads every order; the ERP already has 1001 and 1002 under their keys.
    expect(await run('shopify-orders-reconcile')).toMatchObject({ status: 'ok', read: 4, deadLettered: 0 });
    const perOrder = new Map<string, number>();
    for (const write of erp.written) perOrder.set(String(write.externalId), (perOrder.get(String(write.externalId)) ?? 0) + 1);
    expect(Object.fromEntries(perOrder)).toEqual({ '1001': 2, '1002': 1, '1003': 1, '1004': 1 });
    expect(erp.stats.replayed).toBe(2);
  });

  it('writes neither the webhook secret nor the access token to the log, the inbox or the run history', async () => {
    const { shop, project, intake } = await started();
    await shop.deliverWebhook(intake.url, 'orders/create', 1001, { secret: WEBHOOK_SECRET });
    await shop.deliverWebhook(intake.url, 'orders/create', 1002, { secret: 'shpss_not_the_apps_secret_000000000' });
    const { log } = await runProject(project.dir, { env: ENV, pipeline: 'shopify-webhook-orders' });
    for (const secret of [WEBHOOK_SECRET, SHOPIFY_ENV.SHOPIFY_TOKEN]) {
      expect(intake.log()).not.toContain(secret);
      expect(log).not.toContain(secret);
      // The state file and its write-ahead log, where the latest commits are until a checkpoint.
      for (const file of readdirSync(project.path('.keel'))) expect(readFileSync(project.path('.keel', file)).includes(secret), file).toBe(false);
    }
    expect(intake.log()).toContain('webhook stored');
    // What the files do hold: the stored body, so the search above looks where events are.
    const files = readdirSync(project.path('.keel')).map((file) => readFileSync(project.path('.keel', file)));
    expect(files.some((bytes) => bytes.includes('customer1001@example.com'))).toBe(true);
  });
});
