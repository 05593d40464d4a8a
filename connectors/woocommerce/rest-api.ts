/**
 * Reading a WooCommerce collection (orders, products) page by page: `page` and `per_page`, with
 * the number of pages in `X-WP-TotalPages`. A full sync follows the pages to the end. An
 * incremental sync is core/http's walk by updated-at (walkIncrementalPages) over
 * `date_modified_gmt`, asking `modified_after` with `dates_are_gmt=true` and
 * `orderby=modified&order=asc`: page numbers shift when records change while pages are read,
 * and the walk reads from the newest time of each page instead of following them, so records
 * sharing a modified time across pages and runs are neither lost nor passed on twice.
 */
import { nestedDeeper } from '../../core/codecs/json-text.js';
import { DEFAULT_MAX_DEPTH, MAX_RAW_CHARS } from '../../core/codecs/limits.js';
import { KeelError } from '../../core/errors.js';
import { httpClientFor, type HttpClient, type HttpResponse } from '../../core/http/http-client.js';
import { UpdatedAtWalk, type Incremental } from '../../core/http/incremental.js';
import { DEFAULT_MAX_RESTARTS, walkIncrementalPages, walkSourcePages, type FetchedPage } from '../../core/http/incremental-pages.js';
import type { PageRequest, Pager } from '../../core/http/pagination.js';
import { isJsonObject, stringifyBounded, type JsonObject } from '../../core/json.js';
import type { Logger } from '../../core/logger.js';
import type { DecodeReject, ReadContext, SourcePage } from '../../core/sdk/connector.js';
import { wooCommerceSettings, type WooCommerceConfig } from './config.js';
import { WOOCOMMERCE_STATUSES } from './woocommerce-errors.js';

export function wooClientFor(config: WooCommerceConfig): HttpClient {
  return httpClientFor(wooCommerceSettings(config).http, { statuses: WOOCOMMERCE_STATUSES });
}

export interface CallContext {
  signal: AbortSignal;
  stopping?: AbortSignal;
  logger: Logger;
}

/** Options every collection read takes (see each stream's schema for the descriptions). */
export interface ListReadOptions {
  page_size?: number;
  lookback_seconds?: number;
  start?: string;
  max_restarts_per_run?: number;
}

/** The walk places records by id and date_modified_gmt; `modified_after` is the parameter it fills. */
export function walkSettings(options: ListReadOptions): Incremental {
  return {
    field: 'date_modified_gmt',
    param: 'modified_after',
    id: 'id',
    lookback_seconds: options.lookback_seconds ?? 300,
    start: options.start,
    max_restarts_per_run: options.max_restarts_per_run,
  };
}

/** `page`/`per_page`; the last page is the one numbered `X-WP-TotalPages` (or a short one, without the header). */
export function wpPager(size: number): Pager {
  return {
    size,
    first: (request) => ({ path: request.path, query: { ...request.query, page: 1, per_page: size } }),
    next: (request, response, count) => {
      const page = Number(request.query['page'] ?? 1);
      const total = Number(response.header('x-wp-totalpages'));
      const more = Number.isInteger(total) && response.header('x-wp-totalpages') !== undefined ? page < total : count >= size;
      return more && count > 0 ? { path: request.path, query: { ...request.query, page: page + 1 } } : undefined;
    },
  };
}

/**
 * `modified_after` as sent: WooCommerce's is strictly later and its times have whole seconds,
 * so the walk's "at or after T" is asked as "after T minus one second", in UTC (dates_are_gmt).
 */
export function modifiedAfter(from: string): string {
  return new Date(Math.floor(Date.parse(from) / 1000) * 1000 - 1000).toISOString().slice(0, 19);
}

/** WooCommerce writes `*_gmt` times without an offset; they are UTC, and say so once read. */
export function markGmt(record: JsonObject): JsonObject {
  for (const [field, value] of Object.entries(record)) {
    if (field.endsWith('_gmt') && typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(value)) record[field] = `${value}Z`;
  }
  return record;
}

interface ListPage extends FetchedPage {
  refused: DecodeReject[];
}

/**
 * Reads `path` (orders, products) with the stream's query; `complete` adds to each record what
 * another request brings (a variable product's variations) before it is passed on.
 */
export async function* readCollection(
  ctx: ReadContext<WooCommerceConfig, ListReadOptions>,
  path: string,
  query: Record<string, string | number | boolean>,
  complete?: (record: JsonObject, client: HttpClient, call: CallContext) => Promise<void>,
): AsyncIterable<SourcePage> {
  const client = wooClientFor(ctx.config);
  const call: CallContext = { signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger };
  const pager = wpPager(ctx.options.page_size ?? 50);
  const fetch = async (request: PageRequest): Promise<ListPage> => {
    const sent = { ...request.query };
    if (typeof sent['modified_after'] === 'string') sent['modified_after'] = modifiedAfter(sent['modified_after']);
    const response = await client.request({ path: request.path, query: sent, ...call });
    const { records, refused } = pageRecords(response, wooCommerceSettings(ctx.config).shopName);
    if (complete !== undefined) for (const record of records) await complete(record, client, call);
    return { records, refused, count: records.length + refused.length, response };
  };

  if (ctx.sync === 'incremental') {
    const walk = new UpdatedAtWalk(walkSettings(ctx.options), ctx.cursor);
    const base: PageRequest = { path, query: { ...query, dates_are_gmt: true, orderby: 'modified', order: 'asc' } };
    const steps = walkIncrementalPages(walk, pager, base, fetch, {
      maxRestarts: ctx.options.max_restarts_per_run ?? DEFAULT_MAX_RESTARTS,
      signal: ctx.signal,
      logger: ctx.logger,
    });
    yield* walkSourcePages(steps);
    return;
  }

  // A full sync by id: page numbers of a list sorted by id do not shift when records change.
  let request: PageRequest | undefined = pager.first({ path, query: { ...query, orderby: 'id', order: 'asc' } });
  let item = 0;
  while (request !== undefined && !ctx.signal.aborted) {
    const page = await fetch(request);
    const current: PageRequest = request;
    request = pager.next(current, page.response, page.count);
    yield {
      unit: page.response.label,
      positions: 'item',
      records: page.records.map((data) => ({ data, at: (item += 1) })),
      rejects: page.refused,
      checkpoint: { page: request === undefined ? null : Number(request.query['page']) },
    };
  }
}

/** Every page of a small list (a product's variations), for completing a record. */
export async function readAll(client: HttpClient, path: string, call: CallContext, shopName: string): Promise<JsonObject[]> {
  const pager = wpPager(100);
  const all: JsonObject[] = [];
  // Bounded: 100 pages of 100 variations is more than WooCommerce lets a product have.
  for (let request: PageRequest | undefined = pager.first({ path, query: {} }), pages = 0; request !== undefined && pages < 100; pages += 1) {
    const response = await client.request({ path: request.path, query: request.query, ...call });
    const { records } = pageRecords(response, shopName);
    all.push(...records);
    request = pager.next(request, response, records.length);
  }
  return all;
}

function pageRecords(response: HttpResponse, shopName: string): { records: JsonObject[]; refused: DecodeReject[] } {
  if (!Array.isArray(response.data)) {
    throw new KeelError('fatal', `${shopName}: ${response.label}: the answer is no JSON array; is base_url the wc/v3 root?`, { code: 'woocommerce_bad_answer', stage: 'source' });
  }
  const records: JsonObject[] = [];
  const refused: DecodeReject[] = [];
  for (const item of response.data) {
    if (!isJsonObject(item)) continue;
    if (nestedDeeper(item, DEFAULT_MAX_DEPTH)) {
      refused.push({ raw: stringifyBounded(item, MAX_RAW_CHARS), origin: response.label, reason: `the record is nested deeper than ${DEFAULT_MAX_DEPTH} levels` });
    } else records.push(markGmt(item));
  }
  return { records, refused };
}
