import { Type, type Static } from '@sinclair/typebox';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Readable } from 'node:stream';
import { isJsonObject, type JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';
import { CHUNK_RECORDS, type Codec, type DecodedChunk, type Decoder, type Encoder } from './codec.js';
import { boundedRaw, DEFAULT_MAX_DEPTH, DEFAULT_MAX_RECORD_BYTES, maxDepthOption, maxRecordBytesOption, TEXT_ENCODINGS } from './limits.js';
import { isKnownEncoding, isUtf8Label, textChunks } from './text-input.js';
import { XmlRecordSplitter } from './xml-splitter.js';

const XmlOptions = Type.Object(
  {
    record: Type.String({ minLength: 1, description: 'local name of the element holding one record, e.g. ORDER' }),
    root: Type.Optional(
      Type.String({ description: 'when writing: the element(s) around the records, a dotted path for nesting such as rss.channel', default: 'records' }),
    ),
    root_attributes: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'when writing: attributes of the outermost element, e.g. namespace declarations' }),
    ),
    document: Type.Optional(
      Type.Boolean({ default: false, description: 'when writing: each record is a whole document (an openTRANS ORDER): one file per record, no root' }),
    ),
    arrays: Type.Optional(Type.Array(Type.String(), { description: 'element names that are always lists, even with one item' })),
    keep_namespaces: Type.Optional(Type.Boolean({ default: false, description: 'keep prefixes such as bmecat: in element names' })),
    encoding: Type.Optional(
      Type.Union(
        TEXT_ENCODINGS.map((name) => Type.Literal(name)),
        { description: 'character encoding of the input; default: what the XML declaration names (encoding="ISO-8859-1"), else UTF-8, checked strictly' },
      ),
    ),
    max_record_bytes: maxRecordBytesOption(),
    max_depth: maxDepthOption(),
  },
  { additionalProperties: false },
);
type XmlOptions = Static<typeof XmlOptions>;

/** Attributes are kept with this prefix: `<ORDER type="standard">` → `{"@type": "standard"}`. */
const ATTRIBUTE_PREFIX = '@';

class XmlDecoder implements Decoder {
  readonly positions = 'line' as const;
  private readonly parser: XMLParser;

  constructor(private readonly options: XmlOptions) {
    const arrays = new Set(options.arrays ?? []);
    this.parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: ATTRIBUTE_PREFIX,
      // Untrusted input, but a DOCTYPE never gets here (the splitter refuses it), so no entity can be
      // declared: what is decoded is the five predefined entities and character references
      // (&amp; &#47; &#x20AC;). Values stay strings (casting belongs to mappings).
      processEntities: true,
      htmlEntities: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      removeNSPrefix: options.keep_namespaces !== true,
      isArray: (name) => arrays.has(name),
    });
  }

  async *decode(input: Readable, unit: string): AsyncIterable<DecodedChunk> {
    const splitter = new XmlRecordSplitter(this.options.record, {
      maxRecordChars: this.options.max_record_bytes ?? DEFAULT_MAX_RECORD_BYTES,
      maxDepth: this.options.max_depth ?? DEFAULT_MAX_DEPTH,
    });
    let records: SourceRecord[] = [];
    let rejects: DecodeReject[] = [];
    /** Absolute character offsets of replaced invalid bytes not yet matched to a record. */
    const invalid: { at: number; inputOffset: number }[] = [];
    const take = (pieces: ReturnType<XmlRecordSplitter['push']>): void => {
      for (const piece of pieces) {
        if (piece.kind === 'problem') {
          rejects.push({ raw: piece.raw, origin: `${unit}:${piece.line}`, at: piece.line, reason: piece.message });
          continue;
        }
        let invalidAt: number | undefined;
        while (invalid.length > 0 && (invalid[0]?.at ?? Infinity) < piece.end) {
          const next = invalid.shift();
          if (next !== undefined && next.at >= piece.start) invalidAt ??= next.inputOffset;
        }
        if (invalidAt !== undefined) {
          rejects.push({
            raw: boundedRaw(piece.text),
            origin: `${unit}:${piece.line}`,
            at: piece.line,
            reason: `XML: the record holds bytes that are not UTF-8 (the first at byte ${invalidAt}); if the file is Latin-1 or Windows-1252, declare it (<?xml version="1.0" encoding="ISO-8859-1"?>) or set xml: { encoding: latin1 } in the stream options`,
          });
          continue;
        }
        try {
          const parsed = this.parser.parse(piece.text) as Record<string, unknown>;
          const value = Object.values(parsed)[0];
          records.push({ data: isJsonObject(value) ? value : { '#text': String(value ?? '') }, at: piece.line });
        } catch (error) {
          rejects.push({ raw: boundedRaw(piece.text), origin: `${unit}:${piece.line}`, at: piece.line, reason: `XML: ${(error as Error).message}` });
        }
      }
    };
    const { encoding, fallback, bytes } = await declaredEncoding(input, this.options.encoding);
    if (encoding === undefined) {
      yield { records: [], rejects: [{ raw: '', origin: unit, reason: 'XML: the declaration names an encoding Keel cannot read; convert the file to UTF-8, or set xml: { encoding: ... } in the stream options' }] };
      return;
    }
    let offset = 0;
    for await (const chunk of textChunks(bytes, encoding, fallback)) {
      for (const at of chunk.invalid) invalid.push({ at: offset + at.at, inputOffset: at.inputOffset });
      offset += chunk.data.length;
      take(splitter.push(chunk.data));
      if (records.length >= CHUNK_RECORDS) {
        yield { records, rejects };
        records = [];
        rejects = [];
      }
    }
    take(splitter.end());
    if (records.length > 0 || rejects.length > 0) yield { records, rejects };
  }
}

/** Bytes read before the encoding is known: enough for any XML declaration. */
const DECLARATION_BYTES = 256;

/**
 * The encoding to read an XML input in: the option when set; else UTF-8, and where the bytes are
 * not UTF-8, what the declaration names (`<?xml version="1.0" encoding="ISO-8859-1"?>`, as
 * openTRANS files from older ERPs say: the public sample so declared is UTF-8 in fact). A UTF-16
 * byte order mark means UTF-16. Undefined when the declaration names an encoding that cannot be
 * read. The bytes read to find out are handed back in front of the rest.
 */
async function declaredEncoding(
  input: AsyncIterable<Buffer | string>,
  option: string | undefined,
): Promise<{ encoding: string | undefined; fallback?: string; bytes: AsyncIterable<Buffer | string> }> {
  if (option !== undefined) return { encoding: option, bytes: input };
  const iterator = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < DECLARATION_BYTES) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    length += chunk.length;
    if (chunk.includes('?>')) break;
  }
  const start = Buffer.concat(head);
  const bytes = (async function* () {
    if (start.length > 0) yield start;
    if (!done) yield* { [Symbol.asyncIterator]: () => iterator };
  })();
  if (start[0] === 0xff && start[1] === 0xfe) return { encoding: 'utf16le', bytes };
  const declared = /^(?:\uFEFF)?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(start.toString('latin1').replace(/^\xEF\xBB\xBF/, ''))?.[1];
  if (declared === undefined || isUtf8Label(declared)) return { encoding: 'utf8', bytes };
  if (/^utf-?(16|32)/i.test(declared)) return { encoding: isKnownEncoding(declared) ? declared : undefined, bytes };
  return isKnownEncoding(declared) ? { encoding: 'utf8', fallback: declared, bytes } : { encoding: undefined, bytes };
}

class XmlEncoder implements Encoder {
  private readonly builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    format: true,
    suppressEmptyNode: true,
    processEntities: true,
  });

  constructor(private readonly options: XmlOptions) {}

  get singleRecord(): boolean {
    return this.options.document === true;
  }

  encode(records: readonly JsonObject[]): string {
    const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.options.root_attributes ?? {})) attributes[`${ATTRIBUTE_PREFIX}${name}`] = value;
    if (this.options.document === true) {
      if (records.length !== 1) throw new Error(`xml document mode writes one record per file, got ${records.length}`);
      return declaration + (this.builder.build({ [this.options.record]: { ...attributes, ...records[0] } }) as string);
    }
    const [outer = 'records', ...inner] = (this.options.root ?? 'records').split('.');
    let body: JsonObject = { [this.options.record]: records as JsonObject[] };
    for (const element of inner.reverse()) body = { [element]: body };
    return declaration + (this.builder.build({ [outer]: { ...attributes, ...body } }) as string);
  }
}

const xml: Codec<typeof XmlOptions> = {
  name: 'xml',
  extensions: ['.xml'],
  optionsSchema: XmlOptions,
  createDecoder: (options) => new XmlDecoder(options as XmlOptions),
  createEncoder: (options) => new XmlEncoder(options as XmlOptions),
};
export default xml;
