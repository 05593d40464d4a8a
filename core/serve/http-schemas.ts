import { Type, type TSchema } from '@sinclair/typebox';

/** Every error answer: a stable code tools match on, and a sentence for people. */
export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() }, { additionalProperties: false, description: 'what went wrong' });

const ERRORS = {
  400: 'the request does not match the schema (the message says where)',
  401: 'no valid bearer token',
  403: "the token's scopes do not allow this",
  404: 'no such thing',
  409: 'not possible in the current state (the message says why)',
  413: 'the body is larger than serve.body_limit_bytes',
} as const;

type ErrorStatus = keyof typeof ERRORS;

/** Response schemas: `ok` by status, plus the error answers the route can give. */
export function responses<Ok extends Record<number, TSchema>>(ok: Ok, errors: readonly ErrorStatus[]): Ok & Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...ok };
  for (const status of errors) out[status] = Type.Object(ErrorBody.properties, { additionalProperties: false, description: ERRORS[status] });
  return out as Ok & Record<number, TSchema>;
}

/** Errors every authenticated route can answer with. */
export const AUTH_ERRORS = [401, 403] as const;

/** A JSON object whose fields are not described here (a canonical order, a receipt): passed through as stored. */
export const AnyObject = (description: string) => Type.Object({}, { additionalProperties: true, description });
