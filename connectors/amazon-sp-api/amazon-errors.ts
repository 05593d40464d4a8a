/**
 * Amazon's answers, mapped to Keel's error kinds by explicit tables, never by guessing.
 *
 * SP-API errors come as an HTTP status and `{ errors: [{ code, message, details }] }`
 * (developer-docs.amazon.com/sp-api/docs/response-format). 429 (QuotaExceeded) and 5xx
 * (InternalFailure, ServiceUnavailable) are retried by the HTTP client in the shared rate budget
 * and are not here. 403 means both "access token expired" and "no access": only the text tells
 * them apart (Amazon words it "The access token you provided has expired."), so an expired token is
 * recognised by that documented wording, and refreshed once. Login with Amazon answers token
 * requests with OAuth 2.0 errors (RFC 6749 §5.2: `{ error, error_description }`).
 */
import { KeelError, RecordRejection, type ErrorKind } from '../../core/errors.js';
import { isJsonObject } from '../../core/json.js';
import type { SpOperation } from './usage-plans.js';

interface ErrorRow {
  kind: ErrorKind;
  code: string;
  /** What it means and what to do, after Amazon's own words. */
  hint: string;
}

/** By status, for every operation. */
export const SP_API_STATUS_ERRORS: Readonly<Record<number, ErrorRow>> = {
  400: {
    kind: 'config',
    code: 'amazon_invalid_input',
    hint: 'Amazon refused the request as invalid (HTTP 400); check marketplace_ids (they must belong to the region) and the stream options',
  },
  401: { kind: 'auth', code: 'amazon_unauthorized', hint: 'Amazon refused a fresh access token (HTTP 401); check client_id, client_secret and refresh_token' },
  403: {
    kind: 'auth',
    code: 'amazon_access_denied',
    hint: 'access denied (HTTP 403) with a fresh access token: the app needs the role of the stream (Inventory and Order Tracking for orders, Product Listing for stock) and the seller must have authorized it in this region; check region, client_id and refresh_token',
  },
  404: { kind: 'record', code: 'amazon_not_found', hint: 'Amazon does not have it (HTTP 404)' },
  413: { kind: 'config', code: 'amazon_too_large', hint: 'the request is too large for Amazon (HTTP 413); lower the pipeline batch_size' },
  415: { kind: 'fatal', code: 'amazon_unsupported_media_type', hint: 'Amazon refused the content type (HTTP 415); this is a bug in Keel' },
};

/** Where one operation's status means something else than the table above. */
export const OPERATION_STATUS_ERRORS: Readonly<Partial<Record<`${SpOperation} ${number}`, ErrorRow>>> = {
  // No orders resource at all: the endpoint is not an SP-API endpoint.
  'getOrders 404': { kind: 'config', code: 'amazon_no_endpoint', hint: 'no Orders API here (HTTP 404); check region and endpoint' },
  'getFeed 404': { kind: 'fatal', code: 'amazon_feed_missing', hint: 'Amazon does not know the feed it just created (HTTP 404)' },
  'getFeedDocument 404': { kind: 'fatal', code: 'amazon_feed_document_missing', hint: 'Amazon does not know the processing report its feed names (HTTP 404)' },
  'createFeedDocument 400': { kind: 'fatal', code: 'amazon_feed_refused', hint: 'Amazon refused to create a feed document (HTTP 400); this is a bug in Keel' },
  'createFeed 400': { kind: 'config', code: 'amazon_feed_refused', hint: 'Amazon refused the feed (HTTP 400); check marketplace_ids' },
};

/** Statuses the SP-API client takes back from the HTTP client to name them by the tables above. */
export const MAPPED_STATUSES: readonly number[] = [400, 401, 403, 404, 413, 415];

/** Amazon's documented wording for an access token past its lifetime, in `message` or `details`. */
const TOKEN_EXPIRED = /access token you provided has expired/i;

/** Whether an answer says the access token expired: then a fresh one is fetched and the request sent once more. */
export function accessTokenExpired(status: number, body: unknown): boolean {
  if (status === 401) return true;
  return status === 403 && spApiErrors(body).some((error) => TOKEN_EXPIRED.test(`${error.message} ${error.details ?? ''}`));
}

export interface SpApiError {
  code: string;
  message: string;
  details?: string;
}

/** The `errors` of an SP-API error body; nothing when the body is none. */
export function spApiErrors(body: unknown): SpApiError[] {
  const parsed = typeof body === 'string' ? safeParse(body) : body;
  const errors = isJsonObject(parsed) ? parsed['errors'] : undefined;
  if (!Array.isArray(errors)) return [];
  return errors.filter(isJsonObject).map((error) => ({
    code: typeof error['code'] === 'string' ? error['code'] : '',
    message: typeof error['message'] === 'string' ? error['message'] : '',
    ...(typeof error['details'] === 'string' && error['details'] !== '' ? { details: error['details'] } : {}),
  }));
}

/** An SP-API error answer as a KeelError, Amazon's code and message quoted; a `record` row is a RecordRejection. */
export function spApiError(place: string, operation: SpOperation, status: number, body: unknown): KeelError {
  const row = OPERATION_STATUS_ERRORS[`${operation} ${status}`] ?? SP_API_STATUS_ERRORS[status] ?? { kind: 'fatal', code: `amazon_http_${status}`, hint: `unexpected HTTP ${status}` };
  const said = spApiErrors(body)
    .slice(0, 3)
    .map((error) => `${error.code !== '' ? `${error.code}: ` : ''}${error.message}${error.details !== undefined ? ` (${error.details})` : ''}`)
    .join('; ');
  const reason = `${place}: ${operation}: ${said !== '' ? `Amazon says ${said}` : `HTTP ${status}`}`;
  if (row.kind === 'record') return new RecordRejection(reason, row.code, { hint: row.hint, stage: 'amazon-sp-api' });
  return new KeelError(row.kind, `${reason}; ${row.hint}`, { code: row.code, stage: 'amazon-sp-api' });
}

/** Login with Amazon's token errors (OAuth 2.0, RFC 6749 §5.2), by `error`. */
export const LWA_ERRORS: Readonly<Record<string, ErrorRow>> = {
  invalid_grant: {
    kind: 'auth',
    code: 'amazon_lwa_invalid_grant',
    hint: 'the refresh token was refused: revoked by the seller, or issued to another app; have the seller authorize the app again and set refresh_token',
  },
  invalid_client: { kind: 'auth', code: 'amazon_lwa_invalid_client', hint: 'the app was not recognised: check client_id and client_secret (a rotated secret must be updated)' },
  unauthorized_client: { kind: 'auth', code: 'amazon_lwa_unauthorized_client', hint: 'the app may not use refresh tokens; check its registration in Seller Central' },
  invalid_request: { kind: 'fatal', code: 'amazon_lwa_invalid_request', hint: 'Login with Amazon did not understand the token request; this is a bug in Keel' },
  unsupported_grant_type: { kind: 'fatal', code: 'amazon_lwa_invalid_request', hint: 'Login with Amazon did not take the refresh_token grant; is token_url the LWA token endpoint?' },
  server_error: { kind: 'transient', code: 'amazon_lwa_unavailable', hint: 'Login with Amazon failed; try again later' },
  temporarily_unavailable: { kind: 'transient', code: 'amazon_lwa_unavailable', hint: 'Login with Amazon is unavailable for now; try again later' },
};

/** A token endpoint answer that is no token, as a KeelError; its words, never the request's. */
export function lwaError(tokenUrl: string, status: number, body: unknown): KeelError {
  const parsed = typeof body === 'string' ? safeParse(body) : body;
  const error = isJsonObject(parsed) && typeof parsed['error'] === 'string' ? parsed['error'] : undefined;
  const description = isJsonObject(parsed) && typeof parsed['error_description'] === 'string' ? `: ${parsed['error_description']}` : '';
  const row =
    (error !== undefined ? LWA_ERRORS[error] : undefined) ??
    (status >= 500 || status === 429
      ? { kind: 'transient' as const, code: 'amazon_lwa_unavailable', hint: 'Login with Amazon failed; try again later' }
      : { kind: 'auth' as const, code: 'amazon_lwa_refused', hint: 'check client_id, client_secret and refresh_token' });
  return new KeelError(row.kind, `access token request to ${tokenUrl} → HTTP ${status}${error !== undefined ? ` ${error}` : ''}${description}; ${row.hint}`, {
    code: row.code,
    stage: 'amazon-sp-api',
  });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
