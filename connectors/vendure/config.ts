import { Type, type Static } from '@sinclair/typebox';
import type { HttpConnection } from '../../core/http/http-client.js';

/** The connection to one Vendure server's Admin API, as an administrator. */
export const VendureConfig = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      description: 'the Admin API endpoint: the server and its adminApiPath, e.g. https://shop.example/admin-api',
    }),
    username: Type.String({
      minLength: 1,
      secret: true,
      description: 'identifier of the administrator Keel logs in as (the superadmin or one with the permissions the streams need), from ${env:…} or ${file:…}',
    }),
    password: Type.String({ minLength: 1, secret: true, description: "that administrator's password, from ${env:…} or ${file:…}" }),
    channel_token: Type.Optional(
      Type.String({ minLength: 1, description: "token of the channel to work in (Channel.token); default: the server's default channel" }),
    ),
    auth_token_header: Type.Optional(
      Type.String({
        minLength: 1,
        default: 'vendure-auth-token',
        description: "response header carrying the session token after login: the server's authOptions.authTokenHeaderKey",
      }),
    ),
    channel_token_header: Type.Optional(
      Type.String({ minLength: 1, default: 'vendure-token', description: "request header carrying channel_token: the server's apiOptions.channelTokenKey" }),
    ),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, default: 30_000, description: 'per request, connect to last byte' })),
    retries: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 20, default: 6, description: 'retries of 5xx answers, timeouts and resets (reads and idempotent writes only)' }),
    ),
    concurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 32, default: 4, description: 'requests in flight at once against this server, shared by every stream of the connection' }),
    ),
  },
  { additionalProperties: false },
);
export type VendureConfig = Static<typeof VendureConfig>;

/** The connection with every default applied, parsed once. */
export interface VendureSettings {
  url: string;
  username: string;
  password: string;
  channelToken: string | undefined;
  authTokenHeader: string;
  channelTokenHeader: string;
  /** What the HTTP client of core/http is given: the endpoint, timeouts, retries and the request budget. */
  http: HttpConnection;
}

export function vendureSettings(config: VendureConfig): VendureSettings {
  return {
    url: config.url,
    username: config.username,
    password: config.password,
    channelToken: config.channel_token,
    authTokenHeader: (config.auth_token_header ?? 'vendure-auth-token').toLowerCase(),
    channelTokenHeader: config.channel_token_header ?? 'vendure-token',
    http: {
      base_url: config.url,
      timeout_ms: config.timeout_ms,
      retries: config.retries,
      // One budget per server and administrator: two connections to the same shop share it.
      rate_limit: { account: `vendure ${new URL(config.url).origin}`, concurrency: config.concurrency ?? 4 },
    },
  };
}

/** How messages name the server: its host and API path, never a credential. */
export function where(settings: Pick<VendureSettings, 'url'>): string {
  const url = new URL(settings.url);
  return `vendure ${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
