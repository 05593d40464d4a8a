import { httpClientFor, type HttpConnection } from '../../core/http/http-client.js';
import { UpdatedAtWalk } from '../../core/http/incremental.js';
import { DEFAULT_MAX_RESTARTS, walkIncrementalPages, walkSourcePages, type FetchedPage } from '../../core/http/incremental-pages.js';
import { pagerFor, recordsIn, type PageRequest } from '../../core/http/pagination.js';
import { KeelError } from '../../core/errors.js';
import { nestedDeeper } from '../../core/codecs/json-text.js';
import { DEFAULT_MAX_DEPTH, MAX_RAW_CHARS } from '../../core/codecs/limits.js';
import { isJsonObject, stringifyBounded, type JsonObject, type JsonValue } from '../../core/json.js';
import type { DecodeReject, ReadContext, SourcePage } from '../../core/sdk/connector.js';
import type { ApiReadOptions } from './options.js';

/**
 * Reads an API collection page by page. A full sync follows the pagination to the end and
 * checkpoints the next page request. An incremental sync walks by the updated-at field (see
 * core/http/incremental-pages.ts) and checkpoints the boundary with the versions already passed on.
 */
export async function* readApi(ctx: ReadContext<HttpConnection, ApiReadOptions>): AsyncIterable<SourcePage> {
  const client = httpClientFor(ctx.config, { rates: ctx.rates });
  const options = ctx.options;
  const pager = pagerFor(options.pagination);
  const base: PageRequest = { path: options.path, query: { ...options.query } };
  const priority = options.priority ?? 'normal';

  if (ctx.sync === 'incremental') {
    if (options.incremental === undefined) {
      throw new KeelError('config', `incremental sync of ${options.path} needs options.incremental (field and param of the updated-at filter), or use sync: full`, {
        code: 'incremental_unset',
        stage: 'source',
      });
    }
    const walk = new UpdatedAtWalk(options.incremental, ctx.cursor);
    const fetch = async (request: PageRequest): Promise<FetchedPage & { refused: DecodeReject[] }> => {
      const response = await client.request({ path: request.path, query: request.query, priority, signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger });
      const { records, refused } = pageRecords(response.data, options.records, response.label);
      return { records, refused, count: records.length + refused.length, response };
    };
    const steps = walkIncrementalPages(walk, pager, base, fetch, {
      maxRestarts: options.incremental.max_restarts_per_run ?? DEFAULT_MAX_RESTARTS,
      signal: ctx.signal,
      logger: ctx.logger,
    });
    yield* walkSourcePages(steps);
    return;
  }

  let request: PageRequest | undefined = pager.first(base);
  let item = 0;
  while (request !== undefined && !ctx.signal.aborted) {
    const response = await client.request({ path: request.path, query: request.query, priority, signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger });
    const { records, refused } = pageRecords(response.data, options.records, response.label);
    request = pager.next(request, response, records.length + refused.length);
    yield {
      unit: options.path,
      positions: 'item',
      records: records.map((data) => ({ data, at: (item += 1) })),
      rejects: refused,
      checkpoint: { next: request === undefined ? null : (request as unknown as JsonValue) },
    };
  }
}

/** The page's records; those nested deeper than a record may be are refused here, as a file decoder would. */
function pageRecords(data: unknown, path: string | undefined, label: string): { records: JsonObject[]; refused: DecodeReject[] } {
  const found = recordsIn(data, path);
  if (found === undefined) {
    throw new KeelError('fatal', `${label}: the response has no record array${path !== undefined ? ` at "${path}"` : ''}; set options.records to where the records are`, {
      code: 'records_missing',
      stage: 'source',
    });
  }
  const records: JsonObject[] = [];
  const refused: DecodeReject[] = [];
  for (const record of found.filter(isJsonObject)) {
    if (nestedDeeper(record, DEFAULT_MAX_DEPTH)) {
      refused.push({ raw: stringifyBounded(record, MAX_RAW_CHARS), origin: label, reason: `the record is nested deeper than ${DEFAULT_MAX_DEPTH} levels` });
    } else records.push(record);
  }
  return { records, refused };
}
