import { Type } from '@sinclair/typebox';
import { loadMapping } from '../mapping/load-mapping.js';
import { resolveMappingPath } from '../package-root.js';
import { canonicalValidator } from '../mapping/validate-output.js';
import { RecordRejection, defineStep } from '../sdk/step.js';

const MapConfig = Type.Object(
  {
    mapping: Type.String({
      minLength: 1,
      description: 'mapping file relative to the project (mappings/my-shop.json), or one shipped with Keel: keel:shopify/order.to-canonical.json',
    }),
    validate: Type.Optional(
      Type.Boolean({ default: true, description: "check each output against the canonical schema of the mapping's target" }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Transforms each record with a compiled JSON mapping, then (by default) checks the result
 * against the canonical schema: a record that cannot be mapped or does not fit is dead-lettered
 * with the rule, the source path and the schema error.
 */
export default defineStep({
  name: 'map',
  description: 'Transform records with a JSON mapping and check them against the canonical model.',
  configSchema: MapConfig,
  create(config, ctx) {
    const mapping = loadMapping(resolveMappingPath(config.mapping, ctx.projectDir), config.mapping);
    const validate = config.validate === false ? undefined : canonicalValidator(mapping.target);
    if (config.validate === true && validate === undefined) {
      throw new Error(`mapping ${mapping.name} names no canonical target to validate against; set target: in the mapping or validate: false`);
    }
    if (validate === undefined) return (record) => mapping.apply(record);
    if (mapping.async) {
      return async (record) => {
        const output = await mapping.apply(record);
        return output instanceof RecordRejection ? output : validate(output);
      };
    }
    return (record) => {
      const output = mapping.apply(record) as Exclude<ReturnType<typeof mapping.apply>, Promise<unknown>>;
      return output instanceof RecordRejection ? output : validate(output);
    };
  },
  // What comes out is what the mapping writes: its output fields, whatever came in.
  shape(config, _input, ctx) {
    const mapping = loadMapping(resolveMappingPath(config.mapping, ctx.projectDir), config.mapping);
    return { output: mapping.outputShape, problems: [] };
  },
});
