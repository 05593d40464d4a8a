import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../core/json.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { EMULATOR_SELLER } from '../../test-support/amazon-sp-api-emulator.js';
import { AMAZON_DE, AMAZON_ENV, amazonTestBed, memoryState, writeAmazonStock } from '../../test-support/amazon-sp-api-project.js';
import { runProject } from '../../test-support/run-project.js';

const bed = amazonTestBed();

const FAST_POLLS = { poll_interval_ms: 100, max_poll_interval_ms: 400 };
const level = (sku: string, available: number): JsonObject => ({ sku, location_id: 'channel-amazon-de', available, updated_at: '2026-12-01T10:00:00Z', source: 'keel' });

async function deadLetters(dir: string): Promise<{ code: string; reason: string; payload: string }[]> {
  const store = new SqliteStateStore(`${dir}/.keel/state.db`);
  try {
    return (await store.listDeadLetters({})).map(({ code, reason, payload }) => ({ code, reason, payload }));
  } finally {
    await store.close();
  }
}

describe('amazon-sp-api stock', () => {
  it('sends a batch as one listings feed: accepted SKUs get their quantity, refused ones are dead-lettered with Amazon\'s message', async () => {
    const under = await bed.start({
      feedPolls: 3,
      gzipReports: true,
      rejectSkus: {
        'NH-BATTERY': [{ code: '90220', message: "'[batteries_required]' is required but not supplied." }],
        'NH-GIFT-CARD': [
          { code: '99022', message: "The field 'prices' for the attribute 'purchasable_offer.our_price' does not have enough values.", attributeName: 'purchasable_offer.our_price' },
          { code: '90220', message: "'[supplier_declared_dg_hz_regulation]' is required but not supplied." },
        ],
        'NH-MUG-WHT': [{ code: '18448', severity: 'WARNING', message: 'Attributes tagged as relevant_attributes are incomplete.' }],
      },
    });
    const { amazon } = under;
    const project = bed.project(under, {
      stock: `name: stock
source: { connection: in, stream: files, options: { path: "stock-*.ndjson" } }
targets:
  - { connection: amazon, stream: stock, key: "{{sku}}", options: { poll_interval_ms: 100, max_poll_interval_ms: 400, issue_locale: de_DE } }
batch_size: 10
`,
    });
    project.write({
      'in/stock-1.ndjson': [
        level('NH-TEE-BLK-M', 10),
        // The inventory engine's availability of a channel: { channel, sku, quantity }.
        { channel: 'amazon-de', sku: 'NH-TEE-BLK-L', quantity: 4, status: 'in_stock', revision: 7, computed_at: '2026-12-01T10:00:00Z' },
        level('NH-BATTERY', 3),
        level('NH-GIFT-CARD', 100),
        level('NH-MUG-WHT', 25),
        // Oversold: Amazon takes no negative quantity, the mapping sends 0.
        level('NH-TEE-RED-S', -2),
        // A level that knows only on_hand would publish units promised to orders: the mapping refuses it.
        { sku: 'NH-TEE-RED-M', location_id: 'wh-berlin', on_hand: 12, updated_at: '2026-12-01T10:00:00Z', source: 'erp' },
      ]
        .map((record) => JSON.stringify(record))
        .join('\n'),
    });
    const { summary } = await runProject(project.dir, { env: AMAZON_ENV });
    expect(summary).toMatchObject({ status: 'dead_letters', read: 7, written: 4, deadLettered: 3 });
    expect(Object.fromEntries(amazon.quantities)).toEqual({ 'NH-TEE-BLK-M': 10, 'NH-TEE-BLK-L': 4, 'NH-MUG-WHT': 25, 'NH-TEE-RED-S': 0 });

    // One feed, its messages numbered in the batch's order, under the seller's header.
    expect(amazon.feeds).toHaveLength(1);
    const feed = amazon.feeds[0]?.document as { header: JsonObject; messages: JsonObject[] };
    expect(feed.header).toEqual({ sellerId: EMULATOR_SELLER, version: '2.0', issueLocale: 'de_DE' });
    expect(feed.messages.map((message) => [message['messageId'], message['sku'], message['operationType']])).toEqual([
      [1, 'NH-TEE-BLK-M', 'PATCH'],
      [2, 'NH-TEE-BLK-L', 'PATCH'],
      [3, 'NH-BATTERY', 'PATCH'],
      [4, 'NH-GIFT-CARD', 'PATCH'],
      [5, 'NH-MUG-WHT', 'PATCH'],
      [6, 'NH-TEE-RED-S', 'PATCH'],
    ]);
    expect(amazon.feeds[0]?.marketplaceIds).toEqual([AMAZON_DE]);

    const letters = await deadLetters(project.dir);
    expect(letters.map(({ code, reason }) => ({ code, reason }))).toEqual([
      { code: 'amazon_listing_rejected', reason: "Amazon refused SKU NH-BATTERY: 90220 '[batteries_required]' is required but not supplied. (feed 50001)" },
      {
        code: 'amazon_listing_rejected',
        reason:
          "Amazon refused SKU NH-GIFT-CARD: 99022 The field 'prices' for the attribute 'purchasable_offer.our_price' does not have enough values. (attribute purchasable_offer.our_price); 90220 '[supplier_declared_dg_hz_regulation]' is required but not supplied. (feed 50001)",
      },
      { code: 'mapping_failed', reason: expect.stringMatching(/^keel:amazon-listings\/stock\.from-canonical\.json refused the record: .*quantity: is required but missing/) as unknown as string },
    ]);
    expect(JSON.parse(letters[0]?.payload ?? '{}')).toMatchObject({ sku: 'NH-BATTERY', available: 3 });
  });

  it('sends one message per SKU: a later level of a SKU in the batch replaces the earlier one', async () => {
    const { amazon, config } = await bed.start();
    const { results } = await writeAmazonStock(config, FAST_POLLS, [level('NH-TEE-BLK-M', 10), level('NH-MUG-WHT', 2), level('NH-TEE-BLK-M', 7)]);
    expect(results).toEqual([{ status: 'ok', outcome: 'superseded' }, { status: 'ok' }, { status: 'ok' }]);
    expect(amazon.receivedMessages.map((message) => message['sku'])).toEqual(['NH-MUG-WHT', 'NH-TEE-BLK-M']);
    expect(amazon.quantities.get('NH-TEE-BLK-M')).toBe(7);
  });

  it('waits for the feed it sent when the batch is retried after the processing timeout, instead of sending another', async () => {
    const { amazon, config } = await bed.start({ feedPolls: 1000 });
    const { state, values } = memoryState();
    const records = [level('NH-TEE-BLK-M', 10), level('NH-MUG-WHT', 2)];
    const first = await writeAmazonStock(config, { ...FAST_POLLS, processing_timeout_seconds: 1 }, records, state);
    expect(first.results).toHaveLength(2);
    for (const result of first.results) {
      expect(result).toMatchObject({ status: 'retryable', error: expect.stringMatching(/: feed 50001 is still IN_PROGRESS after 1 s; a retry of the batch waits for the same feed$/) as unknown as string });
    }
    expect([...values.values()]).toEqual([expect.objectContaining({ feedId: '50001' })]);

    // Amazon gets round to it; the runner retries the batch.
    amazon.options.feedPolls = 0;
    const retried = await writeAmazonStock(config, FAST_POLLS, records, state);
    expect(retried.results).toEqual([{ status: 'ok' }, { status: 'ok' }]);
    expect(amazon.feeds).toHaveLength(1);
    expect(amazon.stats.requests.createFeed).toBe(1);
    expect(Object.fromEntries(amazon.quantities)).toEqual({ 'NH-TEE-BLK-M': 10, 'NH-MUG-WHT': 2 });
    // Settled: the batch's feed is forgotten, so a later batch with the same key sends its own.
    expect([...values.values()]).toEqual([null]);
    expect(retried.log).toContain('waiting for it instead of sending another');
  });

  it('after a FATAL feed dead-letters what Amazon refused and retries the rest in a new feed', async () => {
    const { amazon, config } = await bed.start({ feedOutcome: 'FATAL', rejectSkus: { 'NH-BATTERY': [{ code: '90220', message: "'[batteries_required]' is required but not supplied." }] } });
    const { state } = memoryState();
    const records = [level('NH-TEE-BLK-M', 10), level('NH-BATTERY', 1), level('NH-MUG-WHT', 2), level('NH-TEE-BLK-L', 3)];
    const fatal = await writeAmazonStock(config, FAST_POLLS, records, state);
    expect(fatal.results.map((result) => result.status)).toEqual(['retryable', 'permanent', 'retryable', 'retryable']);
    expect(fatal.results[0]).toMatchObject({ error: expect.stringMatching(/: Amazon aborted feed 50001 \(FATAL\); records it did not refuse are sent again$/) as unknown as string });
    expect(fatal.results[1]).toMatchObject({ code: 'amazon_listing_rejected', error: expect.stringContaining('NH-BATTERY: 90220') as unknown as string });

    amazon.options.feedOutcome = 'DONE';
    const again = await writeAmazonStock(config, FAST_POLLS, [records[0], records[2], records[3]] as JsonObject[], state);
    expect(again.results).toEqual([{ status: 'ok' }, { status: 'ok' }, { status: 'ok' }]);
    expect(amazon.feeds).toHaveLength(2);
    expect(Object.fromEntries(amazon.quantities)).toEqual({ 'NH-TEE-BLK-M': 10, 'NH-MUG-WHT': 2, 'NH-TEE-BLK-L': 3 });
  });

  it('retries every record of a feed cancelled before it was processed', async () => {
    const { config } = await bed.start({ feedOutcome: 'CANCELLED' });
    const { results } = await writeAmazonStock(config, FAST_POLLS, [level('NH-TEE-BLK-M', 10), level('NH-MUG-WHT', 2)]);
    expect(results).toEqual([
      { status: 'retryable', error: expect.stringMatching(/: feed 50001 was cancelled before Amazon processed it; sent again$/) as unknown as string },
      { status: 'retryable', error: expect.stringMatching(/cancelled/) as unknown as string },
    ]);
  });
});
