import type { Codec } from './codec.js';
import csv from './csv.js';
import json from './json.js';
import ndjson from './ndjson.js';
import xml from './xml.js';

export type { Codec, Decoder, Encoder, DecodedChunk } from './codec.js';

/**
 * The formats core reads and writes. Unlike connectors and steps this set is closed and typed:
 * connectors validate `format` against it at load time, and every transport (file, SFTP, HTTP)
 * shares it.
 */
export const CODECS = { csv, json, ndjson, xml } as const;
export type FormatName = keyof typeof CODECS;
export const FORMAT_NAMES = Object.keys(CODECS) as FormatName[];

export function codecFor(format: FormatName): Codec {
  return CODECS[format];
}

/** Guesses a format from a file name, for when a stream's options do not say. */
export function formatFromFileName(name: string): FormatName | undefined {
  const lower = name.toLowerCase();
  return FORMAT_NAMES.find((format) => CODECS[format].extensions.some((extension) => lower.endsWith(extension)));
}
