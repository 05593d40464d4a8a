import { Type, type Static } from '@sinclair/typebox';
import { parse, type Options as CsvParseOptions } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { Readable } from 'node:stream';
import { isPrototypeKey, setOwn, type JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';
import { CHUNK_RECORDS, type Codec, type DecodedChunk, type Decoder, type Encoder } from './codec.js';

const CsvOptions = Type.Object(
  {
    delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 4, default: ',' })),
    quote: Type.Optional(Type.String({ maxLength: 1, default: '"' })),
    escape: Type.Optional(Type.String({ maxLength: 1, default: '"' })),
    encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('latin1'), Type.Literal('utf16le')], { default: 'utf8' })),
    header: Type.Optional(Type.Boolean({ default: true, description: 'first row names the columns' })),
    columns: Type.Optional(Type.Array(Type.String(), { description: 'column names when the file has no header row' })),
    trim: Type.Optional(Type.Boolean({ default: false })),
    group_by: Type.Optional(
      Type.String({
        description: 'when reading: consecutive rows with the same value in this column become one record { <column>: value, rows: [...] } (a shipment of several lines)',
      }),
    ),
    escape_formulas: Type.Optional(
      Type.Boolean({ default: true, description: 'when writing, prefix cells starting with = + - @ so spreadsheets do not run them' }),
    ),
  },
  { additionalProperties: false },
);
type CsvOptions = Static<typeof CsvOptions>;

/** Builds a record from a row; hostile header names (`__proto__`) become plain own properties. */
function recordBuilder(columns: readonly string[]): (row: readonly string[]) => JsonObject {
  const hostile = columns.some(isPrototypeKey);
  return (row) => {
    const record: JsonObject = {};
    const count = Math.min(columns.length, row.length);
    for (let index = 0; index < count; index += 1) {
      const column = columns[index] as string;
      if (hostile) setOwn(record, column, row[index] as string);
      else record[column] = row[index] as string;
    }
    return record;
  };
}

class CsvDecoder implements Decoder {
  readonly positions = 'line' as const;
  constructor(private readonly options: CsvOptions) {}

  async *decode(input: Readable, unit: string): AsyncIterable<DecodedChunk> {
    const { options } = this;
    if (options.encoding !== undefined && options.encoding !== 'utf8') input.setEncoding(options.encoding);
    let build = options.columns !== undefined ? recordBuilder(options.columns) : undefined;
    const expectHeader = options.header !== false && options.columns === undefined;
    const csvOptions: CsvParseOptions<SourceRecord, string[]> = {
      delimiter: options.delimiter ?? ',',
      quote: options.quote ?? '"',
      escape: options.escape ?? '"',
      bom: true,
      trim: options.trim ?? false,
      skip_empty_lines: true,
      relax_column_count: false,
      skip_records_with_error: true,
      // Runs as each row is parsed, so `lines` is that row's line (the parser may run ahead of our loop).
      on_record: (row, context) => {
        if (build === undefined) {
          if (expectHeader) {
            build = recordBuilder(row.map((name) => name.trim()));
            return null;
          }
          build = recordBuilder(row.map((_, index) => `column_${index + 1}`));
        }
        return { data: build(row), at: context.lines };
      },
    };
    // The typings only pair on_record with `columns`; we build records ourselves (hostile headers stay inert).
    const parser = parse(csvOptions as unknown as CsvParseOptions);
    let rejects: DecodeReject[] = [];
    parser.on('skip', (error: Error & { lines?: number; record?: string[] }) => {
      const line = error.lines ?? parser.info.lines;
      rejects.push({
        raw: error.record !== undefined ? error.record.join(options.delimiter ?? ',') : '',
        origin: `${unit}:${line}`,
        at: line,
        reason: `CSV: ${error.message}`,
      });
    });
    input.on('error', (error) => parser.destroy(error));
    input.pipe(parser);
    let records: SourceRecord[] = [];
    const groupBy = options.group_by;
    let group: { key: string; record: SourceRecord; rows: JsonObject[] } | undefined;
    for await (const row of parser as AsyncIterable<SourceRecord>) {
      let record: SourceRecord | undefined = row;
      if (groupBy !== undefined) {
        // Rows of one group arrive together; a group is complete when the key changes.
        const key = String(row.data[groupBy] ?? '');
        if (group !== undefined && group.key === key) {
          group.rows.push(row.data);
          continue;
        }
        record = group?.record;
        const rows: JsonObject[] = [row.data];
        const data: JsonObject = {};
        setOwn(data, groupBy, key);
        data['rows'] = rows;
        group = { key, record: { data, at: row.at }, rows };
        if (record === undefined) continue;
      }
      records.push(record);
      if (records.length >= CHUNK_RECORDS) {
        yield { records, rejects };
        records = [];
        rejects = [];
      }
    }
    if (group !== undefined) records.push(group.record);
    if (records.length > 0 || rejects.length > 0) yield { records, rejects };
  }
}

class CsvEncoder implements Encoder {
  constructor(private readonly options: CsvOptions) {}

  encode(records: readonly JsonObject[]): string {
    const columns = collectColumns(records, this.options.columns);
    const rows = records.map((record) => columns.map((column) => cell(record[column])));
    if (this.options.header !== false) rows.unshift(columns);
    return stringify(rows, {
      delimiter: this.options.delimiter ?? ',',
      quote: this.options.quote ?? '"',
      escape_formulas: this.options.escape_formulas ?? true,
    });
  }
}

/** Column order: configured, else first appearance across the batch (so sparse records keep every field). */
function collectColumns(records: readonly JsonObject[], configured: readonly string[] | undefined): string[] {
  if (configured !== undefined) return [...configured];
  const seen = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) seen.add(key);
  return [...seen];
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const csv: Codec<typeof CsvOptions> = {
  name: 'csv',
  extensions: ['.csv', '.tsv', '.txt'],
  optionsSchema: CsvOptions,
  createDecoder: (options) => new CsvDecoder(options as CsvOptions),
  createEncoder: (options) => new CsvEncoder(options as CsvOptions),
};
export default csv;
