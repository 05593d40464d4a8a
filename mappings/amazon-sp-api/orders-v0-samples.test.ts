import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The Orders v0 fixtures are the public sample's payloads, combined as a connector combines them:
 * getOrder (or one order of getOrders) with getOrderItems' `OrderItems` added. These checks keep
 * them true to samples/orders-v0-examples.json (the public sample, see samples/README.md), so the
 * order.to-canonical.test.yaml suite is a test on the real sample, not on a copy that drifted.
 */
type Json = Record<string, unknown>;

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const read = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;

const samples = read(here('./samples/orders-v0-examples.json'));
const operations = samples['operations'] as Record<string, { example?: { payload: Json }; sandbox: { response: { payload: Json } }[] }>;
const operation = (name: string) => operations[name] as NonNullable<(typeof operations)[string]>;
const sandboxPayload = (name: string, index: number): Json => (operation(name).sandbox[index] as { response: { payload: Json } }).response.payload;
const examplePayload = (name: string): Json => (operation(name).example as { payload: Json }).payload;
const fixture = (name: string): Json => read(here(`./fixtures/${name}`));

describe('Orders v0 fixtures are the public sample payloads', () => {
  it('order-with-items-unshipped is the sandbox getOrder TEST_CASE_200 with the OrderItems of the sandbox getOrderItems TEST_CASE_200', () => {
    const order = sandboxPayload('getOrder', 0);
    const items = sandboxPayload('getOrderItems', 0);
    expect(items['AmazonOrderId']).toBe(order['AmazonOrderId']);
    expect(fixture('order-with-items-unshipped.json')).toEqual({ ...order, OrderItems: items['OrderItems'] });
  });

  it('order-with-items-unshipped-dated-2024 is that order with only its 1970 sandbox dates moved to 2024-05-14', () => {
    const moved = JSON.parse(JSON.stringify(fixture('order-with-items-unshipped.json')).replaceAll('1970-01-19', '2024-05-14')) as Json;
    expect(fixture('order-with-items-unshipped-dated-2024.json')).toEqual(moved);
  });

  it("order-pending-without-total-or-prices is the getOrder example with getOrderAddress's address, and one item without prices", () => {
    const { OrderItems: items, ...header } = fixture('order-pending-without-total-or-prices.json');
    const address = examplePayload('getOrderAddress');
    expect(address['AmazonOrderId']).toBe(header['AmazonOrderId']);
    expect(header).toEqual({ ...examplePayload('getOrder'), ShippingAddress: address['ShippingAddress'] });
    // The upstream examples have no items for this order; a pending order's item carries ids and quantities only.
    const first = (examplePayload('getOrderItems')['OrderItems'] as Json[])[0] as Json;
    expect(items).toEqual([{ ASIN: first['ASIN'], OrderItemId: first['OrderItemId'], SellerSKU: first['SellerSKU'], Title: first['Title'], QuantityOrdered: 1, QuantityShipped: 0 }]);
  });

  it('order-partially-shipped-jpy-cod-without-total holds the getOrderItems example items, the GBP gift wrap of the first made JPY', () => {
    const upstream = examplePayload('getOrderItems');
    const order = fixture('order-partially-shipped-jpy-cod-without-total.json');
    expect(order['AmazonOrderId']).toBe(upstream['AmazonOrderId']);
    const [first, second, third] = order['OrderItems'] as Json[];
    const [upstreamFirst, upstreamSecond] = upstream['OrderItems'] as Json[];
    const buyerInfo = (upstreamFirst as Json)['BuyerInfo'] as Json;
    expect(buyerInfo['GiftWrapPrice']).toEqual({ CurrencyCode: 'GBP', Amount: '41.99' });
    expect(first).toEqual({ ...upstreamFirst, BuyerInfo: { ...buyerInfo, GiftWrapPrice: { CurrencyCode: 'JPY', Amount: '41.99' } } });
    expect(second).toEqual(upstreamSecond);
    // The third line is ours: a cancelled line without SellerSKU.
    expect(third).toMatchObject({ SellerSKU: '', QuantityOrdered: 0 });
  });
});
