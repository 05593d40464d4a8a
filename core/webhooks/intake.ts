import { createHash } from 'node:crypto';
import { headerValue, type RequestHeaders, type WebhookSpec } from '../sdk/webhooks.js';
import type { Logger } from '../logger.js';
import type { WebhookInbox } from '../state/webhook-inbox.js';
import { signatureMatches } from './signature.js';

/** A connection the listener takes deliveries for: its connector's spec, with what its config says. */
export interface WebhookConnection {
  name: string;
  spec: WebhookSpec;
  secret: string;
  /** How old a delivery may be, where the vendor says when the event happened. */
  maxAgeMs: number | undefined;
}

export interface WebhookRequest {
  headers: RequestHeaders;
  /** The body as it came, byte for byte: what the vendor signed. */
  body: Buffer;
  receivedAt: Date;
}

/** Why a delivery is refused; each is answered with its status and never stored. */
export type IntakeRefusal = 'signature_missing' | 'signature_invalid' | 'delivery_malformed' | 'stale';

export type IntakeAnswer =
  | { kind: 'accepted'; status: 200; outcome: 'stored' | 'duplicate'; seq: number; topic: string; deliveryId: string }
  | { kind: 'ping'; status: 200 }
  | { kind: 'refused'; status: 400 | 401; outcome: IntakeRefusal; message: string };

/**
 * One delivery, from the raw request to an answer: the signature is checked over the bytes as
 * they came, then what the vendor says about the delivery, and only then is the event stored;
 * the answer is 200 once it is on disk (or was stored before: a retry or a replay).
 */
export async function takeDelivery(connection: WebhookConnection, request: WebhookRequest, inbox: WebhookInbox): Promise<IntakeAnswer> {
  const { spec } = connection;
  const signature = headerValue(request.headers, spec.signatureHeader);
  if (signature === undefined) {
    if (spec.isPing?.({ headers: request.headers, body: request.body }) === true) return { kind: 'ping', status: 200 };
    return { kind: 'refused', status: 401, outcome: 'signature_missing', message: `no ${spec.signatureHeader} header: webhook deliveries must be signed` };
  }
  if (!signatureMatches(connection.secret, request.body, signature)) {
    return { kind: 'refused', status: 401, outcome: 'signature_invalid', message: `${spec.signatureHeader} does not match the body: the delivery was changed, or is signed with another secret than this connection's webhook_secret` };
  }
  const topic = headerValue(request.headers, spec.topicHeader);
  const vendorId = headerValue(request.headers, spec.deliveryId.header);
  if (topic === undefined || vendorId === undefined) {
    return { kind: 'refused', status: 400, outcome: 'delivery_malformed', message: `a signed delivery needs ${spec.topicHeader} and ${spec.deliveryId.header}` };
  }
  const triggered = whenTriggered(connection, request);
  if ('kind' in triggered) return triggered;
  const deliveryId = spec.deliveryId.unique ? vendorId : `${vendorId}:${createHash('sha256').update(request.body).digest('hex').slice(0, 16)}`;
  const appended = await inbox.append({
    connection: connection.name,
    topic,
    deliveryId,
    receivedAt: request.receivedAt.toISOString(),
    triggeredAt: triggered.at,
    body: request.body,
    headers: keptHeaders(spec, request.headers),
  });
  return { kind: 'accepted', status: 200, outcome: appended.stored ? 'stored' : 'duplicate', seq: appended.seq, topic, deliveryId };
}

/**
 * When the vendor says the event happened, and whether that is too long ago. The header is not
 * signed (only the body is), so this stops a captured request sent again as it was, after the
 * inbox forgot it; a replay with a made-up time repeats a body the inbox still holds.
 */
function whenTriggered(connection: WebhookConnection, request: WebhookRequest): { at: string | undefined } | IntakeAnswer {
  const declared = connection.spec.triggeredAt;
  if (declared === undefined) return { at: undefined };
  const text = headerValue(request.headers, declared.header);
  if (text === undefined) return { kind: 'refused', status: 400, outcome: 'delivery_malformed', message: `a signed delivery needs ${declared.header}` };
  const at = Date.parse(text);
  if (Number.isNaN(at)) return { kind: 'refused', status: 400, outcome: 'delivery_malformed', message: `${declared.header} is not a time: "${text.slice(0, 40)}"` };
  const age = request.receivedAt.getTime() - at;
  if (connection.maxAgeMs !== undefined && age > connection.maxAgeMs) {
    return {
      kind: 'refused',
      status: 400,
      outcome: 'stale',
      message: `the event happened ${Math.round(age / 60_000)} minutes ago (${declared.header}), more than the ${Math.round(connection.maxAgeMs / 60_000)} minutes a delivery may be old; polling picks it up if it is real`,
    };
  }
  return { at: new Date(at).toISOString() };
}

function keptHeaders(spec: WebhookSpec, headers: RequestHeaders): Record<string, string> {
  const names = [spec.topicHeader, spec.deliveryId.header, ...(spec.triggeredAt !== undefined ? [spec.triggeredAt.header] : []), ...spec.keptHeaders];
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = headerValue(headers, name);
    if (value !== undefined && name !== spec.signatureHeader) kept[name] = value;
  }
  return kept;
}

/** Logs a delivery's answer: what was stored at info, what was refused (and why) at warn; never a secret or the body. */
export function logIntake(logger: Logger, connection: string, result: IntakeAnswer): void {
  if (result.kind === 'accepted') {
    logger.info(`webhook ${result.outcome}`, { connection, topic: result.topic, delivery: result.deliveryId, seq: result.seq });
  } else if (result.kind === 'ping') {
    logger.info('webhook ping answered', { connection });
  } else {
    logger.warn('webhook refused', { connection, outcome: result.outcome, status: result.status, reason: result.message });
  }
}
