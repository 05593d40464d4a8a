/**
 * A first sync of a large shop as one bulk operation instead of thousands of pages: run the
 * query with `bulkOperationRunQuery` (groupObjects: true, so children follow their parent), poll
 * the operation with `node(id:)` until it is COMPLETED, then stream the JSONL file from its URL
 * and put each parent back together with its children (lines carrying `__parentId`), in the
 * shape the paged query returns (`lineItems: { nodes: [...] }`).
 *
 * The file is read as a stream, one record in memory at a time. The download is a plain GET
 * without the access token: the URL is signed and may be on another host, which must never see
 * the token. Checkpoints name the operation and how many records were passed on, so a resumed
 * incremental run downloads the same file again (the URL is valid for 7 days) and skips them;
 * the last checkpoint is the updated-at walk's, starting at the operation's creation time, so
 * the next run picks up what changed while the file was written.
 */
import axios from 'axios';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { parseJsonText } from '../../core/codecs/json-text.js';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD_BYTES, MAX_RAW_CHARS } from '../../core/codecs/limits.js';
import { LineSplitter } from '../../core/codecs/line-splitter.js';
import { KeelError } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { sleep } from '../../core/runtime/backoff.js';
import type { DecodeReject, ReadContext, SourcePage } from '../../core/sdk/connector.js';
import type { ShopifyConfig } from './config.js';
import { callFrom, type CallContext, type Operation, type ShopifyGraphql } from './graphql-client.js';
import { describeUserError, type UserError } from './shopify-errors.js';

/** What a stream exports in bulk: the query, and which nested connection each child line belongs to. */
export interface BulkExport {
  /** The bulk query document (no variables: filters are written into it). */
  query: (filter: string | null) => string;
  /** Global id type of a child line → the field of the parent holding it, e.g. LineItem → lineItems. */
  children: Readonly<Record<string, string>>;
}

export interface BulkOptions {
  bulk_poll_ms?: number;
  bulk_timeout_minutes?: number;
  filter?: string;
  lookback_seconds?: number;
}

/** Saved while the file is passed on, so a resumed run downloads the same file and skips what went through. */
interface BulkCursor {
  bulk: { id: string; created_at: number; records: number };
  seen: Record<string, number>;
}

const RUN: Operation = {
  name: 'KeelBulkRun',
  document: `mutation KeelBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status createdAt query }
    userErrors { field message code }
  }
}`,
  estimate: () => 10,
};

const POLL: Operation = {
  name: 'KeelBulkPoll',
  document: `query KeelBulkPoll($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode createdAt completedAt objectCount rootObjectCount url partialDataUrl query }
  }
}`,
  estimate: () => 1,
};

const CURRENT: Operation = {
  name: 'KeelCurrentBulk',
  document: `query KeelCurrentBulk {
  currentBulkOperation(type: QUERY) { id status errorCode createdAt completedAt objectCount rootObjectCount url query }
}`,
  estimate: () => 1,
};

/** Records per page handed to the runner (and per checkpoint). */
const PAGE = 250;

interface BulkOperation {
  id: string;
  status: string;
  errorCode?: string | null;
  createdAt: string;
  url?: string | null;
  query?: string;
  objectCount?: string | number;
}

/** Whether a read should export in bulk: asked for, and a full sync, a first incremental sync, or a bulk export to resume. */
export function bulkApplies(ctx: ReadContext<ShopifyConfig, { bulk?: boolean }>): boolean {
  if (ctx.options.bulk !== true) return false;
  if (ctx.sync === 'full' || ctx.cursor === undefined || ctx.cursor === null) return true;
  return isJsonObject(ctx.cursor) && isJsonObject(ctx.cursor['bulk']);
}

export async function* readBulk(ctx: ReadContext<ShopifyConfig, BulkOptions>, client: ShopifyGraphql, spec: BulkExport, root: string): AsyncIterable<SourcePage> {
  const call = callFrom(ctx);
  const shop = client.settings.shopName;
  const query = spec.query(ctx.options.filter?.trim() === '' ? null : (ctx.options.filter ?? null));
  const resume = ctx.sync === 'incremental' ? bulkCursor(ctx.cursor) : undefined;
  let operation = resume !== undefined ? await poll(client, resume.bulk.id, call) : undefined;
  let skip = resume?.bulk.records ?? 0;
  const seen = new Map<string, number>(Object.entries(resume?.seen ?? {}));
  if (operation === undefined || operation.status === 'EXPIRED' || operation.status === 'FAILED' || operation.status === 'CANCELED') {
    if (resume !== undefined) ctx.logger.warn('the bulk export a previous run began can no longer be read; exporting again', { operation: resume.bulk.id });
    operation = await start(client, query, call);
    skip = 0;
    seen.clear();
  }
  operation = await untilDone(client, operation, ctx.options, call);
  const createdAt = Date.parse(operation.createdAt);
  const lookbackMs = (ctx.options.lookback_seconds ?? 300) * 1000;
  const unit = `${root} (bulk ${operation.id})`;
  // The updated-at walk's checkpoint once the file is through: read from the operation's start on.
  const walkCheckpoint = (): JsonValue => ({ since: createdAt, seen: Object.fromEntries(seen) });
  const progress = (records: number): JsonValue =>
    ctx.sync === 'incremental' ? ({ bulk: { id: operation.id, created_at: createdAt, records }, seen: Object.fromEntries(seen) } as BulkCursor as unknown as JsonValue) : { bulk: { id: operation.id, records } };

  if (operation.url === undefined || operation.url === null) {
    // Nothing matched: the operation completes without a file.
    yield { unit, records: [], checkpoint: ctx.sync === 'incremental' ? walkCheckpoint() : { bulk: { id: operation.id, records: 0 } } };
    return;
  }
  let passed = 0;
  let page: JsonObject[] = [];
  let rejects: DecodeReject[] = [];
  const note = (record: JsonObject): void => {
    const at = typeof record['updatedAt'] === 'string' ? Date.parse(record['updatedAt']) : Number.NaN;
    // Versions the next incremental run can read again (its look-back behind the operation's start) are remembered.
    if (typeof record['id'] === 'string' && !Number.isNaN(at) && at >= createdAt - lookbackMs) seen.set(record['id'], at);
  };
  for await (const item of assemble(await download(operation.url, client, ctx), spec, unit)) {
    if ('reject' in item) {
      // Refused lines before the resume point were dead-lettered by the run that passed them.
      if (passed >= skip) rejects.push(item.reject);
      continue;
    }
    passed += 1;
    if (passed <= skip) {
      note(item.record);
      continue;
    }
    note(item.record);
    page.push(item.record);
    if (page.length >= PAGE) {
      yield { unit, positions: 'item', records: page.map((data) => ({ data })), rejects, checkpoint: progress(passed) };
      page = [];
      rejects = [];
    }
    if (ctx.signal.aborted) return;
  }
  ctx.logger.info('bulk export read', { operation: operation.id, records: passed, shop });
  yield { unit, positions: 'item', records: page.map((data) => ({ data })), rejects, checkpoint: ctx.sync === 'incremental' ? walkCheckpoint() : progress(passed) };
}

function bulkCursor(cursor: JsonValue | undefined): BulkCursor | undefined {
  if (!isJsonObject(cursor) || !isJsonObject(cursor['bulk'])) return undefined;
  const bulk = cursor['bulk'];
  if (typeof bulk['id'] !== 'string' || typeof bulk['created_at'] !== 'number' || typeof bulk['records'] !== 'number') return undefined;
  const seen: Record<string, number> = {};
  if (isJsonObject(cursor['seen'])) for (const [key, at] of Object.entries(cursor['seen'])) if (typeof at === 'number') seen[key] = at;
  return { bulk: { id: bulk['id'], created_at: bulk['created_at'], records: bulk['records'] }, seen };
}

/** Starts the export, or joins one of this app that is already running the same query (a run that stopped while it ran). */
async function start(client: ShopifyGraphql, query: string, call: CallContext): Promise<BulkOperation> {
  const current = (await client.run(CURRENT, {}, call))['currentBulkOperation'];
  if (isJsonObject(current) && (current['status'] === 'CREATED' || current['status'] === 'RUNNING') && current['query'] === query) {
    call.logger.info('joining the bulk export already running', { operation: String(current['id']) });
    return current as unknown as BulkOperation;
  }
  const data = await client.run(RUN, { query }, call);
  const payload = data['bulkOperationRunQuery'];
  const errors = (isJsonObject(payload) && Array.isArray(payload['userErrors']) ? payload['userErrors'] : []) as unknown as UserError[];
  if (errors.length > 0 || !isJsonObject(payload) || !isJsonObject(payload['bulkOperation'])) {
    // Most often another export of this app is running; it ends on its own, so a later run gets through.
    throw new KeelError('transient', `shopify ${client.settings.shopName}: the bulk export was refused: ${errors.map(describeUserError).join('; ') || 'no operation in the answer'}`, {
      code: 'shopify_bulk_refused',
      stage: 'source',
    });
  }
  return payload['bulkOperation'] as unknown as BulkOperation;
}

async function poll(client: ShopifyGraphql, id: string, call: CallContext): Promise<BulkOperation | undefined> {
  const node = (await client.run(POLL, { id }, call))['node'];
  return isJsonObject(node) && typeof node['status'] === 'string' ? (node as unknown as BulkOperation) : undefined;
}

/** Polls until the operation ends; bounded by bulk_timeout_minutes. */
async function untilDone(client: ShopifyGraphql, first: BulkOperation, options: BulkOptions, call: CallContext): Promise<BulkOperation> {
  const every = options.bulk_poll_ms ?? 2000;
  const deadline = Date.now() + (options.bulk_timeout_minutes ?? 360) * 60_000;
  let operation = first;
  while (operation.status === 'CREATED' || operation.status === 'RUNNING' || operation.status === 'CANCELING') {
    if (Date.now() > deadline) {
      throw new KeelError('transient', `shopify ${client.settings.shopName}: bulk export ${operation.id} still ${operation.status} after ${options.bulk_timeout_minutes ?? 360} minutes; the next run joins it`, {
        code: 'shopify_bulk_timeout',
        stage: 'source',
      });
    }
    await sleep(every, call.stopping === undefined ? call.signal : AbortSignal.any([call.signal, call.stopping]));
    if (call.signal.aborted || call.stopping?.aborted === true) {
      throw new KeelError('transient', `shopify ${client.settings.shopName}: stopped while bulk export ${operation.id} ran; the next run joins it`, { code: 'stopped', stage: 'source' });
    }
    operation = (await poll(client, operation.id, call)) ?? { ...operation, status: 'EXPIRED' };
  }
  if (operation.status !== 'COMPLETED') {
    const code = operation.errorCode ?? undefined;
    const kind = code === 'ACCESS_DENIED' ? 'auth' : code === 'INTERNAL_SERVER_ERROR' ? 'transient' : 'fatal';
    const hint =
      code === 'ACCESS_DENIED'
        ? 'the app lacks an access scope for what the query reads'
        : code === 'TIMEOUT'
          ? 'it ran too long; narrow it with filter, or read page by page (bulk: false)'
          : 'see the operation in Shopify';
    throw new KeelError(kind, `shopify ${client.settings.shopName}: bulk export ${operation.id} ended ${operation.status}${code !== undefined ? ` (${code})` : ''}: ${hint}`, {
      code: `shopify_bulk_${operation.status.toLowerCase()}`,
      stage: 'source',
    });
  }
  return operation;
}

/** The result file as a stream: no credentials, no redirects, https (plain http only from the loopback emulator of a test). */
async function download(url: string, client: ShopifyGraphql, ctx: ReadContext<ShopifyConfig, BulkOptions>): Promise<Readable> {
  const shop = client.settings.shopName;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new KeelError('fatal', `shopify ${shop}: the bulk export's url is not a URL`, { code: 'shopify_bulk_url', stage: 'source' });
  }
  const loopback = client.settings.loopbackOrigin;
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && loopback !== undefined && target.origin === loopback)) {
    throw new KeelError('fatal', `shopify ${shop}: refusing to download the bulk export over ${target.protocol} from ${target.host}; only https is used`, {
      code: 'shopify_bulk_url',
      stage: 'source',
    });
  }
  try {
    const response = await axios.get<Readable>(target.toString(), {
      responseType: 'stream',
      maxRedirects: 0,
      timeout: ctx.config.timeout_ms ?? 30_000,
      signal: ctx.signal,
      validateStatus: () => true,
      // Explicitly nothing but Accept: the signed URL is the credential.
      headers: { accept: 'application/jsonl, application/json, text/plain' },
    });
    if (response.status !== 200) {
      response.data.destroy();
      const kind = response.status >= 500 ? 'transient' : 'fatal';
      throw new KeelError(kind, `shopify ${shop}: downloading the bulk export from ${target.host} answered HTTP ${response.status}${response.status === 403 || response.status === 404 ? ' (the link expires after 7 days)' : ''}`, {
        code: `shopify_bulk_download_${response.status}`,
        stage: 'source',
      });
    }
    return response.data;
  } catch (error) {
    if (error instanceof KeelError) throw error;
    const code = (error as { code?: string }).code ?? 'network error';
    throw new KeelError('transient', `shopify ${shop}: downloading the bulk export from ${target.host} failed (${code})`, { code: 'shopify_bulk_download', stage: 'source' });
  }
}

type Assembled = { record: JsonObject } | { reject: DecodeReject };

/**
 * JSONL lines → records: a line without `__parentId` starts a record; a child line goes into the
 * nested connection its global id type names, of the record it points at, which (grouped output)
 * is the record being assembled. A child of an earlier record, or of an unknown type, is refused
 * with its line, not dropped.
 */
export async function* assemble(input: AsyncIterable<Buffer | string>, spec: BulkExport, unit: string): AsyncGenerator<Assembled> {
  const fields = [...new Set(Object.values(spec.children))];
  const splitter = new LineSplitter(DEFAULT_MAX_RECORD_BYTES);
  const decoder = new StringDecoder('utf8');
  let current: JsonObject | undefined;
  const reject = (raw: string, line: number, reason: string): Assembled => ({ reject: { raw: raw.slice(0, MAX_RAW_CHARS), origin: unit, reason, at: line } });
  function* take(lines: { text: string; line: number; tooLong?: number }[]): Generator<Assembled> {
    for (const { text, line, tooLong } of lines) {
      if (text.trim() === '') continue;
      if (tooLong !== undefined) {
        yield reject(text, line, `line of ${tooLong} characters is longer than a record may be`);
        continue;
      }
      const parsed = parseJsonText(text, DEFAULT_MAX_DEPTH);
      if (!parsed.ok || !isJsonObject(parsed.value)) {
        yield reject(text, line, parsed.ok ? 'the line is not a JSON object' : `the line is not JSON: ${parsed.reason}`);
        continue;
      }
      const object = parsed.value;
      const parent = object['__parentId'];
      if (parent === undefined) {
        if (current !== undefined) yield { record: current };
        current = object;
        for (const field of fields) current[field] = { nodes: [] };
        continue;
      }
      const type = typeof object['id'] === 'string' ? /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(object['id'])?.[1] : undefined;
      const field = type !== undefined ? spec.children[type] : undefined;
      if (field === undefined) {
        yield reject(text, line, `a child line of a type this export does not ask for (${type ?? 'no global id'})`);
        continue;
      }
      if (current === undefined || current['id'] !== parent) {
        yield reject(text, line, `a child line of ${String(parent)} arrived after that record was passed on (is the export grouped?)`);
        continue;
      }
      delete object['__parentId'];
      ((current[field] as JsonObject)['nodes'] as JsonValue[]).push(object);
    }
  }
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    yield* take(splitter.push({ data: text, invalid: [] }));
  }
  const tail = decoder.end();
  if (tail !== '') yield* take(splitter.push({ data: tail, invalid: [] }));
  yield* take(splitter.end());
  if (current !== undefined) yield { record: current };
}
