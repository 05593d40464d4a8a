import { CsvError, Parser, type Options as CsvParseOptions } from 'csv-parse';
import { boundedRaw } from './limits.js';
import type { TextChunk } from './text-input.js';

/**
 * Receives each parsed row: its fields, the line it starts on (a quoted field may hold line
 * breaks), and the input offset of the first byte in it that was not UTF-8 (its fields then hold
 * U+FFFD), or -1. A callback, so that no object is made per row between parser and record.
 */
export type RowHandler = (fields: string[], line: number, invalidAt: number) => void;

/** A row that could not be parsed: where it started, its text (bounded) and why. */
export interface CsvProblem {
  line: number;
  raw: string;
  reason: string;
}

/** csv-parse's push-based parser, which its stream and sync front ends both drive; the stream's `api`. */
interface CsvParseApi {
  parse(input: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
  info: { bytes: number; lines: number };
}

/**
 * Errors after which csv-parse cannot find the next row by itself: a quote left open swallows the
 * rest of the file. For these the row is refused from the line it started on, and parsing starts
 * again on the line after it, so no valid row is lost.
 */
const RESTART_CODES = new Set(['CSV_QUOTE_NOT_CLOSED', 'CSV_INVALID_CLOSING_QUOTE', 'CSV_INVALID_OPENING_QUOTE', 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE']);

/** Our own code for a row past max_record_bytes, handled like the ones above. */
const TOO_LARGE = 'TOO_LARGE';

const NEWLINE = 0x0a;

/**
 * CSV rows from UTF-8 chunks, by csv-parse, driven chunk by chunk without a stream in between.
 * It adds what csv-parse lacks for hostile files: recovery after a broken row (see RESTART_CODES),
 * rows holding invalid UTF-8 marked (the checked input says where such bytes were), and a size
 * limit per row that costs no more memory than the limit (checked per chunk: csv-parse's own
 * max_record_size costs a comparison per character). The text since the last complete row is kept
 * (at most a row's worth) so that parsing can start again inside it.
 */
export class CsvRowReader {
  private api!: CsvParseApi;
  /** Where the current parser started: absolute line before its first line, absolute byte offset. */
  private base = { lines: 0, bytes: 0 };
  /** Input since the end of the last complete row. */
  private kept: Buffer[] = [];
  private keptFrom = 0;
  private fed = 0;
  /** End of the last complete row: absolute byte offset and line. */
  private lastEnd = 0;
  private lastLine = 0;
  /** Absolute offsets of replaced invalid bytes not yet matched to a row, and their input offsets. */
  private invalid: { at: number; inputOffset: number }[] = [];
  /** After an oversized row whose line has not ended yet: bytes are dropped up to its line break. */
  private dropping = false;

  constructor(
    private readonly options: CsvParseOptions,
    private readonly maxRecordBytes: number,
    private readonly onRow: RowHandler,
    private readonly onProblem: (problem: CsvProblem) => void,
  ) {
    this.startParser(0, 0);
  }

  feed(chunk: TextChunk<Buffer>): void {
    for (const invalid of chunk.invalid) this.invalid.push({ at: this.fed + invalid.at, inputOffset: invalid.inputOffset });
    let data = chunk.data;
    const start = this.fed;
    this.fed += data.length;
    if (this.dropping) {
      const newline = data.indexOf(NEWLINE);
      if (newline < 0) return;
      this.dropping = false;
      data = data.subarray(newline + 1);
      // lastLine is the oversized row's line, which ends here.
      this.startParser(this.lastLine, start + newline + 1);
    }
    this.keep(data, this.fed - data.length);
    this.run(data, false);
    this.forget();
    // A row still open after more than the limit: refused now, before it holds more memory.
    if (this.fed - this.lastEnd > this.maxRecordBytes) {
      const rest = this.restart({ code: TOO_LARGE, message: 'row too large' }, false);
      if (rest !== undefined) {
        this.run(rest, false);
        this.forget();
      }
    }
  }

  end(): void {
    if (!this.dropping) this.run(undefined, true);
  }

  private startParser(lines: number, bytes: number): void {
    const parser = new Parser({
      ...this.options,
      skip_records_with_error: true,
      // Throwing here makes csv-parse stop and return the error (see run).
      on_skip: (error) => {
        if (error === undefined) return undefined;
        if (RESTART_CODES.has(error.code)) throw error;
        this.problem(error);
        return undefined;
      },
    });
    this.api = (parser as unknown as { api: CsvParseApi }).api;
    this.base = { lines, bytes };
    this.lastEnd = bytes;
    this.lastLine = lines;
  }

  /** Parses, starting over after each broken row until the input in hand is used up. */
  private run(data: Buffer | undefined, end: boolean): void {
    let input = data;
    for (;;) {
      const error = this.api.parse(input, end, this.push, () => undefined);
      if (error === undefined) return;
      if (!(error instanceof CsvError) || !RESTART_CODES.has(error.code)) throw error;
      const rest = this.restart(error, end);
      if (rest === undefined) return;
      input = rest;
      this.forget();
    }
  }

  private readonly push = (fields: string[]): void => {
    const end = this.base.bytes + this.api.info.bytes;
    const line = this.base.lines + this.api.info.lines;
    const start = this.rowStart(fields, line);
    const invalidAt = this.invalid.length > 0 ? (this.invalidBefore(end) ?? -1) : -1;
    const size = end - this.lastEnd;
    this.lastEnd = end;
    this.lastLine = line;
    // A row that arrived whole within a chunk is measured here; one still arriving, in feed().
    if (size > this.maxRecordBytes) {
      this.onProblem({ line: start, raw: boundedRaw(fields.join(String(this.options.delimiter ?? ','))), reason: `CSV: ${describe({ code: TOO_LARGE, message: '' }, start, this.maxRecordBytes)}` });
      return;
    }
    this.onRow(fields, start, invalidAt);
  };

  /** The first invalid sequence between the last row's end and `end`; those before `end` are done with. */
  private invalidBefore(end: number): number | undefined {
    let found: number | undefined;
    while (this.invalid.length > 0 && (this.invalid[0]?.at ?? Infinity) < end) {
      const invalid = this.invalid.shift();
      if (invalid !== undefined && invalid.at >= this.lastEnd) found ??= invalid.inputOffset;
    }
    return found;
  }

  /** The line a row starts on: its end line, less the line breaks inside its fields. */
  private rowStart(fields: string[], endLine: number): number {
    if (endLine <= this.lastLine + 1) return endLine;
    let breaks = 0;
    for (const field of fields) for (let at = field.indexOf('\n'); at >= 0; at = field.indexOf('\n', at + 1)) breaks += 1;
    return endLine - breaks;
  }

  private problem(error: CsvError): void {
    const record = (error as CsvError & { record?: string[] }).record;
    const line = this.base.lines + ((error as CsvError & { lines?: number }).lines ?? this.api.info.lines);
    // The refused row's bytes are behind us: an invalid sequence in them is not the next row's.
    const end = this.base.bytes + this.api.info.bytes;
    this.invalidBefore(end);
    this.lastEnd = end;
    this.lastLine = line;
    this.onProblem({ line, raw: boundedRaw(record?.join(String(this.options.delimiter ?? ',')) ?? ''), reason: `CSV: ${error.message}` });
  }

  /**
   * Refuses the broken row by its first line and returns the input after that line, for a new
   * parser; undefined when that line has not ended yet (its rest is dropped as it arrives).
   */
  private restart(error: { code: string; message: string }, end: boolean): Buffer | undefined {
    const text = Buffer.concat(this.kept).subarray(this.lastEnd - this.keptFrom);
    let from = 0;
    let line = this.lastLine + 1;
    // Blank lines before the row are no part of it.
    for (;;) {
      const next = text[from] === 0x0d && text[from + 1] === NEWLINE ? from + 2 : text[from] === NEWLINE ? from + 1 : from;
      if (next === from) break;
      from = next;
      line += 1;
    }
    const newline = text.indexOf(NEWLINE, from);
    const firstLine = text.subarray(from, newline < 0 ? text.length : newline).toString('utf8').replace(/\r$/, '');
    this.onProblem({ line, raw: boundedRaw(firstLine), reason: `CSV: ${describe(error, line, this.maxRecordBytes)}` });
    const rest = newline < 0 ? Buffer.alloc(0) : text.subarray(newline + 1);
    const restAt = this.lastEnd + (text.length - rest.length);
    this.startParser(line, restAt);
    this.kept = [];
    this.keptFrom = restAt;
    if (newline < 0) {
      this.dropping = !end;
      return undefined;
    }
    this.keep(rest, restAt);
    return rest;
  }

  private keep(data: Buffer, at: number): void {
    if (this.kept.length === 0) this.keptFrom = at;
    if (data.length > 0) this.kept.push(data);
  }

  /** Drops kept chunks that end before the last complete row. */
  private forget(): void {
    while (this.kept.length > 0 && this.keptFrom + (this.kept[0]?.length ?? 0) <= this.lastEnd) {
      this.keptFrom += this.kept.shift()?.length ?? 0;
    }
  }
}

function describe(error: { code: string; message: string }, line: number, maxRecordBytes: number): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `the quoted field of the row on line ${line} is never closed; the row is refused and reading goes on at the next line`;
    case TOO_LARGE:
      return `the row on line ${line} is larger than max_record_bytes (${maxRecordBytes} characters); raise csv.max_record_bytes if that is expected`;
    default:
      return `the row on line ${line} is broken (${error.message.replace(/ at line \d+.*$/, '')})`;
  }
}
