import type { Order } from '../../core/model/order.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import routingEngine from '../../engines/routing/index.js';
import { writeInOrder } from '../../core/sdk/error-outcome.js';

/**
 * Canonical orders in: each is routed (units held at the chosen locations, one request per part
 * queued for its location), or held with its reason. A held order is a decision, not a failure:
 * it is written, counted and logged, and `keel route retry` routes it again when stock arrives.
 *
 * Errors, by the one mapping (core/sdk/error-outcome.ts): a record error (an order the router
 * refuses) dead-letters that order and the batch goes on; a transient one leaves that order and
 * every later one of the batch to be retried, in their order, as the order routed first gets the
 * stock; anything else stops the run. Each order is routed in its own transaction and routing an
 * order again finds its decision (already_routed), so what was routed before a failure or a crash
 * is never routed twice.
 */
export async function writeOrders(ctx: WriteContext, batch: WriteRecord[]): Promise<WriteResult[]> {
  const routing = ctx.engines.require(routingEngine, 'the routing connector');
  const held: string[] = [];
  const results = await writeInOrder(batch, async (record): Promise<WriteResult> => {
    const order = record.data as unknown as Order;
    if (typeof order.channel !== 'string' || (typeof order.external_id !== 'string' && typeof order.external_id !== 'number') || !Array.isArray(order.lines)) {
      return { status: 'permanent', error: 'not a canonical order: channel, external_id and lines are required (map the source with a mapping first)', code: 'order_invalid' };
    }
    const outcome = await routing.route(order);
    if (outcome.status === 'allocated') return { status: 'ok', ref: `routed to ${outcome.requests.map((request) => request.location_id).join(', ')}`, outcome: 'routed' };
    if (outcome.status === 'held') {
      held.push(`${outcome.order_key} (${outcome.hold.code})`);
      return { status: 'ok', ref: `held ${outcome.hold.state}: ${outcome.hold.code}`, outcome: 'held' };
    }
    return { status: 'ok', ref: outcome.status, outcome: outcome.status };
  });
  if (held.length > 0) ctx.logger.warn('orders held: no strategy of the routing profile could serve them; `keel route explain <order>` says why', { held: held.slice(0, 10).join(', '), count: held.length });
  return results;
}
