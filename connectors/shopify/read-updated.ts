/**
 * Reads a top-level connection (orders, products) sorted by UPDATED_AT, page by page with
 * `pageInfo { hasNextPage endCursor }`. A full sync follows the cursors to the end. An
 * incremental sync is core/http's updated-at walk (walkIncrementalPages): the filter
 * `updated_at:>='…'` takes the place of a query parameter and `after` of a next-page request,
 * so records sharing an updatedAt across pages and runs are neither lost nor repeated, and
 * records changing while pages are read cannot slide past the boundary.
 *
 * Nested connections (an order's line items) come in pages too: a record whose nested page says
 * hasNextPage is completed with follow-up queries before it is passed on, so a record holds all
 * of its lines whichever way it was read (paged or bulk, see bulk-read.ts).
 */
import { nestedDeeper } from '../../core/codecs/json-text.js';
import { DEFAULT_MAX_DEPTH, MAX_RAW_CHARS } from '../../core/codecs/limits.js';
import { KeelError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http/http-client.js';
import { UpdatedAtWalk, type Incremental } from '../../core/http/incremental.js';
import { DEFAULT_MAX_RESTARTS, walkIncrementalPages, walkSourcePages, type FetchedPage } from '../../core/http/incremental-pages.js';
import type { PageRequest, Pager } from '../../core/http/pagination.js';
import { isJsonObject, stringifyBounded, type JsonObject, type JsonValue } from '../../core/json.js';
import type { DecodeReject, ReadContext, SourcePage } from '../../core/sdk/connector.js';
import type { ShopifyConfig } from './config.js';
import { callFrom, type CallContext, type Operation, type ShopifyGraphql } from './graphql-client.js';

/** A nested connection of each record, completed by a follow-up query when its first page is not all. */
export interface NestedConnection {
  field: string;
  /** The variable holding the nested page size of the main query; follow-up pages are as big (a page of 250 could cost more than a query may). */
  sizeVariable: string;
  /** Variables: id (the record's), first, after; answer: { node: { <field>: { nodes, pageInfo } } }. */
  operation: Operation;
}

export interface ConnectionReader {
  /** The top-level connection field: orders, products. */
  root: string;
  /** Variables: first, after, query, plus `variables`; answer: { <root>: { nodes, pageInfo } }. */
  operation: Operation;
  nested: readonly NestedConnection[];
}

/** Options every updated-at stream takes (see each stream's schema for the descriptions). */
export interface UpdatedReadOptions {
  page_size?: number;
  filter?: string;
  lookback_seconds?: number;
  start?: string;
  max_restarts_per_run?: number;
}

/** The walk's settings: records are placed by id and updatedAt; the parameter name is only internal. */
export function walkSettings(options: UpdatedReadOptions): Incremental {
  return {
    field: 'updatedAt',
    param: 'updated_at_min',
    id: 'id',
    lookback_seconds: options.lookback_seconds ?? 300,
    start: options.start,
    max_restarts_per_run: options.max_restarts_per_run,
  };
}

/** The search filter of a request: the stream's own filter and, when walking, `updated_at:>='…'`. */
export function searchFilter(filter: string | undefined, updatedFrom: string | undefined): string | null {
  const terms: string[] = [];
  if (filter !== undefined && filter.trim() !== '') terms.push(`(${filter.trim()})`);
  if (updatedFrom !== undefined) terms.push(`updated_at:>='${updatedFrom}'`);
  return terms.length === 0 ? null : terms.join(' AND ');
}

interface GraphqlPage extends FetchedPage {
  refused: DecodeReject[];
}

export async function* readUpdated(
  ctx: ReadContext<ShopifyConfig, UpdatedReadOptions>,
  client: ShopifyGraphql,
  reader: ConnectionReader,
  variables: JsonObject,
): AsyncIterable<SourcePage> {
  const options = ctx.options;
  const call = callFrom(ctx);
  const pageSize = options.page_size ?? 10;
  const fetch = async (request: PageRequest): Promise<GraphqlPage> => {
    const from = request.query['updated_at_min'];
    const after = request.query['after'];
    const query = searchFilter(options.filter, typeof from === 'string' ? from : undefined);
    const data = await client.run(reader.operation, { ...variables, first: pageSize, after: typeof after === 'string' ? after : null, query }, call);
    const connection = data[reader.root];
    if (!isJsonObject(connection) || !Array.isArray(connection['nodes'])) {
      throw new KeelError('fatal', `shopify ${client.settings.shopName}: ${reader.operation.name}: the answer has no ${reader.root}.nodes`, { code: 'shopify_bad_answer', stage: 'source' });
    }
    const label = `${reader.root}${query !== null ? ` (${query})` : ''}`;
    const { records, refused } = pageRecords(connection['nodes'], label);
    for (const record of records) await completeNested(record, reader.nested, variables, client, call);
    const response: HttpResponse = { status: 200, header: () => undefined, data: { pageInfo: connection['pageInfo'] ?? null }, label };
    return { records, refused, count: records.length + refused.length, response };
  };
  const pager = cursorPager(pageSize);
  const base: PageRequest = { path: reader.root, query: {} };

  if (ctx.sync === 'incremental') {
    const walk = new UpdatedAtWalk(walkSettings(options), ctx.cursor);
    const steps = walkIncrementalPages(walk, pager, base, fetch, {
      maxRestarts: options.max_restarts_per_run ?? DEFAULT_MAX_RESTARTS,
      signal: ctx.signal,
      logger: ctx.logger,
    });
    yield* walkSourcePages(steps);
    return;
  }

  let request: PageRequest | undefined = pager.first(base);
  let item = 0;
  while (request !== undefined && !ctx.signal.aborted) {
    const page = await fetch(request);
    request = pager.next(request, page.response, page.count);
    yield {
      unit: reader.root,
      positions: 'item',
      records: page.records.map((data) => ({ data, at: (item += 1) })),
      rejects: page.refused,
      checkpoint: { after: (request?.query['after'] as string | undefined) ?? null },
    };
  }
}

/** Cursor pagination as the walk sees it: the next request carries `after`, the filter stays. */
export function cursorPager(size: number): Pager {
  return {
    size,
    first: (request) => request,
    next: (request, response) => {
      const info = (response.data as { pageInfo?: { hasNextPage?: boolean; endCursor?: string | null } } | undefined)?.pageInfo;
      if (info?.hasNextPage !== true || typeof info.endCursor !== 'string') return undefined;
      return { path: request.path, query: { ...request.query, after: info.endCursor } };
    },
  };
}

/** Reads the rest of each nested connection whose first page was not all, then drops its pageInfo. */
export async function completeNested(
  record: JsonObject,
  nested: readonly NestedConnection[],
  variables: JsonObject,
  client: ShopifyGraphql,
  call: CallContext,
): Promise<void> {
  for (const { field, operation, sizeVariable } of nested) {
    const first = typeof variables[sizeVariable] === 'number' ? variables[sizeVariable] : 10;
    const connection = record[field];
    if (!isJsonObject(connection)) continue;
    const nodes = Array.isArray(connection['nodes']) ? [...connection['nodes']] : [];
    let info = connection['pageInfo'];
    // Bounded: a connection longer than this is a broken answer, not a real order.
    for (let pages = 0; isJsonObject(info) && info['hasNextPage'] === true && typeof info['endCursor'] === 'string' && pages < 1000; pages += 1) {
      const data = await client.run(operation, { id: record['id'] as JsonValue, first, after: info['endCursor'] }, call);
      const more = isJsonObject(data['node']) ? data['node'][field] : undefined;
      if (!isJsonObject(more) || !Array.isArray(more['nodes'])) break;
      nodes.push(...more['nodes']);
      info = more['pageInfo'];
    }
    record[field] = { nodes };
  }
}

/** The page's records; one nested deeper than a record may be is refused alone, as a file decoder would. */
function pageRecords(nodes: unknown[], label: string): { records: JsonObject[]; refused: DecodeReject[] } {
  const records: JsonObject[] = [];
  const refused: DecodeReject[] = [];
  for (const node of nodes) {
    if (!isJsonObject(node)) continue;
    if (nestedDeeper(node, DEFAULT_MAX_DEPTH)) {
      refused.push({ raw: stringifyBounded(node, MAX_RAW_CHARS), origin: label, reason: `the record is nested deeper than ${DEFAULT_MAX_DEPTH} levels` });
    } else records.push(node);
  }
  return { records, refused };
}
