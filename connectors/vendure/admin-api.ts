/**
 * Vendure's Admin GraphQL API over Keel's HTTP client (core/http: retries, timeouts, a request
 * budget per server, no redirects, no other host). Logs in with the `login` mutation and sends
 * the session token it gets back in the `vendure-auth-token` header as a bearer token
 * (docs.vendure.io, AuthOptions: tokenMethod 'bearer', authTokenHeaderKey). The token is kept per
 * connection and fetched again once when the server refuses it: Vendure answers an unknown or
 * expired session with HTTP 200 and a FORBIDDEN error (a proxy in front may say 401). The
 * token and the password never appear in a message or a log line.
 */
import { HttpClient, type HttpResponse } from '../../core/http/http-client.js';
import type { Priority } from '../../core/http/rate-budget.js';
import { KeelError } from '../../core/errors.js';
import { isJsonObject } from '../../core/json.js';
import type { Logger } from '../../core/logger.js';
import { vendureSettings, where, type VendureConfig, type VendureSettings } from './config.js';
import { describeErrorResult, graphqlErrorCode, graphqlFault, isErrorResult, type GraphqlError } from './vendure-errors.js';

/** One named GraphQL document of the connector. */
export interface Operation {
  /** The operation name in the document (`query KeelOrders(…)`), sent as operationName and shown in messages. */
  name: string;
  document: string;
  /** Whether sending it twice does no harm: queries, and mutations that set absolute values. */
  retrySafe: boolean;
}

/** What a call needs from the stream it serves. */
export interface CallContext {
  signal: AbortSignal;
  stopping?: AbortSignal;
  logger: Logger;
  priority?: Priority;
}

const LOGIN: Operation = {
  name: 'KeelLogin',
  document: `mutation KeelLogin($username: String!, $password: String!) {
  login(username: $username, password: $password) {
    __typename
    ... on CurrentUser { id identifier }
    ... on ErrorResult { errorCode message }
  }
}`,
  retrySafe: true,
};

/** Retries of a retry-safe operation answered with a server fault inside HTTP 200, and the first pause. */
const GRAPHQL_RETRIES = 3;
const GRAPHQL_RETRY_MS = 250;

/** Codes that mean "this session is not (or no longer) valid": log in again once, then give up. */
const SESSION_REFUSED = new Set(['FORBIDDEN', 'UNAUTHORIZED']);

export class VendureAdminApi {
  /** How messages name the server. */
  readonly place: string;
  /** Logins so far: tests see a refresh happen. */
  logins = 0;
  private readonly client: HttpClient;
  private token: string | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly settings: VendureSettings) {
    this.place = where(settings);
    this.client = new HttpClient(settings.http);
  }

  /**
   * Runs one operation and returns its `data`. Faults become KeelErrors by the error table; an
   * ErrorResult in the data is the caller's to judge (isErrorResult in vendure-errors.ts).
   */
  async call<T>(operation: Operation, variables: Record<string, unknown>, ctx: CallContext): Promise<T> {
    let faults = 0;
    for (let attempt = 1; ; attempt += 1) {
      const token = await this.session(ctx);
      const response = await this.post(operation, variables, token, ctx);
      const errors = errorsOf(response.data);
      const refused = response.status === 401 || errors.some((error) => SESSION_REFUSED.has(graphqlErrorCode(error) ?? ''));
      if (refused && attempt === 1) {
        // The session may have expired or been revoked: one fresh login, then the same request again.
        this.forget(token);
        ctx.logger.info('vendure refused the session; logging in again', { server: this.place, operation: operation.name });
        continue;
      }
      if (response.status === 401) {
        throw new KeelError('auth', `${this.place}: ${operation.name} → HTTP 401 after a fresh login; check username and password`, {
          code: 'vendure_unauthorized',
          stage: 'vendure',
        });
      }
      if (errors.length > 0) {
        const fault = graphqlFault(errors, this.place, operation.name);
        // A fault inside an answer (HTTP 200) is not retried by the HTTP client: a locked database, say.
        if (fault.kind === 'transient' && operation.retrySafe && faults < GRAPHQL_RETRIES && ctx.stopping?.aborted !== true) {
          faults += 1;
          ctx.logger.warn('vendure answered with a server error; retrying', { server: this.place, operation: operation.name, attempt: faults });
          await pause(GRAPHQL_RETRY_MS * 2 ** (faults - 1), ctx.signal);
          attempt = 0;
          continue;
        }
        throw fault;
      }
      const data = isJsonObject(response.data) ? response.data['data'] : undefined;
      if (!isJsonObject(data)) {
        throw new KeelError('fatal', `${this.place}: ${operation.name} answered without data or errors; is url the Admin API (…/admin-api)?`, {
          code: 'vendure_no_data',
          stage: 'vendure',
        });
      }
      return data as T;
    }
  }

  private async post(operation: Operation, variables: Record<string, unknown>, token: string | undefined, ctx: CallContext): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (this.settings.channelToken !== undefined) headers[this.settings.channelTokenHeader] = this.settings.channelToken;
    return this.client.request({
      method: 'POST',
      path: '',
      body: { operationName: operation.name, query: operation.document, variables },
      headers,
      // 400: the query does not fit the schema (GRAPHQL_VALIDATION_FAILED); 401: a proxy refused the session.
      accept: [400, 401],
      retry: operation.retrySafe,
      priority: ctx.priority ?? 'normal',
      signal: ctx.signal,
      stopping: ctx.stopping,
      logger: ctx.logger,
    });
  }

  /** The session token: the cached one, or one fresh login shared by every request that needs it. */
  private async session(ctx: CallContext): Promise<string> {
    if (this.token !== undefined) return this.token;
    this.pending ??= this.login(ctx).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private forget(token: string | undefined): void {
    if (this.token === token) this.token = undefined;
  }

  private async login(ctx: CallContext): Promise<string> {
    const response = await this.post(LOGIN, { username: this.settings.username, password: this.settings.password }, undefined, ctx);
    if (response.status === 401) {
      throw new KeelError('auth', `${this.place}: the login was refused with HTTP 401 before it reached Vendure; check what guards the server (a proxy, basic auth)`, {
        code: 'vendure_unauthorized',
        stage: 'vendure',
      });
    }
    const errors = errorsOf(response.data);
    if (errors.length > 0) throw graphqlFault(errors, this.place, LOGIN.name);
    const data = isJsonObject(response.data) ? response.data['data'] : undefined;
    const result = isJsonObject(data) ? data['login'] : undefined;
    if (isErrorResult(result)) {
      const { message, code } = describeErrorResult(result);
      throw new KeelError(result.errorCode === 'NATIVE_AUTH_STRATEGY_ERROR' ? 'config' : 'auth', `${this.place}: login refused: ${message}`, { code, stage: 'vendure' });
    }
    if (!isJsonObject(result) || result['__typename'] !== 'CurrentUser') {
      throw new KeelError('fatal', `${this.place}: the login answered without a user; is url the Admin API (…/admin-api)?`, { code: 'vendure_login_unexpected', stage: 'vendure' });
    }
    const token = response.header(this.settings.authTokenHeader);
    if (token === undefined || token === '') {
      throw new KeelError(
        'config',
        `${this.place}: the login answered without a ${this.settings.authTokenHeader} header; add 'bearer' to the server's authOptions.tokenMethod, or set auth_token_header to its authTokenHeaderKey`,
        { code: 'vendure_no_token_header', stage: 'vendure' },
      );
    }
    this.logins += 1;
    ctx.logger.debug('vendure login', { server: this.place, user_id: String(result['id'] ?? '') });
    this.token = token;
    return token;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function errorsOf(body: unknown): GraphqlError[] {
  const errors = isJsonObject(body) ? body['errors'] : undefined;
  return Array.isArray(errors) ? (errors.filter((error) => typeof error === 'object' && error !== null) as GraphqlError[]) : [];
}

/** One API per connection config, so the session lives across pages, batches and streams of a run. */
const APIS = new WeakMap<object, VendureAdminApi>();
export function adminApiFor(config: VendureConfig): VendureAdminApi {
  let api = APIS.get(config);
  if (api === undefined) {
    api = new VendureAdminApi(vendureSettings(config));
    APIS.set(config, api);
  }
  return api;
}
