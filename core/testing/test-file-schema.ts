import { Type, type Static } from '@sinclair/typebox';

/** Where a test's input records come from: inline, or a file read with a codec. */
const Input = Type.Object(
  {
    record: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    records: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
    file: Type.Optional(Type.String({ description: 'relative to the test file' })),
    format: Type.Optional(Type.String({ description: 'csv, json, ndjson or xml; default from the file name' })),
    path: Type.Optional(Type.String({ description: 'JSON: dotted path to the records' })),
    element: Type.Optional(Type.String({ description: 'XML: the record element' })),
    delimiter: Type.Optional(Type.String()),
    group_by: Type.Optional(Type.String({ description: 'CSV: join consecutive rows with the same value in this column into one record' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const Expected = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown())]);

export const TestCaseSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    mapping: Type.Optional(Type.String({ description: 'mapping file under test, relative to the test file' })),
    pipeline: Type.Optional(Type.String({ description: 'pipeline file under test: its steps run on the input, no connector is called' })),
    input: Type.Optional(Input),
    route_plan: Type.Optional(
      Type.Object(
        {
          orders: Type.String({ description: 'recorded canonical orders (JSON array or NDJSON), relative to the test file' }),
          stock: Type.String({ description: "stock snapshot CSV (sku, location_id, and available, or on_hand less the location's safety_stock), relative to the test file" }),
          profile: Type.String({ description: 'the routing profile to replay, relative to the test file' }),
          against: Type.Optional(Type.String({ description: 'the profile in use today, to count the orders routed differently' })),
          project: Type.Optional(Type.String({ description: 'project directory whose keel.yaml inventory: and routing: sections are used (no pipelines needed), relative to the test file (default: the one holding it)' })),
          at: Type.Optional(Type.String({ description: 'routing time, ISO 8601 (default: now)' })),
        },
        { additionalProperties: false },
      ),
    ),
    expect_figures: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'plan figures (keel route plan --json): a number matches exactly, { min, max } a range, an object its listed keys',
      }),
    ),
    expect_routes: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'order key → decision, e.g. "wh-berlin:TEE×2 + store-x:MUG×1" or "held:no_stock"' })),
    expect_changed: Type.Optional(Type.Integer({ minimum: 0, description: 'orders routed differently than with `against`' })),
    expect: Type.Optional(Expected),
    expect_subset: Type.Optional(Expected),
    expect_rejection: Type.Optional(Type.String({ description: 'part of the reason the (single) input is rejected' })),
    expect_counts: Type.Optional(
      Type.Object(
        {
          output: Type.Optional(Type.Integer({ minimum: 0 })),
          filtered: Type.Optional(Type.Integer({ minimum: 0 })),
          rejected: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const TestFileSchema = Type.Object(
  { $schema: Type.Optional(Type.String()), tests: Type.Array(TestCaseSchema, { minItems: 1 }) },
  { additionalProperties: false },
);

export type TestCase = Static<typeof TestCaseSchema>;
export type TestFile = Static<typeof TestFileSchema>;
