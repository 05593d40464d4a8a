import { KeelError } from '../../core/errors.js';
import type { Order } from '../../core/model/order.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import routingEngine from '../../engines/routing/index.js';

/**
 * Canonical orders in: each is routed (units held at the chosen locations, one request per part
 * queued for its location), or held with its reason. A held order is a decision, not a failure:
 * it is written, counted and logged, and `keel route retry` routes it again when stock arrives.
 */
export async function writeOrders(ctx: WriteContext, batch: WriteRecord[]): Promise<WriteResult[]> {
  const routing = ctx.engines.require(routingEngine, 'the routing connector');
  const results: WriteResult[] = [];
  const held: string[] = [];
  for (const record of batch) {
    const order = record.data as unknown as Order;
    if (typeof order.channel !== 'string' || (typeof order.external_id !== 'string' && typeof order.external_id !== 'number') || !Array.isArray(order.lines)) {
      results.push({ status: 'permanent', error: 'not a canonical order: channel, external_id and lines are required (map the source with a mapping first)', code: 'order_invalid' });
      continue;
    }
    try {
      const outcome = await routing.route(order);
      if (outcome.status === 'allocated') results.push({ status: 'ok', ref: `routed to ${outcome.requests.map((request) => request.location_id).join(', ')}`, outcome: 'routed' });
      else if (outcome.status === 'held') {
        held.push(`${outcome.order_key} (${outcome.hold.code})`);
        results.push({ status: 'ok', ref: `held ${outcome.hold.state}: ${outcome.hold.code}`, outcome: 'held' });
      } else results.push({ status: 'ok', ref: outcome.status, outcome: outcome.status });
    } catch (error) {
      if (error instanceof KeelError && error.kind === 'record') results.push({ status: 'permanent', error: error.message, code: error.code });
      else throw error;
    }
  }
  if (held.length > 0) ctx.logger.warn('orders held: no strategy of the routing profile could serve them; `keel route explain <order>` says why', { held: held.slice(0, 10).join(', '), count: held.length });
  return results;
}
