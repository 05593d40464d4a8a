import { httpClientFor, type HttpClient, type HttpConnection } from '../../core/http/http-client.js';
import { recordsIn } from '../../core/http/pagination.js';
import { compileTemplate, type KeyFunction } from '../../core/runtime/record-key.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import { writeResultFor } from '../../core/sdk/error-outcome.js';
import { RecordRejection } from '../../core/sdk/step.js';
import type { ApiWriteOptions } from './options.js';

/**
 * Sends each record of a batch as one request, a few at a time. A record's idempotency key goes
 * in the Idempotency-Key header, so a retry after a lost response is answered with the first
 * result instead of a second order; APIs without such a header get a lookup before the create.
 * A failed request is its record's result by the one mapping (core/sdk/error-outcome.ts): a
 * refused record is dead-lettered, a transient failure retried for that record alone (the
 * client has retried it already), credentials refused or a foreign URL stop the run.
 */
export async function writeApi(ctx: WriteContext<HttpConnection, ApiWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const client = httpClientFor(ctx.config, { rates: ctx.rates });
  const options = ctx.options;
  const path = compiled(options.path);
  const lookup = options.find_before_create;
  const lookupPath = lookup !== undefined ? compiled(lookup.path) : undefined;
  const lookupQuery = Object.entries(lookup?.query ?? {}).map(([name, template]) => [name, compiled(template)] as const);
  const header = options.idempotency_header === false ? undefined : (options.idempotency_header ?? 'Idempotency-Key');
  const priority = options.priority ?? 'high';

  const writeOne = async (record: WriteRecord): Promise<WriteResult> => {
    const target = path(record.data);
    if (target instanceof RecordRejection) return { status: 'permanent', error: `path: ${target.reason}`, code: target.code };
    try {
      if (lookupPath !== undefined) {
        const found = await findExisting(client, lookupPath, lookupQuery, lookup?.records, record, ctx);
        if (found instanceof RecordRejection) return { status: 'permanent', error: `find_before_create: ${found.reason}`, code: found.code };
        if (found) return { status: 'ok', ref: 'existing' };
      }
      const response = await client.request({
        method: options.method ?? 'POST',
        path: target,
        body: options.wrap !== undefined ? { [options.wrap]: record.data } : record.data,
        idempotencyKey: header !== undefined ? record.key : undefined,
        idempotencyHeader: header,
        priority,
        signal: ctx.signal,
        stopping: ctx.stopping,
        logger: ctx.logger,
      });
      return { status: 'ok', ref: refOf(response.data, options.wrap) };
    } catch (error) {
      return writeResultFor(error);
    }
  };

  const results: WriteResult[] = new Array<WriteResult>(batch.length);
  let next = 0;
  // Each send is noted before it leaves and each answer as it arrives: after a crash only what
  // was in flight (at most `concurrency` records) can be sent again.
  const worker = async (): Promise<void> => {
    while (next < batch.length) {
      const index = next;
      next += 1;
      await ctx.sending?.(index);
      const result = await writeOne(batch[index] as WriteRecord);
      results[index] = result;
      ctx.settled?.(index, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, batch.length) }, worker));
  return results;
}

async function findExisting(
  client: HttpClient,
  path: KeyFunction,
  query: readonly (readonly [string, KeyFunction])[],
  recordsPath: string | undefined,
  record: WriteRecord,
  ctx: WriteContext<HttpConnection, ApiWriteOptions>,
): Promise<boolean | RecordRejection> {
  const where = path(record.data);
  if (where instanceof RecordRejection) return where;
  const params: Record<string, string> = {};
  for (const [name, fill] of query) {
    const value = fill(record.data);
    if (value instanceof RecordRejection) return value;
    params[name] = value;
  }
  const response = await client.request({ path: where, query: params, accept: [404], priority: 'high', signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger });
  if (response.status === 404) return false;
  const found = recordsIn(response.data, recordsPath);
  return found === undefined ? response.data !== undefined : found.length > 0;
}

function refOf(data: unknown, wrap: string | undefined): string | undefined {
  const body = wrap !== undefined && typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[wrap] : data;
  const id = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['id'] : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

const TEMPLATES = new Map<string, KeyFunction>();
function compiled(template: string): KeyFunction {
  let fill = TEMPLATES.get(template);
  if (fill === undefined) {
    fill = compileTemplate(template, encodeURIComponent);
    TEMPLATES.set(template, fill);
  }
  return fill;
}
