import type { JsonValue } from '../json.js';

/** One difference between two versions of a record, at a path such as `lines[0].quantity`. */
export interface FieldChange {
  path: string;
  before: JsonValue | undefined;
  after: JsonValue | undefined;
}

/** Every field that differs, depth first in the order of the newer version's fields, then removed ones. */
export function recordChanges(before: JsonValue | undefined, after: JsonValue | undefined, path = '', out: FieldChange[] = [], limit = 1000): FieldChange[] {
  if (out.length >= limit) return out;
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(after)) recordChanges(before[key], after[key], path === '' ? key : `${path}.${key}`, out, limit);
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) out.push({ path: path === '' ? key : `${path}.${key}`, before: before[key], after: undefined });
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index += 1) recordChanges(before[index], after[index], `${path}[${index}]`, out, limit);
    return out;
  }
  // Scalars, or an object against an array or a scalar: compared as they are.
  if (before !== after) out.push({ path: path === '' ? '(record)' : path, before, after });
  return out;
}

/**
 * The differences as one line a person can act on: `total_price "19.99" → "24.99"; note added
 * "gift wrap"; lines[1] removed`. At most `shown` of them, then how many more.
 */
export function describeChanges(before: JsonValue | undefined, after: JsonValue | undefined, shown = 8): string {
  const changes = recordChanges(before, after);
  if (changes.length === 0) return 'no field differs (only the order of fields or items)';
  const parts = changes.slice(0, shown).map((change) => {
    if (change.before === undefined) return `${change.path} added ${render(change.after)}`;
    if (change.after === undefined) return `${change.path} removed (was ${render(change.before)})`;
    return `${change.path} ${render(change.before)} → ${render(change.after)}`;
  });
  const more = changes.length - shown;
  return `${parts.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

const MAX_VALUE_CHARS = 60;

function render(value: JsonValue | undefined): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS - 1)}…`;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
