import { Type, type Static } from '@sinclair/typebox';
import type { HttpConnection } from '../../core/http/http-client.js';

/** The connection to one WooCommerce shop's REST API (wc/v3), with a REST API key of a shop user. */
export const WooCommerceConfig = Type.Object(
  {
    base_url: Type.String({
      // Basic auth sends the secret with every request: plain http only to this machine (an emulator in tests).
      pattern: '^(https://|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d+)?(/|$))',
      description: 'the REST API root: https://<shop>/wp-json/wc/v3 (pretty permalinks on); plain http only to 127.0.0.1 or localhost, for tests',
    }),
    consumer_key: Type.String({
      minLength: 1,
      secret: true,
      description: 'consumer key (ck_…) of a REST API key (WooCommerce > Settings > Advanced > REST API), from ${env:…} or ${file:…}; Read for orders and products, Read/Write for stock',
    }),
    consumer_secret: Type.String({ minLength: 1, secret: true, description: 'its consumer secret (cs_…), from ${env:…} or ${file:…}; sent with the key as HTTP Basic auth' }),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, default: 30_000, description: 'per request, connect to last byte' })),
    retries: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 20, default: 6, description: 'retries of 429 and 5xx answers, timeouts and resets (reads, and stock batches, which set absolute values)' }),
    ),
    concurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 16, default: 4, description: 'requests in flight at once against this shop, shared by every stream of the connection' }),
    ),
    webhook_secret: Type.Optional(
      Type.String({
        minLength: 1,
        secret: true,
        description:
          "the secret set on the shop's webhooks (WooCommerce > Settings > Advanced > Webhooks), with which WooCommerce signs each delivery (X-WC-Webhook-Signature), from ${env:…} or ${file:…}; without it keel webhooks listen takes no deliveries for this connection",
      }),
    ),
  },
  { additionalProperties: false },
);
export type WooCommerceConfig = Static<typeof WooCommerceConfig>;

/** The connection with every default applied, parsed once per config object. */
export interface WooCommerceSettings {
  /** How messages name the shop: host and API path, never a credential. */
  shopName: string;
  http: HttpConnection;
}

const SETTINGS = new WeakMap<object, WooCommerceSettings>();

export function wooCommerceSettings(config: WooCommerceConfig): WooCommerceSettings {
  const cached = SETTINGS.get(config);
  if (cached !== undefined) return cached;
  const base = config.base_url.replace(/\/+$/, '');
  const url = new URL(base);
  const settings: WooCommerceSettings = {
    shopName: `woocommerce ${url.host}${url.pathname}`,
    http: {
      base_url: base,
      // WooCommerce over HTTPS: the key and secret as HTTP Basic credentials (no OAuth 1.0a signature).
      auth: { type: 'basic', username: config.consumer_key, password: config.consumer_secret },
      timeout_ms: config.timeout_ms ?? 30_000,
      retries: config.retries ?? 6,
      rate_limit: { account: `woocommerce ${url.origin}${url.pathname}`, concurrency: config.concurrency ?? 4 },
    },
  };
  SETTINGS.set(config, settings);
  return settings;
}
