import type { ReadContext, SourcePage } from '../../core/sdk/connector.js';
import { engineOf } from './engine.js';

const PAGE = 1000;

/**
 * Yields the channel's changed values in pages. What was sent is recorded after each page's
 * batch is committed (so a crash re-sends instead of forgetting), and the channel's change
 * watermark moves after the last page. Each value carries a revision, so the same quantity sent
 * again after it changed in between is a new record for the effect ledger, not a duplicate.
 */
export async function* readAvailability(ctx: ReadContext<unknown, { channel: string; mode?: 'delta' | 'full' }>): AsyncIterable<SourcePage> {
  const engine = engineOf(ctx);
  const channel = ctx.options.channel;
  const now = new Date();
  const computedAt = now.toISOString();
  let page = 0;
  let at = 0;
  let through = 0;
  const pages = engine.changes(channel, ctx.options.mode ?? 'delta', now, PAGE);
  for await (const chunk of pages) {
    through = chunk.through;
    if (ctx.signal.aborted) return;
    const values = chunk.values;
    yield {
      unit: `availability:${channel}`,
      positions: 'item',
      records: values.map((value) => ({
        at: (at += 1),
        data: {
          channel,
          sku: value.sku,
          quantity: value.quantity,
          status: value.status,
          ...(value.available_from !== undefined ? { available_from: value.available_from } : {}),
          revision: value.revision,
          computed_at: computedAt,
        },
      })),
      // Names this publish and page: batch keys (and so file names and ledger entries) differ per publish.
      checkpoint: { channel, through, computed_at: computedAt, page: (page += 1) },
      afterCommit: async () => {
        await engine.store.markPublished(
          channel,
          values.map((value) => ({ sku: value.sku, quantity: value.quantity, revision: value.revision })),
          Date.now(),
        );
      },
    };
  }
  // Everything up to `through` is published once the pages before this are committed.
  yield {
    unit: `availability:${channel}`,
    records: [],
    checkpoint: { channel, through, computed_at: computedAt, page: page + 1 },
    afterCommit: async () => engine.store.setPublishWatermark(channel, through),
  };
}
