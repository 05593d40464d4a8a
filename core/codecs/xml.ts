import { Type, type Static } from '@sinclair/typebox';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Readable } from 'node:stream';
import { isJsonObject, type JsonObject } from '../json.js';
import type { DecodeReject, SourceRecord } from '../sdk/connector.js';
import { CHUNK_RECORDS, type Codec, type DecodedChunk, type Decoder, type Encoder } from './codec.js';
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
      Type.Boolean({ description: 'when writing: each record is a whole document (an openTRANS ORDER): one file per record, no root' }),
    ),
    arrays: Type.Optional(Type.Array(Type.String(), { description: 'element names that are always lists, even with one item' })),
    keep_namespaces: Type.Optional(Type.Boolean({ default: false, description: 'keep prefixes such as bmecat: in element names' })),
    max_record_bytes: Type.Optional(Type.Integer({ minimum: 1024, default: 16 * 1024 * 1024 })),
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
    input.setEncoding('utf8');
    const splitter = new XmlRecordSplitter(this.options.record, { maxRecordChars: this.options.max_record_bytes ?? 16 * 1024 * 1024 });
    let records: SourceRecord[] = [];
    let rejects: DecodeReject[] = [];
    const take = (pieces: ReturnType<XmlRecordSplitter['push']>): void => {
      for (const piece of pieces) {
        if (piece.kind === 'problem') {
          rejects.push({ raw: '', origin: `${unit}:${piece.line}`, at: piece.line, reason: piece.message });
          continue;
        }
        try {
          const parsed = this.parser.parse(piece.text) as Record<string, unknown>;
          const value = Object.values(parsed)[0];
          records.push({ data: isJsonObject(value) ? value : { '#text': String(value ?? '') }, at: piece.line });
        } catch (error) {
          rejects.push({ raw: piece.text.slice(0, 64 * 1024), origin: `${unit}:${piece.line}`, at: piece.line, reason: `XML: ${(error as Error).message}` });
        }
      }
    };
    for await (const chunk of input as AsyncIterable<string>) {
      take(splitter.push(chunk));
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
