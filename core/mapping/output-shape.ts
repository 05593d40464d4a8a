import { suggest } from '../config/schema-check.js';
import { shapeOf, unionShapes, type RecordShape } from '../sdk/record-shape.js';
import { MappingCompileError, type Rule, type RuleObject } from './compile.js';

/** The fields a mapping writes: its output's keys, and inside them the keys of objects it builds. */
export function outputShape(output: Record<string, Rule>): RecordShape {
  return shapeOf(Object.entries(output).map(([name, rule]) => [name, ruleShape(rule)]));
}

function ruleShape(rule: Rule): RecordShape | undefined {
  if (typeof rule === 'string') return undefined;
  if (rule.object !== undefined) return outputShape(rule.object);
  // Alternatives that all build objects build an object with the fields of any of them.
  const alternatives = alternativesOf(rule);
  if (alternatives.length === 0) return undefined;
  return alternatives.map(ruleShape).reduce((a, b) => unionShapes(a, b));
}

function alternativesOf(rule: RuleObject): Rule[] {
  if (rule.first !== undefined) return rule.first;
  if (rule.if !== undefined) return [rule.then, rule.else].filter((branch): branch is Rule => branch !== undefined);
  return [];
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: unknown;
  items?: SchemaNode;
}

/**
 * The first output field the canonical entity cannot hold, as a compile error naming the field
 * and the nearest one it has: otherwise every record would be dead-lettered at run time with
 * "must NOT have additional properties". Fields inside objects and list items are checked too.
 */
export function checkCanonicalFields(output: Record<string, Rule>, schema: object, entity: string, pointer = '/output'): void {
  checkObject(output, schema as SchemaNode, `canonical ${entity}`, pointer);
}

function checkObject(fields: Record<string, Rule>, schema: SchemaNode | undefined, what: string, pointer: string): void {
  if (schema?.properties === undefined || schema.additionalProperties !== false) return;
  const known = Object.keys(schema.properties);
  for (const [name, rule] of Object.entries(fields)) {
    const at = `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!Object.hasOwn(schema.properties, name)) {
      const hint = suggest(name, known);
      throw new MappingCompileError(at, `the ${what} has no field "${name}"${hint !== undefined ? `; did you mean "${hint}"?` : `; its fields: ${known.join(', ')}`}`);
    }
    checkRule(rule, schema.properties[name], `${what}'s ${name}`, at);
  }
}

function checkRule(rule: Rule, schema: SchemaNode | undefined, what: string, pointer: string): void {
  if (typeof rule === 'string') return;
  if (rule.object !== undefined) checkObject(rule.object, schema, what, `${pointer}/object`);
  if (rule.each !== undefined && rule.map !== undefined) checkRule(rule.map, schema?.items, `${what} item`, `${pointer}/map`);
  rule.first?.forEach((alternative, index) => checkRule(alternative, schema, what, `${pointer}/first/${index}`));
  if (rule.then !== undefined) checkRule(rule.then, schema, what, `${pointer}/then`);
  if (rule.else !== undefined) checkRule(rule.else, schema, what, `${pointer}/else`);
  if (rule.default !== undefined) checkRule(rule.default, schema, what, `${pointer}/default`);
}
