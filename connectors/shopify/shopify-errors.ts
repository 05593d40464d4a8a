/**
 * Shopify's answers, mapped to Keel's error kinds by explicit tables, never by reading message
 * text: HTTP statuses the GraphQL endpoint uses, the `extensions.code` of top-level GraphQL
 * errors, and the `code` of mutation userErrors. Sources: "Shopify API response status and error
 * codes" (shopify.dev/docs/api/usage/response-codes), "GraphQL Admin API rate limits"
 * (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits) and the userError enums of the
 * mutations used (InventorySetQuantitiesUserErrorCode, BulkOperationUserErrorCode).
 */
import { KeelError, type ErrorKind } from '../../core/errors.js';
import type { WriteResult } from '../../core/sdk/connector.js';

interface ErrorRow {
  kind: ErrorKind;
  code: string;
  /** What it means and what to do, after `shopify <shop>:`. */
  hint: string;
}

/** Statuses the GraphQL endpoint answers besides 200 that Keel does not retry (5xx and 429 are retried by the HTTP client). */
export const HTTP_STATUS_ERRORS: Readonly<Record<number, ErrorRow>> = {
  400: { kind: 'fatal', code: 'shopify_bad_request', hint: 'the request was not understood (HTTP 400); this is a bug in Keel or a proxy in between' },
  401: {
    kind: 'auth',
    code: 'shopify_unauthorized',
    hint: 'the access token was refused (HTTP 401); check access_token: an Admin API token of an app installed on this shop, not an API key or a Storefront token',
  },
  402: { kind: 'fatal', code: 'shopify_payment_required', hint: 'the shop is frozen (HTTP 402 Payment Required); it answers again once its bill is paid' },
  403: {
    kind: 'auth',
    code: 'shopify_forbidden',
    hint: 'the app may not do this (HTTP 403); grant it the access scope the stream needs (read_orders, read_products, write_inventory, write_merchant_managed_fulfillment_orders) and reinstall',
  },
  404: { kind: 'config', code: 'shopify_not_found', hint: 'no such shop or API version (HTTP 404); check shop and api_version' },
  406: { kind: 'fatal', code: 'shopify_not_acceptable', hint: 'the request was refused as not acceptable (HTTP 406)' },
  423: { kind: 'fatal', code: 'shopify_locked', hint: 'the shop is locked (HTTP 423); Shopify support must unlock it' },
};

/** Top-level GraphQL errors, by `errors[].extensions.code`. */
export const GRAPHQL_ERRORS: Readonly<Record<string, ErrorRow>> = {
  THROTTLED: {
    kind: 'rate_limited',
    code: 'shopify_throttled',
    hint: 'the shop\'s API points ran out (THROTTLED) more often than max_throttle_waits allows; another app or pipeline may be using the same bucket',
  },
  MAX_COST_EXCEEDED: {
    kind: 'config',
    code: 'shopify_max_cost',
    hint: 'the query costs more points than Shopify allows for one query (MAX_COST_EXCEEDED); lower page_size or the nested page sizes of the stream',
  },
  ACCESS_DENIED: {
    kind: 'auth',
    code: 'shopify_access_denied',
    hint: 'access denied (ACCESS_DENIED); the app lacks an access scope for this (read_all_orders for orders older than 60 days), grant it and reinstall',
  },
  SHOP_INACTIVE: { kind: 'fatal', code: 'shopify_shop_inactive', hint: 'the shop is not active (SHOP_INACTIVE)' },
  INTERNAL_SERVER_ERROR: { kind: 'transient', code: 'shopify_internal_error', hint: 'Shopify had an internal error (INTERNAL_SERVER_ERROR); retried' },
  UNDEFINED_FIELD: {
    kind: 'fatal',
    code: 'shopify_query_invalid',
    hint: 'Shopify does not know a field Keel asked for; the pinned api_version may be too old or too new for this connector',
  },
};

/** A GraphQL error without a known code: the query itself was refused, which no retry mends. */
const UNKNOWN_GRAPHQL_ERROR: ErrorRow = {
  kind: 'fatal',
  code: 'shopify_graphql_error',
  hint: 'Shopify refused the query; the pinned api_version may not match this connector',
};

/** What a userError code means for the record: try again (now or after reading again), or a dead letter with Shopify's words. */
export type UserErrorOutcome = 'conflict' | 'retryable' | 'permanent';

interface UserErrorRow {
  outcome: UserErrorOutcome;
  hint?: string;
}

export const USER_ERRORS: Readonly<Record<string, UserErrorRow>> = {
  // inventorySetQuantities: someone changed the quantity between Keel's read and its write.
  CHANGE_FROM_QUANTITY_STALE: { outcome: 'conflict' },
  COMPARE_QUANTITY_STALE: { outcome: 'conflict' },
  IDEMPOTENCY_CONCURRENT_REQUEST: { outcome: 'retryable', hint: 'the same request is still being processed by Shopify' },
  IDEMPOTENCY_KEY_PARAMETER_MISMATCH: { outcome: 'permanent', hint: 'Keel reused an idempotency key for other values, which is a bug; report it' },
  IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: { outcome: 'retryable', hint: 'a previous attempt with this key failed; the next attempt reads again and sends a new key' },
  ITEM_NOT_STOCKED_AT_LOCATION: { outcome: 'permanent', hint: 'the item is not stocked at that location; activate it there in Shopify, or map the location elsewhere' },
  INVALID_INVENTORY_ITEM: { outcome: 'permanent', hint: 'Shopify does not know the inventory item (deleted variant?)' },
  INVALID_LOCATION: { outcome: 'permanent', hint: 'Shopify does not know the location; check locations in the connection config' },
  NON_MUTABLE_INVENTORY_ITEM: { outcome: 'permanent', hint: 'the item\'s stock cannot be set through the API (a bundle?)' },
  INVALID_QUANTITY_TOO_HIGH: { outcome: 'permanent' },
  INVALID_QUANTITY_TOO_LOW: { outcome: 'permanent' },
  INVALID_QUANTITY_NEGATIVE: { outcome: 'permanent' },
};

export interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
}

/** The row of a userError: by its code, else permanent (Shopify's message and field go to the dead letter). */
export function userErrorOutcome(error: UserError): UserErrorOutcome {
  return (error.code !== undefined && error.code !== null ? USER_ERRORS[error.code]?.outcome : undefined) ?? 'permanent';
}

/** userErrors as a per-record result: Shopify's message and field, and a stable code. */
export function userErrorsResult(errors: readonly UserError[], what: string): WriteResult {
  const first = errors[0] as UserError;
  const outcome = userErrorOutcome(first);
  const text = errors.map(describeUserError).join('; ');
  const hint = first.code !== undefined && first.code !== null ? USER_ERRORS[first.code]?.hint : undefined;
  const error = `${what}: Shopify refused it: ${text}${hint !== undefined ? ` (${hint})` : ''}`;
  if (outcome === 'retryable') return { status: 'retryable', error };
  return { status: 'permanent', error, code: `shopify_${(first.code ?? 'user_error').toLowerCase()}` };
}

export function describeUserError(error: UserError): string {
  const field = Array.isArray(error.field) && error.field.length > 0 ? ` (field ${error.field.join('.')})` : '';
  return `${error.message}${field}`;
}

/** An HTTP status the GraphQL endpoint answered, as a KeelError; the body snippet is Shopify's, and never holds the token. */
export function httpStatusError(status: number, shop: string, body: unknown): KeelError {
  const row = HTTP_STATUS_ERRORS[status];
  const detail = bodyText(body);
  if (row === undefined) {
    return new KeelError('fatal', `shopify ${shop}: unexpected HTTP ${status}${detail}`, { code: `shopify_http_${status}`, stage: 'shopify' });
  }
  return new KeelError(row.kind, `shopify ${shop}: ${row.hint}${detail}`, { code: row.code, stage: 'shopify' });
}

export interface GraphqlError {
  message?: string;
  extensions?: { code?: string; [key: string]: unknown };
}

/** The code of a top-level GraphQL error, if it has one. */
export function graphqlErrorCode(error: GraphqlError): string | undefined {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Top-level GraphQL errors as one KeelError, by the first error's code. */
export function graphqlError(errors: readonly GraphqlError[], shop: string, operation: string, retryAfterMs?: number): KeelError {
  const first = errors[0] ?? {};
  const code = graphqlErrorCode(first);
  const row = (code !== undefined ? GRAPHQL_ERRORS[code] : undefined) ?? UNKNOWN_GRAPHQL_ERROR;
  const messages = errors
    .slice(0, 3)
    .map((error) => error.message ?? '(no message)')
    .join('; ');
  return new KeelError(row.kind, `shopify ${shop}: ${operation}: ${row.hint}: ${messages}`, {
    code: row.code,
    stage: 'shopify',
    retryAfterMs,
    detail: code,
  });
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const flat = text.replace(/\s+/g, ' ').trim();
  return `: ${flat.length > 300 ? `${flat.slice(0, 300)}…` : flat}`;
}
