import { RecordRejection } from '../../core/errors.js';
import type { RequestStatus } from '../../core/routing/routing-store.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import type { RoutingEngine } from '../../core/routing/routing-engine.js';
import routingEngine from '../../engines/routing/index.js';
import { writeInOrder } from '../../core/sdk/error-outcome.js';

const ACTIONS = ['claim', 'unclaim', 'reject', 'shipped'] as const;
type Action = (typeof ACTIONS)[number];
/** The status an answer leaves the location's request in. */
const REACHED: Record<Action, RequestStatus> = { claim: 'claimed', unclaim: 'unclaimed', reject: 'rejected', shipped: 'shipped' };

/**
 * Answers from locations (a store system's export, a 3PL's status file): `{ order, location_id,
 * action: claim | unclaim | reject | shipped, reason? }` where `order` is channel:id or the
 * order's id. An answer that does not fit (no such offer, already claimed elsewhere) is a record
 * error: dead-lettered with the reason, and the batch goes on. A transient error leaves that answer
 * and the later ones to be retried in their order (a claim before the shipped that follows it);
 * anything else stops the run. The same answer again (a retry after a crash between the engine's
 * commit and the run's) finds the request already where the answer puts it: that is a success,
 * `already <status>`, not a dead letter, so the write is idempotent per record as declared.
 */
export async function writeResponses(ctx: WriteContext, batch: WriteRecord[]): Promise<WriteResult[]> {
  const routing = ctx.engines.require(routingEngine, 'the routing connector');
  return writeInOrder(batch, async (record): Promise<WriteResult> => {
    const order = record.data['order'] ?? record.data['order_key'];
    const location = record.data['location_id'];
    const action = record.data['action'];
    const reason = record.data['reason'];
    if ((typeof order !== 'string' && typeof order !== 'number') || typeof location !== 'string' || !ACTIONS.includes(action as Action)) {
      return { status: 'permanent', error: `an answer needs order, location_id and action (${ACTIONS.join(', ')})`, code: 'response_invalid' };
    }
    const ref = String(order);
    try {
      return await answer(routing, ref, location, action as Action, reason);
    } catch (error) {
      if (!(error instanceof RecordRejection) || error.code !== 'no_open_request') throw error;
      const reached = REACHED[action as Action];
      if ((await routing.requestsAt(ref, location)).some((request) => request.status === reached)) return { status: 'ok', ref: `already ${reached}` };
      throw error;
    }
  });
}

/** Hands one answer to the engine. */
async function answer(routing: RoutingEngine, ref: string, location: string, action: Action, reason: unknown): Promise<WriteResult> {
  const now = new Date();
  switch (action) {
    case 'claim':
      await routing.claim(ref, location, now);
      return { status: 'ok', ref: 'claimed' };
    case 'unclaim':
    case 'reject': {
      const why = typeof reason === 'string' && reason !== '' ? reason : 'no reason given';
      const outcome = await routing.unclaim(ref, location, why, now, action === 'reject' ? 'rejected' : 'unclaimed');
      return { status: 'ok', ref: outcome.status === 'waiting' ? `waiting for ${outcome.open.join(', ')}` : `rerouted: ${outcome.outcome.status}` };
    }
    case 'shipped':
      await routing.shipped(ref, location, now);
      return { status: 'ok', ref: 'shipped' };
  }
}
