import { Type, type Static } from '@sinclair/typebox';
import type { HttpConnection } from '../../core/http/http-client.js';
import { KeelError } from '../../core/errors.js';

/** The newest stable version when this connector was written; every version it uses must have changeFromQuantity and @idempotent (2026-01 on). */
export const DEFAULT_API_VERSION = '2026-10';
const OLDEST_API_VERSION = '2026-01';
/** A day: Shopify's retries end 4 hours after the event, so only a replay (or a clock a day wrong) is older. */
export const DEFAULT_WEBHOOK_MAX_AGE_SECONDS = 86_400;

export const ShopifyConfig = Type.Object(
  {
    shop: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$',
        description: 'the shop\'s permanent domain, e.g. "acme-de.myshopify.com" (not a custom domain)',
      }),
    ),
    base_url: Type.Optional(
      Type.String({
        pattern: '^http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d+)?(/.*)?$',
        description: 'instead of shop, for tests: an emulator on this machine (loopback only); requests go to <base_url>/admin/api/<api_version>/graphql.json',
      }),
    ),
    access_token: Type.String({
      minLength: 1,
      secret: true,
      description: 'Admin API access token of the app installed on the shop (shpat_…), from ${env:…} or ${file:…}; sent as X-Shopify-Access-Token',
    }),
    api_version: Type.Optional(
      Type.String({
        pattern: '^20\\d\\d-(01|04|07|10)$',
        default: DEFAULT_API_VERSION,
        description: `pinned GraphQL Admin API version (YYYY-MM, a stable release); ${OLDEST_API_VERSION} or later. Each version is supported for at least 12 months: move on before it is retired`,
      }),
    ),
    locations: Type.Optional(
      Type.Record(Type.String(), Type.String({ pattern: '^(gid://shopify/Location/)?\\d+$', description: 'the Shopify location: gid://shopify/Location/123, or 123' }), {
        description: 'Keel location id → Shopify location (gid://shopify/Location/123 or 123), for stock and fulfillments; a location missing here is refused per record',
      }),
    ),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, default: 30_000, description: 'per request, connect to last byte' })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 6, description: 'retries of 5xx, timeouts and resets; throttling is waited out separately' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, default: 4, description: 'requests in flight at once on this shop, over every pipeline of the process' })),
    max_throttle_waits: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        default: 20,
        description: 'times one request waits for its points after a THROTTLED answer before the record (or read) fails as rate limited',
      }),
    ),
    down_after_ms: Type.Optional(
      Type.Integer({ minimum: 100, default: 60_000, description: 'when the shop has answered no request for this long (refused, timed out, 5xx), requests fail at once so the run reports it down' }),
    ),
    webhook_secret: Type.Optional(
      Type.String({
        minLength: 1,
        secret: true,
        description: "the app's client secret, with which Shopify signs webhook deliveries (X-Shopify-Hmac-Sha256), from ${env:…} or ${file:…}; without it keel webhooks listen takes no deliveries for this connection",
      }),
    ),
    webhook_max_age_seconds: Type.Optional(
      Type.Integer({
        minimum: 300,
        maximum: 604_800,
        default: DEFAULT_WEBHOOK_MAX_AGE_SECONDS,
        description: 'a webhook delivery whose X-Shopify-Triggered-At is older is refused (Shopify retries a delivery for 4 hours, with the time of its first attempt)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ShopifyConfig = Static<typeof ShopifyConfig>;

/** The connection's config with defaults applied, parsed once per config object. */
export interface ShopifySettings {
  /** Where GraphQL requests go: https://<shop>/admin/api/<version> (or the loopback base_url). */
  apiRoot: string;
  /** What messages call the shop: its domain, or the emulator's host. */
  shopName: string;
  apiVersion: string;
  http: HttpConnection;
  locations: Readonly<Record<string, string>>;
  maxThrottleWaits: number;
  /** Bulk result files may come from this loopback origin over plain http (tests only). */
  loopbackOrigin: string | undefined;
}

const SETTINGS = new WeakMap<object, ShopifySettings>();

export function shopifySettings(config: ShopifyConfig): ShopifySettings {
  const cached = SETTINGS.get(config);
  if (cached !== undefined) return cached;
  if ((config.shop === undefined) === (config.base_url === undefined)) {
    throw new KeelError('config', 'shopify: set shop (acme.myshopify.com), or base_url for an emulator on this machine, not both', {
      code: 'shopify_no_shop',
      stage: 'shopify',
    });
  }
  const apiVersion = config.api_version ?? DEFAULT_API_VERSION;
  if (apiVersion < OLDEST_API_VERSION) {
    throw new KeelError(
      'config',
      `shopify: api_version ${apiVersion} is too old: stock writes need changeFromQuantity and the @idempotent directive, which came with ${OLDEST_API_VERSION}; pin ${DEFAULT_API_VERSION}`,
      { code: 'shopify_api_version', stage: 'shopify' },
    );
  }
  const origin = config.base_url !== undefined ? config.base_url.replace(/\/+$/, '') : `https://${config.shop as string}`;
  const apiRoot = `${origin}/admin/api/${apiVersion}`;
  const host = new URL(origin).host;
  const settings: ShopifySettings = {
    apiRoot,
    shopName: config.shop ?? host,
    apiVersion,
    http: {
      base_url: apiRoot,
      auth: { type: 'api_key_header', header: 'X-Shopify-Access-Token', value: config.access_token },
      timeout_ms: config.timeout_ms ?? 30_000,
      retries: config.retries ?? 6,
      down_after_ms: config.down_after_ms ?? 60_000,
      // Shopify limits GraphQL by points, not requests (cost-bucket.ts); the request budget only caps concurrency.
      rate_limit: { account: `shopify:${apiRoot}`, concurrency: config.concurrency ?? 4 },
    },
    locations: normalizeLocations(config.locations ?? {}),
    maxThrottleWaits: config.max_throttle_waits ?? 20,
    loopbackOrigin: config.base_url !== undefined ? new URL(origin).origin : undefined,
  };
  SETTINGS.set(config, settings);
  return settings;
}

function normalizeLocations(locations: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [keel, shopify] of Object.entries(locations)) out[keel] = toGid('Location', shopify);
  return out;
}

/** `123` or `gid://shopify/Order/123` → the global id; Shopify's GraphQL API takes only global ids. */
export function toGid(type: string, id: string | number): string {
  const text = String(id).trim();
  return text.startsWith('gid://') ? text : `gid://shopify/${type}/${text}`;
}
