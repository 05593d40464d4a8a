import { Type, type Static } from '@sinclair/typebox';
import type { Readable } from 'node:stream';
import streamJson from 'stream-json';
import PickFilter from 'stream-json/filters/Pick.js';
import { isJsonObject, type JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';
import { CHUNK_RECORDS, type Codec, type DecodedChunk, type Decoder, type Encoder } from './codec.js';
import { TokenAssembler, type JsonToken } from './json-assembler.js';

const JsonOptions = Type.Object(
  {
    path: Type.Optional(
      Type.String({ description: 'dotted path to the array of records, e.g. "orders" for {"orders": [...]}; empty for a top-level array' }),
    ),
    root: Type.Optional(Type.String({ description: 'when writing: wrap the array as {"<root>": [...]}' })),
  },
  { additionalProperties: false },
);
type JsonOptions = Static<typeof JsonOptions>;

/**
 * Streams the items of a JSON array (top level or at `path`) without loading the document:
 * stream-json tokenizes, and our assembler builds each item with hostile keys kept inert.
 */
class JsonDecoder implements Decoder {
  readonly positions = 'item' as const;
  constructor(private readonly options: JsonOptions) {}

  async *decode(input: Readable, unit: string): AsyncIterable<DecodedChunk> {
    const path = this.options.path ?? '';
    const parser = streamJson.parser({ packKeys: true, packStrings: true, packNumbers: true, streamValues: false });
    input.on('error', (error) => parser.destroy(error));
    let tokens: Readable = input.pipe(parser);
    if (path !== '') {
      const picked = PickFilter.pick({ filter: path });
      parser.on('error', (error) => picked.destroy(error));
      tokens = parser.pipe(picked);
    }
    const assembler = new TokenAssembler();
    let records: SourceRecord[] = [];
    let rejects: DecodeReject[] = [];
    let item = 0;
    let depth = 0;
    let sawValue = false;
    const accept = (value: unknown): void => {
      item += 1;
      if (isJsonObject(value)) records.push({ data: value, at: item });
      else rejects.push({ raw: JSON.stringify(value) ?? '', origin: `${unit}#${item}`, at: item, reason: 'JSON: each array item must be an object' });
    };
    for await (const token of tokens as AsyncIterable<JsonToken>) {
      sawValue = true;
      // depth 0 → the picked value itself; depth 1 inside it → the items we want.
      if (depth === 0) {
        if (token.name === 'startArray' && !assembler.busy) {
          depth = 1;
          continue;
        }
        // A single object instead of an array: one record.
        const done = assembler.push(token);
        if (done) accept(assembler.take());
        continue;
      }
      if (depth === 1 && token.name === 'endArray' && !assembler.busy) {
        depth = 0;
        continue;
      }
      if (assembler.push(token)) accept(assembler.take());
      if (records.length >= CHUNK_RECORDS) {
        yield { records, rejects };
        records = [];
        rejects = [];
      }
    }
    if (!sawValue && path !== '') {
      rejects.push({ raw: '', origin: unit, reason: `JSON: no value at path "${path}"; check the json.path option` });
    }
    if (records.length > 0 || rejects.length > 0) yield { records, rejects };
  }
}

class JsonEncoder implements Encoder {
  constructor(private readonly options: JsonOptions) {}

  encode(records: readonly JsonObject[]): string {
    const body = `[\n${records.map((record) => JSON.stringify(record)).join(',\n')}\n]`;
    return this.options.root !== undefined ? `{${JSON.stringify(this.options.root)}: ${body}}\n` : `${body}\n`;
  }
}

const json: Codec<typeof JsonOptions> = {
  name: 'json',
  extensions: ['.json'],
  optionsSchema: JsonOptions,
  createDecoder: (options) => new JsonDecoder(options as JsonOptions),
  createEncoder: (options) => new JsonEncoder(options as JsonOptions),
};
export default json;
