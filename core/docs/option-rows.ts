/**
 * A connector's options as rows, read from its JSON Schema: one row per option, nested objects
 * flattened to `a.b` (items of a list of objects to `a[].b`). The README tables and the test that
 * every option is described both read these rows, so what the docs say is what the schema holds.
 */

type Schema = Record<string, unknown>;

export interface OptionRow {
  /** Dotted path: `rate_limit.burst`, `csv.delimiter`. */
  path: string;
  /** In words: `integer ≥ 100`, `` `csv`, `json` `` or `string or false`. */
  type: string;
  /** The schema's `default`, when it has one. */
  default?: unknown;
  /** `yes`, `no`, or the condition under which it is required: `` when `type: cursor` ``. */
  required: string;
  description?: string;
  secret: boolean;
}

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The options of an object schema, parents before their children, in declaration order. */
export function optionRows(schema: object, prefix = ''): OptionRow[] {
  const object = schema as Schema;
  if (!isSchema(object['properties'])) return [];
  const required = new Set(Array.isArray(object['required']) ? (object['required'] as string[]) : []);
  const conditions = conditionalRequirements(object);
  const rows: OptionRow[] = [];
  for (const [name, value] of Object.entries(object['properties'])) {
    if (!isSchema(value)) continue;
    const path = `${prefix}${name}`;
    const row: OptionRow = {
      path,
      type: typeOf(value),
      required: required.has(name) ? 'yes' : conditions.has(name) ? `when ${(conditions.get(name) as string[]).join(' or ')}` : 'no',
      secret: value['secret'] === true,
    };
    if (value['default'] !== undefined) row.default = value['default'];
    if (typeof value['description'] === 'string') row.description = value['description'];
    rows.push(row);
    rows.push(...optionRows(value, `${path}.`));
    const items = value['items'];
    if (value['type'] === 'array' && isSchema(items)) rows.push(...optionRows(items, `${path}[].`));
  }
  return rows;
}

/**
 * Options required only when another has a value: `if: { properties: { type: { const: cursor } } },
 * then: { required: [param, path] }`, directly on the object or in its `allOf`.
 */
function conditionalRequirements(object: Schema): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const rules = [object, ...(Array.isArray(object['allOf']) ? (object['allOf'] as unknown[]) : [])].filter(isSchema);
  for (const rule of rules) {
    const condition = isSchema(rule['if']) ? conditionText(rule['if']) : undefined;
    const then = rule['then'];
    if (condition === undefined || !isSchema(then) || !Array.isArray(then['required'])) continue;
    for (const name of then['required'] as string[]) out.set(name, [...(out.get(name) ?? []), condition]);
  }
  return out;
}

function conditionText(condition: Schema): string | undefined {
  const properties = condition['properties'];
  if (!isSchema(properties)) return undefined;
  const parts = Object.entries(properties).flatMap(([name, value]) =>
    isSchema(value) && value['const'] !== undefined ? [`\`${name}: ${String(value['const'])}\``] : [],
  );
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** A schema's type in a few words, with its bounds. */
export function typeOf(schema: Schema): string {
  if (schema['const'] !== undefined) return `\`${String(schema['const'])}\``;
  const variants = (schema['anyOf'] ?? schema['oneOf']) as unknown;
  if (Array.isArray(variants)) return oneOf(variants.filter(isSchema).map(typeOf));
  if (Array.isArray(schema['enum'])) return oneOf((schema['enum'] as unknown[]).map((value) => `\`${String(value)}\``));
  const type = schema['type'];
  if (type === 'array') return `list of ${isSchema(schema['items']) ? typeOf(schema['items']) : 'values'}`;
  if (type === 'object') {
    const values = isSchema(schema['patternProperties']) ? Object.values(schema['patternProperties'])[0] : schema['additionalProperties'];
    return isSchema(values) ? `map of ${typeOf(values)}` : 'object';
  }
  if (typeof type !== 'string') return 'any';
  return `${type}${bounds(schema)}${schema['secret'] === true ? ', secret' : ''}`;
}

function oneOf(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? 'any') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] as string}`;
}

function bounds(schema: Schema): string {
  const min = schema['minimum'] ?? schema['exclusiveMinimum'];
  const max = schema['maximum'];
  const above = schema['exclusiveMinimum'] !== undefined ? '>' : '≥';
  if (typeof min === 'number' && typeof max === 'number') return ` ${min}–${max}`;
  if (typeof min === 'number') return ` ${above} ${min}`;
  if (typeof max === 'number') return ` ≤ ${max}`;
  return '';
}
