import { Type, type Static } from '@sinclair/typebox';
import { CODECS, FORMAT_NAMES } from '../../core/codecs/index.js';

const Format = Type.Union(
  FORMAT_NAMES.map((name) => Type.Literal(name)),
  { description: 'record format; guessed from the file extension when left out' },
);

/** Each codec's options sit under its own key, so one file can say `format: csv` and `csv: { delimiter: ";" }`. */
const codecOptions = {
  csv: Type.Optional(CODECS.csv.optionsSchema),
  json: Type.Optional(CODECS.json.optionsSchema),
  ndjson: Type.Optional(CODECS.ndjson.optionsSchema),
  xml: Type.Optional(CODECS.xml.optionsSchema),
};

/** XML needs to know which element is a record; say so at load time rather than mid-run. */
const xmlNeedsRecord = {
  if: { properties: { format: { const: 'xml' } }, required: ['format'] },
  then: { required: ['xml'] },
};

export const FileReadOptions = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'glob relative to the connection root, e.g. "orders/*.json"' }),
    format: Type.Optional(Format),
    ...codecOptions,
    archive_dir: Type.Optional(Type.String({ description: 'move each file here (relative to the root) once all its records are delivered' })),
    min_age_ms: Type.Optional(
      Type.Integer({ minimum: 0, default: 0, description: 'skip files modified more recently than this: they may still be being written' }),
    ),
  },
  { additionalProperties: false, ...xmlNeedsRecord },
);
export type FileReadOptions = Static<typeof FileReadOptions>;

export const FileWriteOptions = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      description: 'file name template relative to the root; {seq} (batch number), {key} (batch key), {pipeline}',
      pattern: '\\{(seq|key)\\}',
    }),
    format: Type.Optional(Format),
    ...codecOptions,
  },
  { additionalProperties: false, ...xmlNeedsRecord },
);
export type FileWriteOptions = Static<typeof FileWriteOptions>;
