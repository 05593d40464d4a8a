import { Readable } from 'node:stream';
import type { DecodeReject, SourceRecord } from '../core/sdk/connector.js';
import type { Decoder } from '../core/codecs/codec.js';

/** Decodes text fed in chunks of `chunkSize` characters (1 finds boundary bugs). */
export function decodeText(decoder: Decoder, text: string, chunkSize = 64 * 1024): Promise<{ records: SourceRecord[]; rejects: DecodeReject[] }> {
  return decodeBytes(decoder, Buffer.from(text), chunkSize);
}

export async function decodeBytes(decoder: Decoder, bytes: Buffer, chunkSize = 64 * 1024): Promise<{ records: SourceRecord[]; rejects: DecodeReject[] }> {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) chunks.push(bytes.subarray(start, start + chunkSize));
  const records: SourceRecord[] = [];
  const rejects: DecodeReject[] = [];
  for await (const chunk of decoder.decode(Readable.from(chunks), 'input')) {
    records.push(...chunk.records);
    rejects.push(...chunk.rejects);
  }
  return { records, rejects };
}
