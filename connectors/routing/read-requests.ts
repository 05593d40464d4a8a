import type { LocationType } from '../../core/model/location.js';
import type { ReadContext, SourcePage } from '../../core/sdk/connector.js';
import routingEngine from '../../engines/routing/index.js';

export interface RequestsOptions {
  locations?: string[];
  location_types?: LocationType[];
}

const PAGE = 500;

/**
 * The outbox: fulfilment requests, store offers, withdrawals and cancellations for the chosen
 * locations, oldest first. Each page is marked sent once its batch is committed, so a crash sends
 * it again (the target's effect ledger drops what already arrived) and never loses it. Offers
 * that timed out are given back and routed again first, so their new requests go out now.
 */
export async function* readRequests(ctx: ReadContext<unknown, RequestsOptions>): AsyncIterable<SourcePage> {
  const routing = ctx.engines.require(routingEngine, 'the routing connector');
  const now = new Date();
  // A dry run changes nothing: no offer is given back, no store penalised.
  const dryRun = ctx.dryRun === true;
  if (!dryRun) {
    const expired = await routing.expireOffers(now);
    if (expired.timed_out > 0) ctx.logger.warn('store offers timed out and were routed again', { timed_out: expired.timed_out, rerouted: expired.rerouted });
  }
  const types = ctx.options.location_types !== undefined ? new Set<string>(ctx.options.location_types) : undefined;
  const wanted = routing.locations
    .filter((location) => (ctx.options.locations === undefined || ctx.options.locations.includes(location.location_id)) && (types === undefined || types.has(location.type)))
    .map((location) => location.location_id);
  const locations = new Set(wanted);
  let after = 0;
  let at = 0;
  for (;;) {
    if (ctx.signal.aborted) return;
    const messages = await routing.outbox(after, locations, PAGE, !dryRun);
    if (messages.length === 0) return;
    after = (messages[messages.length - 1] as (typeof messages)[number]).message_id;
    const ids = messages.map((message) => message.message_id);
    yield {
      unit: 'routing requests',
      positions: 'item',
      records: messages.map((message) => ({
        at: (at += 1),
        data: message.body,
      })),
      checkpoint: { through: after },
      afterCommit: async () => routing.store.markSent(ids, Date.now()),
    };
  }
}
