import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { closest, distance } from 'fastest-levenshtein';
import type { ConfigProblem } from '../errors.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

// ajv-formats ships CommonJS with a default export object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Builds the ajv instance used for config (not for records: those get their own, compiled once per run). */
export function createConfigAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
  addFormats(ajv);
  // `secret: true` marks config fields that must come from ${env:…} or ${file:…}.
  ajv.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
  return ajv;
}

const shared = createConfigAjv();
const cache = new WeakMap<object, ValidateFunction>();

export function compileSchema(schema: object): ValidateFunction {
  let validate = cache.get(schema);
  if (validate === undefined) {
    validate = shared.compile(schema);
    cache.set(schema, validate);
  }
  return validate;
}

/**
 * Checks `value` (found at `basePath` in `source`) against a schema; problems name file:line:col.
 * `skip` leaves out errors by where they are in the value and their keyword (a pattern on a
 * `${env:…}` reference is checked once the reference is resolved).
 */
export function checkAgainstSchema(
  schema: object,
  value: unknown,
  source: YamlSource,
  basePath: YamlPath,
  what: string,
  skip?: (path: YamlPath, keyword: string) => boolean,
): ConfigProblem[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // A union reports each failed branch and then itself; the union's summary says it better.
  const unions = new Set(errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf').map((error) => error.instancePath));
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    if (skip?.(pointerToPath(error.instancePath), error.keyword) === true) continue;
    // propertyNames reports the inner failure (pattern) too; its own error says it better.
    if (error.propertyName !== undefined && error.keyword !== 'propertyNames') continue;
    if (unions.has(error.instancePath) && error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    const problem = describe(error, schema, source, basePath, what);
    const id = `${problem.line}:${problem.col}:${problem.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      problems.push(problem);
    }
  }
  return problems;
}

function describe(error: ErrorObject, rootSchema: object, source: YamlSource, basePath: YamlPath, what: string): ConfigProblem {
  const relative = pointerToPath(error.instancePath);
  const path = [...basePath, ...relative];
  const where = relative.length === 0 ? what : `${what} at ${formatPath(relative)}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const keyPath = [...path, key];
      const parentSchema = schemaAt(rootSchema, error.schemaPath);
      const allowed = Object.keys((parentSchema?.['properties'] as object | undefined) ?? {});
      const patterns = Object.keys((parentSchema?.['patternProperties'] as object | undefined) ?? {});
      let message: string;
      if (allowed.length === 0 && patterns.length > 0) {
        message = `name "${key}" in ${where} is not allowed: use lower-case letters, digits, - and _ (pattern ${patterns[0]})`;
      } else {
        message = `unknown key "${key}" in ${where}`;
        const suggestion = suggest(key, allowed);
        message += suggestion !== undefined ? `; did you mean "${suggestion}"?` : `; allowed keys: ${allowed.join(', ')}`;
      }
      return { file: source.file, ...source.position(keyPath, { key: true }), message };
    }
    case 'propertyNames': {
      const name = String(params['propertyName']);
      return {
        file: source.file,
        ...source.position([...path, name], { key: true }),
        message: `name "${name}" in ${where} is not allowed: use lower-case letters, digits, - and _`,
      };
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      const parentSchema = schemaAt(rootSchema, error.schemaPath);
      const properties = parentSchema?.['properties'] as Record<string, { description?: string }> | undefined;
      const hint = properties?.[missing]?.description;
      const message = `missing required key "${missing}" in ${where}${hint !== undefined ? ` (${hint})` : ''}`;
      return { file: source.file, ...source.position(path, { key: path.length > 0 }), message };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      return enumProblem(source, path, where, allowed, valueAt(source.value, path));
    }
    case 'const': {
      // Unions of literals report one `const` error per branch; the anyOf error below summarises them.
      return { file: source.file, ...source.position(path), message: `${where} must be ${JSON.stringify(params['allowedValue'])}` };
    }
    case 'anyOf':
    case 'oneOf': {
      const branchSchema = schemaAt(rootSchema, error.schemaPath);
      const branches = (branchSchema?.[error.keyword] as Record<string, unknown>[] | undefined) ?? [];
      const literals = branches.map((branch) => branch['const']).filter((value) => value !== undefined).map(String);
      if (literals.length === branches.length && literals.length > 0) {
        return enumProblem(source, path, where, literals, valueAt(source.value, path));
      }
      return { file: source.file, ...source.position(path), message: `${where} does not match any allowed form` };
    }
    case 'type': {
      const actual = valueAt(source.value, path);
      const got = actual === null ? 'null' : Array.isArray(actual) ? 'a list' : typeof actual === 'object' ? 'a map' : `${typeof actual} ${JSON.stringify(actual)}`;
      return { file: source.file, ...source.position(path), message: `${where} must be ${article(String(params['type']))}, got ${got}` };
    }
    default:
      return { file: source.file, ...source.position(path), message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

function enumProblem(source: YamlSource, path: YamlPath, where: string, allowed: string[], actual: unknown): ConfigProblem {
  let message = `${where} must be one of: ${allowed.join(', ')} (got ${JSON.stringify(actual)})`;
  if (typeof actual === 'string') {
    const suggestion = suggest(actual, allowed);
    if (suggestion !== undefined) message += `; did you mean "${suggestion}"?`;
  }
  return { file: source.file, ...source.position(path), message };
}

/** The closest allowed word, when it is close enough to be a typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, [...candidates]);
  const limit = Math.max(2, Math.floor(word.length / 3));
  return distance(word, best) <= limit ? best : undefined;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function formatPath(path: YamlPath): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(root: unknown, path: YamlPath): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The schema object that reported an error: the schema path minus its final keyword. */
function schemaAt(root: object, schemaPath: string): Record<string, unknown> | undefined {
  const parts = pointerToPath(schemaPath.replace(/^#/, '')).slice(0, -1);
  let current: unknown = root;
  for (const part of parts) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return typeof current === 'object' && current !== null ? (current as Record<string, unknown>) : undefined;
}
