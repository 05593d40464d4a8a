import type { JsonObject } from '../json.js';
import type { LifecycleEvent, LifecycleEventType } from './lifecycle-event.js';

/** Where a part stands, furthest first: a late `claimed` after `shipped` does not move it back. */
export const PART_STAGES = ['routed', 'offered', 'claimed', 'shipped', 'delivered'] as const;
export type PartStatus = (typeof PART_STAGES)[number];

export type OrderStatus =
  | 'unknown'
  | 'received'
  | 'reserved'
  | 'routed'
  | 'offered'
  | 'claimed'
  | 'partly_shipped'
  | 'shipped'
  | 'delivered'
  | 'cancelled'
  | 'return_announced'
  | 'partly_returned'
  | 'returned'
  | 'refunded';

export interface LineState {
  line_id: string;
  /** Undefined until `received` names the line. */
  sku: string | undefined;
  ordered: number;
  cancelled: number;
  shipped: number;
  return_announced: number;
  returned: number;
  refunded: number;
}

export interface Tracking {
  carrier?: string;
  number: string;
  url?: string;
}

export interface PartState {
  part_id: string;
  location_id: string | undefined;
  status: PartStatus;
  /** The part's lines as routed, when `routed` said. */
  lines: { line_id: string; quantity: number }[];
  tracking: Tracking[];
}

/** An order as its events make it: a pure function of them, in the order they were recorded. */
export interface OrderState {
  order_key: string;
  status: OrderStatus;
  /** `whole`: nothing of it will ship (all lines cancelled before shipping); `partly`: some lines or units. */
  cancelled: 'none' | 'partly' | 'whole';
  received: boolean;
  lines: LineState[];
  parts: PartState[];
  events: number;
  out_of_order: number;
}

/** The state being folded; `OrderState` is its view. */
export interface Fold {
  order_key: string;
  received: boolean;
  /** Highest pre-shipping stage the order reached: received, reserved, routed, offered, claimed. */
  stage: number;
  wholeCancel: boolean;
  deliveredAll: boolean;
  lines: Map<string, LineState>;
  parts: Map<string, PartState>;
  events: number;
  outOfOrder: number;
  last: LifecycleEventType | undefined;
}

export const ORDER_STAGES: readonly LifecycleEventType[] = ['received', 'reserved', 'routed', 'offered', 'claimed'];

export function emptyFold(order_key: string): Fold {
  return { order_key, received: false, stage: -1, wholeCancel: false, deliveredAll: false, lines: new Map(), parts: new Map(), events: 0, outOfOrder: 0, last: undefined };
}

export function lineOf(fold: Fold, line_id: string): LineState {
  let line = fold.lines.get(line_id);
  if (line === undefined) {
    line = { line_id, sku: undefined, ordered: 0, cancelled: 0, shipped: 0, return_announced: 0, returned: 0, refunded: 0 };
    fold.lines.set(line_id, line);
  }
  return line;
}

function partOf(fold: Fold, part_id: string, location_id: string | undefined): PartState {
  let part = fold.parts.get(part_id);
  if (part === undefined) {
    part = { part_id, location_id, status: 'routed', lines: [], tracking: [] };
    fold.parts.set(part_id, part);
  }
  if (part.location_id === undefined && location_id !== undefined) part.location_id = location_id;
  return part;
}

function advance(part: PartState, to: PartStatus): void {
  if (PART_STAGES.indexOf(to) > PART_STAGES.indexOf(part.status)) part.status = to;
}

export interface LineQuantity {
  line_id: string;
  quantity: number;
}

export function linesIn(data: JsonObject): LineQuantity[] {
  const lines = data['lines'];
  return Array.isArray(lines) ? (lines as unknown as LineQuantity[]) : [];
}

/** What a shipment ships: its own lines, else the lines its part was routed with. */
export function shippedLines(fold: Fold, data: JsonObject): LineQuantity[] {
  const own = linesIn(data);
  if (own.length > 0) return own;
  return fold.parts.get(String(data['part_id']))?.lines ?? [];
}

const text = (data: JsonObject, key: string): string | undefined => (typeof data[key] === 'string' ? data[key] : undefined);

/** Applies one recorded event to the fold. Checks belong to `decideEvent`; this only counts. */
export function applyEvent(fold: Fold, event: Pick<LifecycleEvent, 'type' | 'data' | 'flags'>): void {
  const { data } = event;
  fold.events += 1;
  if (event.flags.includes('out_of_order')) fold.outOfOrder += 1;
  const stage = ORDER_STAGES.indexOf(event.type);
  if (stage > fold.stage) fold.stage = stage;
  switch (event.type) {
    case 'received':
      fold.received = true;
      for (const line of data['lines'] as unknown as { line_id: string; sku: string; quantity: number }[]) {
        const state = lineOf(fold, line.line_id);
        state.sku = line.sku;
        state.ordered = line.quantity;
        if (fold.wholeCancel) state.cancelled = Math.max(state.cancelled, state.ordered - state.shipped);
      }
      break;
    case 'reserved':
      break;
    case 'routed':
      for (const routed of (data['parts'] ?? []) as unknown as { part_id: string; location_id: string; lines?: LineQuantity[] }[]) {
        const part = partOf(fold, routed.part_id, routed.location_id);
        if (routed.lines !== undefined) part.lines = routed.lines.map((line) => ({ line_id: line.line_id, quantity: line.quantity }));
      }
      break;
    case 'offered':
    case 'claimed':
      advance(partOf(fold, String(data['part_id']), text(data, 'location_id')), event.type);
      break;
    case 'shipped': {
      for (const line of shippedLines(fold, data)) lineOf(fold, line.line_id).shipped += line.quantity;
      const part = partOf(fold, String(data['part_id']), undefined);
      advance(part, 'shipped');
      if (typeof data['tracking'] === 'object' && data['tracking'] !== null) part.tracking.push(data['tracking'] as unknown as Tracking);
      break;
    }
    case 'delivered': {
      const part_id = text(data, 'part_id');
      if (part_id === undefined) {
        fold.deliveredAll = true;
        for (const part of fold.parts.values()) if (part.status === 'shipped') part.status = 'delivered';
      } else advance(partOf(fold, part_id, undefined), 'delivered');
      break;
    }
    case 'cancelled': {
      const lines = linesIn(data);
      if (lines.length === 0) {
        fold.wholeCancel = true;
        for (const line of fold.lines.values()) line.cancelled = Math.max(line.cancelled, line.ordered - line.shipped);
      } else for (const line of lines) lineOf(fold, line.line_id).cancelled += line.quantity;
      break;
    }
    case 'return_announced':
      for (const line of linesIn(data)) lineOf(fold, line.line_id).return_announced += line.quantity;
      break;
    case 'return_received':
      for (const line of linesIn(data)) lineOf(fold, line.line_id).returned += line.quantity;
      break;
    case 'refunded':
      for (const line of linesIn(data)) lineOf(fold, line.line_id).refunded += line.quantity;
      break;
  }
  fold.last = event.type;
}

const sum = (lines: Iterable<LineState>, field: keyof Omit<LineState, 'line_id' | 'sku'>): number => {
  let total = 0;
  for (const line of lines) total += line[field];
  return total;
};

/** Whether nothing of the order will ship: cancelled whole before any of it shipped, or every unit cancelled. */
export function isWhollyCancelled(fold: Fold): boolean {
  const ordered = sum(fold.lines.values(), 'ordered');
  const shipped = sum(fold.lines.values(), 'shipped');
  if (shipped > 0) return false;
  return fold.wholeCancel || (ordered > 0 && sum(fold.lines.values(), 'cancelled') >= ordered);
}

export function statusOf(fold: Fold): OrderStatus {
  if (fold.events === 0) return 'unknown';
  const lines = [...fold.lines.values()];
  if (isWhollyCancelled(fold)) return 'cancelled';
  const returned = sum(lines, 'returned');
  if (returned > 0) {
    // `refunded` closes an order: all that shipped came back, and all that came back was refunded.
    if (returned < sum(lines, 'shipped')) return 'partly_returned';
    return lines.every((line) => line.refunded >= line.returned) ? 'refunded' : 'returned';
  }
  if (sum(lines, 'return_announced') > 0) return 'return_announced';
  const shipped = sum(lines, 'shipped');
  const shippedParts = [...fold.parts.values()].filter((part) => part.status === 'shipped' || part.status === 'delivered');
  if (shipped > 0 || shippedParts.length > 0) {
    const open = sum(lines, 'ordered') - sum(lines, 'cancelled');
    if (shipped < open) return 'partly_shipped';
    return fold.deliveredAll || (shippedParts.length > 0 && shippedParts.every((part) => part.status === 'delivered')) ? 'delivered' : 'shipped';
  }
  return (ORDER_STAGES[fold.stage] as OrderStatus | undefined) ?? (fold.deliveredAll ? 'delivered' : 'unknown');
}

export function viewOf(fold: Fold): OrderState {
  const lines = [...fold.lines.values()].map((line) => ({ ...line }));
  const cancelledUnits = sum(lines, 'cancelled');
  const whole = isWhollyCancelled(fold);
  return {
    order_key: fold.order_key,
    status: statusOf(fold),
    cancelled: whole ? 'whole' : cancelledUnits > 0 || fold.wholeCancel ? 'partly' : 'none',
    received: fold.received,
    lines,
    parts: [...fold.parts.values()].map((part) => ({ ...part, lines: [...part.lines], tracking: [...part.tracking] })),
    events: fold.events,
    out_of_order: fold.outOfOrder,
  };
}

/** The order's current state from its events, in the order they were recorded. */
export function deriveOrderState(order_key: string, events: readonly Pick<LifecycleEvent, 'type' | 'data' | 'flags'>[]): OrderState {
  const fold = emptyFold(order_key);
  for (const event of events) applyEvent(fold, event);
  return viewOf(fold);
}
