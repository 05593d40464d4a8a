import { isJsonObject } from '../json.js';
import { expectThat } from './failure.js';
import type { CheckSession } from './session.js';
import type { OpenedFixture } from './spec.js';

type Schema = Record<string, unknown>;
const asSchema = (value: unknown): Schema | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Schema) : undefined);

/**
 * Visits the schemas of every value in `value` that `schema` describes, including the branches of
 * unions and conditionals: `visit(subschema, value, path)`. A value may be undefined (schema only).
 */
function walk(schema: Schema, value: unknown, path: string[], visit: (schema: Schema, value: unknown, path: string[]) => void): void {
  visit(schema, value, path);
  const object = isJsonObject(value) ? value : undefined;
  const properties = asSchema(schema['properties']);
  for (const [name, child] of Object.entries(properties ?? {})) {
    const sub = asSchema(child);
    if (sub !== undefined) walk(sub, object?.[name], [...path, name], visit);
  }
  const additional = asSchema(schema['additionalProperties']);
  if (additional !== undefined) {
    if (object === undefined) walk(additional, undefined, [...path, '*'], visit);
    for (const [name, child] of Object.entries(object ?? {})) if (properties?.[name] === undefined) walk(additional, child, [...path, name], visit);
  }
  const items = asSchema(schema['items']);
  if (items !== undefined) {
    if (!Array.isArray(value)) walk(items, undefined, [...path, '0'], visit);
    else value.forEach((item, index) => walk(items, item, [...path, String(index)], visit));
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
    const branches = schema[keyword];
    if (!Array.isArray(branches)) continue;
    for (const branch of branches.map(asSchema)) if (branch !== undefined) walk(branch, value, path, visit);
  }
  for (const keyword of ['then', 'else']) {
    const branch = asSchema(schema[keyword]);
    if (branch !== undefined) walk(branch, value, path, visit);
  }
}

/** Fields of a config schema marked `secret: true`, as dotted paths. */
export function secretFields(schema: object): string[] {
  const found = new Set<string>();
  walk(schema as Schema, undefined, [], (sub, _, path) => {
    if (sub['secret'] === true) found.add(path.join('.'));
  });
  return [...found];
}

/** The values a config gives its secret fields, with the field each came from. */
export function secretValues(schema: object, config: unknown): { field: string; value: string }[] {
  const found = new Map<string, string>();
  walk(schema as Schema, config, [], (sub, value, path) => {
    if (sub['secret'] === true && typeof value === 'string') found.set(value, path.join('.'));
  });
  return [...found].map(([value, field]) => ({ field, value }));
}

/** A secret as it may leak: as written, URL-encoded (a query string), in base64 (a header). */
function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [...new Set([secret, encodeURIComponent(secret), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url')])];
}

/**
 * Looks for the config's secret values in everything the connector said during a session: log
 * lines at every level, thrown errors with their causes, record errors and rejects (what dead
 * letters keep). Fails naming the field and a bit of the text around it, the secret masked.
 */
export function expectNoSecrets(session: CheckSession<OpenedFixture<unknown>>, schema: object, scenario: string): void {
  for (const { field, value } of secretValues(schema, session.opened.config)) {
    if (value.length < 4) continue;
    for (const form of formsOf(value)) {
      const text = session.said.find((said) => said.includes(form));
      expectThat(text === undefined, () => {
        const at = (text as string).indexOf(form);
        const around = `${(text as string).slice(Math.max(0, at - 80), at)}<${field}>${(text as string).slice(at + form.length, at + form.length + 80)}`;
        return `the secret config field ${field} appeared in what the connector logged or reported (${scenario}): …${around}…; never put credentials into messages, log fields or record errors`;
      });
    }
  }
}
