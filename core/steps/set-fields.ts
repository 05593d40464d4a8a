import { Type } from '@sinclair/typebox';
import { isPrototypeKey, readPath, setOwn, type JsonObject, type JsonValue } from '../json.js';
import { defineStep } from '../sdk/step.js';

const SetConfig = Type.Object(
  {
    fields: Type.Record(
      Type.String({ minLength: 1 }),
      Type.Union([
        Type.Object({ value: Type.Unknown() }, { additionalProperties: false }),
        Type.Object({ from: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      ]),
      { description: 'new field → { value: constant } or { from: other.field }' },
    ),
    remove: Type.Optional(Type.Array(Type.String(), { description: 'top-level fields to drop' })),
  },
  { additionalProperties: false },
);

/**
 * Sets top-level fields to constants or copies of other fields, and removes fields. A stop-gap
 * for small reshaping; JSON mappings (the `map` step) are the tool for real transformations.
 */
export default defineStep({
  name: 'set',
  description: 'Set fields to constants or to other fields, and remove fields.',
  configSchema: SetConfig,
  create(config) {
    const assignments = Object.entries(config.fields).map(([field, rule]) => {
      if (isPrototypeKey(field)) throw new Error(`set: field name "${field}" is not allowed`);
      return 'from' in rule ? { field, from: rule.from.split('.'), value: undefined } : { field, from: undefined, value: rule.value as JsonValue };
    });
    const remove = new Set(config.remove ?? []);
    return (record) => {
      // Runs once per record: an indexed walk over Object.keys, not Object.entries (an array per
      // field) and not a spread (V8 makes such copies slow dictionaries, slowing every later read).
      const out: JsonObject = {};
      const keys = Object.keys(record);
      for (let index = 0; index < keys.length; index += 1) {
        const key = keys[index] as string;
        if (remove.size === 0 || !remove.has(key)) setOwn(out, key, record[key]);
      }
      for (const assignment of assignments) {
        const value = assignment.from !== undefined ? readPath(record, assignment.from) : assignment.value;
        if (value !== undefined) out[assignment.field] = value as JsonValue;
      }
      return out;
    };
  },
});
