import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KeelError, RecordRejection, type ErrorKind } from '../errors.js';
import { writeResultFor } from '../sdk/error-outcome.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import { DEFAULT_STATUS_TABLE, extendStatusTable, ruleForStatus, type StatusTable } from './status-table.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A loopback server answering each request with the next of `answers` (the last one for ever); counts requests. */
async function answering(...answers: { status: number; body: string }[]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    const answer = answers[Math.min(requests, answers.length - 1)] as { status: number; body: string };
    requests += 1;
    // Retry-After 0: a retried 429 waits for nothing, so the test runs in backoff time only.
    res.writeHead(answer.status, { 'content-type': 'application/json', 'retry-after': '0' }).end(answer.body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, requests: () => requests };
}

/** A write that is safe to retry (it has an idempotency key), so retries are the table's to decide. */
async function post(url: string, options: HttpClientOptions = {}, retries = 1): Promise<KeelError | 'ok'> {
  try {
    await new HttpClient({ base_url: url, timeout_ms: 2000, retries }, options).request({ method: 'POST', path: '/orders', body: { id: 1 }, idempotencyKey: 'order-1' });
    return 'ok';
  } catch (error) {
    if (error instanceof KeelError) return error;
    throw error;
  }
}

const BODY = '{"errors":"nope"}';

describe('the default status table', () => {
  it.each<[number, { kind: ErrorKind; retry?: boolean; refreshAuth?: boolean; code?: string; quoteBody?: boolean }]>([
    [301, { kind: 'record', code: 'http_redirect', quoteBody: false }],
    [302, { kind: 'record', code: 'http_redirect', quoteBody: false }],
    [400, { kind: 'record' }],
    [401, { kind: 'auth', refreshAuth: true }],
    [403, { kind: 'auth' }],
    [404, { kind: 'record' }],
    [422, { kind: 'record' }],
    [429, { kind: 'rate_limited', retry: true }],
    [500, { kind: 'transient', retry: true }],
    [503, { kind: 'transient', retry: true }],
    [599, { kind: 'transient', retry: true }],
    [199, { kind: 'record' }],
  ])('HTTP %i', (status, expected) => {
    const rule = ruleForStatus(DEFAULT_STATUS_TABLE, status, BODY);
    expect({ kind: rule.kind, retry: rule.retry, refreshAuth: rule.refreshAuth, code: rule.code, quoteBody: rule.quoteBody }).toEqual(expected);
  });

  // The client as the table drives it: what it throws, in what words, after how many requests.
  it.each<[number, ErrorKind, string, number, RegExp]>([
    [302, 'record', 'http_redirect', 1, / → HTTP 302: redirects are not followed; point base_url at the final address$/],
    [400, 'record', 'http_400', 1, / → HTTP 400: \{"errors":"nope"\}$/],
    [401, 'auth', 'http_401', 1, / → HTTP 401: the credentials were refused; check auth in the connection: \{"errors":"nope"\}$/],
    [403, 'auth', 'http_403', 1, / → HTTP 403: the credentials were refused; check auth in the connection: \{"errors":"nope"\}$/],
    [404, 'record', 'http_404', 1, / → HTTP 404: \{"errors":"nope"\}$/],
    [429, 'rate_limited', 'http_429', 2, / → HTTP 429: \{"errors":"nope"\} \(after 2 attempts\)$/],
    [503, 'transient', 'http_503', 2, / → HTTP 503: \{"errors":"nope"\} \(after 2 attempts\)$/],
  ])('a client answered HTTP %i fails with a %s error (%s) after %i request(s)', async (status, kind, code, requests, message) => {
    const server = await answering({ status, body: BODY });
    const error = await post(server.url);
    expect(error).toBeInstanceOf(KeelError);
    expect(error).toMatchObject({ kind, code, stage: 'http' });
    expect((error as KeelError).message).toMatch(/^POST 127\.0\.0\.1:\d+\/api\/orders/);
    expect((error as KeelError).message).toMatch(message);
    // A record error is the one record type, whoever raised it.
    expect(error instanceof RecordRejection).toBe(kind === 'record');
    expect(server.requests()).toBe(requests);
  });
});

describe('a vendor table on top of the default', () => {
  // Shopify answers 423 for a locked shop (frozen for non-payment, or being moved), which lifts;
  // an API whose 403 means either refused credentials or a used-up quota, told apart by the body.
  const VENDOR: StatusTable = {
    '423': { kind: 'transient', retry: true, hint: 'the shop is locked; it is retried, and the shop owner should check the shop' },
    '403': { kind: 'rate_limited', retry: true, code: 'quota_exceeded', body: /"code":\s*"QuotaExceeded"/ },
  };

  it('changes the outcome: a 423 that dead-letters the record by default is retried until the shop answers', async () => {
    const locked = { status: 423, body: '{"errors":"Locked"}' };
    const byDefault = await answering(locked, { status: 201, body: '{"id":1}' });
    const failed = await post(byDefault.url, {}, 3);
    expect(failed).toMatchObject({ kind: 'record', code: 'http_423' });
    expect(writeResultFor(failed)).toMatchObject({ status: 'permanent', code: 'http_423' });
    expect(byDefault.requests()).toBe(1);

    const withVendor = await answering(locked, locked, { status: 201, body: '{"id":1}' });
    expect(await post(withVendor.url, { statuses: VENDOR }, 3)).toBe('ok');
    expect(withVendor.requests()).toBe(3);
  });

  it('refines a status by its body, and leaves the default for other bodies', async () => {
    const quota = await answering({ status: 403, body: '{"errors":[{"code": "QuotaExceeded","message":"You exceeded your quota"}]}' });
    const limited = await post(quota.url, { statuses: VENDOR });
    expect(limited).toMatchObject({ kind: 'rate_limited', code: 'quota_exceeded' });
    expect(writeResultFor(limited)).toMatchObject({ status: 'retryable' });
    expect(quota.requests()).toBe(2);

    const refused = await answering({ status: 403, body: '{"errors":[{"code":"Unauthorized"}]}' });
    expect(await post(refused.url, { statuses: VENDOR })).toMatchObject({ kind: 'auth', code: 'http_403' });
    expect(refused.requests()).toBe(1);
  });

  it('puts the vendor rules first under each key, and refuses a key that is no status', () => {
    const table = extendStatusTable({ '4xx': { kind: 'fatal', code: 'api_broken' } });
    expect(ruleForStatus(table, 418, '')).toMatchObject({ kind: 'fatal', code: 'api_broken' });
    // A status's own rule still comes before its class's.
    expect(ruleForStatus(table, 401, '')).toMatchObject({ kind: 'auth', refreshAuth: true });
    expect(() => extendStatusTable({ teapot: { kind: 'record' } })).toThrow('status table key "teapot" is no status (423) or status class (4xx)');
  });
});
