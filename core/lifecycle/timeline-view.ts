import type { JsonObject } from '../json.js';
import type { OrderTimeline } from './lifecycle-engine.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import type { OrderState } from './order-state.js';

/** One event as `keel order show` and the API show it: the same words in text and JSON. */
export interface TimelineEntry {
  seq: number;
  at: string;
  recorded_at: string;
  event: LifecycleEvent['type'];
  event_id: string;
  /** `channel:shop`, `location:store-berlin`, `ops:alice`. */
  source: string;
  details: string;
  flags: string[];
  note: string | null;
  data: JsonObject;
}

export interface TimelineView {
  order: string;
  state: OrderState;
  timeline: TimelineEntry[];
}

export function timelineView(timeline: OrderTimeline): TimelineView {
  return {
    order: timeline.order_key,
    state: timeline.state,
    timeline: timeline.events.map((event) => ({
      seq: event.seq,
      at: new Date(event.at).toISOString(),
      recorded_at: new Date(event.recorded_at).toISOString(),
      event: event.type,
      event_id: event.event_id,
      source: `${event.source.kind}:${event.source.id}`,
      details: detailsOf(event),
      flags: event.flags,
      note: event.note ?? null,
      data: event.data,
    })),
  };
}

type Line = { line_id: string; quantity: number; sku?: string };

const lines = (data: JsonObject): string => {
  const list = Array.isArray(data['lines']) ? (data['lines'] as unknown as Line[]) : [];
  return list.map((line) => `${line.line_id}${line.sku !== undefined ? ` ${line.sku}` : ''}×${line.quantity}`).join(', ');
};

const words = (...parts: (string | false | undefined)[]): string => parts.filter((part) => typeof part === 'string' && part !== '').join('; ');

/** The event's data in a few words: `part p1; tracking dhl JD0001`, `lines l1×2; refund f1 19.90 EUR`. */
export function detailsOf(event: Pick<LifecycleEvent, 'type' | 'data'>): string {
  const { data } = event;
  const text = (key: string): string | undefined => (typeof data[key] === 'string' ? data[key] : undefined);
  const part = text('part_id') !== undefined ? `part ${text('part_id')}` : undefined;
  const at = text('location_id') !== undefined ? `at ${text('location_id')}` : undefined;
  const lineText = lines(data) !== '' ? `lines ${lines(data)}` : undefined;
  switch (event.type) {
    case 'routed': {
      const parts = Array.isArray(data['parts']) ? (data['parts'] as unknown as { part_id: string; location_id: string }[]) : [];
      return parts.map((routed) => `${routed.part_id} → ${routed.location_id}`).join(', ');
    }
    case 'shipped': {
      const tracking = data['tracking'] as { carrier?: string; number?: string } | undefined;
      return words(part, lineText, tracking !== undefined && `tracking ${[tracking.carrier, tracking.number].filter(Boolean).join(' ')}`);
    }
    case 'cancelled':
      return words(lineText ?? 'whole order', text('reason') !== undefined && `reason: ${text('reason')}`);
    case 'return_announced':
    case 'return_received':
      return words(`return ${text('return_id')}`, at, lineText);
    case 'refunded': {
      const amount = data['amount'] as { value?: string; currency?: string } | undefined;
      return words(`refund ${text('refund_id')}`, lineText, amount !== undefined && `${amount.value} ${amount.currency}`);
    }
    default:
      return words(part, at, lineText);
  }
}
