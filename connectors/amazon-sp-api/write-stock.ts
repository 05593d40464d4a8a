/**
 * The `stock` stream: seller-fulfilled quantities as a JSON_LISTINGS_FEED, one feed per batch.
 * Each record (a canonical stock level, or the inventory engine's availability `{ sku, quantity }`)
 * becomes a PATCH of `fulfillment_availability` by the shipped mapping
 * keel:amazon-listings/stock.from-canonical.json. Then the Feeds API 2021-06-30 flow
 * (developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide):
 * createFeedDocument, the feed PUT to its presigned URL, createFeed, getFeed until DONE, FATAL or
 * CANCELLED (polls spaced out, bounded in time), getFeedDocument and the processing report: a
 * message with an ERROR issue is dead-lettered with Amazon's words, the others succeed.
 *
 * The feed id is kept in the connection's state under the batch's key until the feed settles, so
 * a retry of the same batch (after the processing timeout, or a run killed while Amazon worked)
 * waits for that feed instead of sending another.
 */
import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { KeelError, RecordRejection } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import { loadMapping, type CompiledMapping } from '../../core/mapping/load-mapping.js';
import { resolveMappingPath } from '../../core/package-root.js';
import { anySignal, sleep } from '../../core/runtime/backoff.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import { writeResultFor } from '../../core/sdk/error-outcome.js';
import type { AmazonConfig } from './config.js';
import { downloadReport, FEED_CONTENT_TYPE, uploadFeedDocument } from './feed-documents.js';
import { buildListingsFeed, MAX_MESSAGES_PER_FEED, readProcessingReport, type ListingsFeed } from './listings-feed.js';
import { spApiFor, type CallContext, type SpApi } from './sp-api.js';

export const StockWriteOptions = Type.Object(
  {
    poll_interval_ms: Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 600_000,
        default: 30_000,
        description: 'first wait before asking Amazon whether the feed is processed (getFeed); it doubles after each answer up to max_poll_interval_ms',
      }),
    ),
    max_poll_interval_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000, default: 300_000, description: 'longest wait between two getFeed requests' })),
    processing_timeout_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        default: 3600,
        description: "how long a feed may stay queued or in progress; then the batch's records are retried later, and the retry waits for the same feed instead of sending another",
      }),
    ),
    issue_locale: Type.Optional(
      Type.String({ pattern: '^[a-z]{2}_[A-Z]{2}$', description: "language of Amazon's messages in the processing report (the feed header's issueLocale), e.g. de_DE" }),
    ),
  },
  { additionalProperties: false },
);
export type StockWriteOptions = Static<typeof StockWriteOptions>;

export const STOCK_MAPPING = 'keel:amazon-listings/stock.from-canonical.json';
const FEED_TYPE = 'JSON_LISTINGS_FEED';
const FEEDS = '/feeds/2021-06-30';
const SETTLED = new Set(['DONE', 'FATAL', 'CANCELLED']);

let mapping: CompiledMapping | undefined;
function stockMapping(): CompiledMapping {
  mapping ??= loadMapping(resolveMappingPath(STOCK_MAPPING, '.'), STOCK_MAPPING);
  return mapping;
}

export async function writeStock(ctx: WriteContext<AmazonConfig, StockWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const api = spApiFor(ctx.config);
  const call: CallContext = { signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger, rates: ctx.rates };
  const results = new Array<WriteResult | undefined>(batch.length);
  // One message per SKU: a later level of a SKU in the batch replaces an earlier one.
  const bySku = new Map<string, { index: number; message: JsonObject }>();
  for (const [index, record] of batch.entries()) {
    const output = await stockMapping().apply(stockLevelOf(record.data));
    if (output instanceof RecordRejection) {
      results[index] = { status: 'permanent', error: `${STOCK_MAPPING} refused the record: ${output.reason}`, code: output.code };
      continue;
    }
    const message = Array.isArray(output) ? output[0] : output;
    if (message === undefined) {
      results[index] = { status: 'ok', outcome: 'skipped' };
      continue;
    }
    const sku = String(message['sku']);
    const earlier = bySku.get(sku);
    if (earlier !== undefined) results[earlier.index] = { status: 'ok', outcome: 'superseded' };
    bySku.set(sku, { index, message });
  }
  const messages = [...bySku.values()].sort((a, b) => a.index - b.index);
  for (let offset = 0, part = 0; offset < messages.length; offset += MAX_MESSAGES_PER_FEED, part += 1) {
    const feed = buildListingsFeed(api.settings.sellerId, messages.slice(offset, offset + MAX_MESSAGES_PER_FEED), ctx.options.issue_locale);
    let settled: WriteResult[];
    try {
      settled = await submitAndSettle(api, feed, `feed ${ctx.batchKey} ${part}`, ctx, call);
    } catch (error) {
      // Configuration, credentials, a broken API: thrown again, and the run stops; the rest is retried.
      const failed = writeResultFor(error);
      settled = feed.indexes.map(() => failed);
    }
    feed.indexes.forEach((index, position) => {
      results[index] = settled[position];
    });
  }
  return results.map((result) => result ?? { status: 'ok' });
}

/** The inventory engine publishes `{ channel, sku, quantity }`; the mapping reads a canonical level's `available`. */
function stockLevelOf(data: JsonObject): JsonObject {
  if (data['available'] === undefined && data['on_hand'] === undefined && typeof data['quantity'] === 'number') return { ...data, available: data['quantity'] };
  return data;
}

/** The feed of a batch (part), submitted or found in the state, waited for and read: a result per message. */
async function submitAndSettle(api: SpApi, feed: ListingsFeed, stateKey: string, ctx: WriteContext<AmazonConfig, StockWriteOptions>, call: CallContext): Promise<WriteResult[]> {
  const content = JSON.stringify(feed.document);
  const hash = createHash('sha256').update(content).digest('hex');
  const saved = await ctx.state.get(stateKey);
  let feedId: string;
  if (isJsonObject(saved) && saved['hash'] === hash && typeof saved['feedId'] === 'string') {
    feedId = saved['feedId'];
    ctx.logger.info('amazon feed of this batch was submitted before; waiting for it instead of sending another', { feed_id: feedId, messages: feed.indexes.length });
  } else {
    feedId = await submitFeed(api, content, call);
    await ctx.state.set(stateKey, { feedId, hash, submittedAt: new Date().toISOString() });
    ctx.logger.info('amazon feed submitted', { feed_id: feedId, feed_type: FEED_TYPE, messages: feed.indexes.length });
  }
  const outcome = await waitForFeed(api, feedId, ctx.options, call);
  if (outcome.settled === undefined) {
    const error = `${api.settings.place}: feed ${feedId} is still ${outcome.status} after ${outcome.waitedSeconds} s; a retry of the batch waits for the same feed`;
    return feed.indexes.map(() => ({ status: 'retryable', error }));
  }
  const status = String(outcome.settled['processingStatus']);
  let results: WriteResult[];
  if (status === 'CANCELLED') {
    const error = `${api.settings.place}: feed ${feedId} was cancelled before Amazon processed it; sent again`;
    results = feed.indexes.map(() => ({ status: 'retryable', error }));
  } else {
    const reportId = outcome.settled['resultFeedDocumentId'];
    if (status === 'DONE' && typeof reportId !== 'string') {
      throw new KeelError('transient', `${api.settings.place}: feed ${feedId} is DONE without a processing report`, { code: 'amazon_no_report', stage: 'amazon-sp-api' });
    }
    const report = typeof reportId === 'string' ? await readReport(api, reportId, call) : undefined;
    // "Some, none, or all of the operations within the feed may have completed": what the report does not refuse is sent again.
    const unsettled: WriteResult | undefined =
      status === 'FATAL' ? { status: 'retryable', error: `${api.settings.place}: Amazon aborted feed ${feedId} (FATAL); records it did not refuse are sent again` } : undefined;
    const reading = readProcessingReport(report, feed.indexes.length, unsettled);
    for (const note of reading.notes) {
      ctx.logger.warn('amazon feed issue', { feed_id: feedId, sku: note.sku, severity: note.severity, code: note.code, message: note.message });
    }
    results = reading.results.map((result) => (result.status === 'permanent' ? { ...result, error: `${result.error} (feed ${feedId})` } : result));
  }
  await ctx.state.set(stateKey, null);
  return results;
}

async function submitFeed(api: SpApi, content: string, call: CallContext): Promise<string> {
  const document = await api.call('createFeedDocument', { method: 'POST', path: `${FEEDS}/documents`, body: { contentType: FEED_CONTENT_TYPE } }, call);
  const documentId = isJsonObject(document) ? document['feedDocumentId'] : undefined;
  const url = isJsonObject(document) ? document['url'] : undefined;
  if (typeof documentId !== 'string' || typeof url !== 'string') throw unexpected(api, 'createFeedDocument answered without feedDocumentId and url');
  await uploadFeedDocument(api.settings, url, content, call);
  const created = await api.call(
    'createFeed',
    { method: 'POST', path: `${FEEDS}/feeds`, body: { feedType: FEED_TYPE, marketplaceIds: api.settings.marketplaceIds, inputFeedDocumentId: documentId } },
    call,
  );
  const feedId = isJsonObject(created) ? created['feedId'] : undefined;
  if (typeof feedId !== 'string') throw unexpected(api, 'createFeed answered without feedId');
  return feedId;
}

interface FeedWait {
  /** The feed once DONE, FATAL or CANCELLED; undefined when the wait ended first. */
  settled?: JsonObject;
  status: string;
  waitedSeconds: number;
}

/** getFeed until the feed settles, the processing timeout passes or the run is stopping; waits double up to the maximum. */
async function waitForFeed(api: SpApi, feedId: string, options: StockWriteOptions, call: CallContext): Promise<FeedWait> {
  const started = Date.now();
  const deadline = started + (options.processing_timeout_seconds ?? 3600) * 1000;
  let wait = options.poll_interval_ms ?? 30_000;
  const longest = Math.max(wait, options.max_poll_interval_ms ?? 300_000);
  const waits = anySignal(call.signal, call.stopping);
  for (;;) {
    const feed = await api.call('getFeed', { path: `${FEEDS}/feeds/${encodeURIComponent(feedId)}` }, call);
    if (!isJsonObject(feed) || typeof feed['processingStatus'] !== 'string') throw unexpected(api, `getFeed of ${feedId} answered without processingStatus`);
    const status = feed['processingStatus'];
    if (SETTLED.has(status)) return { settled: feed, status, waitedSeconds: secondsSince(started) };
    if (Date.now() + wait > deadline || waits?.aborted === true) return { status, waitedSeconds: secondsSince(started) };
    call.logger.debug('amazon feed not processed yet', { feed_id: feedId, status, wait_ms: wait });
    await sleep(wait, waits);
    wait = Math.min(wait * 2, longest);
  }
}

async function readReport(api: SpApi, documentId: string, call: CallContext): Promise<unknown> {
  const document = await api.call('getFeedDocument', { path: `${FEEDS}/documents/${encodeURIComponent(documentId)}` }, call);
  const url = isJsonObject(document) ? document['url'] : undefined;
  if (typeof url !== 'string') throw unexpected(api, `getFeedDocument of ${documentId} answered without url`);
  const compression = isJsonObject(document) && typeof document['compressionAlgorithm'] === 'string' ? document['compressionAlgorithm'] : undefined;
  return downloadReport(api.settings, url, compression, call);
}

function secondsSince(started: number): number {
  return Math.round((Date.now() - started) / 1000);
}

function unexpected(api: SpApi, what: string): KeelError {
  return new KeelError('transient', `${api.settings.place}: ${what}`, { code: 'amazon_unexpected_answer', stage: 'amazon-sp-api' });
}
