import { Type, type Static } from '@sinclair/typebox';
import type { Readable } from 'node:stream';
import { isJsonObject, type JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';
import { CHUNK_RECORDS, type Codec, type DecodedChunk, type Decoder, type Encoder } from './codec.js';
import { parseJsonText } from './json-text.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';
import { boundedRaw, DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD_BYTES, encodingHint, encodingOption, maxDepthOption, maxRecordBytesOption } from './limits.js';
import { textChunks } from './text-input.js';

const NdjsonOptions = Type.Object(
  { encoding: encodingOption(), max_record_bytes: maxRecordBytesOption(), max_depth: maxDepthOption() },
  { additionalProperties: false },
);
type NdjsonOptions = Static<typeof NdjsonOptions>;

/** One JSON object per line. A line that is not one (broken, too long, too deep, not UTF-8) is refused alone. */
class NdjsonDecoder implements Decoder {
  readonly positions = 'line' as const;
  constructor(private readonly options: NdjsonOptions) {}

  async *decode(input: Readable, unit: string): AsyncIterable<DecodedChunk> {
    const maxChars = this.options.max_record_bytes ?? DEFAULT_MAX_RECORD_BYTES;
    const maxDepth = this.options.max_depth ?? DEFAULT_MAX_DEPTH;
    const splitter = new LineSplitter(maxChars);
    let records: SourceRecord[] = [];
    let rejects: DecodeReject[] = [];
    const take = (line: SplitLine): void => {
      if (line.tooLong === undefined && line.invalidAt === undefined && line.text.trim() === '') return;
      const reject = (reason: string): void => {
        rejects.push({ raw: boundedRaw(line.text, line.tooLong), origin: `${unit}:${line.line}`, at: line.line, reason: `NDJSON: ${reason}` });
      };
      if (line.tooLong !== undefined) return reject(`the line has ${line.tooLong} characters, more than max_record_bytes (${maxChars}); raise ndjson.max_record_bytes if that is expected`);
      if (line.invalidAt !== undefined) return reject(`invalid UTF-8 at byte ${line.invalidAt}; ${encodingHint('ndjson')}`);
      const parsed = parseJsonText(line.text, maxDepth);
      if (!parsed.ok) return reject(parsed.reason);
      if (!isJsonObject(parsed.value)) return reject('each line must be a JSON object');
      records.push({ data: parsed.value, at: line.line });
    };
    for await (const chunk of textChunks(input, this.options.encoding)) {
      for (const line of splitter.push(chunk)) take(line);
      if (records.length >= CHUNK_RECORDS) {
        yield { records, rejects };
        records = [];
        rejects = [];
      }
    }
    for (const line of splitter.end()) take(line);
    if (records.length > 0 || rejects.length > 0) yield { records, rejects };
  }
}

class NdjsonEncoder implements Encoder {
  encode(records: readonly JsonObject[]): string {
    let out = '';
    for (const record of records) out += `${JSON.stringify(record)}\n`;
    return out;
  }
}

const ndjson: Codec<typeof NdjsonOptions> = {
  name: 'ndjson',
  extensions: ['.ndjson', '.jsonl'],
  optionsSchema: NdjsonOptions,
  createDecoder: (options) => new NdjsonDecoder(options as NdjsonOptions),
  createEncoder: () => new NdjsonEncoder(),
};
export default ndjson;
