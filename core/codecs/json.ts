import { Type, type Static } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import streamJson from 'stream-json';
import { isJsonObject, type JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';
import { CHUNK_RECORDS, type Codec, type DecodedChunk, type Decoder, type Encoder } from './codec.js';
import { TokenAssembler, type Assembled, type JsonToken } from './json-assembler.js';
import { JsonPathPicker } from './json-path-picker.js';
import { boundedRaw, DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD_BYTES, encodingHint, encodingOption, MAX_RAW_CHARS, maxDepthOption, maxRecordBytesOption } from './limits.js';
import { textChunks, type InvalidBytes } from './text-input.js';

const JsonOptions = Type.Object(
  {
    path: Type.Optional(
      Type.String({ description: 'dotted path to the array of records, e.g. "orders" for {"orders": [...]}; empty for a top-level array' }),
    ),
    root: Type.Optional(Type.String({ description: 'when writing: wrap the array as {"<root>": [...]}' })),
    encoding: encodingOption(),
    max_record_bytes: maxRecordBytesOption(),
    max_depth: maxDepthOption(),
  },
  { additionalProperties: false },
);
type JsonOptions = Static<typeof JsonOptions>;

/**
 * Streams the items of a JSON array (top level or at `path`) without loading the document:
 * stream-json tokenizes, and our assembler builds each item with hostile keys kept inert, exact
 * big integers and limits on depth and size. Input that is not JSON, or not UTF-8, ends the
 * document: a token stream has no line to resume at, so the rest is one dead letter.
 */
class JsonDecoder implements Decoder {
  readonly positions = 'item' as const;
  constructor(private readonly options: JsonOptions) {}

  async *decode(input: Readable, unit: string): AsyncIterable<DecodedChunk> {
    const path = this.options.path ?? '';
    const text = new CheckedText(input, this.options.encoding);
    // autoDestroy off: after a syntax error its iterator still hands out the tokens read before it, then throws.
    const parser = streamJson.parser({ packKeys: true, packStrings: true, packNumbers: true, streamValues: false, autoDestroy: false });
    const source = Readable.from(text.chunks());
    source.on('error', (error) => parser.destroy(error));
    source.pipe(parser);
    const picker = path !== '' ? new JsonPathPicker(path) : undefined;
    let parseError: Error | undefined;
    const assembler = new TokenAssembler({ maxDepth: this.options.max_depth ?? DEFAULT_MAX_DEPTH, maxChars: this.options.max_record_bytes ?? DEFAULT_MAX_RECORD_BYTES });
    let records: SourceRecord[] = [];
    let rejects: DecodeReject[] = [];
    let item = 0;
    let depth = 0;
    let sawValue = false;
    const accept = (assembled: Assembled | undefined): void => {
      item += 1;
      const origin = `${unit}#${item}`;
      if (assembled === undefined) return;
      if ('refused' in assembled) rejects.push({ raw: assembled.raw, origin, at: item, reason: `JSON: item ${item} is ${assembled.refused}` });
      else if (isJsonObject(assembled.value)) records.push({ data: assembled.value, at: item });
      else rejects.push({ raw: boundedRaw(JSON.stringify(assembled.value) ?? ''), origin, at: item, reason: 'JSON: each array item must be an object' });
    };
    try {
      for await (const token of parser as AsyncIterable<JsonToken>) {
        if (picker !== undefined && !picker.accept(token)) continue;
        sawValue = true;
        // depth 0 → the picked value itself; depth 1 inside it → the items we want.
        if (depth === 0) {
          if (token.name === 'startArray' && !assembler.busy) {
            depth = 1;
            continue;
          }
          // A single object instead of an array: one record.
          if (assembler.push(token)) accept(assembler.take());
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
    } catch (error) {
      if (text.transportError !== undefined) throw text.transportError;
      parseError = error as Error;
    }
    if (text.transportError !== undefined) throw text.transportError;
    if (parseError !== undefined || text.invalid !== undefined) {
      const reason =
        text.invalid !== undefined
          ? `invalid UTF-8 at byte ${text.invalid.inputOffset}; ${encodingHint('json')}`
          : (parseError?.message ?? '').replace(/^Parser (cannot parse input: |has )/, 'not valid JSON: ');
      rejects.push({ raw: text.recent(), origin: `${unit}#${item + 1}`, reason: `JSON: the rest of the document after item ${item} cannot be read: ${reason}` });
    }
    if (!sawValue && path !== '' && rejects.length === 0) {
      rejects.push({ raw: '', origin: unit, reason: `JSON: no value at path "${path}"; check the json.path option` });
    }
    if (records.length > 0 || rejects.length > 0) yield { records, rejects };
  }
}

/** The input as checked text for the tokenizer, stopping before the first invalid UTF-8, with the last text read kept for messages. */
class CheckedText {
  invalid: InvalidBytes | undefined;
  transportError: unknown;
  private previous = '';
  private last = '';

  constructor(
    private readonly input: Readable,
    private readonly encoding: string | undefined,
  ) {}

  async *chunks(): AsyncGenerator<string> {
    try {
      for await (const chunk of textChunks(this.input, this.encoding)) {
        const first = chunk.invalid[0];
        const data = first === undefined ? chunk.data : chunk.data.slice(0, first.at);
        this.previous = this.last;
        this.last = data;
        if (data !== '') yield data;
        if (first !== undefined) {
          // The tokenizer then sees the document end early; the reason given is this.
          this.invalid = first;
          return;
        }
      }
    } catch (error) {
      this.transportError = error;
      throw error;
    }
  }

  /** Up to MAX_RAW_CHARS of the text read last: where the document broke off. */
  recent(): string {
    const text = this.previous + this.last;
    return text.length > MAX_RAW_CHARS ? text.slice(-MAX_RAW_CHARS) : text;
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
