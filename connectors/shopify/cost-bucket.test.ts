import { describe, expect, it } from 'vitest';
import { CostBucket } from './cost-bucket.js';

const status = (currentlyAvailable: number, maximumAvailable = 1000, restoreRate = 50) => ({
  requestedQueryCost: 100,
  actualQueryCost: 80,
  throttleStatus: { maximumAvailable, currentlyAvailable, restoreRate },
});

describe('the client copy of the point bucket', () => {
  it('lets one request out before it knows the bucket, and holds the rest until an answer tells it', async () => {
    const bucket = new CostBucket();
    const probe = await bucket.take(100);
    let second = false;
    const next = bucket.take(100).then((ticket) => {
      second = true;
      return ticket;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    bucket.settle(probe, 'Q', status(900));
    await next;
    expect(second).toBe(true);
  });

  it('makes a request wait for the points it requested last time: (requested - available) / restoreRate', async () => {
    const bucket = new CostBucket();
    bucket.settle(await bucket.take(1), 'Q', status(20, 1000, 50));
    expect(bucket.costOf('Q', 5)).toBe(100);
    expect(bucket.costOf('other', 5)).toBe(5);
    const now = Date.now();
    // 80 points missing at 50 a second: 1.6 s.
    expect(bucket.waitMs(100, now)).toBeGreaterThan(1500);
    expect(bucket.waitMs(100, now)).toBeLessThanOrEqual(1600);
    expect(bucket.waitMs(20, now)).toBe(0);
  });

  it('counts the points of requests in flight as spent until they are answered', async () => {
    const bucket = new CostBucket();
    bucket.settle(await bucket.take(1), 'Q', status(300, 1000, 50));
    const now = Date.now();
    const inFlight = await bucket.take(200);
    expect(bucket.waitMs(200, now)).toBeGreaterThan(1900);
    bucket.cancel(inFlight);
    expect(bucket.waitMs(200, now)).toBe(0);
  });

  it("does not take an older answer's level as news when a later request was answered first", async () => {
    const bucket = new CostBucket();
    // Restoring one point in 1000 s: the copy changes only by what answers say.
    bucket.settle(await bucket.take(1), 'Q', status(100, 1000, 0.001));
    const older = await bucket.take(30);
    const later = await bucket.take(30);
    // Shopify charged `older` (100 → 70), then `later` (70 → 40, refunded to 50: actual 20); `later` is answered first.
    bucket.settle(later, 'Q', { requestedQueryCost: 30, actualQueryCost: 20, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 50, restoreRate: 0.001 } });
    // `older`'s answer was computed before `later` was charged: it says 70, which is 20 too many.
    bucket.settle(older, 'Q', { requestedQueryCost: 30, actualQueryCost: 30, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 70, restoreRate: 0.001 } });
    const now = Date.now();
    expect(bucket.waitMs(50, now)).toBe(0);
    expect(bucket.waitMs(51, now)).toBeGreaterThan(0);
    // Once nothing older is in flight, answers are taken as they come again.
    bucket.settle(await bucket.take(10), 'Q', { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 40, restoreRate: 0.001 } });
    expect(bucket.waitMs(40, Date.now())).toBe(0);
    expect(bucket.waitMs(41, Date.now())).toBeGreaterThan(0);
  });

  it('stops waiting when the run is stopped', async () => {
    const bucket = new CostBucket();
    bucket.settle(await bucket.take(1), 'Q', status(0, 1000, 1));
    const stop = new AbortController();
    const waiting = bucket.take(500, stop.signal);
    stop.abort();
    await expect(waiting).rejects.toThrow('stopped while waiting for Shopify API points');
  });
});
