/**
 * Credentials for HTTP APIs: an API key in a header or the query, a bearer token, basic auth,
 * or OAuth2 client credentials with the token refreshed before it expires. Every credential
 * field is `secret: true`, so it must come from ${env:…} or ${file:…} and is redacted everywhere.
 */
import { Type, type Static } from '@sinclair/typebox';
import axios from 'axios';
import { KeelError } from '../errors.js';

const secret = (description: string) => Type.String({ minLength: 1, secret: true, description });

export const HttpAuthSchema = Type.Object(
  {
    type: Type.Union(
      [
        Type.Literal('none'),
        Type.Literal('api_key_header'),
        Type.Literal('api_key_query'),
        Type.Literal('bearer'),
        Type.Literal('basic'),
        Type.Literal('oauth2_client_credentials'),
      ],
      { description: 'how requests prove who they come from' },
    ),
    header: Type.Optional(Type.String({ minLength: 1, description: 'api_key_header: the header, e.g. X-Shopify-Access-Token' })),
    param: Type.Optional(Type.String({ minLength: 1, description: 'api_key_query: the query parameter, e.g. api_key' })),
    value: Type.Optional(secret('api_key_header / api_key_query: the key')),
    token: Type.Optional(secret('bearer: the token')),
    username: Type.Optional(Type.String({ minLength: 1, description: 'basic: the user (a WooCommerce consumer key, say)' })),
    password: Type.Optional(secret('basic: the password or consumer secret')),
    token_url: Type.Optional(Type.String({ minLength: 1, description: 'oauth2_client_credentials: where tokens are issued' })),
    client_id: Type.Optional(Type.String({ minLength: 1, description: 'oauth2_client_credentials: the client id' })),
    client_secret: Type.Optional(secret('oauth2_client_credentials: the client secret')),
    scope: Type.Optional(Type.String({ description: 'oauth2_client_credentials: the scope asked for with each token, when the token endpoint wants one' })),
  },
  {
    additionalProperties: false,
    allOf: [
      { if: { properties: { type: { const: 'api_key_header' } } }, then: { required: ['header', 'value'] } },
      { if: { properties: { type: { const: 'api_key_query' } } }, then: { required: ['param', 'value'] } },
      { if: { properties: { type: { const: 'bearer' } } }, then: { required: ['token'] } },
      { if: { properties: { type: { const: 'basic' } } }, then: { required: ['username', 'password'] } },
      { if: { properties: { type: { const: 'oauth2_client_credentials' } } }, then: { required: ['token_url', 'client_id', 'client_secret'] } },
    ],
  },
);
export type HttpAuth = Static<typeof HttpAuthSchema>;

/** What a request needs added to it. */
export interface Credentials {
  headers: Record<string, string>;
  query: Record<string, string>;
}

export interface AuthProvider {
  credentials(signal?: AbortSignal): Promise<Credentials>;
  /** The server said 401: drop a cached token so the next call fetches a fresh one. Returns whether that can help. */
  invalidate(): boolean;
  /** Query parameters whose values are secrets: left out of URLs in messages. */
  readonly secretParams: readonly string[];
}

export function authProvider(auth: HttpAuth | undefined, timeoutMs: number): AuthProvider {
  const none = { headers: {}, query: {} };
  const fixed = (credentials: Credentials, secretParams: string[] = []): AuthProvider => ({
    credentials: async () => credentials,
    invalidate: () => false,
    secretParams,
  });
  switch (auth?.type) {
    case undefined:
    case 'none':
      return fixed(none);
    case 'api_key_header':
      return fixed({ headers: { [auth.header as string]: auth.value as string }, query: {} });
    case 'api_key_query':
      return fixed({ headers: {}, query: { [auth.param as string]: auth.value as string } }, [auth.param as string]);
    case 'bearer':
      return fixed({ headers: { authorization: `Bearer ${auth.token as string}` }, query: {} });
    case 'basic': {
      const pair = Buffer.from(`${auth.username as string}:${auth.password as string}`).toString('base64');
      return fixed({ headers: { authorization: `Basic ${pair}` }, query: {} });
    }
    case 'oauth2_client_credentials':
      return new ClientCredentials(auth, timeoutMs);
  }
}

/** OAuth2 client credentials (RFC 6749 §4.4): one token at a time, renewed before it runs out. */
class ClientCredentials implements AuthProvider {
  readonly secretParams: readonly string[] = [];
  private token: { value: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;
  /** Tokens fetched so far; a test can see that renewal happened. */
  fetched = 0;

  constructor(
    private readonly auth: HttpAuth,
    private readonly timeoutMs: number,
  ) {}

  async credentials(signal?: AbortSignal): Promise<Credentials> {
    const now = Date.now();
    if (this.token === undefined || now >= this.token.renewAt) {
      // One refresh for all the requests that find the token stale at once.
      this.pending ??= this.fetchToken(signal).finally(() => {
        this.pending = undefined;
      });
      await this.pending;
    }
    return { headers: { authorization: `Bearer ${(this.token as { value: string }).value}` }, query: {} };
  }

  invalidate(): boolean {
    this.token = undefined;
    return true;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.auth.scope !== undefined) body.set('scope', this.auth.scope);
    const basic = Buffer.from(`${encodeURIComponent(this.auth.client_id as string)}:${encodeURIComponent(this.auth.client_secret as string)}`).toString('base64');
    const tokenUrl = this.auth.token_url as string;
    let response;
    try {
      response = await axios.post<unknown>(tokenUrl, body.toString(), {
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}`, accept: 'application/json' },
        timeout: this.timeoutMs,
        maxRedirects: 0,
        maxContentLength: 1024 * 1024,
        validateStatus: () => true,
        signal,
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'network error';
      throw new KeelError('transient', `token request to ${originOf(tokenUrl)} failed (${code}); is token_url reachable?`, { code: 'auth_unreachable', stage: 'http' });
    }
    const data = response.data as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (response.status !== 200 || typeof data?.access_token !== 'string') {
      throw new KeelError('auth', `token request to ${originOf(tokenUrl)} was refused with HTTP ${response.status}; check client_id, client_secret and scope`, {
        code: 'auth_refused',
        stage: 'http',
      });
    }
    const lifetimeMs = typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in * 1000 : 3600_000;
    // Renew when 90% of the lifetime is gone (at most a minute early), never on the last second.
    const margin = Math.min(60_000, lifetimeMs * 0.1);
    this.token = { value: data.access_token, renewAt: Date.now() + lifetimeMs - margin };
    this.fetched += 1;
    return data.access_token;
  }
}

function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'token_url';
  }
}
