import { createHash } from 'node:crypto';
import { readPath, type JsonObject, type JsonValue } from '../json.js';
import { RecordRejection } from '../sdk/step.js';

export type KeyFunction = (record: JsonObject) => string | RecordRejection;

/**
 * How a target names a record for idempotency, in order of preference: the pipeline's key
 * template (`order-{{id}}`), the stream's primary key, or a hash of the record's content.
 */
export function compileRecordKey(template: string | undefined, primaryKey: readonly string[] | undefined): KeyFunction {
  if (template !== undefined) return compileTemplate(template);
  if (primaryKey !== undefined && primaryKey.length > 0) {
    const paths = primaryKey.map((field) => field.split('.'));
    return (record) => {
      const parts: string[] = [];
      for (const [index, path] of paths.entries()) {
        const value = readPath(record, path);
        if (value === undefined || value === null || value === '') {
          return new RecordRejection(`primary key field "${primaryKey[index]}" is missing, so the record has no idempotency key`, 'key_missing', { field: primaryKey[index] });
        }
        parts.push(String(value));
      }
      return parts.join('|');
    };
  }
  return contentKey;
}

/** Fills `{{field}}` placeholders from a record; `encode` escapes each value (for URL paths). */
export function compileTemplate(template: string, encode: (value: string) => string = (value) => value): KeyFunction {
  const pieces = template.split(/(\{\{\s*[^{}\s]+\s*\}\})/).filter((piece) => piece !== '');
  const parts = pieces.map((piece) => {
    const field = /^\{\{\s*([^{}\s]+)\s*\}\}$/.exec(piece)?.[1];
    return field !== undefined ? { field, path: field.split('.') } : { text: piece };
  });
  return (record) => {
    let key = '';
    for (const part of parts) {
      if ('text' in part) {
        key += part.text;
        continue;
      }
      const value = readPath(record, part.path);
      if (value === undefined || value === null || value === '' || typeof value === 'object') {
        return new RecordRejection(`key template field "${part.field}" is missing or not a scalar, so the record has no idempotency key`, 'key_missing', { field: part.field });
      }
      key += encode(String(value));
    }
    return key;
  };
}

/** A stable hash of a record's content: the same fields and values give the same key in any key order. */
export function contentHash(record: JsonObject): string {
  return createHash('sha256').update(stableJson(record)).digest('hex').slice(0, 40);
}

/** contentHash as a record's key; a record nested deeper than the stack (decoders refuse them, a custom source may not) is refused, not a crash. */
function contentKey(record: JsonObject): string | RecordRejection {
  try {
    return contentHash(record);
  } catch {
    return new RecordRejection('the record is nested too deep to compute its idempotency key', 'key_unavailable', { hint: 'give the target a key: template' });
  }
}

export function stableJson(value: JsonValue | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item)).join(',')}]`;
  // Built by appending rather than map/join: this runs for every record of a live source.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index] as string;
    out += `${index === 0 ? '' : ','}${JSON.stringify(key)}:${stableJson(value[key])}`;
  }
  return `${out}}`;
}

/**
 * One hash over `parts` and then the content of `records` in order (each as stableJson): what a
 * batch holds, in one digest rather than one per record.
 */
export function hashRecords(parts: readonly string[], records: readonly JsonObject[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  for (const record of records) hash.update(stableJson(record)).update('\u0000');
  return hash.digest('hex').slice(0, 32);
}

export function hashParts(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex').slice(0, 32);
}
