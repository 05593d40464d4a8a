/** JSON values as records travel through Keel. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Keys that would reach an object's prototype when assigned with `obj[key] = value`. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/**
 * Sets `key` as an own data property, even when the key is `__proto__`: hostile keys from a
 * payload stay inert data instead of replacing the object's prototype.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a dotted path (`customer.address.city`) from a record, never walking into the prototype chain. */
export function readPath(record: unknown, path: readonly string[]): unknown {
  let current: unknown = record;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * JSON text of any value, cut at `maxChars` characters and `maxDepth` levels, with "…" where
 * something was left out. Never throws: for dead letters and messages, where a value too deep or
 * too large for JSON.stringify must still leave a trace.
 */
export function stringifyBounded(value: unknown, maxChars: number, maxDepth = 100): string {
  let out = '';
  let cut = false;
  const write = (node: unknown, depth: number): void => {
    if (out.length >= maxChars) {
      cut = true;
      return;
    }
    if (node === null || typeof node !== 'object') {
      out += typeof node === 'bigint' ? String(node) : (JSON.stringify(node) ?? 'null');
      return;
    }
    if (depth >= maxDepth) {
      out += '"…"';
      return;
    }
    const array = Array.isArray(node);
    const keys = array ? undefined : Object.keys(node);
    const count = keys === undefined ? (node as unknown[]).length : keys.length;
    out += array ? '[' : '{';
    for (let index = 0; index < count; index += 1) {
      if (out.length >= maxChars) {
        cut = true;
        return;
      }
      if (index > 0) out += ',';
      if (keys === undefined) write((node as unknown[])[index], depth + 1);
      else {
        const key = keys[index] as string;
        out += `${JSON.stringify(key)}:`;
        write((node as Record<string, unknown>)[key], depth + 1);
      }
    }
    out += array ? ']' : '}';
  };
  write(value, 0);
  return cut || out.length > maxChars ? `${out.slice(0, maxChars)}…` : out;
}
