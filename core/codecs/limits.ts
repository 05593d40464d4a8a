import { Type } from '@sinclair/typebox';

/**
 * Limits every decoder applies to untrusted input, and the option schemas that set them. A record
 * past a limit is refused on its own (dead-lettered with a bounded copy of its text); the records
 * around it are read as usual, and memory stays bounded by the limit, not by the input.
 */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

/** The most of a refused record's text kept in its dead letter: enough to see what it was. */
export const MAX_RAW_CHARS = 64 * 1024;

export const TEXT_ENCODINGS = ['utf8', 'latin1', 'windows-1252', 'utf16le'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

export const encodingOption = () =>
  Type.Optional(
    Type.Union(
      TEXT_ENCODINGS.map((name) => Type.Literal(name)),
      {
        default: 'utf8',
        description:
          'character encoding of the input; utf8 is checked strictly: a record holding bytes that are not UTF-8 is dead-lettered with their offset',
      },
    ),
  );

export const maxRecordBytesOption = () =>
  Type.Optional(
    Type.Integer({ minimum: 1024, default: DEFAULT_MAX_RECORD_BYTES, description: 'a record larger than this (in characters) is dead-lettered instead of read' }),
  );

export const maxDepthOption = () =>
  Type.Optional(
    Type.Integer({ minimum: 2, maximum: 10_000, default: DEFAULT_MAX_DEPTH, description: 'a record nested deeper than this (objects and arrays) is dead-lettered instead of read' }),
  );

/** A refused record's text as it is kept: at most MAX_RAW_CHARS, saying how much was cut. */
export function boundedRaw(text: string, totalChars = text.length): string {
  if (totalChars <= MAX_RAW_CHARS && text.length <= MAX_RAW_CHARS) return text;
  return `${text.slice(0, MAX_RAW_CHARS)}… [${totalChars - Math.min(text.length, MAX_RAW_CHARS)} more characters cut]`;
}

/** How a user fixes input that is not UTF-8: the option to set, named for the codec. */
export function encodingHint(codec: string): string {
  return `if the file is Latin-1 or Windows-1252, set ${codec}: { encoding: latin1 } (or windows-1252) in the stream options`;
}
