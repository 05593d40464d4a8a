import { Type, type Static } from '@sinclair/typebox';
import { readPath, type JsonValue } from '../json.js';
import { missingField } from '../sdk/record-shape.js';
import { DROP, defineStep } from '../sdk/step.js';

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

const Condition = Type.Object(
  {
    field: Type.String({ minLength: 1, description: 'dotted path, e.g. shipping_address.country_code' }),
    equals: Type.Optional(Scalar),
    not_equals: Type.Optional(Scalar),
    in: Type.Optional(Type.Array(Scalar, { minItems: 1 })),
    not_in: Type.Optional(Type.Array(Scalar, { minItems: 1 })),
    exists: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 2 },
);

const FilterConfig = Type.Object(
  {
    where: Type.Array(Condition, { minItems: 1, description: 'all conditions must hold for a record to pass' }),
  },
  { additionalProperties: false },
);

type ConditionConfig = Static<typeof Condition>;

/** Keeps records matching every condition; the others are skipped (counted, not dead-lettered). */
export default defineStep({
  name: 'filter',
  description: 'Keep only records whose fields match every condition in `where`.',
  configSchema: FilterConfig,
  create(config) {
    const tests = config.where.map(compileCondition);
    return (record) => (tests.every((test) => test(record)) ? record : DROP);
  },
  // A condition on a field the records cannot have drops every record, silently: refuse it offline.
  shape(config, input) {
    const problems = config.where.flatMap((condition, index) => {
      const missing = missingField(input, condition.field);
      return missing === undefined ? [] : [{ path: ['where', index, 'field'], message: `filter on "${condition.field}": ${missing}` }];
    });
    return { output: input, problems };
  },
});

function compileCondition(condition: ConditionConfig): (record: Record<string, JsonValue>) => boolean {
  const path = condition.field.split('.');
  const checks: ((value: unknown) => boolean)[] = [];
  if (condition.equals !== undefined) checks.push((value) => same(value, condition.equals));
  if (condition.not_equals !== undefined) checks.push((value) => !same(value, condition.not_equals));
  if (condition.in !== undefined) {
    const allowed = condition.in;
    checks.push((value) => allowed.some((item) => same(value, item)));
  }
  if (condition.not_in !== undefined) {
    const refused = condition.not_in;
    checks.push((value) => !refused.some((item) => same(value, item)));
  }
  if (condition.exists !== undefined) {
    const wanted = condition.exists;
    checks.push((value) => (value !== undefined && value !== null && value !== '') === wanted);
  }
  return (record) => {
    const value = readPath(record, path);
    return checks.every((check) => check(value));
  };
}

/** CSV and XML deliver every value as a string, so `equals: 2` also matches "2". */
function same(value: unknown, expected: unknown): boolean {
  if (value === expected) return true;
  if (value === undefined || value === null || expected === null) return false;
  return String(value) === String(expected);
}
