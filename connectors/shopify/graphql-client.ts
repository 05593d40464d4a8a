/**
 * One GraphQL request to the Admin API: through Keel's HTTP client (credentials, retries of 5xx
 * and resets, timeouts, no redirects, only the shop's origin), paced by the shop's point bucket,
 * with THROTTLED answers waited out and everything else mapped by shopify-errors.ts.
 */
import { KeelError } from '../../core/errors.js';
import { httpClientFor, type HttpClient } from '../../core/http/http-client.js';
import type { JsonObject } from '../../core/json.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectorState } from '../../core/sdk/connector.js';
import type { RateLedger } from '../../core/state/rate-ledger.js';
import { costBucketFor, type CostBucket, type QueryCost, type Ticket } from './cost-bucket.js';
import type { ShopifySettings } from './config.js';
import { sharedPointsFor, type SharedTake } from './shared-points.js';
import { graphqlError, graphqlErrorCode, httpStatusError, type GraphqlError } from './shopify-errors.js';

/** A named GraphQL document; the emulator and the logs know it by its operation name. */
export interface Operation {
  name: string;
  document: string;
  /** Points the operation is expected to request, until Shopify reports its requestedQueryCost. */
  estimate: (variables: JsonObject) => number;
  /** A mutation that may not be sent twice (no idempotency key): no retry after a failure the server may have acted on. */
  unsafe?: boolean;
}

export interface CallContext {
  signal: AbortSignal;
  stopping?: AbortSignal | undefined;
  logger: Logger;
  /** The state store's rate ledger: with it, every process of the project spends from one point bucket. */
  rates?: RateLedger | undefined;
  /** The connection's state, where the bucket's shape is kept for processes that have not had an answer yet. */
  state?: ConnectorState | undefined;
}

/** What a request needs from a stream's context. */
export const callFrom = (ctx: CallContext): CallContext => ({ signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger, rates: ctx.rates, state: ctx.state });

interface GraphqlBody {
  data?: JsonObject | null;
  errors?: GraphqlError[];
  extensions?: { cost?: QueryCost };
}

/** Statuses handed back by the HTTP client so the table in shopify-errors.ts can name them. */
const MAPPED_STATUSES = [400, 401, 402, 403, 404, 406, 423] as const;

export class ShopifyGraphql {
  private readonly http: HttpClient;
  readonly bucket: CostBucket;

  constructor(readonly settings: ShopifySettings) {
    this.http = httpClientFor(settings.http);
    this.bucket = costBucketFor(settings.apiRoot);
  }

  /** Runs an operation and returns its `data`; throws a KeelError for anything but data. */
  async run(operation: Operation, variables: JsonObject, ctx: CallContext): Promise<JsonObject> {
    const shop = this.settings.shopName;
    for (let wait = 0; ; wait += 1) {
      const cost = this.bucket.costOf(operation.name, operation.estimate(variables));
      const stop = ctx.stopping === undefined ? ctx.signal : AbortSignal.any([ctx.signal, ctx.stopping]);
      const shared = ctx.rates === undefined ? undefined : sharedPointsFor(ctx.rates, `shopify-points:${this.settings.apiRoot}`, ctx.state);
      let ticket: Ticket | undefined;
      let taken: SharedTake | undefined;
      try {
        ticket = await this.bucket.take(cost, stop);
        taken = await shared?.take(cost, this.bucket.shape(), stop);
      } catch {
        if (ticket !== undefined) this.bucket.cancel(ticket);
        throw new KeelError('transient', `shopify ${shop}: ${operation.name} not sent, as the run is stopping`, { code: 'stopped', stage: 'shopify' });
      }
      let response;
      try {
        response = await this.http.request({
          method: 'POST',
          path: 'graphql.json',
          body: { query: operation.document, variables, operationName: operation.name },
          accept: MAPPED_STATUSES,
          // Queries and keyed mutations are safe to send again after a reset; a create without a key is not.
          retry: operation.unsafe !== true,
          priority: 'high',
          signal: ctx.signal,
          stopping: ctx.stopping,
          logger: ctx.logger,
        });
      } catch (error) {
        this.bucket.cancel(ticket);
        throw error;
      }
      if (response.status !== 200) {
        this.bucket.cancel(ticket);
        throw httpStatusError(response.status, shop, response.data);
      }
      const body = (response.data ?? {}) as GraphqlBody;
      const errors = Array.isArray(body.errors) ? body.errors : [];
      const reported = body.extensions?.cost;
      const throttled = errors.some((error) => graphqlErrorCode(error) === 'THROTTLED');
      await shared?.settle(taken, reported, throttled);
      if (throttled) {
        this.bucket.throttled(ticket, operation.name, reported);
        const retryAfterMs = this.bucket.waitMs(reported?.requestedQueryCost ?? cost);
        ctx.logger.debug('Shopify answered THROTTLED; waiting for points', {
          operation: operation.name,
          requested: reported?.requestedQueryCost ?? cost,
          available: reported?.throttleStatus?.currentlyAvailable,
          restore_rate: reported?.throttleStatus?.restoreRate,
          wait_ms: retryAfterMs,
        });
        if (wait + 1 >= this.settings.maxThrottleWaits) throw graphqlError(errors, shop, operation.name, retryAfterMs);
        continue; // take() waits until the points are back
      }
      this.bucket.settle(ticket, operation.name, reported);
      if (errors.length > 0) throw graphqlError(errors, shop, operation.name);
      if (body.data === undefined || body.data === null) {
        throw new KeelError('transient', `shopify ${shop}: ${operation.name}: the answer holds no data`, { code: 'shopify_no_data', stage: 'shopify' });
      }
      return body.data;
    }
  }
}

const CLIENTS = new WeakMap<object, ShopifyGraphql>();

/** One client per parsed connection config, so its HTTP client and bucket live across pages and batches. */
export function shopifyGraphqlFor(settings: ShopifySettings): ShopifyGraphql {
  let client = CLIENTS.get(settings);
  if (client === undefined) {
    client = new ShopifyGraphql(settings);
    CLIENTS.set(settings, client);
  }
  return client;
}
