import { Type, type Static } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import { compileSchema } from '../config/schema-check.js';
import { RecordRejection } from '../errors.js';
import type { JsonObject } from '../json.js';

/** What can happen to an order, in the order it usually happens. */
export const EVENT_TYPES = [
  'received',
  'reserved',
  'routed',
  'offered',
  'claimed',
  'shipped',
  'delivered',
  'cancelled',
  'return_announced',
  'return_received',
  'refunded',
] as const;
export type LifecycleEventType = (typeof EVENT_TYPES)[number];

/** Events about one part of an order (what one location fulfils); they name it by `data.part_id`. */
export const PART_EVENTS: ReadonlySet<LifecycleEventType> = new Set(['offered', 'claimed', 'shipped']);

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Quantity = Type.Integer({ minimum: 1, maximum: 1_000_000 });
const LineQuantity = Type.Object({ line_id: Id, quantity: Quantity }, { additionalProperties: true });
const LineQuantities = Type.Array(LineQuantity, { minItems: 1, maxItems: 1000 });

/** The fields each type needs in `data`; more fields are kept as they are (a reason, a condition). */
const DATA_BY_TYPE: Record<LifecycleEventType, ReturnType<typeof Type.Object>> = {
  received: Type.Object({ lines: Type.Array(Type.Object({ line_id: Id, sku: Id, quantity: Quantity }), { minItems: 1, maxItems: 1000 }) }),
  reserved: Type.Object({}),
  routed: Type.Object({
    parts: Type.Optional(Type.Array(Type.Object({ part_id: Id, location_id: Id, lines: Type.Optional(LineQuantities) }), { maxItems: 1000 })),
  }),
  offered: Type.Object({ part_id: Id, location_id: Type.Optional(Id) }),
  claimed: Type.Object({ part_id: Id, location_id: Type.Optional(Id) }),
  shipped: Type.Object({
    part_id: Id,
    lines: Type.Optional(LineQuantities),
    tracking: Type.Optional(Type.Object({ carrier: Type.Optional(Id), number: Id, url: Type.Optional(Type.String({ maxLength: 2000 })) })),
  }),
  delivered: Type.Object({ part_id: Type.Optional(Id) }),
  cancelled: Type.Object({ lines: Type.Optional(LineQuantities), reason: Type.Optional(Type.String({ maxLength: 2000 })) }),
  return_announced: Type.Object({ return_id: Id, lines: LineQuantities }),
  return_received: Type.Object({ return_id: Id, location_id: Id, lines: LineQuantities }),
  refunded: Type.Object({
    refund_id: Id,
    lines: LineQuantities,
    amount: Type.Optional(Type.Object({ value: Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$', maxLength: 30 }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) })),
  }),
};

/** An event as a channel, a location or ops reports it. */
export const LifecycleEventInput = Type.Object(
  {
    /** The order as `channel:external_id`, the key routing uses. */
    order: Type.String({ pattern: '^[^:\\s]+:\\S+$', maxLength: 300 }),
    type: Type.Union(EVENT_TYPES.map((type) => Type.Literal(type))),
    /** The sender's id for the event; without one, its content is its id. */
    event_id: Type.Optional(Id),
    /** When it happened, ISO 8601 with an offset. */
    at: Type.String({ format: 'date-time' }),
    source: Type.Object({ kind: Type.Union([Type.Literal('channel'), Type.Literal('location'), Type.Literal('ops')]), id: Id }),
    data: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: false },
);
export type LifecycleEventInput = Static<typeof LifecycleEventInput>;

export type EventSource = LifecycleEventInput['source'];

/** An event as recorded: in arrival order (`seq`), with what the lifecycle made of it. */
export interface LifecycleEvent {
  order_key: string;
  seq: number;
  event_id: string;
  type: LifecycleEventType;
  /** When it happened (ms since the epoch, UTC). */
  at: number;
  /** When Keel recorded it. */
  recorded_at: number;
  source: EventSource;
  data: JsonObject;
  /** Type, part and content hashed: the same report under another id is the same event. */
  fingerprint: string;
  /** `out_of_order` when it came before what it follows (shipped before claimed) or after what follows it. */
  flags: string[];
  /** Why a flag was set, in words: `shipped before claimed`. */
  note: string | undefined;
}

/** An event checked and ready to be recorded. */
export type CheckedEvent = Omit<LifecycleEvent, 'seq' | 'recorded_at' | 'flags' | 'note'>;

const checkInput = compileSchema(LifecycleEventInput);
const checkData = new Map(EVENT_TYPES.map((type) => [type, compileSchema(DATA_BY_TYPE[type])]));

/**
 * Checks an event from outside: its envelope, then its data for its type. Bad input is a
 * rejection naming the field, for the caller to dead-letter.
 */
export function checkEvent(input: unknown): CheckedEvent | RecordRejection {
  if (!checkInput(input)) {
    const error = checkInput.errors?.[0];
    const field = error?.instancePath.replace(/^\//, '').replace(/\//g, '.') || undefined;
    return new RecordRejection(`lifecycle event: ${field ?? 'event'} ${error?.message ?? 'is invalid'}`, 'lifecycle_event_invalid', {
      ...(field !== undefined ? { field } : {}),
      hint: 'an event has order (channel:external_id), type, at (ISO 8601), source {kind, id} and data',
    });
  }
  const event = input as LifecycleEventInput;
  const data = (event.data ?? {}) as JsonObject;
  const validData = checkData.get(event.type);
  if (validData !== undefined && !validData(data)) {
    const error = validData.errors?.[0];
    const field = `data${error?.instancePath.replace(/\//g, '.') ?? ''}`;
    return new RecordRejection(`lifecycle event ${event.type} for ${event.order}: ${field} ${error?.message ?? 'is invalid'}`, 'lifecycle_event_invalid', { field });
  }
  const tooBig = sizeProblem(data);
  if (tooBig !== undefined) return new RecordRejection(`lifecycle event ${event.type} for ${event.order}: data ${tooBig}`, 'lifecycle_event_invalid', { field: 'data' });
  const at = Date.parse(event.at);
  const fingerprint = fingerprintOf(event.type, data);
  return { order_key: event.order, event_id: event.event_id ?? `content:${fingerprint}`, type: event.type, at, source: event.source, data, fingerprint };
}

/** An event's data is a few facts, kept forever in the order's log: bounded in size and depth. */
export const MAX_DATA_CHARS = 64 * 1024;
export const MAX_DATA_DEPTH = 16;

function sizeProblem(data: JsonObject): string | undefined {
  const pending: { node: unknown; depth: number }[] = [{ node: data, depth: 1 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item.node !== 'object' || item.node === null) continue;
    if (item.depth > MAX_DATA_DEPTH) return `is nested deeper than ${MAX_DATA_DEPTH} levels`;
    for (const child of Object.values(item.node)) pending.push({ node: child, depth: item.depth + 1 });
  }
  const size = JSON.stringify(data).length;
  return size > MAX_DATA_CHARS ? `is ${size} characters as JSON, more than ${MAX_DATA_CHARS}` : undefined;
}

/** A hash of the type and the data with keys sorted, so key order in the sender's JSON does not matter. */
function fingerprintOf(type: LifecycleEventType, data: JsonObject): string {
  return createHash('sha256').update(type).update('\0').update(canonicalJson(data)).digest('hex').slice(0, 32);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
