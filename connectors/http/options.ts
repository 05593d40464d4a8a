import { CloneType, Type, type Static } from '@sinclair/typebox';
import { IncrementalSchema } from '../../core/http/incremental.js';
import { PaginationSchema } from '../../core/http/pagination.js';

/** Reads wait behind writes by default: an order going out matters more than the next page. */
const priority = (fallback: 'high' | 'normal') =>
  Type.Union([Type.Literal('high'), Type.Literal('normal'), Type.Literal('low')], {
    default: fallback,
    description: "place in the account's rate budget: orders and stock high, catalogue backfills low",
  });
const Query = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
  description:
    'query parameters of the first request, e.g. { status: any, limit: 250 }; the following pages keep them, except with link pagination (the next URL carries its own) or keep_query: false',
});

export const ApiReadOptions = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'below base_url, e.g. /orders.json' }),
    query: Type.Optional(Query),
    records: Type.Optional(Type.String({ description: 'dotted path of the record array in the body, e.g. orders; default: the body is the array' })),
    pagination: Type.Optional(CloneType(PaginationSchema, { description: 'how the API hands out pages; without it the first answer is the whole collection' })),
    incremental: Type.Optional(CloneType(IncrementalSchema, { description: 'the updated-at field and its query parameter; incremental sync (the default) needs it, sync: full does not' })),
    priority: Type.Optional(priority('normal')),
  },
  { additionalProperties: false },
);
export type ApiReadOptions = Static<typeof ApiReadOptions>;

export const ApiWriteOptions = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'below base_url; may name fields of the record: /orders/{{id}}.json' }),
    method: Type.Optional(
      Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH')], {
        default: 'POST',
        description: 'POST creates; PUT and PATCH update by a path naming the record (/orders/{{id}}). A target without on_change holds a changed record in the dead-letter queue after POST, and sends it after PUT and PATCH',
      }),
    ),
    wrap: Type.Optional(Type.String({ minLength: 1, description: 'send the record inside an object under this name, e.g. order' })),
    idempotency_header: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Literal(false)], {
        default: 'Idempotency-Key',
        description: "header carrying the record's idempotency key; false for APIs without one (then find_before_create, or the pipeline says delivery: at_least_once)",
      }),
    ),
    find_before_create: Type.Optional(
      Type.Object(
        {
          path: Type.String({ minLength: 1, description: 'lookup path; may name record fields: /orders.json' }),
          query: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'query of the lookup; values may name record fields: { external_id: "{{id}}" }' })),
          records: Type.Optional(Type.String({ description: 'dotted path of the result array in the body' })),
        },
        { additionalProperties: false, description: 'for APIs without idempotency keys: look the record up first and skip it when it exists' },
      ),
    ),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, default: 4, description: 'records of a batch in flight at once' })),
    priority: Type.Optional(priority('high')),
  },
  { additionalProperties: false },
);
export type ApiWriteOptions = Static<typeof ApiWriteOptions>;
