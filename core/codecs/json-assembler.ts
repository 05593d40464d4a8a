import { setOwn } from '../json.js';

/** A token of stream-json's parser with packed keys, strings and numbers. */
export interface JsonToken {
  name: string;
  value?: string | null | boolean;
}

/**
 * Builds one JSON value at a time from stream-json tokens. stream-json's own Assembler assigns
 * keys with `obj[key] = value`, which lets a `"__proto__"` key replace an object's prototype;
 * here every key becomes an own property, as JSON.parse does.
 */
export class TokenAssembler {
  private stack: (Record<string, unknown> | unknown[])[] = [];
  private keys: (string | undefined)[] = [];
  private result: unknown;

  get busy(): boolean {
    return this.stack.length > 0;
  }

  /** Feeds a token; returns true when a whole value is complete (then call `take`). */
  push(token: JsonToken): boolean {
    switch (token.name) {
      case 'startObject':
        this.stack.push({});
        this.keys.push(undefined);
        return false;
      case 'startArray':
        this.stack.push([]);
        this.keys.push(undefined);
        return false;
      case 'endObject':
      case 'endArray': {
        const done = this.stack.pop();
        this.keys.pop();
        return this.add(done);
      }
      case 'keyValue':
        this.keys[this.keys.length - 1] = String(token.value);
        return false;
      case 'stringValue':
        return this.add(token.value);
      case 'numberValue':
        return this.add(Number(token.value));
      case 'nullValue':
        return this.add(null);
      case 'trueValue':
        return this.add(true);
      case 'falseValue':
        return this.add(false);
      default:
        return false;
    }
  }

  take(): unknown {
    const value = this.result;
    this.result = undefined;
    return value;
  }

  private add(value: unknown): boolean {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      this.result = value;
      return true;
    }
    if (Array.isArray(parent)) parent.push(value);
    else setOwn(parent, this.keys[this.keys.length - 1] ?? '', value);
    return false;
  }
}
