import { Type, type Static } from '@sinclair/typebox';
import { IncrementalSchema } from '../../core/http/incremental.js';
import { PaginationSchema } from '../../core/http/pagination.js';

const Priority = Type.Union([Type.Literal('high'), Type.Literal('normal'), Type.Literal('low')], {
  description: 'place in the account\'s rate budget: orders and stock high, catalogue backfills low',
});
const Query = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]));

export const ApiReadOptions = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'below base_url, e.g. /orders.json' }),
    query: Type.Optional(Query),
    records: Type.Optional(Type.String({ description: 'dotted path of the record array in the body, e.g. orders; default: the body is the array' })),
    pagination: Type.Optional(PaginationSchema),
    incremental: Type.Optional(IncrementalSchema),
    priority: Type.Optional(Priority),
  },
  { additionalProperties: false },
);
export type ApiReadOptions = Static<typeof ApiReadOptions>;

export const ApiWriteOptions = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'below base_url; may name fields of the record: /orders/{{id}}.json' }),
    method: Type.Optional(Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH')], { default: 'POST' })),
    wrap: Type.Optional(Type.String({ minLength: 1, description: 'send the record inside an object under this name, e.g. order' })),
    idempotency_header: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Literal(false)], {
        description: 'header carrying the record\'s idempotency key (default Idempotency-Key); false for APIs without one',
      }),
    ),
    find_before_create: Type.Optional(
      Type.Object(
        {
          path: Type.String({ minLength: 1, description: 'lookup path; may name record fields: /orders.json' }),
          query: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'e.g. { external_id: "{{id}}" }' })),
          records: Type.Optional(Type.String({ description: 'dotted path of the result array in the body' })),
        },
        { additionalProperties: false, description: 'for APIs without idempotency keys: look the record up first and skip it when it exists' },
      ),
    ),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, default: 4, description: 'records of a batch in flight at once' })),
    priority: Type.Optional(Priority),
  },
  { additionalProperties: false },
);
export type ApiWriteOptions = Static<typeof ApiWriteOptions>;
