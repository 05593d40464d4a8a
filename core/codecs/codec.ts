import type { Readable } from 'node:stream';
import type { TObject } from '@sinclair/typebox';
import type { JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';

/** Records decoded from one input, in chunks so a huge file never sits in memory whole. */
export interface DecodedChunk {
  records: SourceRecord[];
  rejects: DecodeReject[];
}

/** How a record's position is written in messages: `file:17` for lines, `file#17` for array items. */
export type PositionKind = 'line' | 'item';

export interface Decoder {
  readonly positions: PositionKind;
  decode(input: Readable, unit: string): AsyncIterable<DecodedChunk>;
}

export interface Encoder {
  /** Encodes a whole batch as one self-contained file body. */
  encode(records: readonly JsonObject[]): string;
  /** The format holds one record per file (an XML business document): writers write each on its own. */
  readonly singleRecord?: boolean;
}

export interface Codec<Options extends TObject = TObject> {
  readonly name: string;
  readonly extensions: readonly string[];
  /** Options under the codec's own key in a stream's options, e.g. `csv: { delimiter: ";" }`. */
  readonly optionsSchema: Options;
  createDecoder(options: Partial<Record<string, unknown>>): Decoder;
  createEncoder(options: Partial<Record<string, unknown>>): Encoder;
}

/** Records per chunk: large enough to amortise async iteration, small enough to keep memory flat. */
export const CHUNK_RECORDS = 1000;
