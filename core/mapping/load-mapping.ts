import { parse as parseCsv } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { KeelError } from '../errors.js';
import { missingFile } from '../files/missing-file.js';
import type { JsonObject } from '../json.js';
import { RecordRejection } from '../sdk/step.js';
import { compileMapping, DEFAULT_DATE_WINDOW, MappingCompileError, type MappingOutput, type Rule } from './compile.js';
import { MappingFailure } from './helpers.js';
import { MappingDocumentSchema, type Condition, type MappingDocument } from './mapping-schema.js';
import { checkCanonicalFields, outputShape } from './output-shape.js';
import { MODEL_SCHEMAS } from '../model/index.js';
import type { RecordShape } from '../sdk/record-shape.js';

export interface CompiledMapping {
  name: string;
  file: string;
  /** Canonical entity the output should match, when the mapping says. */
  target: string | undefined;
  async: boolean;
  /** The fields the mapping writes, for checking the steps after it offline. */
  outputShape: RecordShape;
  /** The mapped record (records, with for_each), or why it cannot be mapped (the rule's pointer and the source path). */
  apply(record: JsonObject): MappingOutput | RecordRejection | Promise<MappingOutput | RecordRejection>;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateDocument = ajv.compile(MappingDocumentSchema);

/** Reads, checks and compiles a mapping file. Errors name the file and the JSON pointer of the rule. */
export function loadMapping(file: string, display: string = file): CompiledMapping {
  const missing = missingFile(file, display);
  if (missing !== undefined) {
    throw new KeelError('config', `mapping ${missing}${display.startsWith('keel:') ? ' (keel: names a mapping shipped in Keel\'s mappings/ folder)' : ''}`, { code: 'mapping_missing', stage: 'mapping' });
  }
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw mappingError(display, '', (error as Error).message);
  }
  return compileMappingDocument(document, file, display);
}

export function compileMappingDocument(document: unknown, file: string, display: string = file): CompiledMapping {
  if (!validateDocument(document)) throw mappingError(display, ...bestError(validateDocument.errors ?? []));
  const doc = document as MappingDocument;
  const baseDir = dirname(file);
  let compiled;
  try {
    const canonical = doc.target !== undefined ? (MODEL_SCHEMAS as Record<string, object | undefined>)[doc.target] : undefined;
    if (canonical !== undefined && doc.target !== undefined) checkCanonicalFields(doc.output as Record<string, Rule>, canonical, doc.target.replace(/_/g, ' '));
    compiled = compileMapping(doc.output as Record<string, Rule>, {
      name: doc.name,
      loadTable: (table) => loadTable(resolve(baseDir, table)),
      ...(doc.for_each !== undefined ? { forEach: doc.for_each } : {}),
      ...(doc.where !== undefined && doc.where !== null ? { where: doc.where as Condition } : {}),
      // Dates are checked where they enter the canonical model; mappings out of it write what the model holds.
      dateWindow: doc.date_window ?? (doc.target !== undefined ? DEFAULT_DATE_WINDOW : false),
    });
  } catch (error) {
    if (error instanceof MappingCompileError) throw mappingError(display, error.pointer, error.problem);
    throw error;
  }
  const fn = compiled.fn;
  const prefix = `mapping ${doc.name} `;
  const reject = (error: unknown): RecordRejection => {
    if (error instanceof MappingFailure) return new RecordRejection(prefix + error.message, 'mapping_failed');
    return new RecordRejection(`${prefix}failed: ${error instanceof Error ? error.message : String(error)}`, 'mapping_failed');
  };
  const apply = compiled.async
    ? async (record: JsonObject) => {
        try {
          return await fn(record);
        } catch (error) {
          return reject(error);
        }
      }
    : (record: JsonObject) => {
        try {
          return fn(record) as MappingOutput;
        } catch (error) {
          return reject(error);
        }
      };
  return { name: doc.name, file, target: doc.target, async: compiled.async, outputShape: outputShape(doc.output as Record<string, Rule>), apply };
}

function loadTable(file: string): Map<string, unknown> {
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  const table = new Map<string, unknown>();
  for (const row of rows) {
    if (row['key'] === undefined || row['value'] === undefined) throw new Error(`lookup table ${file} needs the columns key,value`);
    table.set(row['key'], row['value']);
  }
  return table;
}

/** Of ajv's errors for a union-heavy schema, the one that says most: deepest path, not a type mismatch. */
function bestError(errors: ErrorObject[]): [string, string] {
  const useful = errors.filter((error) => error.keyword !== 'anyOf' && error.keyword !== 'oneOf');
  const ranked = [...useful].sort((a, b) => score(b) - score(a));
  const best = ranked[0];
  if (best === undefined) return ['', 'is not a valid mapping'];
  const params = best.params as Record<string, unknown>;
  if (best.keyword === 'additionalProperties') return [best.instancePath, `unknown key "${String(params['additionalProperty'])}"`];
  if (best.keyword === 'required') return [best.instancePath, `missing required key "${String(params['missingProperty'])}"`];
  return [best.instancePath, best.message ?? 'is invalid'];
}

function score(error: ErrorObject): number {
  const depth = error.instancePath.split('/').length * 10;
  return depth + (error.keyword === 'type' ? 0 : 5);
}

function mappingError(file: string, pointer: string, problem: string): KeelError {
  return new KeelError('config', `${file}#${pointer}: ${problem}`, { code: 'mapping_invalid', stage: 'mapping' });
}
