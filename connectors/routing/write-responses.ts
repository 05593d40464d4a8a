import { KeelError } from '../../core/errors.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import routingEngine from '../../engines/routing/index.js';

const ACTIONS = ['claim', 'unclaim', 'reject', 'shipped'] as const;
type Action = (typeof ACTIONS)[number];

/**
 * Answers from locations (a store system's export, a 3PL's status file): `{ order, location_id,
 * action: claim | unclaim | reject | shipped, reason? }` where `order` is channel:id or the
 * order's id. An answer that does not fit (no such offer, already claimed elsewhere) is dead-
 * lettered with the reason.
 */
export async function writeResponses(ctx: WriteContext, batch: WriteRecord[]): Promise<WriteResult[]> {
  const routing = ctx.engines.require(routingEngine, 'the routing connector');
  const results: WriteResult[] = [];
  for (const record of batch) {
    const order = record.data['order'] ?? record.data['order_key'];
    const location = record.data['location_id'];
    const action = record.data['action'];
    const reason = record.data['reason'];
    if ((typeof order !== 'string' && typeof order !== 'number') || typeof location !== 'string' || !ACTIONS.includes(action as Action)) {
      results.push({ status: 'permanent', error: `an answer needs order, location_id and action (${ACTIONS.join(', ')})`, code: 'response_invalid' });
      continue;
    }
    try {
      const ref = String(order);
      const now = new Date();
      switch (action as Action) {
        case 'claim':
          await routing.claim(ref, location, now);
          results.push({ status: 'ok', ref: 'claimed' });
          break;
        case 'unclaim':
        case 'reject': {
          const why = typeof reason === 'string' && reason !== '' ? reason : 'no reason given';
          const outcome = await routing.unclaim(ref, location, why, now, action === 'reject' ? 'rejected' : 'unclaimed');
          results.push({ status: 'ok', ref: outcome.status === 'waiting' ? `waiting for ${outcome.open.join(', ')}` : `rerouted: ${outcome.outcome.status}` });
          break;
        }
        case 'shipped':
          await routing.shipped(ref, location, now);
          results.push({ status: 'ok', ref: 'shipped' });
          break;
      }
    } catch (error) {
      if (error instanceof KeelError && error.kind === 'record') results.push({ status: 'permanent', error: error.message, code: error.code });
      else throw error;
    }
  }
  return results;
}
