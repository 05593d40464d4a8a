import { Type } from '@sinclair/typebox';
import { isPrototypeKey, readPath, setOwn, type JsonObject, type JsonValue } from '../json.js';
import { missingField, type RecordShape } from '../sdk/record-shape.js';
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
      // Runs once per record. Object.assign onto an empty object is V8's fastest copy (twice an
      // indexed walk; a spread makes a slow dictionary that slows every later read), but it
      // assigns: an own `__proto__` key would set the copy's prototype, so such records, and
      // copies that leave fields out, take the walk with setOwn.
      let out: JsonObject;
      if (remove.size === 0 && !Object.hasOwn(record, '__proto__')) out = Object.assign({}, record);
      else {
        out = {};
        const keys = Object.keys(record);
        for (let index = 0; index < keys.length; index += 1) {
          const key = keys[index] as string;
          if (!remove.has(key)) setOwn(out, key, record[key]);
        }
      }
      for (const assignment of assignments) {
        const value = assignment.from !== undefined ? readPath(record, assignment.from) : assignment.value;
        if (value !== undefined) out[assignment.field] = value as JsonValue;
      }
      return out;
    };
  },
  shape(config, input) {
    const problems = Object.entries(config.fields).flatMap(([field, rule]) => {
      const missing = 'from' in rule ? missingField(input, rule.from) : undefined;
      return missing === undefined ? [] : [{ path: ['fields', field, 'from'], message: `set ${field} from "${(rule as { from: string }).from}": ${missing}` }];
    });
    const remove = new Set(config.remove ?? []);
    let output: RecordShape | undefined;
    if (input !== undefined) {
      const fields = new Map([...input.fields].filter(([name]) => !remove.has(name)));
      for (const field of Object.keys(config.fields)) fields.set(field, undefined);
      output = { fields };
    }
    return { output, problems };
  },
});
