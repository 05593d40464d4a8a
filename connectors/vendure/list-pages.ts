/**
 * Reading a Vendure list query (`orders`, `productVariants`) page by page. Every list query takes
 * `options: { skip, take, sort, filter }` and answers `{ items, totalItems }` (docs.vendure.io,
 * "Paginated lists"). A full sync pages by id. An incremental sync is core/http's walk by an
 * updated-at field (incremental-pages.ts) on a date field of the list: the request asks for
 * `filter: { <field>: { after } }` sorted by that field, one millisecond before the walk's
 * boundary because Vendure's `after` is strictly later and the walk wants "at or after".
 *
 * A stream may walk several date fields one after the other (orders walk `orderPlacedAt`, then
 * `updatedAt`): each has its own boundary in the checkpoint, and what one walk passed on is
 * known to the walks after it, so a version goes out once.
 */
import { UpdatedAtWalk } from '../../core/http/incremental.js';
import { DEFAULT_MAX_RESTARTS, walkIncrementalPages, type FetchedPage } from '../../core/http/incremental-pages.js';
import type { HttpResponse } from '../../core/http/http-client.js';
import { pagerFor, type PageRequest } from '../../core/http/pagination.js';
import { KeelError } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { ReadContext, SourcePage } from '../../core/sdk/connector.js';
import type { Operation, VendureAdminApi } from './admin-api.js';

export interface ListQuery {
  /** A document taking `$options: <Entity>ListOptions` and selecting `<field> { totalItems items { … } }`. */
  operation: Operation;
  /** The list field: `orders`, `productVariants`. */
  field: string;
  /** Always applied, e.g. `{ active: { eq: false } }` for placed orders only. */
  filter?: JsonObject;
}

/** One date field walked incrementally; `key` names its part of the checkpoint. */
export interface ListWalk {
  key: string;
  field: string;
  /** Added to the list's filter for this walk, e.g. `{ orderPlacedAt: { isNull: false } }`. */
  filter?: JsonObject;
}

export interface ListReadSettings {
  page_size?: number;
  lookback_seconds?: number;
  start?: string;
  max_restarts_per_run?: number;
}

export const DEFAULT_PAGE_SIZE = 100;
/** The `from` of the walk's request travels in the page request under this name; it is not sent as is. */
const FROM = 'from';

interface ListAnswer {
  items: JsonObject[];
  totalItems: number;
}

async function fetchList(api: VendureAdminApi, list: ListQuery, options: Record<string, unknown>, ctx: ReadContext): Promise<ListAnswer> {
  const data = await api.call<Record<string, unknown>>(list.operation, { options }, { signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger });
  const answer = data[list.field];
  const items = isJsonObject(answer) ? answer['items'] : undefined;
  if (!isJsonObject(answer) || !Array.isArray(items)) {
    throw new KeelError('fatal', `${api.place}: ${list.operation.name} answered without ${list.field}.items`, { code: 'vendure_no_items', stage: 'vendure' });
  }
  return { items: items.filter(isJsonObject), totalItems: typeof answer['totalItems'] === 'number' ? answer['totalItems'] : 0 };
}

/** Every item, page by page in id order; the checkpoint says how many were read. */
export async function* readFullList(api: VendureAdminApi, list: ListQuery, options: ListReadSettings, ctx: ReadContext): AsyncIterable<SourcePage> {
  const take = options.page_size ?? DEFAULT_PAGE_SIZE;
  let skip = 0;
  while (!ctx.signal.aborted) {
    const { items, totalItems } = await fetchList(api, list, { skip, take, sort: { id: 'ASC' }, filter: list.filter ?? {} }, ctx);
    const first = skip;
    skip += items.length;
    yield {
      unit: `${api.place} ${list.field}`,
      positions: 'item',
      records: items.map((data, index) => ({ data, at: first + index + 1 })),
      checkpoint: { skip },
    };
    if (items.length < take || skip >= totalItems) return;
  }
}

/** New versions only, walking each date field from its boundary; see the file comment. */
export async function* readIncrementalList(
  api: VendureAdminApi,
  list: ListQuery,
  walks: readonly ListWalk[],
  options: ListReadSettings,
  ctx: ReadContext,
): AsyncIterable<SourcePage> {
  const saved = isJsonObject(ctx.cursor) ? ctx.cursor : {};
  const running = walks.map((spec) => ({
    spec,
    walk: new UpdatedAtWalk(
      {
        field: spec.field,
        param: FROM,
        id: 'id',
        lookback_seconds: options.lookback_seconds,
        start: options.start,
        max_restarts_per_run: options.max_restarts_per_run,
      },
      saved[spec.key] as JsonValue | undefined,
    ),
  }));
  const checkpoint = (): JsonValue => Object.fromEntries(running.map(({ spec, walk }) => [spec.key, walk.checkpoint()]));
  const pager = pagerFor({ type: 'offset', param: 'skip', size_param: 'take', size: options.page_size ?? DEFAULT_PAGE_SIZE });
  const label = `${api.place} ${list.field}`;

  for (const [index, { spec, walk }] of running.entries()) {
    const later = running.slice(index + 1);
    const fetch = async (request: PageRequest): Promise<FetchedPage> => {
      const from = request.query[FROM];
      const filter: JsonObject = { ...list.filter, ...spec.filter };
      // `after` is strictly later: one millisecond earlier asks for "at or after" the walk's time.
      if (typeof from === 'string') filter[spec.field] = { after: new Date(Date.parse(from) - 1).toISOString() };
      const { items } = await fetchList(api, list, { skip: request.query['skip'], take: request.query['take'], sort: { [spec.field]: 'ASC' }, filter }, ctx);
      return { records: items, count: items.length, response: pageResponse(items, `${label} by ${spec.field}`) };
    };
    const steps = walkIncrementalPages(walk, pager, { path: '', query: {} }, fetch, {
      maxRestarts: options.max_restarts_per_run ?? DEFAULT_MAX_RESTARTS,
      signal: ctx.signal,
      logger: ctx.logger,
    });
    for await (const { fresh, unplaceable } of steps) {
      // The walks after this one know these versions now: they do not pass them on again.
      for (const { walk: next } of later) next.take(fresh);
      yield {
        unit: label,
        positions: 'item',
        records: fresh.map((data) => ({ data })),
        rejects: unplaceable.map(({ record, reason }) => ({ raw: JSON.stringify(record), origin: label, reason })),
        checkpoint: checkpoint(),
      };
    }
  }
}

/** The walk's pagers read nothing but the count from a page; this stands for the GraphQL answer. */
function pageResponse(items: JsonObject[], label: string): HttpResponse {
  return { status: 200, header: () => undefined, data: items, label };
}
