import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { incompleteTail, invalidSequences, type InvalidSequence } from './utf8-validation.js';

/** An ill-formed UTF-8 sequence of the input, replaced by U+FFFD in the chunk that holds it. */
export interface InvalidBytes {
  /** Where the replacement character stands: a byte offset in a Buffer chunk, a character offset in a string chunk. */
  at: number;
  /** The sequence's byte offset in the input, for messages. */
  inputOffset: number;
}

export interface TextChunk<T extends Buffer | string> {
  data: T;
  /** The chunk's ill-formed sequences, in order; empty for almost every chunk. */
  invalid: InvalidBytes[];
}

const BOM = [0xef, 0xbb, 0xbf];
const REPLACEMENT_BYTES = Buffer.from('\uFFFD');

/**
 * The input as UTF-8 bytes, for decoders that work on bytes (csv-parse). UTF-8 input is checked,
 * not trusted: ill-formed sequences are replaced and reported with their offsets, so the decoder
 * can refuse exactly the records that hold them, instead of passing `M�ller` on. Other encodings
 * are converted. A UTF-8 byte order mark is dropped.
 */
export async function* utf8Bytes(input: AsyncIterable<Buffer | string>, encoding = 'utf8'): AsyncGenerator<TextChunk<Buffer>> {
  if (!isUtf8Label(encoding)) {
    for await (const text of convertedText(input, encoding)) yield { data: Buffer.from(text), invalid: [] };
    return;
  }
  for await (const piece of checkedUtf8(input)) yield piece.toBytes();
}

/**
 * The input as strings, for decoders that work on text (lines, JSON tokens, XML); see utf8Bytes.
 * With a `fallback` single-byte encoding (what an XML declaration names), UTF-8 is still tried
 * first and only stretches that are not UTF-8 are read in the fallback: files declared
 * ISO-8859-1 are often UTF-8 in fact, and valid UTF-8 with accents is almost never Latin-1 text.
 */
export async function* textChunks(input: AsyncIterable<Buffer | string>, encoding = 'utf8', fallback?: string): AsyncGenerator<TextChunk<string>> {
  if (!isUtf8Label(encoding)) {
    for await (const text of convertedText(input, encoding)) yield { data: text, invalid: [] };
    return;
  }
  for await (const piece of checkedUtf8(input)) yield fallback !== undefined && piece.invalid ? { data: iconv.decode(piece.bytes, fallback), invalid: [] } : piece.toText();
}

/** Whether an encoding name means UTF-8 (checked strictly) rather than a conversion. */
export function isUtf8Label(encoding: string): boolean {
  return /^utf-?8$/i.test(encoding);
}

/** Whether `encoding` can be converted: the option's values, and what XML declarations name (ISO-8859-15, ...). */
export function isKnownEncoding(encoding: string): boolean {
  return isUtf8Label(encoding) || iconv.encodingExists(encoding);
}

/** Other encodings through iconv-lite (Node's TextDecoder reads windows-1252 as ISO-8859-1, losing € and „). */
async function* convertedText(input: AsyncIterable<Buffer | string>, encoding: string): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(encoding);
  for await (const chunk of input) {
    const text = decoder.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (text !== '') yield text;
  }
  const rest = decoder.end();
  if (rest !== undefined && rest !== '') yield rest;
}

/** Whole characters of UTF-8 input, cut where chunks end and checked; a character split by a chunk border waits for the next. */
async function* checkedUtf8(input: AsyncIterable<Buffer | string>): AsyncGenerator<CheckedPiece> {
  let carry: Buffer | undefined;
  let consumed = 0;
  let start = true;
  for await (const chunk of input) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (carry !== undefined) data = Buffer.concat([carry, data]);
    carry = undefined;
    if (start) {
      if (data.length < BOM.length && BOM.slice(0, data.length).every((byte, index) => data[index] === byte)) {
        carry = Buffer.from(data);
        continue;
      }
      start = false;
      if (BOM.every((byte, index) => data[index] === byte)) {
        data = data.subarray(BOM.length);
        consumed += BOM.length;
      }
    }
    const tail = incompleteTail(data);
    const body = tail > 0 ? data.subarray(0, data.length - tail) : data;
    // A copy, so the carried bytes do not keep the whole chunk alive.
    if (tail > 0) carry = Buffer.from(data.subarray(data.length - tail));
    if (body.length > 0) yield new CheckedPiece(body, consumed);
    consumed += body.length;
  }
  // Left over at the end: a character cut off by the end of the input.
  if (carry !== undefined && carry.length > 0) yield new CheckedPiece(carry, consumed, start);
}

/** A run of whole UTF-8 characters at `inputOffset`, with its ill-formed sequences found only when there are any. */
class CheckedPiece {
  private readonly sequences: InvalidSequence[];

  constructor(
    readonly bytes: Buffer,
    private readonly inputOffset: number,
    /** Bytes that may be a cut-off BOM at the very end of a tiny input: nothing else is there. */
    lenientBom = false,
  ) {
    const bom = lenientBom && BOM.slice(0, bytes.length).every((byte, index) => bytes[index] === byte);
    this.sequences = bom || isUtf8(bytes) ? [] : invalidSequences(bytes);
    if (bom) this.bytes = Buffer.alloc(0);
  }

  get invalid(): boolean {
    return this.sequences.length > 0;
  }

  toBytes(): TextChunk<Buffer> {
    if (this.sequences.length === 0) return { data: this.bytes, invalid: [] };
    const parts: Buffer[] = [];
    const invalid: InvalidBytes[] = [];
    let from = 0;
    let written = 0;
    for (const sequence of this.sequences) {
      const valid = this.bytes.subarray(from, sequence.offset);
      parts.push(valid, REPLACEMENT_BYTES);
      written += valid.length;
      invalid.push({ at: written, inputOffset: this.inputOffset + sequence.offset });
      written += REPLACEMENT_BYTES.length;
      from = sequence.offset + sequence.length;
    }
    parts.push(this.bytes.subarray(from));
    return { data: Buffer.concat(parts), invalid };
  }

  toText(): TextChunk<string> {
    if (this.sequences.length === 0) return { data: this.bytes.toString('utf8'), invalid: [] };
    let text = '';
    const invalid: InvalidBytes[] = [];
    let from = 0;
    for (const sequence of this.sequences) {
      text += this.bytes.toString('utf8', from, sequence.offset);
      invalid.push({ at: text.length, inputOffset: this.inputOffset + sequence.offset });
      text += '\uFFFD';
      from = sequence.offset + sequence.length;
    }
    text += this.bytes.toString('utf8', from);
    return { data: text, invalid };
  }
}
