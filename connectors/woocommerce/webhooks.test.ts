import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Money } from '../../core/model/money.js';
import type { Order } from '../../core/model/order.js';
import { postDelivery } from '../../test-support/post-webhook.js';
import { readmeIntakePerTest } from '../../test-support/readme-webhook-project.js';
import { runProject } from '../../test-support/run-project.js';
import { WOO_ENV, WooCommerceEmulator } from '../../test-support/woocommerce-emulator.js';

const WEBHOOK_SECRET = 'woo-webhook-secret-0123456789';
const ENV = { ...WOO_ENV, WOO_WEBHOOK_SECRET: WEBHOOK_SECRET };
const SECOND = Date.parse('2026-12-01T10:00:00Z');

/** The README's Webhooks section as a project against the emulators, with its intake on a free port. */
const readmeIntake = readmeIntakePerTest<WooCommerceEmulator>({
  readme: new URL('./README.md', import.meta.url),
  env: ENV,
  pipelines: ['woocommerce-webhook-orders', 'woocommerce-orders-reconcile'],
  shopAt: (config, shopUrl) => (config['base_url'] = shopUrl),
});
const started = () => readmeIntake(new WooCommerceEmulator({ orders: 3 }));

describe('woocommerce webhooks', () => {
  it('takes a delivery signed over its bytes as WooCommerce encodes them, and refuses another secret or a byte changed', async () => {
    const { shop, intake } = await started();
    const { answer, delivery } = await shop.deliverWebhook(intake.url, 'order.created', 1001, { secret: WEBHOOK_SECRET });
    expect(answer.status).toBe(200);
    // WooCommerce escapes slashes: the bytes signed are not what JSON.stringify would give again.
    expect(delivery.body.includes('\\/')).toBe(true);
    const [event] = await intake.events();
    expect(event?.body.equals(delivery.body)).toBe(true);
    expect(event?.headers).toEqual({
      'x-wc-webhook-topic': 'order.created',
      'x-wc-webhook-delivery-id': delivery.headers['x-wc-webhook-delivery-id'],
      'x-wc-webhook-id': '7',
      'x-wc-webhook-resource': 'order',
      'x-wc-webhook-event': 'created',
      'x-wc-webhook-source': 'https://shop.example/',
    });

    const forged = await shop.deliverWebhook(intake.url, 'order.created', 1002, { secret: 'not-the-webhook-secret' });
    expect([forged.answer.status, JSON.parse(forged.answer.body).error]).toEqual([401, 'signature_invalid']);
    const changed = shop.webhookDelivery('order.updated', 1003, { secret: WEBHOOK_SECRET });
    const body = Buffer.from(changed.body);
    const at = body.indexOf('"quantity":') + 11;
    body[at] = (body[at] as number) + 1;
    expect((await shop.resendWebhook(intake.url, { headers: changed.headers, body })).status).toBe(401);
    expect(await intake.events()).toHaveLength(1);
  });

  it('answers the ping WooCommerce sends when a webhook is saved with 200 and stores nothing; other unsigned bodies get 401', async () => {
    const { shop, intake } = await started();
    const ping = await shop.pingWebhook(intake.url, 12);
    expect([ping.status, JSON.parse(ping.body)]).toEqual([200, { status: 'ping' }]);
    const notPing = await postDelivery(intake.url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('webhook_id=12&order=1') });
    expect([notPing.status, JSON.parse(notPing.body).error]).toEqual([401, 'signature_missing']);
    // The ping's body with a topic header is a delivery without its signature, not a ping.
    const topical = await postDelivery(intake.url, { headers: { 'x-wc-webhook-topic': 'order.created' }, body: Buffer.from('webhook_id=12') });
    expect(topical.status).toBe(401);
    expect(await intake.events()).toEqual([]);
  });

  it('stores two deliveries of one second that share WooCommerce’s delivery id, and each of them once when sent again', async () => {
    const { shop, intake } = await started();
    const one = await shop.deliverWebhook(intake.url, 'order.created', 1001, { secret: WEBHOOK_SECRET, at: SECOND });
    const two = await shop.deliverWebhook(intake.url, 'order.created', 1002, { secret: WEBHOOK_SECRET, at: SECOND + 400 });
    expect(two.delivery.headers['x-wc-webhook-delivery-id']).toBe(one.delivery.headers['x-wc-webhook-delivery-id']);
    expect([one.answer.status, two.answer.status]).toEqual([200, 200]);
    expect(JSON.parse((await shop.resendWebhook(intake.url, one.delivery)).body)).toEqual({ status: 'duplicate', seq: JSON.parse(one.answer.body).seq });
    expect(JSON.parse((await shop.resendWebhook(intake.url, two.delivery)).body)).toEqual({ status: 'duplicate', seq: JSON.parse(two.answer.body).seq });
    expect((await intake.events()).map((event) => JSON.parse(event.body.toString()).id)).toEqual([1001, 1002]);
  });

  it('runs the README pipelines: webhook orders reach the ERP as canonical orders, polling then brings what webhooks missed, nothing twice, no secret anywhere', async () => {
    const { shop, erp, project, intake } = await started();
    // 1001 and 1002 are created, 1002 is completed; the delivery for 1003 never comes.
    await shop.deliverWebhook(intake.url, 'order.created', 1001, { secret: WEBHOOK_SECRET });
    await shop.deliverWebhook(intake.url, 'order.created', 1002, { secret: WEBHOOK_SECRET });
    shop.update(1002);
    await shop.deliverWebhook(intake.url, 'order.updated', 1002, { secret: WEBHOOK_SECRET });
    await shop.pingWebhook(intake.url);
    const webhookRun = await runProject(project.dir, { env: ENV, pipeline: 'woocommerce-webhook-orders' });
    // 1002's two versions came in one batch: only the later one goes out.
    expect(webhookRun.summary).toMatchObject({ status: 'ok', read: 3, written: 2, duplicates: 1, deadLettered: 0 });
    const sent = erp.written.map((write) => write.body as unknown as Order);
    expect(sent.map((order) => [order.external_id, order.status])).toEqual([
      ['1001', 'received'],
      ['1002', 'shipped'],
    ]);
    // By hand from the documented example order (2 × 3.00 net + 1 × 12.00 net, 10.00 shipping,
    // 1.35 tax, 29.35 total; processing and paid) with the emulator's ids, SKUs and times.
    const USD = (amount: string): Money => ({ amount, currency: 'USD' });
    expect(sent[0]).toMatchObject({
      channel: 'woocommerce',
      payment_status: 'paid',
      created_at: '2026-10-31T23:59:00Z',
      updated_at: '2026-11-01T00:00:00Z',
      totals: { subtotal: USD('18.00'), shipping: USD('10.00'), tax: USD('1.35'), total: USD('29.35') },
    });
    expect(sent[0]?.lines.map((line) => [line.line_id, line.sku, line.quantity, line.unit_price, line.tax])).toEqual([
      ['10010', 'MUG-1', 2, USD('3.00'), USD('0.45')],
      ['10011', 'TEE-S', 1, USD('12.00'), USD('0.90')],
    ]);
    expect(sent[1]?.updated_at).toBe('2026-11-01T00:00:04Z');

    const reconcile = await runProject(project.dir, { env: ENV, pipeline: 'woocommerce-orders-reconcile' });
    expect(reconcile.summary).toMatchObject({ status: 'ok', read: 3, deadLettered: 0 });
    expect(erp.written.map((write) => write.externalId)).toEqual(['1001', '1002', '1003']);
    expect(erp.stats.replayed).toBe(2);

    for (const text of [intake.log(), webhookRun.log, reconcile.log]) {
      expect(text).not.toContain(WEBHOOK_SECRET);
      expect(text).not.toContain(WOO_ENV.WOO_CONSUMER_SECRET);
    }
    const files = readdirSync(project.path('.keel')).map((file) => readFileSync(project.path('.keel', file)));
    expect(files.some((bytes) => bytes.includes('"order_key"'))).toBe(true);
    expect(files.some((bytes) => bytes.includes(WEBHOOK_SECRET) || bytes.includes(WOO_ENV.WOO_CONSUMER_SECRET))).toBe(false);
  });
});
