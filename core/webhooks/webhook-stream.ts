import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { parseJsonText } from '../codecs/json-text.js';
import { KeelError } from '../errors.js';
import { isJsonObject, type JsonValue } from '../json.js';
import { defineStream, type ReadContext, type SourcePage, type StreamDefinition, type StreamExample } from '../sdk/connector.js';
import type { WebhookEvent } from '../state/webhook-inbox.js';

export const WebhookReadOptions = Type.Object(
  {
    topics: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        uniqueItems: true,
        description: 'only events of these topics (as the shop names them in its topic header); default: every topic',
      }),
    ),
    page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'events read from the state store at a time' })),
  },
  { additionalProperties: false },
);
export type WebhookReadOptions = Static<typeof WebhookReadOptions>;

/** As deep as records of any other source may nest (the codecs' default max_depth). */
const MAX_DEPTH = 64;

/**
 * A connector's `webhooks` stream: the deliveries `keel webhooks listen` stored for the
 * connection, oldest first, each event's body as the record. The checkpoint is the last event's
 * number in the inbox, so an incremental run goes on after it and a full sync reads every event
 * the inbox still keeps. Reading again from a checkpoint gives the same events (until pruned).
 */
export function webhookStream<Config>(docs: { description: string; examples: readonly StreamExample[] }): StreamDefinition<Config> {
  return defineStream<Config, typeof WebhookReadOptions, TSchema>({
    description: docs.description,
    status: 'beta',
    examples: docs.examples,
    read: {
      options: WebhookReadOptions,
      incremental: { cursor: 'the number of the event in the state store’s webhook inbox', monotonic: true },
      replayable: true,
      read: readInbox,
    },
  });
}

async function* readInbox(ctx: ReadContext<unknown, WebhookReadOptions>): AsyncIterable<SourcePage> {
  if (ctx.inbox === undefined) {
    throw new KeelError('config', `stream "${ctx.stream}" reads the webhook deliveries kept in the project's state; run it with keel run`, { code: 'webhooks_no_inbox', stage: ctx.stream });
  }
  let after = ctx.sync === 'incremental' ? checkpointSeq(ctx.cursor) : 0;
  const limit = ctx.options.page_size ?? 100;
  for (;;) {
    const events = await ctx.inbox.list({ afterSeq: after, limit, topics: ctx.options.topics });
    // One page per event: its checkpoint is exact, and a dead letter names the event.
    for (const event of events) yield eventPage(event);
    if (events.length < limit) return;
    after = (events.at(-1) as WebhookEvent).seq;
  }
}

function eventPage(event: WebhookEvent): SourcePage {
  const page = { unit: `webhook ${event.topic} ${event.deliveryId}`, positions: 'item' as const, checkpoint: { seq: event.seq } };
  const text = event.body.toString('utf8');
  const parsed = parseJsonText(text, MAX_DEPTH);
  if (!parsed.ok) return { ...page, records: [], rejects: [{ raw: text, origin: page.unit, reason: `the body is not a JSON record: ${parsed.reason}` }] };
  if (!isJsonObject(parsed.value)) return { ...page, records: [], rejects: [{ raw: text, origin: page.unit, reason: 'the body is JSON but not an object' }] };
  return { ...page, records: [{ data: parsed.value, at: event.seq }] };
}

function checkpointSeq(cursor: JsonValue | undefined): number {
  if (cursor === undefined || cursor === null) return 0;
  const seq = isJsonObject(cursor) ? cursor['seq'] : undefined;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
    throw new KeelError('config', `the saved position of this webhooks source is not an inbox number (${JSON.stringify(cursor).slice(0, 80)}); reset it to read every kept event again`, {
      code: 'webhooks_bad_cursor',
      stage: 'webhooks',
    });
  }
  return seq;
}
