import { describe, expect, it } from 'vitest';
import { graphqlError, httpStatusError, userErrorsResult } from './shopify-errors.js';

describe('the Shopify error table', () => {
  it.each([
    [401, 'auth', 'shopify_unauthorized'],
    [403, 'auth', 'shopify_forbidden'],
    [402, 'fatal', 'shopify_payment_required'],
    [404, 'config', 'shopify_not_found'],
    [423, 'fatal', 'shopify_locked'],
    [418, 'fatal', 'shopify_http_418'],
  ] as const)('maps HTTP %i to a %s error', (status, kind, code) => {
    const error = httpStatusError(status, 'acme.myshopify.com', { errors: 'whatever Shopify said' });
    expect([error.kind, error.code]).toEqual([kind, code]);
    expect(error.message).toMatch(/^shopify acme\.myshopify\.com: .*: \{"errors":"whatever Shopify said"\}$/);
  });

  it.each([
    ['THROTTLED', 'rate_limited'],
    ['MAX_COST_EXCEEDED', 'config'],
    ['ACCESS_DENIED', 'auth'],
    ['INTERNAL_SERVER_ERROR', 'transient'],
    ['SOMETHING_NEW', 'fatal'],
  ] as const)('maps the GraphQL error code %s to a %s error', (code, kind) => {
    const error = graphqlError([{ message: 'It went wrong', extensions: { code } }], 'acme.myshopify.com', 'KeelOrders', 1200);
    expect(error.kind).toBe(kind);
    expect(error.message).toContain('KeelOrders: ');
    expect(error.message.endsWith(': It went wrong')).toBe(true);
  });

  it('treats a GraphQL error without a code as a query Shopify refused, which no retry mends', () => {
    const error = graphqlError([{ message: "Field 'fooBar' doesn't exist on type 'Order'" }], 'acme.myshopify.com', 'KeelOrders');
    expect([error.kind, error.code]).toEqual(['fatal', 'shopify_graphql_error']);
    expect(error.message).toBe(
      "shopify acme.myshopify.com: KeelOrders: Shopify refused the query; the pinned api_version may not match this connector: Field 'fooBar' doesn't exist on type 'Order'",
    );
  });

  it("dead-letters userErrors with Shopify's message and field, retries the ones that pass later", () => {
    expect(userErrorsResult([{ field: ['input', 'quantities', '0', 'locationId'], message: 'The specified location could not be found.', code: 'INVALID_LOCATION' }], 'SKU A at gid://shopify/Location/9')).toEqual({
      status: 'permanent',
      code: 'shopify_invalid_location',
      error:
        'SKU A at gid://shopify/Location/9: Shopify refused it: The specified location could not be found. (field input.quantities.0.locationId) (Shopify does not know the location; check locations in the connection config)',
    });
    expect(userErrorsResult([{ field: ['fulfillment'], message: 'Invalid fulfillment order line item quantity requested.' }], 'order #1001')).toEqual({
      status: 'permanent',
      code: 'shopify_user_error',
      error: 'order #1001: Shopify refused it: Invalid fulfillment order line item quantity requested. (field fulfillment)',
    });
    expect(userErrorsResult([{ message: 'This request is currently in progress, please try again.', code: 'IDEMPOTENCY_CONCURRENT_REQUEST' }], 'SKU A').status).toBe('retryable');
  });
});
