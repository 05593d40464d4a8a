/**
 * What the HTTP client makes of a status it was not asked to accept, as a table: the default one
 * below, which a vendor connector extends with its API's own meanings (Shopify's 423 for a locked
 * shop, a 403 whose body says the quota is used up) instead of catching and re-classifying errors.
 */
import type { ErrorKind } from '../errors.js';

export interface StatusRule {
  /** What the caller should do about it (core/errors.ts); a `record` error is a RecordRejection. */
  kind: ErrorKind;
  /**
   * Send the request again, with backoff and Retry-After, up to the connection's `retries`, before
   * failing with `kind`. Only where that is safe: a GET, or a write with an idempotency key.
   */
  retry?: boolean;
  /** Get fresh credentials once and send again before failing (a 401 from an expired token). */
  refreshAuth?: boolean;
  /** Stable error code; default `http_<status>`. */
  code?: string;
  /** What to do, said after the status: `POST shop/orders.json → HTTP 401: <hint>`. */
  hint?: string;
  /** Whether the message quotes the start of the response body (default: yes). */
  quoteBody?: boolean;
  /** The rule holds only when the response body matches: for a status that means two things. */
  body?: RegExp;
}

/**
 * Rules by status (`'423'`) or status class (`'4xx'`). A status looks for its rules first, then
 * its class's; under one key the first rule whose `body` matches (or that has none) wins.
 */
export type StatusTable = Readonly<Record<string, StatusRule | readonly StatusRule[]>>;

const CREDENTIALS_REFUSED = 'the credentials were refused; check auth in the connection';

export const DEFAULT_STATUS_TABLE: StatusTable = freezeTable({
  '401': { kind: 'auth', refreshAuth: true, hint: CREDENTIALS_REFUSED },
  '403': { kind: 'auth', hint: CREDENTIALS_REFUSED },
  // Waits in the shared rate budget, which the 429 paused for Retry-After (or a second).
  '429': { kind: 'rate_limited', retry: true },
  '3xx': { kind: 'record', code: 'http_redirect', hint: 'redirects are not followed; point base_url at the final address', quoteBody: false },
  '4xx': { kind: 'record' },
  '5xx': { kind: 'transient', retry: true },
});

/** A status no rule describes (outside 3xx–5xx): the request was refused, so the record is. */
const UNDESCRIBED: StatusRule = Object.freeze({ kind: 'record' });

/** Bodies are matched on their start: enough for an error document, bounded for a huge page. */
const BODY_MATCHED_CHARS = 64 * 1024;

/**
 * `base` with a connector's rules on top: for each key, the connector's rules come first, so a
 * rule without `body` replaces the default and one with `body` refines it (the default still
 * holds for other bodies).
 */
export function extendStatusTable(overrides: StatusTable, base: StatusTable = DEFAULT_STATUS_TABLE): StatusTable {
  const table: Record<string, readonly StatusRule[]> = {};
  for (const key of new Set([...Object.keys(overrides), ...Object.keys(base)])) {
    if (!/^[1-5](\d\d|xx)$/.test(key)) throw new Error(`status table key "${key}" is no status (423) or status class (4xx)`);
    table[key] = Object.freeze([...rulesOf(overrides[key]).map((rule) => ({ ...rule })), ...rulesOf(base[key])]);
  }
  return freezeTable(table);
}

/** The rule for a response: its status's first matching rule, else its class's, else a record error. */
export function ruleForStatus(table: StatusTable, status: number, body: unknown): StatusRule {
  const text = typeof body === 'string' ? body.slice(0, BODY_MATCHED_CHARS) : '';
  // search(), not test(): it starts at 0 whatever a /g pattern's lastIndex says.
  const matching = (rule: StatusRule): boolean => rule.body === undefined || text.search(rule.body) !== -1;
  return rulesOf(table[String(status)]).find(matching) ?? rulesOf(table[`${Math.floor(status / 100)}xx`]).find(matching) ?? UNDESCRIBED;
}

function rulesOf(entry: StatusRule | readonly StatusRule[] | undefined): readonly StatusRule[] {
  if (entry === undefined) return [];
  return Array.isArray(entry) ? (entry as readonly StatusRule[]) : [entry as StatusRule];
}

function freezeTable(table: Record<string, StatusRule | readonly StatusRule[]>): StatusTable {
  for (const entry of Object.values(table)) for (const rule of rulesOf(entry)) Object.freeze(rule);
  return Object.freeze(table);
}
