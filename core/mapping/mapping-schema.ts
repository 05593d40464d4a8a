import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The mapping language as a JSON Schema: the same document gives editors autocompletion
 * (`keel schema mapping`) and validates mapping files before they are compiled.
 */
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const ConditionSchema = Type.Recursive(
  (Self) =>
    Type.Object(
      {
        path: Type.Optional(Type.String({ description: 'field to test, relative to the current record or array item' })),
        root: Type.Optional(Type.String({ description: 'field to test, from the top of the source record' })),
        equals: Type.Optional(Scalar),
        not_equals: Type.Optional(Scalar),
        in: Type.Optional(Type.Array(Scalar)),
        not_in: Type.Optional(Type.Array(Scalar)),
        exists: Type.Optional(Type.Boolean()),
        gt: Type.Optional(Type.Number()),
        gte: Type.Optional(Type.Number()),
        lt: Type.Optional(Type.Number()),
        lte: Type.Optional(Type.Number()),
        matches: Type.Optional(Type.String({ description: 'regular expression' })),
        all: Type.Optional(Type.Array(Self, { minItems: 1 })),
        any: Type.Optional(Type.Array(Self, { minItems: 1 })),
        not: Type.Optional(Self),
      },
      { additionalProperties: false, minProperties: 1, $id: 'Condition' },
    ),
  { $id: 'Condition' },
);

const CASES = ['upper', 'lower', 'title'] as const;

const DateWindow = Type.Union(
  [
    Type.Object(
      {
        from: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'earliest plausible date, default 2000-01-01' })),
        years_ahead: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'latest plausible date, in years from now; default 10' })),
      },
      { additionalProperties: false },
    ),
    Type.Literal(false),
  ],
  { description: 'dates outside this window are refused (an epoch in the wrong unit, a zero date); false for none' },
);
export const TYPES = ['string', 'integer', 'decimal', 'number', 'boolean', 'date', 'datetime'] as const;

export const RuleSchema: TSchema = Type.Recursive(
  (Self) =>
    Type.Union([
      Type.String({ description: 'shorthand for { "path": "…" }' }),
      Type.Object(
        {
          // Where the value comes from: exactly one of these.
          path: Type.Optional(Type.String({ description: 'dotted path relative to the current record or item; a[0].b, items[*].sku' })),
          root: Type.Optional(Type.String({ description: 'dotted path from the top of the source record (inside "each")' })),
          const: Type.Optional(Type.Unknown({ description: 'a constant value' })),
          concat: Type.Optional(Type.Array(Self, { minItems: 1, description: 'join the values as text; missing ones are skipped' })),
          first: Type.Optional(Type.Array(Self, { minItems: 1, description: 'the first value that is present and not empty' })),
          object: Type.Optional(Type.Record(Type.String(), Self, { description: 'build an object, one rule per field' })),
          each: Type.Optional(Type.String({ description: 'map over the array at this path (with "map", optionally "where")' })),
          sum: Type.Optional(Type.String({ description: 'exact decimal sum of the values at a path with [*]' })),
          count: Type.Optional(Type.String({ description: 'number of items of the array at this path' })),
          product: Type.Optional(Type.Array(Self, { minItems: 2, description: 'exact decimal product, e.g. [price, quantity]' })),
          money: Type.Optional(
            Type.Object(
              {
                amount: Self,
                currency: Self,
                minor_units: Type.Optional(Type.Boolean({ description: 'the amount is in cents (integer minor units)' })),
              },
              { additionalProperties: false },
            ),
          ),
          if: Type.Optional(Type.Ref('Condition')),
          expr: Type.Optional(Type.String({ description: 'JSONata expression over the current record: the escape hatch for rare cases' })),
          // With "each" / "sum": per-item rules.
          map: Type.Optional(Self),
          where: Type.Optional(Type.Ref('Condition')),
          then: Type.Optional(Self),
          else: Type.Optional(Self),
          // Then, in this order, what happens to the value.
          trim: Type.Optional(Type.Boolean()),
          case: Type.Optional(Type.Union(CASES.map((value) => Type.Literal(value)))),
          replace: Type.Optional(
            Type.Object({ pattern: Type.String(), with: Type.String(), flags: Type.Optional(Type.String()) }, { additionalProperties: false }),
          ),
          split: Type.Optional(Type.String({ description: 'split text into a list at this separator' })),
          join: Type.Optional(Type.String({ description: 'join a list into text with this separator' })),
          pad: Type.Optional(
            Type.Object(
              { length: Type.Integer({ minimum: 1 }), char: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })), side: Type.Optional(Type.Union([Type.Literal('start'), Type.Literal('end')])) },
              { additionalProperties: false },
            ),
          ),
          lookup: Type.Optional(
            Type.Object(
              {
                table: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
                file: Type.Optional(Type.String({ description: 'CSV with columns key,value (relative to the mapping file)' })),
                default: Type.Optional(Type.Unknown({ description: 'value for keys not in the table; without it, unknown keys reject the record' })),
              },
              { additionalProperties: false },
            ),
          ),
          as: Type.Optional(Type.Union(TYPES.map((value) => Type.Literal(value)))),
          format: Type.Optional(
            Type.String({ description: 'input format of a date/datetime, e.g. dd.MM.yyyy HH:mm (Luxon tokens), or epoch_s / epoch_ms for numbers of seconds or milliseconds since 1970' }),
          ),
          timezone: Type.Optional(Type.String({ description: 'IANA zone for datetimes without offset, e.g. Europe/Berlin' })),
          date_window: Type.Optional(DateWindow),
          default: Type.Optional(Self),
          required: Type.Optional(Type.Boolean({ description: 'reject the record when the value is missing' })),
        },
        { additionalProperties: false },
      ),
    ]),
  { $id: 'Rule' },
);

export const MappingDocumentSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$' }),
    description: Type.Optional(Type.String()),
    target: Type.Optional(Type.String({ description: 'canonical entity the output is validated against, e.g. order' })),
    for_each: Type.Optional(
      Type.String({ description: 'make one output record per item of this array (e.g. one pick row per order line); "root" reads the record' }),
    ),
    where: Type.Optional(Type.Ref('Condition')),
    date_window: Type.Optional(DateWindow),
    output: Type.Record(Type.String(), RuleSchema, { description: 'the output record: one rule per field' }),
  },
  { additionalProperties: false, $defs: { Condition: ConditionSchema } },
);

export type Condition = Static<typeof ConditionSchema>;
export type MappingDocument = Static<typeof MappingDocumentSchema>;
