import { Type } from '@sinclair/typebox';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { isJsonObject, type JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';
import { CHUNK_RECORDS, type Codec, type DecodedChunk, type Decoder, type Encoder } from './codec.js';

const NdjsonOptions = Type.Object({}, { additionalProperties: false });

/** Longest line kept verbatim in a dead letter; the rest is cut so one broken feed cannot fill the queue. */
const MAX_RAW_CHARS = 64 * 1024;

class NdjsonDecoder implements Decoder {
  readonly positions = 'line' as const;

  async *decode(input: Readable, unit: string): AsyncIterable<DecodedChunk> {
    input.setEncoding('utf8');
    const lines = createInterface({ input, crlfDelay: Infinity });
    let records: SourceRecord[] = [];
    let rejects: DecodeReject[] = [];
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      // JSON.parse keeps "__proto__" as an own property: inert.
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        rejects.push({ raw: line.slice(0, MAX_RAW_CHARS), origin: `${unit}:${lineNumber}`, at: lineNumber, reason: `JSON: ${(error as Error).message}` });
        continue;
      }
      if (!isJsonObject(value)) {
        rejects.push({ raw: line.slice(0, MAX_RAW_CHARS), origin: `${unit}:${lineNumber}`, at: lineNumber, reason: 'NDJSON: each line must be a JSON object' });
        continue;
      }
      records.push({ data: value, at: lineNumber });
      if (records.length >= CHUNK_RECORDS) {
        yield { records, rejects };
        records = [];
        rejects = [];
      }
    }
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
  createDecoder: () => new NdjsonDecoder(),
  createEncoder: () => new NdjsonEncoder(),
};
export default ndjson;
