import { RecordRejection } from '../errors.js';
import type { CheckedEvent, LifecycleEvent } from './lifecycle-event.js';
import { applyEvent, emptyFold, isWhollyCancelled, linesIn, ORDER_STAGES, PART_STAGES, shippedLines, statusOf, type Fold, type LineQuantity, type OrderStatus } from './order-state.js';

/**
 * What becomes of an event reported for an order, given the events recorded before it:
 * - `record`: append it, with `out_of_order` when it came before what it follows or after what follows it;
 * - `duplicate`: it was recorded already (same event id, or same type and content): nothing changes;
 * - `refuse`: it cannot happen in the order's state (shipped after the whole order was cancelled,
 *   more refunded than returned); the rejection names both, for the caller to dead-letter.
 */
export type EventDecision =
  | { kind: 'record'; flags: string[]; note: string | undefined }
  | { kind: 'duplicate'; of: LifecycleEvent }
  | { kind: 'refuse'; from: OrderStatus; rejection: RecordRejection };

/** Events that move an order towards shipping: none of them can follow a whole cancellation. */
const FULFILMENT = new Set(['reserved', 'routed', 'offered', 'claimed', 'shipped', 'delivered']);

export function decideEvent(recorded: readonly LifecycleEvent[], event: CheckedEvent): EventDecision {
  for (const earlier of recorded) {
    if (earlier.event_id === event.event_id) {
      if (earlier.fingerprint === event.fingerprint) return { kind: 'duplicate', of: earlier };
      const fold = foldOf(event.order_key, recorded);
      return refuse(fold, event, `event id ${event.event_id} was recorded already as ${earlier.type} with other data (seq ${earlier.seq})`, 'lifecycle_event_id_conflict');
    }
    if (earlier.fingerprint === event.fingerprint) return { kind: 'duplicate', of: earlier };
  }
  const fold = foldOf(event.order_key, recorded);
  const impossible = impossibility(fold, event);
  if (impossible !== undefined) return refuse(fold, event, impossible, 'lifecycle_transition_refused');
  const note = outOfOrder(fold, event);
  return { kind: 'record', flags: note === undefined ? [] : ['out_of_order'], note };
}

function foldOf(order_key: string, recorded: readonly LifecycleEvent[]): Fold {
  const fold = emptyFold(order_key);
  for (const earlier of recorded) applyEvent(fold, earlier);
  return fold;
}

function refuse(fold: Fold, event: CheckedEvent, why: string, code: string): EventDecision {
  const from = statusOf(fold);
  return {
    kind: 'refuse',
    from,
    rejection: new RecordRejection(`order ${event.order_key} is ${from}: ${describe(event)} cannot follow (${why})`, code, {
      stage: 'lifecycle',
      hint: 'check the order with keel order show, then fix the event and replay it or discard it',
    }),
  };
}

/** `shipped (part p1)`, `cancelled (lines l1×2)`: the event as messages name it. */
export function describe(event: Pick<CheckedEvent, 'type' | 'data'>): string {
  const part = typeof event.data['part_id'] === 'string' ? `part ${event.data['part_id']}` : undefined;
  const lines = linesIn(event.data).map((line) => `${line.line_id}×${line.quantity}`);
  const what = [part, lines.length > 0 ? `lines ${lines.join(', ')}` : event.type === 'cancelled' ? 'whole order' : undefined].filter((item) => item !== undefined);
  return what.length > 0 ? `${event.type} (${what.join('; ')})` : event.type;
}

/** Why the event cannot happen now, or undefined when it can. */
function impossibility(fold: Fold, event: CheckedEvent): string | undefined {
  if (FULFILMENT.has(event.type) && isWhollyCancelled(fold)) return 'the whole order was cancelled';
  switch (event.type) {
    case 'received':
      return fold.received ? 'the order was received already with other lines' : undefined;
    case 'shipped':
      return overLines(fold, shippedLines(fold, event.data), 'shipping', (line) => line.ordered - line.cancelled - line.shipped, (line) =>
        `ordered ${line.ordered}, cancelled ${line.cancelled}, shipped ${line.shipped}`);
    case 'cancelled': {
      const lines = linesIn(event.data);
      if (lines.length > 0) {
        return overLines(fold, lines, 'cancelling', (line) => line.ordered - line.cancelled - line.shipped, (line) =>
          `ordered ${line.ordered}, cancelled ${line.cancelled}, shipped ${line.shipped}`);
      }
      if (fold.wholeCancel) return 'the whole order was cancelled already';
      const open = [...fold.lines.values()].reduce((total, line) => total + line.ordered - line.cancelled - line.shipped, 0);
      return fold.received && open <= 0 ? 'nothing is left to cancel: every unit shipped or was cancelled' : undefined;
    }
    case 'return_announced':
      return overLines(fold, linesIn(event.data), 'announcing a return of', (line) => line.ordered - line.cancelled - line.return_announced, (line) =>
        `ordered ${line.ordered}, cancelled ${line.cancelled}, announced ${line.return_announced}`);
    case 'return_received':
      return overLines(fold, linesIn(event.data), 'receiving a return of', (line) => line.shipped - line.returned, (line) =>
        `shipped ${line.shipped}, returned ${line.returned}`, true);
    case 'refunded':
      return overLines(fold, linesIn(event.data), 'refunding', (line) => line.returned + line.cancelled - line.refunded, (line) =>
        `returned ${line.returned}, cancelled ${line.cancelled}, refunded ${line.refunded}`, true);
    default:
      return undefined;
  }
}

/**
 * The first line the event takes more of than is left. Before `received` the ordered quantities
 * are unknown, so only `always` checks (returns, refunds: they count what the events recorded) apply.
 */
function overLines(
  fold: Fold,
  lines: readonly LineQuantity[],
  doing: string,
  left: (line: NonNullable<ReturnType<Fold['lines']['get']>>) => number,
  counts: (line: NonNullable<ReturnType<Fold['lines']['get']>>) => string,
  always = false,
): string | undefined {
  if (!fold.received && !always) return undefined;
  const taken = new Map<string, number>();
  for (const { line_id, quantity } of lines) {
    const line = fold.lines.get(line_id);
    if (line === undefined && fold.received) return `the order has no line ${line_id}`;
    const total = (taken.get(line_id) ?? 0) + quantity;
    taken.set(line_id, total);
    const available = line === undefined ? 0 : left(line);
    if (total > available) return `${doing} ${total} of line ${line_id}, ${Math.max(available, 0)} left${line === undefined ? '' : `: ${counts(line)}`}`;
  }
  return undefined;
}

/** Why the event is out of order, or undefined when it comes where it should. */
function outOfOrder(fold: Fold, event: CheckedEvent): string | undefined {
  if (event.type === 'received') return fold.last !== undefined ? `received after ${fold.last}` : undefined;
  if (!fold.received) return `${event.type} before received`;
  const stage = ORDER_STAGES.indexOf(event.type);
  if (stage >= 0 && event.type !== 'offered' && event.type !== 'claimed' && fold.stage > stage) return `${event.type} after ${ORDER_STAGES[fold.stage]}`;
  const part_id = typeof event.data['part_id'] === 'string' ? event.data['part_id'] : undefined;
  const part = part_id === undefined ? undefined : fold.parts.get(part_id);
  const rank = (status: string): number => PART_STAGES.indexOf(status as (typeof PART_STAGES)[number]);
  switch (event.type) {
    case 'offered':
    case 'claimed':
      return part !== undefined && rank(part.status) >= rank(event.type) ? `${event.type} after ${part.status}` : undefined;
    case 'shipped':
      if (part === undefined) return `shipped before part ${part_id ?? '?'} was routed or claimed`;
      return part.status === 'offered' ? 'shipped before claimed' : part.status === 'delivered' ? 'shipped after delivered' : undefined;
    case 'delivered': {
      if (part_id !== undefined) return part === undefined || rank(part.status) < rank('shipped') ? `delivered before part ${part_id} shipped` : undefined;
      const shipped = [...fold.lines.values()].some((line) => line.shipped > 0) || [...fold.parts.values()].some((item) => rank(item.status) >= rank('shipped'));
      return shipped ? undefined : 'delivered before shipped';
    }
    case 'return_announced':
      return [...fold.lines.values()].some((line) => line.shipped > 0) ? undefined : 'return_announced before shipped';
    default:
      return undefined;
  }
}
