import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Ajv } from 'ajv';
import type { JsonObject } from '../json.js';
import { MODEL_SCHEMAS } from '../model/index.js';
import { RecordRejection } from '../sdk/step.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv2020 | undefined;
const cache = new Map<string, (record: JsonObject) => JsonObject | RecordRejection>();

/**
 * A check of mapped records against a canonical entity's schema, compiled once per entity.
 * A record that fails is rejected with every schema error and where it is.
 */
export function canonicalValidator(entity: string | undefined): ((record: JsonObject) => JsonObject | RecordRejection) | undefined {
  if (entity === undefined) return undefined;
  const known = cache.get(entity);
  if (known !== undefined) return known;
  const schema = (MODEL_SCHEMAS as Record<string, object | undefined>)[entity];
  if (schema === undefined) return undefined;
  if (ajv === undefined) {
    ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv as unknown as Ajv);
  }
  const check = ajv.compile(schema);
  const validator = (record: JsonObject): JsonObject | RecordRejection => {
    if (check(record)) return record;
    const reasons = (check.errors ?? []).slice(0, 8).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
    return new RecordRejection(`not a valid canonical ${entity}: ${reasons.join('; ')}`, 'schema_invalid');
  };
  cache.set(entity, validator);
  return validator;
}
