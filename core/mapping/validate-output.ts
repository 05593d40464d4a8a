import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Ajv } from 'ajv';
import type { JsonObject } from '../json.js';
import { MODEL_SCHEMAS } from '../model/index.js';
import { RecordRejection } from '../sdk/step.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv2020 | undefined;
const cache = new Map<string, OutputValidator>();

/**
 * A check of mapped records against a canonical entity's schema, compiled once per entity.
 * A record that fails is rejected with every schema error and where it is.
 */
export type OutputValidator = <T extends JsonObject | JsonObject[]>(output: T) => T | RecordRejection;

export function canonicalValidator(entity: string | undefined): OutputValidator | undefined {
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
  const validator = <T extends JsonObject | JsonObject[]>(output: T): T | RecordRejection => {
    // With for_each a record maps to several; one invalid output rejects the source record whole.
    const records: JsonObject[] = Array.isArray(output) ? output : [output];
    for (const [index, record] of records.entries()) {
      if (check(record)) continue;
      const reasons = (check.errors ?? []).slice(0, 8).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
      const which = Array.isArray(output) ? ` (output ${index + 1} of ${records.length})` : '';
      return new RecordRejection(`not a valid canonical ${entity}${which}: ${reasons.join('; ')}`, 'schema_invalid');
    }
    return output;
  };
  cache.set(entity, validator);
  return validator;
}
