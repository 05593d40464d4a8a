/**
 * Webhooks: how Shopify signs and labels a delivery (checked by core/webhooks when `keel webhooks
 * listen` takes it), and the `webhooks` stream that reads the stored deliveries. Payloads are the
 * REST resource of the topic (shopify.dev/docs/apps/build/webhooks/delivery-structure): orders map
 * through keel:shopify/order.to-canonical.json, not the GraphQL mapping.
 */
import type { WebhookSpec } from '../../core/sdk/webhooks.js';
import { webhookStream } from '../../core/webhooks/webhook-stream.js';
import { DEFAULT_WEBHOOK_MAX_AGE_SECONDS, type ShopifyConfig } from './config.js';
import { WEBHOOKS_EXAMPLES } from './examples.js';

export const SHOPIFY_WEBHOOKS: WebhookSpec<ShopifyConfig> = {
  // HMAC-SHA256 of the raw body with the app's client secret, base64 (shopify.dev/docs/apps/build/webhooks/verify-deliveries).
  secret: (config) => config.webhook_secret,
  signatureHeader: 'x-shopify-hmac-sha256',
  topicHeader: 'x-shopify-topic',
  // One id per delivery, the same on its retries.
  deliveryId: { header: 'x-shopify-webhook-id', unique: true },
  // Retries carry the first attempt's time and payload (shopify.dev/changelog/updates-to-webhook-retry-mechanism).
  triggeredAt: { header: 'x-shopify-triggered-at', maxAgeSeconds: (config) => config.webhook_max_age_seconds ?? DEFAULT_WEBHOOK_MAX_AGE_SECONDS },
  keptHeaders: ['x-shopify-event-id', 'x-shopify-shop-domain', 'x-shopify-api-version', 'x-shopify-name', 'x-shopify-sub-topic'],
};

export const webhooks = webhookStream<ShopifyConfig>({
  description: 'Webhook deliveries keel webhooks listen stored for this shop, oldest first: the REST payload of each (orders/create, orders/updated …) as the record; incremental by their number in the state.',
  examples: WEBHOOKS_EXAMPLES,
});
