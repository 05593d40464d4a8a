/**
 * One SP-API call: through Keel's HTTP client (core/http: retries of 429 and 5xx, timeouts, no
 * redirects, no other host), one client and rate budget per operation (usage-plans.ts) kept in
 * the run's state store so every process of the project shares it, the LWA access token in
 * `x-amz-access-token`, fetched once more when Amazon says it expired, and every other error
 * named by amazon-errors.ts.
 */
import { httpClientFor, type QueryValue } from '../../core/http/http-client.js';
import type { Logger } from '../../core/logger.js';
import type { RateLedger } from '../../core/state/rate-ledger.js';
import { accessTokenExpired, MAPPED_STATUSES, spApiError } from './amazon-errors.js';
import { amazonSettings, type AmazonConfig, type AmazonSettings } from './config.js';
import { LwaTokens } from './lwa-tokens.js';
import { RATE_HEADER, type SpOperation } from './usage-plans.js';

export interface CallContext {
  signal: AbortSignal;
  stopping?: AbortSignal;
  logger: Logger;
  /** The run's rate ledger (ctx.rates): the budgets of the account live there. */
  rates?: RateLedger;
}

export interface SpRequest {
  method?: 'GET' | 'POST';
  path: string;
  /** Lists are sent comma-separated, as the API models say (`MarketplaceIds=A1,A2`). */
  query?: Record<string, QueryValue | readonly string[] | undefined>;
  body?: unknown;
}

export class SpApi {
  readonly tokens: LwaTokens;

  constructor(readonly settings: AmazonSettings) {
    this.tokens = new LwaTokens(settings);
  }

  /** Sends `request` as `operation`; returns the parsed 2xx body, throws a KeelError for the rest. */
  async call(operation: SpOperation, request: SpRequest, ctx: CallContext): Promise<unknown> {
    const client = httpClientFor(this.settings.operations[operation], { rates: ctx.rates, rateHeader: RATE_HEADER });
    const query: Record<string, QueryValue | undefined> = {};
    for (const [name, value] of Object.entries(request.query ?? {})) query[name] = Array.isArray(value) ? value.join(',') : (value as QueryValue | undefined);
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.tokens.accessToken(ctx);
      const response = await client.request({
        method: request.method ?? 'GET',
        path: request.path,
        query,
        body: request.body,
        headers: { 'x-amz-access-token': token },
        accept: MAPPED_STATUSES,
        // Reads, and writes whose repetition is harmless (a spare feed document, a feed with the same absolute values).
        retry: true,
        priority: 'high',
        signal: ctx.signal,
        stopping: ctx.stopping,
        logger: ctx.logger,
      });
      if (response.status >= 200 && response.status < 300) return response.data;
      if (!refreshed && accessTokenExpired(response.status, response.data)) {
        this.tokens.forget(token);
        ctx.logger.info('amazon says the access token expired; fetching a fresh one', { account: this.settings.place, operation });
        continue;
      }
      throw spApiError(this.settings.place, operation, response.status, response.data);
    }
  }
}

const APIS = new WeakMap<object, SpApi>();

/** One API per connection config, so the access token lives across pages, batches and streams of a run. */
export function spApiFor(config: AmazonConfig): SpApi {
  let api = APIS.get(config);
  if (api === undefined) {
    api = new SpApi(amazonSettings(config));
    APIS.set(config, api);
  }
  return api;
}
