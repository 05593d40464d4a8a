import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildListingsFeed, readProcessingReport } from './listings-feed.js';

/** Amazon's own example processing report (fixtures/README.md): ERROR issues for messages 4 and 5 of a feed of five. */
const EXAMPLE_REPORT = JSON.parse(readFileSync(new URL('./fixtures/listings-feed-processing-report-v2.example.json', import.meta.url), 'utf8')) as unknown;

describe('JSON_LISTINGS_FEED', () => {
  it('numbers the messages 1..n under the seller header, and remembers which record each came from', () => {
    const feed = buildListingsFeed('A3EXAMPLE', [
      { index: 2, message: { sku: 'B', operationType: 'PATCH' } },
      { index: 5, message: { sku: 'C', operationType: 'PATCH' } },
    ]);
    expect(feed.document).toEqual({
      header: { sellerId: 'A3EXAMPLE', version: '2.0' },
      messages: [
        { messageId: 1, sku: 'B', operationType: 'PATCH' },
        { messageId: 2, sku: 'C', operationType: 'PATCH' },
      ],
    });
    expect(feed.indexes).toEqual([2, 5]);
  });

  it("reads Amazon's example report: messages with ERROR issues refused with Amazon's words, the others accepted", () => {
    const { results, notes } = readProcessingReport(EXAMPLE_REPORT, 5);
    expect(results).toEqual([
      { status: 'ok' },
      { status: 'ok' },
      { status: 'ok' },
      {
        status: 'permanent',
        code: 'amazon_listing_rejected',
        error: "Amazon refused SKU My-SKU-B: 90220 '[batteries_required]' is required but not supplied.; 90220 '[supplier_declared_dg_hz_regulation]' is required but not supplied.",
      },
      {
        status: 'permanent',
        code: 'amazon_listing_rejected',
        error:
          "Amazon refused SKU My-SKU-C: 99022 The field '\"prices\"' for the attribute 'purchasable_offer.our_price' does not have enough values. The required minimum is '1' value(s). (attribute purchasable_offer.our_price)",
      },
    ]);
    expect(notes).toEqual([]);
  });

  it('refuses every message for an ERROR of the whole feed when Amazon accepted none, and only tells of it when Amazon accepted some', () => {
    const report = (accepted: number) => ({ issues: [{ code: '100001', severity: 'ERROR', message: 'The feed header is invalid' }], summary: { messagesAccepted: accepted } });
    expect(readProcessingReport(report(0), 2).results).toEqual([
      { status: 'permanent', code: 'amazon_feed_rejected', error: 'Amazon refused the whole feed: 100001 The feed header is invalid' },
      { status: 'permanent', code: 'amazon_feed_rejected', error: 'Amazon refused the whole feed: 100001 The feed header is invalid' },
    ]);
    const some = readProcessingReport(report(2), 2);
    expect(some.results).toEqual([{ status: 'ok' }, { status: 'ok' }]);
    expect(some.notes).toEqual([{ code: '100001', severity: 'ERROR', message: 'The feed header is invalid' }]);
  });

  it('leaves what a FATAL feed did not refuse unsettled, and keeps WARNING issues as notes', () => {
    const unsettled = { status: 'retryable' as const, error: 'aborted' };
    const { results, notes } = readProcessingReport(
      { issues: [{ messageId: 1, sku: 'A', code: '1', severity: 'ERROR', message: 'no' }, { messageId: 2, sku: 'B', code: '18448', severity: 'WARNING', message: 'incomplete' }] },
      3,
      unsettled,
    );
    expect(results.map((result) => result.status)).toEqual(['permanent', 'retryable', 'retryable']);
    expect(notes).toEqual([{ messageId: 2, sku: 'B', code: '18448', severity: 'WARNING', message: 'incomplete' }]);
  });
});
