/**
 * Webhooks: how WooCommerce signs and labels a delivery (checked by core/webhooks when `keel
 * webhooks listen` takes it), and the `webhooks` stream that reads the stored deliveries. An order
 * or product payload is what the REST API answers for the resource (GET /orders/<id>), so orders
 * map through keel:woocommerce/order.to-canonical.json.
 */
import { headerValue, type WebhookSpec } from '../../core/sdk/webhooks.js';
import { webhookStream } from '../../core/webhooks/webhook-stream.js';
import type { WooCommerceConfig } from './config.js';
import { WEBHOOKS_EXAMPLES } from './examples.js';

/** The ping WooCommerce sends when a webhook is saved: `webhook_id=<id>`, form-encoded, unsigned; it must be answered 200. */
const PING_BODY = /^webhook_id=\d+$/;

export const WOOCOMMERCE_WEBHOOKS: WebhookSpec<WooCommerceConfig> = {
  // base64 HMAC-SHA256 of the body as sent, keyed with the webhook's secret (WC_Webhook::generate_signature).
  secret: (config) => config.webhook_secret,
  signatureHeader: 'x-wc-webhook-signature',
  topicHeader: 'x-wc-webhook-topic',
  // wp_hash(webhook id . current second): two deliveries of one webhook in one second share it.
  deliveryId: { header: 'x-wc-webhook-delivery-id', unique: false },
  // No header says when the event happened, and WooCommerce builds the payload when it delivers: no age to check.
  keptHeaders: ['x-wc-webhook-id', 'x-wc-webhook-resource', 'x-wc-webhook-event', 'x-wc-webhook-source'],
  isPing: ({ headers, body }) => headerValue(headers, 'x-wc-webhook-topic') === undefined && PING_BODY.test(body.toString('latin1').trim()),
};

export const webhooks = webhookStream<WooCommerceConfig>({
  description: 'Webhook deliveries keel webhooks listen stored for this shop, oldest first: each payload (an order as GET /orders/<id> returns it, a product …) as the record; incremental by their number in the state.',
  examples: WEBHOOKS_EXAMPLES,
});
