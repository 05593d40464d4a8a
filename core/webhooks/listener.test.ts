import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { postDelivery, type SignedDelivery } from '../../test-support/post-webhook.js';
import { tempStatePerTest } from '../../test-support/temp-state.js';
import { createLogger } from '../logger.js';
import { Redactor } from '../redact.js';
import type { WebhookSpec } from '../sdk/webhooks.js';
import type { SqliteStateStore } from '../state/sqlite-store.js';
import type { WebhookConnection } from './intake.js';
import { startWebhookListener, type RunningListener } from './listener.js';

/** A vendor as the intake sees any: a signature, a topic, a delivery id and a time, by header. */
const SPEC: WebhookSpec = {
  secret: () => undefined,
  signatureHeader: 'x-test-signature',
  topicHeader: 'x-test-topic',
  deliveryId: { header: 'x-test-delivery', unique: true },
  triggeredAt: { header: 'x-test-at', maxAgeSeconds: () => 3600 },
  keptHeaders: ['x-test-shop'],
};
const SECRET = 'whsec_listener_test_0123456789';

const openState = tempStatePerTest();
let listener: RunningListener | undefined;
let log = '';
afterEach(async () => {
  await listener?.close();
  listener = undefined;
  log = '';
});

async function listen(maxBodyBytes = 64 * 1024): Promise<{ url: string; state: SqliteStateStore }> {
  const store = openState();
  const redactor = new Redactor();
  redactor.add(SECRET);
  const connection: WebhookConnection = { name: 'shop', spec: SPEC, secret: SECRET, maxAgeMs: 3_600_000 };
  listener = await startWebhookListener({
    host: '127.0.0.1',
    port: 0,
    connections: new Map([['shop', connection]]),
    inbox: store.webhooks,
    logger: createLogger({ level: 'debug', format: 'json', redactor, write: (line) => (log += line) }),
    maxBodyBytes,
  });
  return { url: `${listener.url}/webhooks/shop`, state: store };
}

function delivery(body: string, more: Record<string, string> = {}, secret = SECRET): SignedDelivery {
  const bytes = Buffer.from(body);
  return {
    body: bytes,
    headers: {
      'content-type': 'application/json',
      'x-test-signature': createHmac('sha256', secret).update(bytes).digest('base64'),
      'x-test-topic': 'orders/create',
      'x-test-delivery': 'delivery-1',
      'x-test-at': new Date().toISOString(),
      'x-test-shop': 'acme',
      ...more,
    },
  };
}

const stored = async (state: SqliteStateStore) => state.webhooks.list({ connection: 'shop', afterSeq: 0, limit: 100 });

describe('the webhook listener', () => {
  it('answers 200 once a signed delivery is stored: its bytes, topic, id, time and the kept headers, never the signature', async () => {
    const { url, state } = await listen();
    const sent = delivery('{"id":1001,"note":"caf\\u00e9"}');
    const answer = await postDelivery(url, sent);
    expect(answer.status).toBe(200);
    const [event] = await stored(state);
    expect(JSON.parse(answer.body)).toEqual({ status: 'stored', seq: event?.seq });
    expect(event?.body.equals(sent.body)).toBe(true);
    expect(event).toMatchObject({ connection: 'shop', topic: 'orders/create', deliveryId: 'delivery-1', triggeredAt: sent.headers['x-test-at'] });
    expect(event?.headers).toEqual({ 'x-test-topic': 'orders/create', 'x-test-delivery': 'delivery-1', 'x-test-at': sent.headers['x-test-at'], 'x-test-shop': 'acme' });
  });

  it('refuses with 401 and stores nothing: no signature, another secret, a body changed after signing', async () => {
    const { url, state } = await listen();
    const unsigned = delivery('{"id":1}');
    delete unsigned.headers['x-test-signature'];
    const refused = [
      await postDelivery(url, unsigned),
      await postDelivery(url, delivery('{"id":1}', {}, 'another-secret')),
      await postDelivery(url, { ...delivery('{"id":1}'), body: Buffer.from('{"id":2}') }),
    ];
    expect(refused.map((answer) => [answer.status, JSON.parse(answer.body).error])).toEqual([
      [401, 'signature_missing'],
      [401, 'signature_invalid'],
      [401, 'signature_invalid'],
    ]);
    expect(await stored(state)).toEqual([]);
    expect(log).toContain('"outcome":"signature_invalid"');
  });

  it('answers a delivery again with 200 and the first number, storing it once', async () => {
    const { url, state } = await listen();
    const sent = delivery('{"id":1001}');
    const first = JSON.parse((await postDelivery(url, sent)).body) as { seq: number };
    const again = await postDelivery(url, sent);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ status: 'duplicate', seq: first.seq });
    expect(await stored(state)).toHaveLength(1);
  });

  it('refuses a delivery older than the connection allows with 400, and one without its time or topic', async () => {
    const { url, state } = await listen();
    const old = await postDelivery(url, delivery('{"id":1}', { 'x-test-at': new Date(Date.now() - 2 * 3_600_000).toISOString() }));
    expect([old.status, JSON.parse(old.body).error]).toEqual([400, 'stale']);
    const noTime = delivery('{"id":2}');
    delete noTime.headers['x-test-at'];
    const noTopic = delivery('{"id":3}');
    delete noTopic.headers['x-test-topic'];
    for (const malformed of [noTime, noTopic, delivery('{"id":4}', { 'x-test-at': 'yesterday' })]) {
      const answer = await postDelivery(url, malformed);
      expect([answer.status, JSON.parse(answer.body).error]).toEqual([400, 'delivery_malformed']);
    }
    expect(await stored(state)).toEqual([]);
  });

  it('refuses a body over the limit with 413, by its Content-Length or as it streams without one, and goes on serving', async () => {
    const { url, state } = await listen(1024);
    const big = delivery(JSON.stringify({ id: 1, pad: 'x'.repeat(2000) }));
    const declared = await postDelivery(url, big);
    expect([declared.status, JSON.parse(declared.body).error]).toEqual([413, 'too_large']);
    const streamed = await postChunked(url, big);
    expect([streamed.status, JSON.parse(streamed.body).error]).toEqual([413, 'too_large']);
    expect(await stored(state)).toEqual([]);
    expect((await postDelivery(url, delivery('{"id":1}'))).status).toBe(200);
  });

  it('answers 404 off the connection paths and 405 to anything but POST', async () => {
    const { url } = await listen();
    expect((await postDelivery(url.replace('/webhooks/shop', '/webhooks/other'), delivery('{}'))).status).toBe(404);
    expect((await postDelivery(url.replace('/webhooks/shop', '/'), delivery('{}'))).status).toBe(404);
    const got = await new Promise<number>((resolve, reject) => request(url, { method: 'GET' }, (res) => resolve(res.statusCode ?? 0)).on('error', reject).end());
    expect(got).toBe(405);
  });

  it('answers 503 when the event cannot be stored, so the shop sends it again', async () => {
    const { url, state } = await listen();
    await state.close();
    const answer = await postDelivery(url, delivery('{"id":1}'));
    expect([answer.status, JSON.parse(answer.body).error]).toEqual([503, 'not_stored']);
    expect(log).toContain('webhook not stored');
  });

  it('when closed, answers the requests in flight (their events stored) and takes no new connection', async () => {
    const { url, state } = await listen();
    const sent = delivery('{"id":1001}');
    // Headers and half the body out, then the listener is told to close, then the rest.
    const half = Math.floor(sent.body.length / 2);
    const req = request(url, { method: 'POST', headers: { ...sent.headers, 'content-length': String(sent.body.length) } });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
    });
    req.write(sent.body.subarray(0, half));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = listener?.close();
    req.end(sent.body.subarray(half));
    expect((await answered).status).toBe(200);
    await closed;
    listener = undefined;
    expect(await stored(state)).toHaveLength(1);
    await expect(postDelivery(url, delivery('{"id":1002}', { 'x-test-delivery': 'delivery-2' }))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('never writes the secret to its log or the inbox', async () => {
    const { url, state } = await listen();
    await postDelivery(url, delivery('{"id":1}'));
    await postDelivery(url, delivery('{"id":2}', {}, 'another-secret'));
    expect(log).not.toContain(SECRET);
    for (const event of await stored(state)) expect(JSON.stringify(event.headers) + event.body.toString()).not.toContain(SECRET);
  });
});

/** POSTs with Transfer-Encoding: chunked (no Content-Length), in small pieces. */
function postChunked(url: string, sent: SignedDelivery): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: sent.headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    for (let at = 0; at < sent.body.length; at += 256) req.write(sent.body.subarray(at, at + 256));
    req.end();
  });
}
