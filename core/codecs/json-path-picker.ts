import type { JsonToken } from './json-assembler.js';

interface Level {
  array: boolean;
  /** The key of the value being read in an object, or the index of the item being read in an array. */
  key: string | number | undefined;
}

const STARTS = new Set(['startObject', 'startArray']);
const ENDS = new Set(['endObject', 'endArray']);

/**
 * Picks the values at a dotted path (`orders`, `items.0`, `Batch update orders.create`) out of a
 * token stream, the way stream-json's Pick filter matches paths (keys and array indices joined by
 * dots), as a plain function over tokens. Unlike a filter stream between the tokenizer and the
 * decoder, it cannot lose the tokens read before a syntax error.
 */
export class JsonPathPicker {
  private readonly segments: string[];
  private readonly levels: Level[] = [];
  /** Depth inside a picked value; 0 outside of one. */
  private inside = 0;

  constructor(path: string) {
    this.segments = path.split('.');
  }

  /** Whether the token belongs to a value at the path (then the decoder reads it). */
  accept(token: JsonToken): boolean {
    const { name } = token;
    if (this.inside > 0) {
      if (STARTS.has(name)) this.inside += 1;
      else if (ENDS.has(name)) this.inside -= 1;
      return true;
    }
    if (name === 'keyValue') {
      const top = this.levels[this.levels.length - 1];
      if (top !== undefined) top.key = String(token.value);
      return false;
    }
    if (ENDS.has(name)) {
      this.levels.pop();
      return false;
    }
    // A value starts.
    const top = this.levels[this.levels.length - 1];
    if (top?.array === true) top.key = (top.key as number) + 1;
    if (this.atPath()) {
      if (STARTS.has(name)) this.inside = 1;
      return true;
    }
    if (STARTS.has(name)) this.levels.push({ array: name === 'startArray', key: name === 'startArray' ? -1 : undefined });
    return false;
  }

  private atPath(): boolean {
    if (this.levels.length !== this.segments.length) return false;
    for (let index = 0; index < this.segments.length; index += 1) {
      if (String(this.levels[index]?.key) !== this.segments[index]) return false;
    }
    return true;
  }
}
