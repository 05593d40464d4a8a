/**
 * The HTTP client every HTTP connector uses (axios underneath): credentials, a shared rate
 * budget per account, retries with backoff for 5xx, timeouts and resets, `Retry-After`, a
 * response size limit, no redirects, and no requests to any host but the configured one.
 * Failures are KeelErrors whose messages never carry credentials or request headers; what a
 * status means is looked up in a status table (status-table.ts) that a vendor connector extends.
 */
import { CloneType, Type, type Static } from '@sinclair/typebox';
import axios, { type AxiosResponse } from 'axios';
import { parseJsonText } from '../codecs/json-text.js';
import { DEFAULT_MAX_DEPTH } from '../codecs/limits.js';
import { KeelError, RecordRejection, type ErrorKind } from '../errors.js';
import { anySignal, backoffDelayMs, sleep } from '../runtime/backoff.js';
import { authProvider, HttpAuthSchema, type AuthProvider } from './auth.js';
import type { Logger } from '../logger.js';
import { outageWatchFor, type OutageWatch } from './outage.js';
import type { RateLedger } from '../state/rate-ledger.js';
import { rateBudgetFor, type HeaderReader, type Priority, type RateBudget } from './rate-budget.js';
import { retryAfterMs } from './retry-after.js';
import { DEFAULT_STATUS_TABLE, extendStatusTable, ruleForStatus, type StatusTable } from './status-table.js';

export const HttpConnectionSchema = Type.Object(
  {
    base_url: Type.String({ pattern: '^https?://', description: 'API root; request paths are relative to it, e.g. https://shop.example/admin/api/2024-10' }),
    auth: Type.Optional(CloneType(HttpAuthSchema, { description: 'credentials sent with every request; none when left out' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'sent with every request (not for secrets: use auth)' })),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, default: 30_000, description: 'per request, connect to last byte' })),
    max_response_bytes: Type.Optional(
      Type.Integer({ minimum: 1024, default: 50 * 1024 * 1024, description: 'largest response body taken; a larger one fails its request (response_too_large)' }),
    ),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 6, description: 'retries of 5xx, 429, timeouts and resets' })),
    down_after_ms: Type.Optional(
      Type.Integer({
        minimum: 100,
        default: 60_000,
        description: 'when the host has answered no request for this long (refused, timed out, 5xx), requests fail at once instead of retrying, so the run reports it down',
      }),
    ),
    rate_limit: Type.Optional(
      Type.Object(
        {
          account: Type.Optional(Type.String({ description: 'budget shared by every connection naming this account; default: the base URL origin' })),
          burst: Type.Optional(Type.Integer({ minimum: 1, description: 'bucket size: requests that may go out at once before the sustained rate applies (Shopify REST: 40); default: no limit' })),
          per_second: Type.Optional(
            Type.Number({ exclusiveMinimum: 0, description: 'sustained rate in requests per second (Shopify REST: 2); default: 2 with call_limit_header, else no limit' }),
          ),
          concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, default: 8, description: 'requests in flight at once on this account, per process' })),
          call_limit_header: Type.Optional(Type.String({ description: 'header with "used/limit", e.g. X-Shopify-Shop-Api-Call-Limit' })),
        },
        {
          additionalProperties: false,
          description:
            "the account's request budget, shared by every pipeline and every process of the project through its state store; kept in step with call-limit, remaining/reset and Retry-After headers",
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type HttpConnection = Static<typeof HttpConnectionSchema>;

export type QueryValue = string | number | boolean;

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path below base_url, or an absolute URL on the same origin (a `Link` header's next page). */
  path: string;
  query?: Record<string, QueryValue | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  priority?: Priority;
  /** Sent as Idempotency-Key (or the header named in `idempotencyHeader`); makes a write safe to retry. */
  idempotencyKey?: string;
  idempotencyHeader?: string;
  /** Statuses besides 2xx returned to the caller instead of thrown, e.g. 404 for a lookup. */
  accept?: readonly number[];
  /** Whether to retry after a failure the server may have acted on. GETs: yes; writes: only with a key. */
  retry?: boolean;
  /** Cancels the request itself (a second Ctrl-C). */
  signal?: AbortSignal;
  /** A stop was requested: a request in flight finishes, but no retry or wait starts. */
  stopping?: AbortSignal;
  /** Where requests, retries and outages are logged (the run's logger). */
  logger?: Logger;
}

export interface HttpResponse {
  status: number;
  header: HeaderReader;
  data: unknown;
  /** The request as it can be shown: method, path, no query values that are secrets. */
  label: string;
}

const BODY_SNIPPET = 500;

export interface HttpClientOptions {
  /** The API's own meanings of statuses, on top of the default table (see status-table.ts). */
  statuses?: StatusTable;
  /**
   * Where the account's rate budget lives (the connector's `ctx.rates`: the project's state store),
   * so every process of the project shares it. Without it the budget is this process's alone.
   */
  rates?: RateLedger | undefined;
  /**
   * A header in which the API says the rate it applies to this caller, in requests per second
   * (Amazon SP-API: x-amzn-RateLimit-Limit): the budget follows it (rate-budget.ts).
   */
  rateHeader?: string;
}

export class HttpClient {
  private readonly base: URL;
  private readonly auth: AuthProvider;
  private readonly budget: RateBudget;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly retries: number;
  private readonly outage: OutageWatch;
  private readonly statuses: StatusTable;
  /** Responses by status class and retries made, for summaries and tests. */
  readonly stats = { requests: 0, retries: 0, rateLimited: 0 };

  constructor(
    private readonly config: HttpConnection,
    options: HttpClientOptions = {},
  ) {
    this.statuses = options.statuses === undefined ? DEFAULT_STATUS_TABLE : extendStatusTable(options.statuses);
    this.base = new URL(config.base_url.endsWith('/') ? config.base_url : `${config.base_url}/`);
    this.timeoutMs = config.timeout_ms ?? 30_000;
    this.maxBytes = config.max_response_bytes ?? 50 * 1024 * 1024;
    this.retries = config.retries ?? 6;
    this.auth = authProvider(config.auth, this.timeoutMs);
    const limit = config.rate_limit ?? {};
    const perSecond = limit.per_second ?? (limit.call_limit_header !== undefined ? 2 : undefined);
    this.budget = rateBudgetFor(limit.account ?? this.base.origin, { ...limit, per_second: perSecond, rate_header: options.rateHeader }, options.rates);
    this.outage = outageWatchFor(limit.account ?? this.base.origin, config.down_after_ms ?? 60_000);
  }

  /** Sends a request; returns a 2xx (or an accepted status) response, throws a KeelError for the rest. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const method = request.method ?? 'GET';
    const url = this.resolve(request.path);
    const label = `${method} ${this.describe(url, request.query)}`;
    const retrySafe = request.retry ?? (method === 'GET' || request.idempotencyKey !== undefined);
    const logger = request.logger;
    // Waits (for a slot, between retries) end on a stop request too; a request in flight only on the hard signal.
    const waits = anySignal(request.signal, request.stopping);
    let authRetried = false;
    for (let attempt = 1; ; attempt += 1) {
      this.checkGoing(request, label);
      let release: () => void;
      try {
        release = await this.budget.acquire(request.priority ?? 'normal', waits);
      } catch (error) {
        if (error instanceof Error && error.name === 'AbortError') throw this.stopped(request, label);
        throw ledgerFailed(label, error);
      }
      let response: AxiosResponse<string> | undefined;
      let failure: string | undefined;
      const started = Date.now();
      try {
        const credentials = await this.auth.credentials(request.signal);
        const headers: Record<string, string> = { accept: 'application/json', ...this.config.headers, ...request.headers, ...credentials.headers };
        if (request.idempotencyKey !== undefined) headers[request.idempotencyHeader ?? 'Idempotency-Key'] = request.idempotencyKey;
        if (request.body !== undefined) headers['content-type'] = 'application/json';
        const target = new URL(url);
        for (const [key, value] of Object.entries({ ...request.query, ...credentials.query })) {
          if (value !== undefined) target.searchParams.set(key, String(value));
        }
        this.stats.requests += 1;
        response = await axios.request<string>({
          method,
          url: target.toString(),
          headers,
          data: request.body === undefined ? undefined : JSON.stringify(request.body),
          timeout: this.timeoutMs,
          maxContentLength: this.maxBytes,
          maxBodyLength: this.maxBytes,
          maxRedirects: 0,
          responseType: 'text',
          transformResponse: [(data: unknown) => data],
          validateStatus: () => true,
          signal: request.signal,
        });
      } catch (error) {
        if (request.signal?.aborted === true) throw new KeelError('transient', `${label} was stopped`, { code: 'aborted', stage: 'http' });
        if (error instanceof KeelError) throw error;
        failure = networkFailure(error, this.maxBytes);
        if (failure.startsWith('response larger')) {
          throw new RecordRejection(`${label}: ${failure}`, 'response_too_large', { stage: 'http' });
        }
        this.outage.failed(failure);
      } finally {
        release();
      }

      if (response !== undefined) {
        const res = response;
        const header: HeaderReader = (name) => {
          const value: unknown = res.headers[name.toLowerCase()];
          return value === undefined || value === null ? undefined : String(value);
        };
        try {
          await this.budget.observe(res.status, header);
        } catch (error) {
          throw ledgerFailed(label, error);
        }
        const status = res.status;
        logger?.debug('HTTP request', { request: label, status, ms: Date.now() - started, attempt });
        if (status < 500) this.outage.answered();
        else this.outage.failed(`HTTP ${status}`);
        if ((status >= 200 && status < 300) || request.accept?.includes(status) === true) {
          return { status, header, data: parseBody(res.data, header('content-type'), label), label };
        }
        const rule = ruleForStatus(this.statuses, status, res.data);
        if (rule.refreshAuth === true && !authRetried && this.auth.invalidate()) {
          authRetried = true;
          attempt -= 1;
          continue;
        }
        const message = `${label} → HTTP ${status}${rule.hint !== undefined ? `: ${rule.hint}` : ''}${rule.quoteBody === false ? '' : bodySnippet(res.data)}`;
        const code = rule.code ?? `http_${status}`;
        if (rule.kind === 'rate_limited') this.stats.rateLimited += 1;
        if (rule.retry !== true) throw httpError(rule.kind, message, code);
        const wait = retryAfterMs(header('retry-after'));
        if (!retrySafe || attempt > this.retries) throw httpError(rule.kind, `${message} (after ${attempt} attempts)`, code, wait);
        this.stats.retries += 1;
        // 429 waits in the shared budget (observe() paused it); others back off here.
        const delay = status === 429 ? 0 : Math.max(wait ?? 0, backoffDelayMs(RETRY, attempt));
        logger?.warn('HTTP request failed; retrying', { request: label, status, attempt, delay_ms: delay });
        if (delay > 0) await sleep(delay, waits);
        continue;
      }
      logger?.debug('HTTP request failed', { request: label, error: failure ?? 'no response', ms: Date.now() - started, attempt });
      if (!retrySafe || attempt > this.retries) {
        throw new KeelError('transient', `${label}: ${failure ?? 'no response'} (after ${attempt} attempts)`, { code: 'http_network', stage: 'http' });
      }
      this.stats.retries += 1;
      const delay = backoffDelayMs(RETRY, attempt);
      logger?.warn('HTTP request failed; retrying', { request: label, error: failure ?? 'no response', attempt, delay_ms: delay });
      await sleep(delay, waits);
    }
  }

  /** Before each attempt: no new request once a stop was asked for, none to a host that is down (but a probe now and then). */
  private checkGoing(request: HttpRequest, label: string): void {
    if (request.signal?.aborted === true || request.stopping?.aborted === true) throw this.stopped(request, label);
    const down = this.outage.refuse();
    if (down !== undefined) {
      throw new KeelError('transient', `${label}: ${this.base.host} is down: no answer for ${Math.round(down.sinceMs / 1000)} s (last: ${down.reason}); not sent`, {
        code: 'http_down',
        stage: 'http',
      });
    }
  }

  private stopped(request: HttpRequest, label: string): KeelError {
    if (request.signal?.aborted === true) return new KeelError('transient', `${label} was stopped`, { code: 'aborted', stage: 'http' });
    return new KeelError('transient', `${label}: not sent, as the run is stopping`, { code: 'stopped', stage: 'http' });
  }

  /** Paths are below base_url; absolute URLs must stay on its origin (a next-page link may not send credentials elsewhere). */
  private resolve(path: string): URL {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
      const url = new URL(path);
      if (url.origin !== this.base.origin) {
        throw new KeelError('fatal', `refusing to call ${url.origin}: only ${this.base.origin} (base_url) is allowed`, { code: 'foreign_url', stage: 'http' });
      }
      return url;
    }
    const relative = path.replace(/^\/+/, '');
    const url = new URL(relative, this.base);
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) {
      throw new KeelError('fatal', `path "${path}" leaves base_url ${this.base.href}`, { code: 'foreign_url', stage: 'http' });
    }
    return url;
  }

  private describe(url: URL, query: HttpRequest['query']): string {
    const shown = new URL(url);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) shown.searchParams.set(key, String(value));
    for (const param of this.auth.secretParams) if (shown.searchParams.has(param)) shown.searchParams.set(param, '***');
    const search = shown.search.length > 120 ? `${shown.search.slice(0, 120)}…` : shown.search;
    // The host is named: with several shops and APIs in one project, a path alone does not say which failed.
    return `${shown.host}${shown.pathname}${search}`;
  }
}

/**
 * One client per connection config (and rate ledger), so its token cache and statistics live
 * across pages and batches. A connector passes the same options on every call: the first call's
 * are kept, but for `rates`: a config used with another state store gets a client of its own.
 */
const CLIENTS = new WeakMap<object, Map<RateLedger | undefined, HttpClient>>();
export function httpClientFor(config: HttpConnection, options: HttpClientOptions = {}): HttpClient {
  let byLedger = CLIENTS.get(config);
  if (byLedger === undefined) {
    byLedger = new Map();
    CLIENTS.set(config, byLedger);
  }
  let client = byLedger.get(options.rates);
  if (client === undefined) {
    client = new HttpClient(config, options);
    byLedger.set(options.rates, client);
  }
  return client;
}

/** The state store could not keep the account's budget: nothing can be sent safely, so the run stops. */
function ledgerFailed(label: string, error: unknown): KeelError {
  const reason = error instanceof Error ? error.message : String(error);
  return new KeelError('fatal', `${label}: not sent: the rate budget in the state store failed: ${reason}`, { code: 'rate_ledger_failed', stage: 'http', cause: error });
}

const RETRY = { maxAttempts: 0, initialDelayMs: 200, maxDelayMs: 15_000 };

/** The error for a status by its rule's kind: a record error is a RecordRejection, like every other. */
function httpError(kind: ErrorKind, message: string, code: string, retryAfterMs?: number): KeelError {
  if (kind === 'record') return new RecordRejection(message, code, { stage: 'http' });
  return new KeelError(kind, message, { code, stage: 'http', retryAfterMs });
}

function networkFailure(error: unknown, maxBytes: number): string {
  const { code, message } = error as { code?: string; message?: string };
  if (typeof message === 'string' && /maxContentLength/i.test(message)) return `response larger than ${maxBytes} bytes (max_response_bytes)`;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return 'timed out';
  return code !== undefined ? `connection failed (${code})` : 'connection failed';
}

/** Deepest response body accepted: records inside it are checked against the record limit by the reader. */
const MAX_BODY_DEPTH = DEFAULT_MAX_DEPTH * 2;

/** A JSON body as every decoder reads JSON: exact big integers, inert __proto__ keys, bounded depth. */
function parseBody(text: string, contentType: string | undefined, label: string): unknown {
  if (text === '' || text === undefined) return undefined;
  if (contentType !== undefined && !/json/i.test(contentType)) return text;
  const parsed = parseJsonText(text, MAX_BODY_DEPTH);
  if (parsed.ok) return parsed.value;
  if (parsed.tooDeep) {
    throw new KeelError('fatal', `${label}: the response is ${parsed.reason.replace(/;.*$/, '')}, which no record can be; the API is broken or hostile`, { code: 'http_too_deep', stage: 'http' });
  }
  throw new KeelError('transient', `${label}: the response is not valid JSON (${text.length} bytes starting ${JSON.stringify(text.slice(0, 40))})`, {
    code: 'http_bad_json',
    stage: 'http',
  });
}

function bodySnippet(text: string): string {
  if (typeof text !== 'string' || text.trim() === '') return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return `: ${flat.length > BODY_SNIPPET ? `${flat.slice(0, BODY_SNIPPET)}… (${flat.length} chars)` : flat}`;
}
