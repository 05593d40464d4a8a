import { Type, type Static } from '@sinclair/typebox';
import type { HttpConnection } from '../../core/http/http-client.js';
import { DEFAULT_USAGE_PLANS, SP_OPERATIONS, type SpOperation, type UsagePlan } from './usage-plans.js';

/** The selling regions and their endpoints (developer-docs.amazon.com/sp-api/docs/sp-api-endpoints). */
export const REGION_ENDPOINTS = {
  na: 'https://sellingpartnerapi-na.amazon.com',
  eu: 'https://sellingpartnerapi-eu.amazon.com',
  fe: 'https://sellingpartnerapi-fe.amazon.com',
} as const;
export type Region = keyof typeof REGION_ENDPOINTS;

/** The Login with Amazon token endpoint every region uses (developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api). */
export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

/** https anywhere, plain http only to this machine (an emulator). */
const URL_PATTERN = '^(https://[^/?#]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d+)?)(/[^?#]*)?$';

const usagePlan = (operation: SpOperation) =>
  Type.Optional(
    Type.Object(
      {
        per_second: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: `requests per second refilled (default ${Number(DEFAULT_USAGE_PLANS[operation].per_second.toPrecision(3))})` })),
        burst: Type.Optional(Type.Integer({ minimum: 1, description: `requests the bucket holds (default ${DEFAULT_USAGE_PLANS[operation].burst})` })),
      },
      { additionalProperties: false, description: `usage plan of ${operation}` },
    ),
  );

export const AmazonConfig = Type.Object(
  {
    region: Type.Union([Type.Literal('na'), Type.Literal('eu'), Type.Literal('fe')], {
      description: 'selling region of the account: na (US, CA, MX, BR), eu (Europe, UK, TR, AE, SA, EG, IN, ZA), fe (JP, AU, SG); picks the endpoint',
    }),
    selling_partner_id: Type.String({
      minLength: 1,
      description: "the seller's id (merchant token, Seller Central > Settings > Account Info): the sellerId of listings feeds, and whose rate budgets these are",
    }),
    marketplace_ids: Type.Array(Type.String({ pattern: '^[A-Z0-9]{8,20}$' }), {
      minItems: 1,
      maxItems: 25,
      description: 'marketplaces to read orders from and apply feeds to, e.g. [A1PA6795UKMFR9] for Amazon.de',
    }),
    client_id: Type.String({ minLength: 1, description: "the app's LWA client identifier (amzn1.application-oa2-client.…)" }),
    client_secret: Type.String({ minLength: 1, secret: true, description: "the app's LWA client secret, from ${env:…} or ${file:…}" }),
    refresh_token: Type.String({
      minLength: 1,
      secret: true,
      description: 'the LWA refresh token the seller granted the app (Atzr|…), from ${env:…} or ${file:…}',
    }),
    endpoint: Type.Optional(
      Type.String({
        pattern: URL_PATTERN,
        description: 'instead of the region endpoint: a sandbox (https://sandbox.sellingpartnerapi-eu.amazon.com) or an emulator on this machine (http://127.0.0.1:…)',
      }),
    ),
    token_url: Type.Optional(
      Type.String({ pattern: URL_PATTERN, default: LWA_TOKEN_URL, description: 'the Login with Amazon token endpoint; another one only for an emulator' }),
    ),
    token_margin_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1800,
        default: 300,
        description:
          'renew the access token this long before it expires (at most half its lifetime early): a request gets its token before it waits for its rate budget, which after a 429 on getOrders is a minute',
      }),
    ),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, default: 30_000, description: 'per request, connect to last byte' })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 6, description: 'retries of 429, 5xx answers, timeouts and resets' })),
    down_after_ms: Type.Optional(
      Type.Integer({
        minimum: 100,
        default: 60_000,
        description: 'when Amazon has answered no request for this long (refused, timed out, 5xx), requests fail at once so the run reports it down',
      }),
    ),
    usage_plans: Type.Optional(
      Type.Object(Object.fromEntries(SP_OPERATIONS.map((operation) => [operation, usagePlan(operation)])), {
        additionalProperties: false,
        description: "per operation, when the account's usage plan is not Amazon's default; the x-amzn-RateLimit-Limit header corrects the rate on its own",
      }),
    ),
  },
  { additionalProperties: false },
);
export type AmazonConfig = Static<typeof AmazonConfig>;

/** The connection with every default applied, parsed once per config object. */
export interface AmazonSettings {
  endpoint: string;
  tokenUrl: string;
  sellerId: string;
  marketplaceIds: readonly string[];
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  tokenMarginMs: number;
  timeoutMs: number;
  retries: number;
  /** How messages name the account: endpoint host and seller, never a credential. */
  place: string;
  /** One HTTP connection per operation: each has its own token bucket (core/http's rate budget). */
  operations: Readonly<Record<SpOperation, HttpConnection>>;
  /** Feed documents may come from this machine over plain http (an emulator); else https only. */
  loopback: boolean;
}

const SETTINGS = new WeakMap<object, AmazonSettings>();

export function amazonSettings(config: AmazonConfig): AmazonSettings {
  const cached = SETTINGS.get(config);
  if (cached !== undefined) return cached;
  const endpoint = (config.endpoint ?? REGION_ENDPOINTS[config.region]).replace(/\/+$/, '');
  const host = new URL(endpoint).host;
  const timeoutMs = config.timeout_ms ?? 30_000;
  const retries = config.retries ?? 6;
  const operations = Object.fromEntries(
    SP_OPERATIONS.map((operation): [SpOperation, HttpConnection] => {
      const plan: UsagePlan = { ...DEFAULT_USAGE_PLANS[operation], ...config.usage_plans?.[operation] };
      return [
        operation,
        {
          base_url: endpoint,
          timeout_ms: timeoutMs,
          retries,
          down_after_ms: config.down_after_ms ?? 60_000,
          // Amazon limits per operation, selling partner account and application: so does the budget.
          // One request of the bucket is kept back: the budget counts a request when it leaves,
          // Amazon when it arrives, and a full bucket at Amazon gains nothing meanwhile.
          rate_limit: {
            account: `amazon-sp-api ${host} ${config.selling_partner_id} ${config.client_id} ${operation}`,
            burst: Math.max(1, plan.burst - 1),
            per_second: plan.per_second,
            concurrency: 4,
          },
        },
      ];
    }),
  ) as Record<SpOperation, HttpConnection>;
  const settings: AmazonSettings = {
    endpoint,
    tokenUrl: config.token_url ?? LWA_TOKEN_URL,
    sellerId: config.selling_partner_id,
    marketplaceIds: config.marketplace_ids,
    clientId: config.client_id,
    clientSecret: config.client_secret,
    refreshToken: config.refresh_token,
    tokenMarginMs: (config.token_margin_seconds ?? 300) * 1000,
    timeoutMs,
    retries,
    place: `amazon-sp-api ${host} seller ${config.selling_partner_id}`,
    operations,
    loopback: new URL(endpoint).protocol === 'http:',
  };
  SETTINGS.set(config, settings);
  return settings;
}
