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
    input: Input,
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
