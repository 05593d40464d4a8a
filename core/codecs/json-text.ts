import { isSafeNumber, parse as parseLossless } from 'lossless-json';

/** A JSON text parsed for Keel: the value, or why it cannot be one record. */
export type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: string; tooDeep: boolean };

/** An integer literal of 16 or more digits where a value starts: it may not fit a double. */
const LONG_INTEGER = /[:[,]\s*-?\d{16,}(?![\d.eE])/;

/**
 * Parses one JSON text (an NDJSON line, an API response) the way every Keel decoder does:
 * - integers beyond 2^53 stay exact, as strings (`9007199254740993`, not `…992`): JSON.parse would
 *   round them, so texts that may hold one go through lossless-json instead;
 * - `__proto__` keys stay plain own properties (both parsers do so);
 * - a value nested deeper than `maxDepth` is refused: it could not be written, logged or stored
 *   later without exhausting the stack.
 */
export function parseJsonText(text: string, maxDepth: number): ParsedJson {
  let value: unknown;
  try {
    value = LONG_INTEGER.test(text) ? parseLossless(text, undefined, exactNumber) : JSON.parse(text);
  } catch (error) {
    // lossless-json recurses: a text nested past the stack fails here rather than in the depth check.
    if (error instanceof RangeError) return { ok: false, reason: `nested deeper than ${maxDepth} levels; raise max_depth if that is expected`, tooDeep: true };
    return { ok: false, reason: (error as Error).message, tooDeep: false };
  }
  if (nestedDeeper(value, maxDepth)) return { ok: false, reason: `nested deeper than ${maxDepth} levels; raise max_depth if that is expected`, tooDeep: true };
  return { ok: true, value };
}

/** Numbers as JSON.parse reads them, except integers a double cannot hold, which stay their exact text. */
export function exactNumber(text: string): number | string {
  return isSafeNumber(text) || !/^-?\d+$/.test(text) ? Number(text) : text;
}

/** Whether objects and arrays nest deeper than `max` (a scalar is depth 0, `{}` is 1). Stops as soon as it knows. */
export function nestedDeeper(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestedDeeper(item, max - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && nestedDeeper((value as Record<string, unknown>)[key], max - 1)) return true;
  }
  return false;
}
