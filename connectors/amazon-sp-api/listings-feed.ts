/**
 * A JSON_LISTINGS_FEED as Amazon's listings feed schema v2 has it (amzn/selling-partner-api-models,
 * schemas/feeds/listings-feed-schema-v2.json): `{ header: { sellerId, version: "2.0" }, messages }`,
 * each message with a `messageId` unique in the feed; and its processing report
 * (listings-feed-processing-report-schema-v2.json): `issues` naming the `messageId` and `sku`
 * they concern, with `severity` ERROR, WARNING or INFO, Amazon's `code` and `message`, and a
 * `summary` with `messagesAccepted`. An issue without a messageId concerns the whole feed.
 */
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { WriteResult } from '../../core/sdk/connector.js';

/** What the schema allows in one feed. */
export const MAX_MESSAGES_PER_FEED = 10_000;

export interface ListingsFeed {
  document: JsonObject;
  /** The batch index of each message, by messageId - 1. */
  indexes: number[];
}

/** The feed for `messages` (each with the batch index of its record), numbered 1..n in order. */
export function buildListingsFeed(sellerId: string, messages: readonly { index: number; message: JsonObject }[], issueLocale?: string): ListingsFeed {
  const header: JsonObject = { sellerId, version: '2.0' };
  if (issueLocale !== undefined) header['issueLocale'] = issueLocale;
  return {
    document: { header, messages: messages.map(({ message }, position) => ({ messageId: position + 1, ...message })) },
    indexes: messages.map(({ index }) => index),
  };
}

export interface ReportIssue {
  messageId?: number;
  sku?: string;
  code?: string;
  severity: string;
  message: string;
  attributeName?: string;
}

export interface ReportReading {
  /** Per message of the feed (by messageId - 1): its result. */
  results: WriteResult[];
  /** WARNING and INFO issues of accepted messages, to log. */
  notes: ReportIssue[];
}

/**
 * Each message's result by the report: ERROR issues make it permanent, with Amazon's words (it
 * goes to the dead-letter queue); a message without one was accepted. Issues of the whole feed
 * refuse every message when Amazon accepted none. `unsettled` is the result of a message the
 * report leaves open: after a FATAL feed, which may have applied some, none or all.
 */
export function readProcessingReport(report: unknown, messageCount: number, unsettled?: WriteResult): ReportReading {
  const issues = issuesOf(report);
  const errors = new Map<number, ReportIssue[]>();
  const notes: ReportIssue[] = [];
  const feedErrors: ReportIssue[] = [];
  for (const issue of issues) {
    const isError = issue.severity === 'ERROR';
    if (issue.messageId === undefined || issue.messageId < 1 || issue.messageId > messageCount) {
      if (isError) feedErrors.push(issue);
      else notes.push(issue);
      continue;
    }
    if (isError) errors.set(issue.messageId, [...(errors.get(issue.messageId) ?? []), issue]);
    else notes.push(issue);
  }
  const accepted = acceptedCount(report);
  const feedRefused = feedErrors.length > 0 && (accepted === undefined || accepted === 0);
  const results: WriteResult[] = [];
  for (let messageId = 1; messageId <= messageCount; messageId += 1) {
    const own = errors.get(messageId);
    if (own !== undefined) results.push({ status: 'permanent', error: describe(own), code: 'amazon_listing_rejected' });
    else if (feedRefused) results.push({ status: 'permanent', error: `Amazon refused the whole feed: ${feedErrors.map(describeOne).join('; ')}`, code: 'amazon_feed_rejected' });
    else results.push(unsettled ?? { status: 'ok' });
  }
  // Issues of the feed that did not stop it (Amazon accepted messages) are told, not lost.
  if (!feedRefused) notes.push(...feedErrors);
  return { results, notes };
}

function describe(issues: readonly ReportIssue[]): string {
  const sku = issues[0]?.sku;
  return `Amazon refused${sku !== undefined ? ` SKU ${sku}` : ' the message'}: ${issues.map(describeOne).join('; ')}`;
}

function describeOne(issue: ReportIssue): string {
  const code = issue.code !== undefined ? `${issue.code} ` : '';
  const attribute = issue.attributeName !== undefined ? ` (attribute ${issue.attributeName})` : '';
  return `${code}${issue.message}${attribute}`;
}

function issuesOf(report: unknown): ReportIssue[] {
  const issues = isJsonObject(report) ? report['issues'] : undefined;
  if (!Array.isArray(issues)) return [];
  return issues.filter(isJsonObject).map((issue) => {
    const read: ReportIssue = {
      severity: typeof issue['severity'] === 'string' ? issue['severity'] : 'ERROR',
      message: typeof issue['message'] === 'string' ? issue['message'] : 'no message',
    };
    if (typeof issue['messageId'] === 'number') read.messageId = issue['messageId'];
    if (typeof issue['sku'] === 'string') read.sku = issue['sku'];
    if (typeof issue['code'] === 'string') read.code = issue['code'];
    if (typeof issue['attributeName'] === 'string') read.attributeName = issue['attributeName'];
    return read;
  });
}

function acceptedCount(report: unknown): number | undefined {
  const summary = isJsonObject(report) ? report['summary'] : undefined;
  const accepted = isJsonObject(summary) ? summary['messagesAccepted'] : undefined;
  return typeof accepted === 'number' ? accepted : undefined;
}
