import { isPrototypeKey } from '../json.js';

/** One step of a source path: a key, an array index, or `[*]` (every item). */
export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'all' };

/**
 * Parses `customer.addresses[0].city`, `line_items[*].sku`, or `$` (the current value). Keys that reach an object's
 * prototype are refused: a mapping can only read a record's own data.
 */
export function parsePath(path: string): PathSegment[] | string {
  if (path.trim() === '') return 'the path is empty';
  // `$` is the current record (or item): `{ "each": "$" }` makes a flat row the one line of an order.
  if (path === '$') return [];
  const segments: PathSegment[] = [];
  const pattern = /([^.[\]]+)|\[(\d+|\*)\]|(\.)/g;
  let expectKey = true;
  let consumed = 0;
  for (const match of path.matchAll(pattern)) {
    if (match.index !== consumed) return `unexpected "${path.slice(consumed, match.index)}" at position ${consumed + 1}`;
    consumed = match.index + match[0].length;
    if (match[1] !== undefined) {
      if (!expectKey) return `expected "." or "[" before "${match[1]}"`;
      if (isPrototypeKey(match[1])) return `"${match[1]}" cannot be read: it names the prototype, not data`;
      segments.push({ kind: 'key', key: match[1] });
      expectKey = false;
    } else if (match[2] !== undefined) {
      segments.push(match[2] === '*' ? { kind: 'all' } : { kind: 'index', index: Number(match[2]) });
      expectKey = false;
    } else {
      if (expectKey) return 'a "." must follow a field name';
      expectKey = true;
    }
  }
  if (consumed !== path.length) return `unexpected "${path.slice(consumed)}"`;
  if (expectKey) return 'the path ends with "."';
  return segments;
}
