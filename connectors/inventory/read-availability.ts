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
  const { values, through } = await engine.changes(channel, ctx.options.mode ?? 'delta', now);
  const computedAt = now.toISOString();
  for (let start = 0; start < values.length || start === 0; start += PAGE) {
    const page = values.slice(start, start + PAGE);
    const last = start + PAGE >= values.length;
    yield {
      unit: `availability:${channel}`,
      positions: 'item',
      records: page.map((value, index) => ({
        at: start + index + 1,
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
      checkpoint: { channel, through, computed_at: computedAt, page: start / PAGE },
      afterCommit: async () => {
        await engine.store.markPublished(
          channel,
          page.map((value) => ({ sku: value.sku, quantity: value.quantity, revision: value.revision })),
          Date.now(),
        );
        if (last) await engine.store.setPublishWatermark(channel, through);
      },
    };
    if (last) break;
  }
}
