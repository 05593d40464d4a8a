import { CloneType, Type, type Static } from '@sinclair/typebox';
import { CODECS, FORMAT_NAMES } from '../codecs/index.js';

/**
 * Options of every stream that reads or writes files, whatever the transport (local folder,
 * SFTP): one spec, so both connectors validate, document and behave alike.
 */
const Format = Type.Union(
  FORMAT_NAMES.map((name) => Type.Literal(name)),
  { description: 'record format; guessed from the file extension when left out' },
);

/** Each codec's options sit under its own key, so one file can say `format: csv` and `csv: { delimiter: ";" }`. */
const codecOptions = {
  csv: Type.Optional(CloneType(CODECS.csv.optionsSchema, { description: 'settings of the csv format, used when a file is CSV (.csv, .tsv, .txt or format: csv)' })),
  json: Type.Optional(CloneType(CODECS.json.optionsSchema, { description: 'settings of the json format, used when a file is JSON (.json or format: json)' })),
  ndjson: Type.Optional(CloneType(CODECS.ndjson.optionsSchema, { description: 'settings of the ndjson format (one JSON object per line), used when a file is NDJSON (.ndjson, .jsonl or format: ndjson)' })),
  xml: Type.Optional(CloneType(CODECS.xml.optionsSchema, { description: 'settings of the xml format, used when a file is XML (.xml or format: xml); XML needs it, as it names the record element' })),
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
    error_dir: Type.Optional(
      Type.String({ description: 'move files of which not one record could be decoded here (relative to the root) instead of to archive_dir' }),
    ),
    min_age_ms: Type.Optional(
      Type.Integer({ minimum: 0, default: 0, description: 'skip files modified more recently than this: they may still be being written' }),
    ),
    stable_interval_ms: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: 0,
        description: 'list twice, this far apart, and read only files whose size and modification time did not change in between',
      }),
    ),
    done_suffix: Type.Optional(
      Type.String({
        pattern: '^\\.[A-Za-z0-9._-]+$',
        description: 'read a file only once a marker file of its name plus this suffix exists (".done": orders.csv.done); the marker goes with the file',
      }),
    ),
  },
  { additionalProperties: false, ...xmlNeedsRecord },
);
export type FileReadOptions = Static<typeof FileReadOptions>;

export const FileWriteOptions = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      description: 'file name template relative to the root; {seq} (batch number), {key} (batch key)',
      pattern: '\\{(seq|key)\\}',
    }),
    format: Type.Optional(Format),
    ...codecOptions,
  },
  { additionalProperties: false, ...xmlNeedsRecord },
);
export type FileWriteOptions = Static<typeof FileWriteOptions>;
