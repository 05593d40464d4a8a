import { Type, type Static } from '@sinclair/typebox';
import { stringify } from 'csv-stringify/sync';
import type { Readable } from 'node:stream';
import { isPrototypeKey, setOwn, type JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';
import { CHUNK_RECORDS, type Codec, type DecodedChunk, type Decoder, type Encoder } from './codec.js';
import { CsvRowReader } from './csv-rows.js';
import { boundedRaw, DEFAULT_MAX_RECORD_BYTES, encodingHint, encodingOption, maxRecordBytesOption } from './limits.js';
import { utf8Bytes } from './text-input.js';

const CsvOptions = Type.Object(
  {
    delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 4, default: ',', description: 'what separates the fields of a row: ";" for semicolon files, "\\t" for tab-separated ones' })),
    quote: Type.Optional(Type.String({ maxLength: 1, default: '"', description: 'the character around a field that holds the delimiter, a quote or a line break' })),
    escape: Type.Optional(
      Type.String({ maxLength: 1, default: '"', description: 'when reading: the character before a quote inside a quoted field; the default means a quote is doubled ("")' }),
    ),
    encoding: encodingOption(),
    max_record_bytes: maxRecordBytesOption(),
    header: Type.Optional(
      Type.Boolean({ default: true, description: 'when reading: the first row names the columns (unless columns is given); when writing: start each file with a row of column names' }),
    ),
    columns: Type.Optional(
      Type.Array(Type.String(), {
        description: "when reading: the column names of a file without a header row; when writing: the columns and their order (default: every field of the batch's records, in the order first seen)",
      }),
    ),
    trim: Type.Optional(Type.Boolean({ default: false, description: 'when reading: remove the white space around each field' })),
    group_by: Type.Optional(
      Type.String({
        description: 'when reading: consecutive rows with the same value in this column become one record { <column>: value, rows: [...] } (a shipment of several lines)',
      }),
    ),
    escape_formulas: Type.Optional(
      Type.Boolean({
        default: true,
        description: "when writing, prefix text cells starting with = + - @ with ' so spreadsheets do not run them (plain numbers such as -5 stay as they are)",
      }),
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
 * Rows of CSV, streamed. Broken rows (wrong field count, a quote left open, too large, bytes that
 * are not UTF-8) are dead-lettered from the line they start on with their text, and reading goes
 * on with the next row.
 */
class CsvDecoder implements Decoder {
  readonly positions = 'line' as const;
  constructor(private readonly options: CsvOptions) {}

  async *decode(input: Readable, unit: string): AsyncIterable<DecodedChunk> {
    const { options } = this;
    let build = options.columns !== undefined ? recordBuilder(options.columns) : undefined;
    const expectHeader = options.header !== false && options.columns === undefined;
    let records: SourceRecord[] = [];
    let rejects: DecodeReject[] = [];
    const groupBy = options.group_by;
    let group: { key: string; record: SourceRecord; rows: JsonObject[] } | undefined;
    let headerBroken = false;
    let unread = 0;
    const delimiter = options.delimiter ?? ',';
    const onRow = (fields: string[], line: number, invalidAt: number): void => {
      if (headerBroken) {
        unread += 1;
        return;
      }
      if (invalidAt >= 0) {
        const header = build === undefined && expectHeader;
        headerBroken = header;
        rejects.push({
          raw: boundedRaw(fields.join(delimiter)),
          origin: `${unit}:${line}`,
          at: line,
          reason: `CSV: ${header ? 'the header line' : `the row on line ${line}`} holds bytes that are not UTF-8 (the first at byte ${invalidAt})${header ? ', so no column can be trusted' : ''}; ${encodingHint('csv')}`,
        });
        return;
      }
      if (build === undefined) {
        if (expectHeader) {
          build = recordBuilder(fields.map((name) => name.trim()));
          return;
        }
        build = recordBuilder(fields.map((_, index) => `column_${index + 1}`));
      }
      const data = build(fields);
      if (groupBy === undefined) {
        records.push({ data, at: line });
        return;
      }
      // Rows of one group arrive together; a group is complete when the key changes.
      const key = String(data[groupBy] ?? '');
      if (group !== undefined && group.key === key) {
        group.rows.push(data);
        return;
      }
      if (group !== undefined) records.push(group.record);
      const grouped: JsonObject = {};
      setOwn(grouped, groupBy, key);
      const rows: JsonObject[] = [data];
      grouped['rows'] = rows;
      group = { key, record: { data: grouped, at: line }, rows };
    };
    const reader = new CsvRowReader(
      {
        delimiter,
        quote: options.quote ?? '"',
        escape: options.escape ?? '"',
        bom: true,
        trim: options.trim ?? false,
        skip_empty_lines: true,
        relax_column_count: false,
      },
      options.max_record_bytes ?? DEFAULT_MAX_RECORD_BYTES,
      onRow,
      (problem) => rejects.push({ raw: problem.raw, origin: `${unit}:${problem.line}`, at: problem.line, reason: problem.reason }),
    );
    for await (const chunk of utf8Bytes(input, options.encoding)) {
      reader.feed(chunk);
      // A chunk of input holds thousands of rows: handed on CHUNK_RECORDS at a time.
      while (records.length >= CHUNK_RECORDS) {
        yield { records: records.length === CHUNK_RECORDS ? records : records.slice(0, CHUNK_RECORDS), rejects };
        records = records.length === CHUNK_RECORDS ? [] : records.slice(CHUNK_RECORDS);
        rejects = [];
      }
    }
    reader.end();
    if (group !== undefined && !headerBroken) records.push(group.record);
    if (unread > 0) rejects.push({ raw: '', origin: unit, reason: `CSV: the ${unread} row(s) after the header were not read, as its columns cannot be trusted; ${encodingHint('csv')}` });
    if (records.length > 0 || rejects.length > 0) yield { records, rejects };
  }
}

class CsvEncoder implements Encoder {
  private readonly plain: (value: string) => boolean;
  private readonly toCell: (value: unknown) => string;

  constructor(private readonly options: CsvOptions) {
    this.plain = plainCellTest(options);
    this.toCell = options.escape_formulas === false ? cell : (value) => neutraliseFormula(cell(value));
  }

  encode(records: readonly JsonObject[]): string {
    const columns = collectColumns(records, this.options.columns);
    const delimiter = this.options.delimiter ?? ',';
    // csv-stringify allocates several objects per cell (a cast context, tuples); most rows need none
    // of its care, so they are joined here and only rows with a cell to quote go through it.
    let out = '';
    const line = (cells: string[]): void => {
      out += cells.every(this.plain) ? `${cells.join(delimiter)}\n` : this.stringify(cells);
    };
    if (this.options.header !== false) line(columns.map((column) => (this.options.escape_formulas === false ? column : neutraliseFormula(column))));
    for (const record of records) line(columns.map((column) => this.toCell(record[column])));
    return out;
  }

  private stringify(cells: string[]): string {
    // Formulas are neutralised above, where numbers can be told from text; csv-stringify would prefix "-5" too.
    return stringify([cells], { delimiter: this.options.delimiter ?? ',', quote: this.options.quote ?? '"', escape_formulas: false });
  }
}

/** First characters with which a spreadsheet reads a cell as a formula (also their full-width forms). */
const FORMULA_STARTS = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3`) gets a
 * leading `'`, which makes it text. A plain number is data, not a formula: `-5` and `-12.50`
 * (stock deltas, refunds) are written as they are.
 */
export function neutraliseFormula(value: string): string {
  if (value === '' || !FORMULA_STARTS.has(value[0] as string) || PLAIN_NUMBER.test(value)) return value;
  return `'${value}`;
}

/** Cells csv-stringify writes unchanged: no character of the delimiter or quote, no line break. */
function plainCellTest(options: CsvOptions): (value: string) => boolean {
  const special = [...(options.delimiter ?? ',').split(''), ...(options.quote ?? '"').split('')];
  const escaped = special.map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  const pattern = new RegExp(`^[^${escaped}\\r\\n]*$`);
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
