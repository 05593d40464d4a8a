import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { leakyBucket } from '../../test-support/leaky-bucket.js';
import { ShopEmulator } from '../../test-support/shop-emulator.js';
import { KeelError } from '../errors.js';
import { HttpClient, type HttpConnection } from './http-client.js';
import { RateBudget } from './rate-budget.js';
import { retryAfterMs } from './retry-after.js';

const SECRET = 'shpat_0123456789abcdef';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: Server[] = [];
const emulators: ShopEmulator[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const emulator of emulators.splice(0)) await emulator.stop();
});

/** A loopback server answering with `handler`; returns its base URL. */
async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
}

async function emulate(options: ConstructorParameters<typeof ShopEmulator>[0]): Promise<{ emulator: ShopEmulator; url: string }> {
  const emulator = new ShopEmulator(options);
  emulators.push(emulator);
  return { emulator, url: await emulator.start() };
}

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeelError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

const fast = (base_url: string, more: Partial<HttpConnection> = {}): HttpClient =>
  new HttpClient({ base_url, timeout_ms: 2000, retries: 3, ...more });

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores what is neither', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Mon, 23 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Mon, 23 Nov 2026 09:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it.each([
    ['seconds', () => '1'],
    ['an HTTP date', () => new Date(Date.now() + 1500).toUTCString()],
  ])('is honoured when given in %s', async (_form, value) => {
    // The server holds the client to its word: coming back before Retry-After earns another 429.
    // (A loaded machine only makes the client later, never earlier, so this cannot flake.)
    let answers = 0;
    let notBefore = Number.POSITIVE_INFINITY;
    const url = await serve((_req, res) => {
      answers += 1;
      if (answers === 1) {
        const header = value();
        notBefore = Date.now() + (retryAfterMs(header) as number);
        res.writeHead(429, { 'retry-after': header }).end('{"errors":"slow down"}');
      } else if (Date.now() < notBefore) {
        res.writeHead(429, { 'retry-after': '1' }).end('{"errors":"too early"}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    const response = await fast(url).request({ path: '/things' });
    expect(response.data).toEqual({ ok: true });
    expect(answers).toBe(2);
  });
});

describe('HttpClient', () => {
  it('retries 5xx and connection resets, then returns the answer', async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(503).end('busy');
      else if (calls === 2) req.socket.destroy();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2]');
    });
    const client = fast(url);
    expect((await client.request({ path: '/orders' })).data).toEqual([1, 2]);
    expect(calls).toBe(3);
    expect(client.stats.retries).toBe(2);
  });

  it('treats a 4xx as permanent, with the body truncated and no credential anywhere in the message', async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls += 1;
      res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: { email: ['is invalid'] }, pad: 'x'.repeat(2000) }));
    });
    const client = fast(url, { auth: { type: 'api_key_query', param: 'api_key', value: SECRET } });
    const error = await failure(client.request({ method: 'POST', path: '/orders', body: { id: 1 }, idempotencyKey: 'k1' }));
    expect(calls).toBe(1);
    expect(error.kind).toBe('record');
    expect(error.message).toMatch(/^POST 127\.0\.0\.1:\d+\/api\/orders → HTTP 422: \{"errors":\{"email":\["is invalid"\]\}/);
    expect(error.message).toMatch(/… \(2\d{3} chars\)$/);
    expect(`${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`).not.toContain(SECRET);
  });

  it('sends header credentials without ever showing them', async () => {
    let seen: string | undefined;
    const url = await serve((req, res) => {
      seen = req.headers['x-shopify-access-token'] as string | undefined;
      res.writeHead(401).end('{"errors":"[API] Invalid API key or access token"}');
    });
    const client = fast(url, { auth: { type: 'api_key_header', header: 'X-Shopify-Access-Token', value: SECRET } });
    const error = await failure(client.request({ path: '/shop.json' }));
    expect(seen).toBe(SECRET);
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('check auth in the connection');
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(SECRET);
  });

  it('gives up on a server that never answers, after its timeout and retries', async () => {
    let calls = 0;
    const url = await serve(() => {
      calls += 1; // and never answer
    });
    const error = await failure(fast(url, { timeout_ms: 150, retries: 1 }).request({ path: '/slow' }));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/^GET 127\.0\.0\.1:\d+\/api\/slow: timed out \(after 2 attempts\)$/);
    expect(calls).toBe(2);
  });

  it('does not retry a write without an idempotency key: the server may have done it', async () => {
    let calls = 0;
    const url = await serve((req) => {
      calls += 1;
      req.socket.destroy();
    });
    const error = await failure(fast(url).request({ method: 'POST', path: '/orders', body: { id: 1 } }));
    expect(error.kind).toBe('transient');
    expect(calls).toBe(1);
  });

  it('refuses responses over the size limit, redirects, and URLs on another host', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/api/big') res.writeHead(200, { 'content-type': 'application/json' }).end(`"${'x'.repeat(5000)}"`);
      else res.writeHead(302, { location: 'http://127.0.0.2/steal' }).end();
    });
    const client = fast(url, { max_response_bytes: 1024 });
    expect((await failure(client.request({ path: '/big' }))).code).toBe('response_too_large');
    const redirect = await failure(client.request({ path: '/moved' }));
    expect(redirect.message).toContain('redirects are not followed');
    const foreign = await failure(client.request({ path: 'http://127.0.0.2:1/orders.json' }));
    expect(foreign.code).toBe('foreign_url');
    expect((await failure(client.request({ path: '/../../etc/passwd' }))).code).toBe('foreign_url');
  });

  it('renews an OAuth2 client-credentials token before it expires', async () => {
    const issued: { token: string; expires: number }[] = [];
    let refused = 0;
    let served = 0;
    const url = await serve((req, res, body) => {
      if (req.url === '/api/oauth/token') {
        const basic = Buffer.from('keel-client:client-secret-value').toString('base64');
        if (req.headers.authorization !== `Basic ${basic}` || !body.includes('grant_type=client_credentials')) {
          res.writeHead(401).end();
          return;
        }
        const token = `token-${issued.length + 1}`;
        issued.push({ token, expires: Date.now() + 1000 });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 1 }));
        return;
      }
      const presented = issued.find((entry) => req.headers.authorization === `Bearer ${entry.token}`);
      if (presented === undefined || presented.expires <= Date.now()) {
        refused += 1;
        res.writeHead(401).end();
        return;
      }
      served += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const client = fast(url, {
      auth: { type: 'oauth2_client_credentials', token_url: `${url}/oauth/token`, client_id: 'keel-client', client_secret: 'client-secret-value' },
    });
    // The clock (client and server share it) moves only between rounds, so a slow machine cannot
    // age a token while its request travels: the rounds are exactly 0.4 s apart.
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let round = 0; round < 8; round += 1) {
      await Promise.all([client.request({ path: '/a' }), client.request({ path: '/b' })]);
      vi.setSystemTime(Date.now() + 400);
    }
    // Rounds at 0, 0.4 … 2.8 s; a 1 s token is renewed at 0.9 s of its life: tokens at 0, 1.2 and 2.4 s.
    expect(served).toBe(16);
    expect(refused).toBe(0);
    expect(issued).toHaveLength(3);
  });
});

describe('rate budget', () => {
  // Shopify's shape (a bucket of 40 leaking 2/s), scaled up 50 times to keep the tests short.
  const SHOPIFY_SCALED = { call_limit_header: 'X-Shopify-Shop-Api-Call-Limit', burst: 40, per_second: 100, concurrency: 6 };

  it.each([1, 20, 50])(
    'uses at least 95 percent of a leaky bucket\'s rate after warm-up, with at most one 429 (round trips of %i ms, simulated time)',
    async (roundTripMs) => {
      // On a simulated clock the budget's waits are all that time is spent on, so the rate measures
      // its decisions, not how busy the machine is.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const vendor = leakyBucket(40, 100);
      const budget = new RateBudget(SHOPIFY_SCALED);
      const travel = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, roundTripMs / 2));
      const total = 340;
      let next = 0;
      // What HttpClient does per request: a slot, the round trip, the slot back, then the answer observed.
      const worker = async (): Promise<void> => {
        while (next < total) {
          next += 1;
          for (let answered = false; !answered; ) {
            const release = await budget.acquire();
            await travel();
            const answer = vendor.serve();
            await travel();
            release();
            budget.observe(answer.status, answer.header);
            answered = answer.status !== 429;
          }
        }
      };
      const done = Promise.all(Array.from({ length: 6 }, worker));
      await vi.runAllTimersAsync();
      await done;
      expect(vendor.admitted).toHaveLength(total);
      expect(vendor.stats.throttled).toBeLessThanOrEqual(1);
      const after = vendor.admitted.slice(40);
      const rate = (after.length - 1) / (((after.at(-1) as number) - (after[0] as number)) / 1000);
      // Above the limit is impossible without 429s (the bucket enforces it); below 95% is waste.
      expect(rate).toBeGreaterThanOrEqual(95);
    },
  );

  it('keeps a real HTTP client within a leaky bucket: every request answered, at most one 429', async () => {
    const { emulator, url } = await emulate({ orders: 10, bucket: { capacity: 40, perSecond: 100 } });
    const client = new HttpClient({ base_url: url, rate_limit: SHOPIFY_SCALED });
    const total = 340;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        next += 1;
        await client.request({ path: '/orders.json', query: { limit: 1 } });
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    // A slow machine only sends later than the budget allows, never earlier: this holds under load.
    expect(emulator.stats.throttled).toBeLessThanOrEqual(1);
    expect(emulator.admitted).toHaveLength(total);
  });

  it('is shared by every client naming the same account, so two pipelines together stay under the limit', async () => {
    const { emulator, url } = await emulate({ orders: 10, bucket: { capacity: 10, perSecond: 100 } });
    const limit = { call_limit_header: 'X-Shopify-Shop-Api-Call-Limit', burst: 10, per_second: 100, account: `shared-${url}` };
    const clients = [new HttpClient({ base_url: url, rate_limit: limit }), new HttpClient({ base_url: url, rate_limit: limit })];
    await Promise.all(clients.flatMap((client) => Array.from({ length: 60 }, () => client.request({ path: '/orders.json', query: { limit: 1 } }))));
    expect(emulator.stats.throttled).toBe(0);
    expect(emulator.admitted).toHaveLength(120);
  });

  it('serves order and stock traffic before catalogue backfills', async () => {
    const budget = new RateBudget({ burst: 1, per_second: 50, concurrency: 1 });
    const order: string[] = [];
    const take = async (name: string, priority: 'high' | 'low'): Promise<void> => {
      const release = await budget.acquire(priority);
      order.push(name);
      release();
    };
    await Promise.all([take('catalogue-1', 'low'), take('catalogue-2', 'low'), take('catalogue-3', 'low'), take('orders', 'high'), take('stock', 'high')]);
    expect(order).toEqual(['catalogue-1', 'orders', 'stock', 'catalogue-2', 'catalogue-3']);
  });
});
