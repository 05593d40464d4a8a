import { setOwn, stringifyBounded } from '../json.js';
import { exactNumber } from './json-text.js';
import { MAX_RAW_CHARS } from './limits.js';

/** A token of stream-json's parser with packed keys, strings and numbers. */
export interface JsonToken {
  name: string;
  value?: string | null | boolean;
}

export interface AssemblyLimits {
  /** Objects and arrays nested deeper than this refuse the value. */
  maxDepth: number;
  /** A value holding more than this many characters (keys and strings; 1 per other token) is refused. */
  maxChars: number;
}

/** A complete value, or one refused for a limit with a bounded copy of what was read of it. */
export type Assembled = { value: unknown } | { refused: string; raw: string };

const UNLIMITED: AssemblyLimits = { maxDepth: Number.POSITIVE_INFINITY, maxChars: Number.POSITIVE_INFINITY };

/**
 * Builds one JSON value at a time from stream-json tokens.
 * - stream-json's own Assembler assigns keys with `obj[key] = value`, which lets a `"__proto__"`
 *   key replace an object's prototype; here every key becomes an own property, as JSON.parse does.
 * - Integers a double cannot hold stay their exact text (`9007199254740993`).
 * - A value past a limit is no longer built: its tokens are counted off until it ends, so a hostile
 *   item costs neither stack nor memory, and it is handed back as refused.
 */
export class TokenAssembler {
  private stack: (Record<string, unknown> | unknown[])[] = [];
  private keys: (string | undefined)[] = [];
  private result: Assembled | undefined;
  private chars = 0;
  /** While a refused value's tokens are skipped: its remaining depth, and why it was refused. */
  private skipDepth = 0;
  private refusal: { reason: string; raw: string } | undefined;

  constructor(private readonly limits: AssemblyLimits = UNLIMITED) {}

  get busy(): boolean {
    return this.stack.length > 0 || this.skipDepth > 0;
  }

  /** Feeds a token; returns true when a whole value is complete (then call `take`). */
  push(token: JsonToken): boolean {
    if (this.skipDepth > 0) return this.skip(token.name);
    switch (token.name) {
      case 'startObject':
      case 'startArray':
        if (this.stack.length >= this.limits.maxDepth) {
          return this.refuse(`nested deeper than ${this.limits.maxDepth} levels; raise max_depth if that is expected`, 1);
        }
        // Attached to its parent at once, so what was read of a refused value can be shown.
        const container = token.name === 'startObject' ? {} : [];
        if (this.stack.length > 0) this.attach(container);
        this.stack.push(container);
        this.keys.push(undefined);
        return this.oversize(1) ?? false;
      case 'endObject':
      case 'endArray': {
        const done = this.stack.pop();
        this.keys.pop();
        if (this.stack.length > 0) return false;
        return this.complete(done);
      }
      case 'keyValue': {
        const key = String(token.value);
        this.keys[this.keys.length - 1] = key;
        return this.oversize(key.length) ?? false;
      }
      case 'stringValue': {
        const text = String(token.value);
        return this.oversize(text.length) ?? this.add(text);
      }
      case 'numberValue': {
        const text = String(token.value);
        const number = Number(text);
        return this.oversize(1) ?? this.add(number > Number.MAX_SAFE_INTEGER || number < -Number.MAX_SAFE_INTEGER ? exactNumber(text) : number);
      }
      case 'nullValue':
        return this.oversize(1) ?? this.add(null);
      case 'trueValue':
        return this.oversize(1) ?? this.add(true);
      case 'falseValue':
        return this.oversize(1) ?? this.add(false);
      default:
        return false;
    }
  }

  take(): Assembled | undefined {
    const value = this.result;
    this.result = undefined;
    return value;
  }

  /** Adds to the value's size: undefined within the limit; past it the value is refused (then: whether that completes it). */
  private oversize(chars: number): boolean | undefined {
    this.chars += chars;
    if (this.chars <= this.limits.maxChars) return undefined;
    return this.refuse(`larger than max_record_bytes (${this.limits.maxChars} characters); raise max_record_bytes if that is expected`, 0);
  }

  /** Stops building: keeps what was read for the dead letter and skips the rest of the value. */
  private refuse(reason: string, opened: number): boolean {
    const depth = this.stack.length + opened;
    this.refusal = { reason, raw: stringifyBounded(this.stack[0] ?? null, MAX_RAW_CHARS) };
    this.stack = [];
    this.keys = [];
    this.skipDepth = depth;
    if (depth > 0) return false;
    // A scalar too large on its own: it is already over.
    return this.finishRefusal();
  }

  private skip(name: string): boolean {
    if (name === 'startObject' || name === 'startArray') this.skipDepth += 1;
    else if (name === 'endObject' || name === 'endArray') this.skipDepth -= 1;
    return this.skipDepth === 0 ? this.finishRefusal() : false;
  }

  private finishRefusal(): boolean {
    const refusal = this.refusal ?? { reason: 'refused', raw: '' };
    this.result = { refused: refusal.reason, raw: refusal.raw };
    this.refusal = undefined;
    this.chars = 0;
    return true;
  }

  /** A scalar: into the open container, or on its own a complete value. */
  private add(value: unknown): boolean {
    if (this.stack.length === 0) return this.complete(value);
    this.attach(value);
    return false;
  }

  private attach(value: unknown): void {
    const parent = this.stack[this.stack.length - 1];
    if (Array.isArray(parent)) parent.push(value);
    else if (parent !== undefined) setOwn(parent, this.keys[this.keys.length - 1] ?? '', value);
  }

  private complete(value: unknown): boolean {
    this.result = { value };
    this.chars = 0;
    return true;
  }
}
