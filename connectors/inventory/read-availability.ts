import type { PublishValue } from '../../core/inventory/inventory-engine.js';
import type { JsonObject } from '../../core/json.js';
import type { ReadContext, SourcePage } from '../../core/sdk/connector.js';
import inventory from '../../engines/inventory/index.js';

const PAGE = 1000;

/**
 * Yields the channel's changed values in pages. What was sent is recorded after each page's
 * batch is committed (so a crash re-sends instead of forgetting), and the channel's change
 * watermark moves after the last page. Each value carries a revision, so the same quantity sent
 * again after it changed in between is a new record for the effect ledger, not a duplicate.
 */
export async function* readAvailability(ctx: ReadContext<unknown, { channel: string; mode?: 'delta' | 'full' }>): AsyncIterable<SourcePage> {
  const engine = ctx.engines.require(inventory, 'the inventory connector');
  const channel = ctx.options.channel;
  const now = new Date();
  const computedAt = now.toISOString();
  let page = 0;
  let at = 0;
  let through = 0;
  let rules = 0;
  const marking: Promise<void>[] = [];
  const pages = engine.changes(channel, ctx.options.mode ?? 'delta', now, PAGE);
  for await (const chunk of pages) {
    through = chunk.through;
    rules = chunk.rules;
    if (ctx.signal.aborted) return;
    const values = chunk.values;
    // Names this publish and page: batch keys (and so file names and ledger entries) differ per publish.
    const checkpoint = { channel, through, computed_at: computedAt, page: (page += 1) };
    yield {
      unit: `availability:${channel}`,
      positions: 'item',
      records: values.map((value) => ({
        at: (at += 1),
        data: publishedRecord(channel, value, computedAt),
      })),
      checkpoint,
      // The page's values follow from the change sequence and the revisions recorded before this
      // publish, and every record carries computed_at: this names the page's content exactly.
      identity: JSON.stringify(checkpoint),
      afterCommit: async () => {
        // Recorded while the next page is computed (on the ledger's write thread when it has one);
        // the closing page waits for every record before it moves the watermark.
        const marked = engine.store.markPublished(channel, values, Date.now());
        marked.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
        marking.push(marked);
      },
    };
  }
  // Everything up to `through` is published once the pages before this are committed.
  yield {
    unit: `availability:${channel}`,
    records: [],
    checkpoint: { channel, through, computed_at: computedAt, page: page + 1 },
    afterCommit: async () => {
      await Promise.all(marking);
      // The next delta starts from here: ledger changes after `through`, time after `now`, rules unless they changed.
      await engine.store.setPublishState(channel, { through, at: now.getTime(), rules });
    },
  };
}

/** What a channel is sent for one SKU; one object literal per shape, no spreads (a quarter of a million per publish). */
function publishedRecord(channel: string, value: PublishValue, computedAt: string): JsonObject {
  const { sku, quantity, status, revision } = value;
  if (value.available_from === undefined) return { channel, sku, quantity, status, revision, computed_at: computedAt };
  return { channel, sku, quantity, status, available_from: value.available_from, revision, computed_at: computedAt };
}
