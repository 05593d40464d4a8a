import { Type, type Static } from '@sinclair/typebox';
import { Parser, type Options as CsvParseOptions } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { Readable, TransformCallback } from 'node:stream';
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

/** Distinct values a column may have and still be interned (locations, statuses, small counts). */
const INTERN_LIMIT = 1024;

/**
 * Builds a record from a row; hostile header names (`__proto__`) become plain own properties.
 *
 * Values are shared where rows repeat them: the same value as the row before (an export sorted by
 * SKU names each SKU on many rows), or a value of a column with few distinct ones (a location,
 * a status, a small count). Each row's own copy would otherwise live as long as its batch, and
 * copying such long-lived strings is most of what young-generation collections cost on a
 * million-row feed. A column that passes INTERN_LIMIT distinct values stops being interned.
 */
function recordBuilder(columns: readonly string[]): (row: readonly string[]) => JsonObject {
  const hostile = columns.some(isPrototypeKey);
  const previous: (string | undefined)[] = columns.map(() => undefined);
  const interned: (Map<string, string> | undefined)[] = columns.map(() => new Map<string, string>());
  const shared = (index: number, value: string): string => {
    if (value === previous[index]) return previous[index];
    let out = value;
    const table = interned[index];
    if (table !== undefined) {
      const known = table.get(value);
      if (known !== undefined) out = known;
      else if (table.size < INTERN_LIMIT) table.set(value, value);
      else interned[index] = undefined;
    }
    previous[index] = out;
    return out;
  };
  return (row) => {
    const record: JsonObject = {};
    const count = Math.min(columns.length, row.length);
    for (let index = 0; index < count; index += 1) {
      const column = columns[index] as string;
      const value = shared(index, row[index] as string);
      if (hostile) setOwn(record, column, value);
      else record[column] = value;
    }
    return record;
  };
}

/**
 * csv-parse, emitting the records of each input chunk as one array.
 * - Its on_record hook builds two context objects per row (all of `info`, spread twice) only to
 *   hand over the line number; `info.lines` is exact when a row is pushed, so records are built
 *   in push() instead.
 * - An object stream costs an async-iterator step (a promise) per item; one array per input
 *   chunk (~4 000 rows of a 256 KiB read) amortises that.
 */
class RowParser extends Parser {
  private rows: SourceRecord[] = [];

  constructor(
    options: CsvParseOptions,
    private readonly toRecord: (row: string[], line: number) => SourceRecord | undefined,
  ) {
    // Three arrays (three input chunks, some 14,000 rows of a stock export) buffered ahead: the
    // parser keeps going while the pipeline waits on a write (to a worker thread, a server), and
    // memory stays bounded.
    super({ ...options, readableHighWaterMark: 3 } as CsvParseOptions);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null) {
      const record = this.toRecord(chunk as string[], this.info.lines);
      if (record !== undefined) this.rows.push(record);
      return true;
    }
    this.release();
    return super.push(null, encoding);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    super._transform(chunk, encoding, (error?: Error | null) => {
      this.release();
      callback(error);
    });
  }

  override _flush(callback: TransformCallback): void {
    super._flush((error?: Error | null) => {
      this.release();
      callback(error);
    });
  }

  private release(): void {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    super.push(rows);
  }
}

class CsvDecoder implements Decoder {
  readonly positions = 'line' as const;
  constructor(private readonly options: CsvOptions) {}

  async *decode(input: Readable, unit: string): AsyncIterable<DecodedChunk> {
    const { options } = this;
    if (options.encoding !== undefined && options.encoding !== 'utf8') input.setEncoding(options.encoding);
    let build = options.columns !== undefined ? recordBuilder(options.columns) : undefined;
    const expectHeader = options.header !== false && options.columns === undefined;
    const csvOptions: CsvParseOptions = {
      delimiter: options.delimiter ?? ',',
      quote: options.quote ?? '"',
      escape: options.escape ?? '"',
      bom: true,
      trim: options.trim ?? false,
      skip_empty_lines: true,
      relax_column_count: false,
      skip_records_with_error: true,
    };
    const toRecord = (row: string[], line: number): SourceRecord | undefined => {
      if (build === undefined) {
        if (expectHeader) {
          build = recordBuilder(row.map((name) => name.trim()));
          return undefined;
        }
        build = recordBuilder(row.map((_, index) => `column_${index + 1}`));
      }
      return { data: build(row), at: line };
    };
    const parser = new RowParser(csvOptions, toRecord);
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
    for await (const parsed of parser as AsyncIterable<SourceRecord[]>) {
      for (const row of parsed) {
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
    }
    if (group !== undefined) records.push(group.record);
    if (records.length > 0 || rejects.length > 0) yield { records, rejects };
  }
}

class CsvEncoder implements Encoder {
  private readonly plain: (value: string) => boolean;

  constructor(private readonly options: CsvOptions) {
    this.plain = plainCellTest(options);
  }

  encode(records: readonly JsonObject[]): string {
    const columns = collectColumns(records, this.options.columns);
    const delimiter = this.options.delimiter ?? ',';
    // csv-stringify allocates several objects per cell (a cast context, tuples); most rows need none
    // of its care, so they are joined here and only rows with a cell to quote or escape go through it.
    let out = '';
    const line = (cells: string[]): void => {
      out += cells.every(this.plain) ? `${cells.join(delimiter)}\n` : this.stringify(cells);
    };
    if (this.options.header !== false) line(columns);
    for (const record of records) line(columns.map((column) => cell(record[column])));
    return out;
  }

  private stringify(cells: string[]): string {
    return stringify([cells], {
      delimiter: this.options.delimiter ?? ',',
      quote: this.options.quote ?? '"',
      escape_formulas: this.options.escape_formulas ?? true,
    });
  }
}

/**
 * Cells csv-stringify writes unchanged: no character of the delimiter or quote, no line break,
 * and (with escape_formulas) no leading character it would prefix with a quote.
 */
function plainCellTest(options: CsvOptions): (value: string) => boolean {
  const special = [...(options.delimiter ?? ',').split(''), ...(options.quote ?? '"').split('')];
  const escaped = special.map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  const formula = options.escape_formulas === false ? '' : '(?![=+\\-@\\t\\r\\uFF1D\\uFF0B\\uFF0D\\uFF20])';
  const pattern = new RegExp(`^${formula}[^${escaped}\\r\\n]*$`);
  return (value) => pattern.test(value);
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
