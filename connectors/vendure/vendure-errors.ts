/**
 * Vendure's answers, mapped to Keel's error kinds by explicit tables, never by reading messages.
 *
 * Vendure reports two kinds of failure (docs.vendure.io, "Error Handling"): faults in the GraphQL
 * `errors` array, with a code in `extensions.code` and HTTP 200 (400 when the query itself does not
 * fit the schema); and expected business outcomes as ErrorResult members of a mutation's result
 * union, with `__typename`, `errorCode` and `message`. Faults go by GRAPHQL_ERRORS; every
 * ErrorResult is a per-record permanent failure carrying Vendure's own message.
 */
import { KeelError, RecordRejection, type ErrorKind } from '../../core/errors.js';

interface ErrorRow {
  kind: ErrorKind;
  code: string;
  /** What to check, after Vendure's own message. */
  hint: string;
}

/** GraphQL error codes (`errors[].extensions.code`) of Vendure 3 and its Apollo server. */
export const GRAPHQL_ERRORS: Readonly<Record<string, ErrorRow>> = {
  FORBIDDEN: {
    kind: 'auth',
    code: 'vendure_forbidden',
    hint: "the administrator may not do this even after logging in again: check username and password, and that the administrator's role grants the permission (ReadOrder, ReadCatalog, UpdateCatalog, UpdateOrder) in this channel",
  },
  UNAUTHORIZED: { kind: 'auth', code: 'vendure_unauthorized', hint: 'the session was refused: check username and password' },
  CHANNEL_NOT_FOUND: { kind: 'config', code: 'vendure_channel_not_found', hint: 'channel_token names no channel of this server: copy the token from the channel settings' },
  ENTITY_NOT_FOUND: { kind: 'record', code: 'vendure_not_found', hint: 'the record names something Vendure does not have (in this channel)' },
  USER_INPUT_ERROR: { kind: 'record', code: 'vendure_input_refused', hint: 'Vendure refused a value of the record' },
  ILLEGAL_OPERATION: { kind: 'record', code: 'vendure_illegal_operation', hint: 'Vendure refused the operation for this record' },
  BAD_USER_INPUT: { kind: 'record', code: 'vendure_bad_input', hint: 'a value of the record does not fit the type Vendure expects (an id, a whole number)' },
  GRAPHQL_VALIDATION_FAILED: {
    kind: 'fatal',
    code: 'vendure_schema_mismatch',
    hint: "the server's Admin API lacks a field Keel asks for: this connector is written for Vendure 3 (tested with 3.7.3)",
  },
  GRAPHQL_PARSE_FAILED: { kind: 'fatal', code: 'vendure_schema_mismatch', hint: 'the server could not parse the query: is url the Admin API (…/admin-api)?' },
  INTERNAL_SERVER_ERROR: { kind: 'transient', code: 'vendure_server_error', hint: 'the server failed; its log says why' },
};

/** A fault without a code is what Apollo reports for an unexpected exception (a database constraint, say). */
const UNCODED: ErrorRow = { kind: 'transient', code: 'vendure_server_error', hint: 'the server failed without an error code; its log says why' };

/** Hints for ErrorResults a stream can meet, by `errorCode`; others carry Vendure's message alone. */
export const ERROR_RESULT_HINTS: Readonly<Record<string, string>> = {
  INVALID_CREDENTIALS_ERROR: 'check username and password of the connection',
  NATIVE_AUTH_STRATEGY_ERROR: 'the server does not allow logging in with a password (NativeAuthenticationStrategy is not configured)',
  ITEMS_ALREADY_FULFILLED_ERROR: 'the lines are already in another fulfillment of the order',
  EMPTY_ORDER_LINE_SELECTION_ERROR: 'the shipment names no line of the order with a quantity above 0',
  INSUFFICIENT_STOCK_ON_HAND_ERROR: 'the stock location holds less than the shipment: publish stock first, then replay the dead letter',
  INVALID_FULFILLMENT_HANDLER_ERROR: 'options.handler names no fulfillment handler of the server',
  CREATE_FULFILLMENT_ERROR: "the server's fulfillment handler refused the shipment",
  FULFILLMENT_STATE_TRANSITION_ERROR: 'the fulfillment (or its order) cannot move to that state now; an order usually needs its payment settled before it can be shipped',
};

export interface GraphqlError {
  message?: unknown;
  path?: unknown;
  extensions?: { code?: unknown };
}

/** The code of a GraphQL error, or undefined when it has none. */
export function graphqlErrorCode(error: GraphqlError): string | undefined {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A KeelError for the first fault of a response, by its code, with Vendure's message. */
export function graphqlFault(errors: readonly GraphqlError[], place: string, operation: string): KeelError {
  const first = errors[0] ?? {};
  const code = graphqlErrorCode(first);
  const row = (code !== undefined ? GRAPHQL_ERRORS[code] : undefined) ?? UNCODED;
  const message = typeof first.message === 'string' ? first.message : 'no message';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  const reason = `${place}: ${operation} failed${code !== undefined ? ` with ${code}` : ''}: ${message}${more}`;
  // A record the server refused is Keel's one record error: dead-lettered, and the run goes on.
  if (row.kind === 'record') return new RecordRejection(reason, row.code, { hint: row.hint, stage: 'vendure' });
  return new KeelError(row.kind, `${reason}; ${row.hint}`, { code: row.code, stage: 'vendure' });
}

/** An ErrorResult member of a result union: `{ __typename, errorCode, message, … }`. */
export interface ErrorResult {
  __typename?: string;
  errorCode: string;
  message: string;
  /** Extra fields some ErrorResults carry (transitionError, fulfillmentHandlerError, stockOnHand). */
  [detail: string]: unknown;
}

export function isErrorResult(value: unknown): value is ErrorResult {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['errorCode'] === 'string' && typeof candidate['message'] === 'string';
}

/** Fields of ErrorResults that say more than the message (which some Vendure versions leave untranslated). */
const DETAIL_FIELDS = ['transitionError', 'fulfillmentHandlerError', 'authenticationError', 'productVariantName', 'stockOnHand'] as const;

/** Vendure's message for an ErrorResult with its details and a hint, and a stable code: `vendure_items_already_fulfilled_error`. */
export function describeErrorResult(result: ErrorResult): { message: string; code: string } {
  const details = DETAIL_FIELDS.filter((field) => result[field] !== undefined && result[field] !== null && result[field] !== '').map(
    (field) => `${field}: ${String(result[field])}`,
  );
  const hint = ERROR_RESULT_HINTS[result.errorCode];
  const text = `Vendure ${result.__typename ?? 'ErrorResult'} (${result.errorCode}): ${result.message}${details.length > 0 ? ` (${details.join('; ')})` : ''}${hint !== undefined ? `; ${hint}` : ''}`;
  return { message: text, code: `vendure_${result.errorCode.toLowerCase()}` };
}
