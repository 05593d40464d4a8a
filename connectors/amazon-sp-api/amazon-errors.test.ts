import { describe, expect, it } from 'vitest';
import { KeelError, RecordRejection } from '../../core/errors.js';
import type { AmazonSpApiEmulator } from '../../test-support/amazon-sp-api-emulator.js';
import { addDeOrders, amazonTestBed, readAmazonOrders, writeAmazonStock } from '../../test-support/amazon-sp-api-project.js';
import { accessTokenExpired, lwaError, spApiError } from './amazon-errors.js';
import type { AmazonConfig } from './config.js';

const bed = amazonTestBed();
/** Two retries: enough to see them, few enough to see them run out. */
async function startAmazon(): Promise<{ amazon: AmazonSpApiEmulator; config: AmazonConfig }> {
  const { amazon, config } = await bed.start();
  return { amazon, config: { ...config, retries: 2 } };
}

const PLACE = 'amazon-sp-api sellingpartnerapi-eu.amazon.com seller A3EXAMPLE';
const body = (code: string, message: string, details?: string) => ({ errors: [{ code, message, ...(details !== undefined ? { details } : {}) }] });
const START = (): string => new Date(Date.now() - 3600_000).toISOString();
const LEVEL = { sku: 'NH-TEE-BLK-M', location_id: 'channel-amazon-de', available: 3, updated_at: '2026-12-01T10:00:00Z', source: 'keel' };

describe('amazon-sp-api error table', () => {
  it.each([
    [400, 'getOrders', 'config', 'amazon_invalid_input'],
    [401, 'getOrders', 'auth', 'amazon_unauthorized'],
    [403, 'getOrderItems', 'auth', 'amazon_access_denied'],
    [404, 'getOrderItems', 'record', 'amazon_not_found'],
    [404, 'getOrders', 'config', 'amazon_no_endpoint'],
    [404, 'getFeed', 'fatal', 'amazon_feed_missing'],
    [400, 'createFeedDocument', 'fatal', 'amazon_feed_refused'],
    [413, 'createFeedDocument', 'config', 'amazon_too_large'],
    [415, 'createFeed', 'fatal', 'amazon_unsupported_media_type'],
    [418, 'getFeed', 'fatal', 'amazon_http_418'],
  ] as const)('HTTP %i from %s is %s (%s)', (status, operation, kind, code) => {
    const error = spApiError(PLACE, operation, status, body('Some', 'words'));
    expect(error).toMatchObject({ kind, code });
    expect(error instanceof RecordRejection).toBe(kind === 'record');
    expect(error.message).toContain(`${PLACE}: ${operation}: Amazon says Some: words`);
  });

  it("quotes Amazon's code, message and details, from a parsed body or from text", () => {
    const parsed = spApiError(PLACE, 'getOrders', 400, body('InvalidInput', 'Invalid Input', 'MarketplaceIds: A1 is not a valid marketplace'));
    expect(parsed.message).toBe(
      `${PLACE}: getOrders: Amazon says InvalidInput: Invalid Input (MarketplaceIds: A1 is not a valid marketplace); Amazon refused the request as invalid (HTTP 400); check marketplace_ids (they must belong to the region) and the stream options`,
    );
    expect(spApiError(PLACE, 'getOrders', 400, JSON.stringify(body('InvalidInput', 'Invalid Input'))).message).toContain('Amazon says InvalidInput: Invalid Input;');
    expect(spApiError(PLACE, 'getOrders', 400, '<html>Bad Request</html>').message).toMatch(/: getOrders: HTTP 400; /);
  });

  it('takes a 401, or a 403 in Amazon\'s words for an expired token, for an expired access token, and no other 403', () => {
    expect(accessTokenExpired(401, undefined)).toBe(true);
    expect(accessTokenExpired(403, body('Unauthorized', 'The access token you provided has expired.'))).toBe(true);
    expect(accessTokenExpired(403, body('Unauthorized', 'Access to requested resource is denied.', 'The access token you provided has expired.'))).toBe(true);
    expect(accessTokenExpired(403, body('Unauthorized', 'Access to requested resource is denied.', ''))).toBe(false);
    expect(accessTokenExpired(403, body('Unauthorized', 'Access to requested resource is denied.', 'The access token you provided is revoked, malformed or invalid.'))).toBe(false);
    expect(accessTokenExpired(400, body('InvalidInput', 'The access token you provided has expired.'))).toBe(false);
  });

  it.each([
    ['invalid_grant', 400, 'auth', 'amazon_lwa_invalid_grant'],
    ['invalid_client', 401, 'auth', 'amazon_lwa_invalid_client'],
    ['unauthorized_client', 400, 'auth', 'amazon_lwa_unauthorized_client'],
    ['invalid_request', 400, 'fatal', 'amazon_lwa_invalid_request'],
    ['server_error', 500, 'transient', 'amazon_lwa_unavailable'],
    [undefined, 503, 'transient', 'amazon_lwa_unavailable'],
    [undefined, 400, 'auth', 'amazon_lwa_refused'],
  ] as const)('Login with Amazon error %s (HTTP %i) is %s', (error, status, kind, code) => {
    const failure = lwaError('https://api.amazon.com/auth/o2/token', status, error === undefined ? 'gateway error' : JSON.stringify({ error, error_description: 'what LWA says' }));
    expect(failure).toMatchObject({ kind, code });
    if (error !== undefined) expect(failure.message).toContain(`→ HTTP ${status} ${error}: what LWA says; `);
  });
});

describe('amazon-sp-api errors against the emulator', () => {
  it('stops at a 403 that is not an expired token with an auth error naming the roles, without fetching another token', async () => {
    const { amazon, config } = await startAmazon();
    addDeOrders(amazon, 2, (n) => Date.now() - n * 60_000 - 180_000);
    amazon.failNext('getOrders', 403);
    const error = await readAmazonOrders(config, { start: START() }, undefined).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeelError);
    expect(error).toMatchObject({ kind: 'auth', code: 'amazon_access_denied' });
    expect((error as KeelError).message).toMatch(/getOrders: Amazon says Unauthorized: Access to requested resource is denied\.; access denied \(HTTP 403\).*Inventory and Order Tracking for orders/);
    expect(amazon.stats.tokenRequests).toBe(1);
    expect(amazon.stats.requests.getOrders).toBe(1);
  });

  it('retries 500 and 503 answers, then reads on', async () => {
    const { amazon, config } = await startAmazon();
    addDeOrders(amazon, 2, (n) => Date.now() - n * 60_000 - 180_000);
    amazon.failNext('getOrders', 503);
    amazon.failNext('getOrderItems', 500);
    const read = await readAmazonOrders(config, { start: START() }, undefined);
    expect(read.records).toHaveLength(2);
    expect(amazon.stats.requests).toMatchObject({ getOrders: 2, getOrderItems: 3 });
  });

  it('sends again a request whose answer is slower than timeout_ms, and a token request Login with Amazon failed', async () => {
    const { amazon, config } = await startAmazon();
    addDeOrders(amazon, 2, (n) => Date.now() - n * 60_000 - 180_000);
    amazon.failTokenNext(1);
    amazon.slowNext('getOrders', 1500);
    const read = await readAmazonOrders({ ...config, timeout_ms: 500 }, { start: START() }, undefined);
    expect(read.records).toHaveLength(2);
    expect(amazon.stats.tokenRequests).toBe(2);
    expect(amazon.stats.requests.getOrders).toBe(2);
    expect(read.log).toContain('amazon access token request failed; retrying');
    expect(read.log).toMatch(/"msg":"HTTP request failed; retrying".*"error":"timed out"/);
  });

  it('fails a read that gets only 5xx after its retries as transient, saying how often it tried', async () => {
    const { amazon, config } = await startAmazon();
    addDeOrders(amazon, 1, () => Date.now() - 180_000);
    amazon.failNext('getOrders', 500, 10);
    const error = await readAmazonOrders(config, { start: START() }, undefined).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'transient' });
    expect((error as KeelError).message).toMatch(/GET 127\.0\.0\.1:\d+\/orders\/v0\/orders\?.* → HTTP 500: .*InternalFailure.* \(after 3 attempts\)$/);
  });

  it('makes a stock batch retryable when the feeds API is unavailable, and stops the run when access is denied', async () => {
    const { amazon, config } = await startAmazon();
    amazon.failNext('createFeedDocument', 503, 10);
    const unavailable = await writeAmazonStock(config, { poll_interval_ms: 100 }, [LEVEL]);
    expect(unavailable.results).toEqual([{ status: 'retryable', error: expect.stringMatching(/POST 127\.0\.0\.1:\d+\/feeds\/2021-06-30\/documents → HTTP 503: .*\(after 3 attempts\)$/) as unknown as string }]);

    const denied = await bed.start();
    denied.amazon.failNext('createFeed', 403);
    const error = await writeAmazonStock(denied.config, { poll_interval_ms: 100 }, [LEVEL]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'auth', code: 'amazon_access_denied' });
    expect((error as KeelError).message).toContain('Product Listing for stock');
  });
});
