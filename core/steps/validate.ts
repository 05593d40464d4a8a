import { Type } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RecordRejection, defineStep } from '../sdk/step.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const ValidateConfig = Type.Object(
  {
    schema: Type.String({ minLength: 1, description: 'JSON Schema file, relative to the project' }),
  },
  { additionalProperties: false },
);

/** Checks each record against a JSON Schema, compiled once; failures go to the dead-letter queue with every error. */
export default defineStep({
  name: 'validate',
  description: 'Dead-letter records that do not match a JSON Schema file.',
  configSchema: ValidateConfig,
  create(config, ctx) {
    const file = resolve(ctx.projectDir, config.schema);
    let schema: object;
    try {
      schema = JSON.parse(readFileSync(file, 'utf8')) as object;
    } catch (error) {
      throw new Error(`validate: cannot read schema ${config.schema}: ${(error as Error).message}`);
    }
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    let check: ValidateFunction;
    try {
      check = ajv.compile(schema);
    } catch (error) {
      throw new Error(`validate: schema ${config.schema} is not a valid JSON Schema: ${(error as Error).message}`);
    }
    return (record) => {
      if (check(record)) return record;
      const reasons = (check.errors ?? []).slice(0, 10).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
      return new RecordRejection(`schema ${config.schema}: ${reasons.join('; ')}`, 'schema_invalid');
    };
  },
  // Validating changes no record.
  shape: (_config, input) => ({ output: input, problems: [] }),
});
