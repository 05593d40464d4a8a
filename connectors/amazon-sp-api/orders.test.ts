import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import { addDeOrders, AMAZON_DE, AMAZON_US, amazonTestBed, readAmazonOrders } from '../../test-support/amazon-sp-api-project.js';
import connector from './index.js';

const bed = amazonTestBed();

const MINUTE = 60_000;
const ids = (records: JsonObject[]): string[] => records.map((record) => String(record['AmazonOrderId'])).sort();
const sinceOf = (cursor: unknown): number => (isJsonObject(cursor) && typeof cursor['since'] === 'number' ? cursor['since'] : Number.NaN);

describe('amazon-sp-api orders', () => {
  it('refuses a start that is no time offline, naming the option', () => {
    const check = connector.streams['orders']?.read?.check;
    expect(check?.({ start: 'yesterday' }, { sync: 'incremental' })).toEqual([{ path: ['start'], message: 'start "yesterday" is not an ISO 8601 date-time' }]);
    expect(check?.({ start: '2026-11-01T00:00:00Z' }, { sync: 'full' })).toEqual([]);
  });

  it('reads every order of the window with all its items, following the NextToken of orders and of items', async () => {
    const { amazon, config } = await bed.start({ itemsPerPage: 1 });
    const now = Date.now();
    const all = addDeOrders(amazon, 7, (n) => now - n * 10 * MINUTE);
    // An order of another marketplace of the account is read when the connection names it.
    amazon.addOrder({ AmazonOrderId: '111-0000000-0000001', LastUpdateDate: new Date(now - 5 * MINUTE).toISOString(), MarketplaceId: AMAZON_US }, [{ OrderItemId: '1', SellerSKU: 'X' }]);
    const read = await readAmazonOrders({ ...config, marketplace_ids: [AMAZON_DE, AMAZON_US] }, { page_size: 3, start: new Date(now - 2 * 3600_000).toISOString() }, undefined);
    expect(ids(read.records)).toEqual([...all, '111-0000000-0000001'].sort());
    for (const record of read.records.filter((order) => order['MarketplaceId'] === AMAZON_DE)) {
      expect((record['OrderItems'] as JsonObject[]).map((item) => item['SellerSKU'])).toEqual([' NH-TEE-BLK-M ', 'NH-MUG-WHT']);
    }
    // Three pages of orders, two pages of items per Amazon.de order.
    expect(amazon.stats.requests).toMatchObject({ getOrders: 3, getOrderItems: 15 });
    const first = amazon.orderQueries[0] as URLSearchParams;
    expect(first.get('MarketplaceIds')).toBe(`${AMAZON_DE},${AMAZON_US}`);
    expect(first.get('MaxResultsPerPage')).toBe('3');
    // Amazon takes no LastUpdatedBefore later than two minutes ago.
    expect(Date.parse(first.get('LastUpdatedBefore') ?? '')).toBeLessThanOrEqual(Date.now() - 2 * MINUTE);
    expect(amazon.orderQueries.slice(1).every((query) => query.get('NextToken') !== null)).toBe(true);
  });

  it('reads incrementally: the next run passes on only what changed since, found through the look-back', async () => {
    const { amazon, config } = await bed.start();
    const now = Date.now();
    const [a, b] = addDeOrders(amazon, 6, (n) => now - n * 10 * MINUTE);
    const first = await readAmazonOrders(config, { start: new Date(now - 2 * 3600_000).toISOString() }, undefined);
    expect(first.records).toHaveLength(6);
    expect(sinceOf(first.cursor)).toBeGreaterThan(now - 3 * MINUTE);

    // Two orders change; Amazon shows the changes late, with times before the saved boundary.
    amazon.update(a as string, Date.now() - 150_000, { OrderStatus: 'Canceled' });
    amazon.update(b as string, Date.now() - 140_000);
    const second = await readAmazonOrders(config, {}, first.cursor);
    expect(ids(second.records)).toEqual([a, b].sort());
    expect(second.records.find((record) => record['AmazonOrderId'] === a)?.['OrderStatus']).toBe('Canceled');

    const third = await readAmazonOrders(config, {}, second.cursor);
    expect(third.records).toEqual([]);
  });

  it('passes on orders sharing one timestamp once, across pages and across runs, and the ones that arrive late on it', async () => {
    const { amazon, config } = await bed.start();
    // Nine orders on one second just before the first run's boundary, two to a page.
    const shared = Math.floor((Date.now() - 125_000) / 1000) * 1000;
    const nine = addDeOrders(amazon, 9, () => shared);
    const first = await readAmazonOrders(config, { page_size: 2, start: new Date(shared - 3600_000).toISOString() }, undefined);
    expect(ids(first.records)).toEqual(nine);
    expect(amazon.stats.requests.getOrders).toBe(5);

    // Two more orders on that very second, shown by Amazon only now.
    const late = addDeOrders(amazon, 2, () => shared, 10);
    const second = await readAmazonOrders(config, { page_size: 2 }, first.cursor);
    expect(ids(second.records)).toEqual(late);
    // The nine were asked for again (the look-back covers their second) and dropped as known.
    const asked = amazon.orderQueries.filter((query) => query.get('NextToken') === null).at(-1) as URLSearchParams;
    expect(Date.parse(asked.get('LastUpdatedAfter') ?? '')).toBeLessThanOrEqual(shared);

    expect((await readAmazonOrders(config, { page_size: 2 }, second.cursor)).records).toEqual([]);
  });

  it('resumes after a crash in the middle of a window: what was passed on before is not passed on again, nothing is lost', async () => {
    const { amazon, config } = await bed.start();
    const now = Date.now();
    const all = addDeOrders(amazon, 10, (n) => now - n * MINUTE - 3 * MINUTE);
    const options = { page_size: 3, start: new Date(now - 3600_000).toISOString() };
    // The run is killed after its second page was committed.
    const killed = await readAmazonOrders(config, options, undefined, 'incremental', 2);
    expect(killed.records).toHaveLength(6);
    // Mid-window the boundary stays where the window began: only the orders passed on are remembered.
    expect(sinceOf(killed.cursor)).toBe(Date.parse(options.start));

    const resumed = await readAmazonOrders(config, options, killed.cursor);
    expect(resumed.records).toHaveLength(4);
    expect([...ids(killed.records), ...ids(resumed.records)].sort()).toEqual(all);
  });

  it('catches up in windows of window_hours, moving the boundary at the end of each', async () => {
    const { amazon, config } = await bed.start();
    const now = Date.now();
    // One order every six hours over three days.
    const all = addDeOrders(amazon, 12, (n) => now - n * 6 * 3600_000 + 30 * MINUTE);
    const read = await readAmazonOrders(config, { start: new Date(now - 3 * 86_400_000).toISOString(), window_hours: 24 }, undefined);
    expect(ids(read.records)).toEqual(all);
    const windows = amazon.orderQueries.map((query) => [query.get('LastUpdatedAfter'), query.get('LastUpdatedBefore')]);
    expect(windows).toHaveLength(4);
    for (const [from, to] of windows) expect(Date.parse(to ?? '') - Date.parse(from ?? '')).toBeLessThanOrEqual(24 * 3600_000);
    // Each window's end is the next one's start, and the saved boundary follows them.
    for (let index = 1; index < windows.length; index += 1) expect(windows[index]?.[0]).toBe(windows[index - 1]?.[1]);
    const boundaries = read.checkpoints.map(sinceOf);
    expect(boundaries).toEqual([...boundaries].sort((x, y) => x - y));
    expect(new Set(boundaries).size).toBe(4);
  });

  it('dead-letters an order whose items Amazon does not have, and reads the others', async () => {
    const { amazon, config } = await bed.start();
    const now = Date.now();
    addDeOrders(amazon, 3, (n) => now - n * 10 * MINUTE);
    amazon.failNext('getOrderItems', 404);
    const read = await readAmazonOrders(config, { start: new Date(now - 3600_000).toISOString() }, undefined);
    expect(read.records).toHaveLength(2);
    expect(read.rejects).toHaveLength(1);
    expect(read.rejects[0]?.reason).toMatch(/^order 302-0000000-\d{7}: its items could not be read: amazon-sp-api 127\.0\.0\.1:\d+ seller A3EMULATEDSELLER: getOrderItems: Amazon says NotFound: The resource specified does not exist\.; Amazon does not have it \(HTTP 404\)$/);
    expect(JSON.parse(read.rejects[0]?.raw ?? '{}')).toMatchObject({ MarketplaceId: AMAZON_DE });
  });
});
