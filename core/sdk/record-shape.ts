import { suggest } from '../config/schema-check.js';

/**
 * The fields a record can have at some point of a pipeline, as far as Keel can know offline:
 * a source that declares its records, a mapping's output. `undefined` means "anything" (a CSV
 * file, a custom step), and so does a field whose inside is not known.
 */
export interface RecordShape {
  readonly fields: ReadonlyMap<string, RecordShape | undefined>;
}

export function shapeOf(fields: Iterable<[string, RecordShape | undefined]>): RecordShape {
  return { fields: new Map(fields) };
}

/** The shape of records a JSON Schema describes: closed objects only (additionalProperties: false); anything else is unknown. */
export function shapeOfSchema(schema: unknown): RecordShape | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const node = schema as { properties?: Record<string, unknown>; additionalProperties?: unknown };
  if (node.properties === undefined || node.additionalProperties !== false) return undefined;
  return shapeOf(Object.entries(node.properties).map(([name, child]) => [name, shapeOfSchema(child)]));
}

/** The fields of either shape (records from several sources); unknown if either is. */
export function unionShapes(a: RecordShape | undefined, b: RecordShape | undefined): RecordShape | undefined {
  if (a === undefined || b === undefined) return undefined;
  const fields = new Map(a.fields);
  for (const [name, child] of b.fields) fields.set(name, fields.has(name) ? unionShapes(fields.get(name), child) : child);
  return { fields };
}

/**
 * Why a dotted field path cannot exist in records of this shape (with the nearest field that
 * does), or undefined when it can or when the shape does not say.
 */
export function missingField(shape: RecordShape | undefined, path: string): string | undefined {
  let current = shape;
  const segments = path.split('.');
  for (const [index, segment] of segments.entries()) {
    if (current === undefined) return undefined;
    if (!current.fields.has(segment)) {
      const where = index === 0 ? 'the records here' : `"${segments.slice(0, index).join('.')}"`;
      const names = [...current.fields.keys()];
      const hint = suggest(segment, names);
      return `${where} have no field "${segment}"${hint !== undefined ? `; did you mean "${hint}"?` : names.length > 0 ? `; they have: ${names.join(', ')}` : ''}`;
    }
    current = current.fields.get(segment);
  }
  return undefined;
}
