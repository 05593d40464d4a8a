import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CODECS, FORMAT_NAMES, formatFromFileName, type FormatName } from '../codecs/index.js';
import { loadProject } from '../config/load-project.js';
import { checkAgainstSchema } from '../config/schema-check.js';
import { YamlSource } from '../config/yaml-source.js';
import { ConfigError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { loadMapping } from '../mapping/load-mapping.js';
import { canonicalValidator } from '../mapping/validate-output.js';
import { DROP, DUPLICATE, RecordRejection, type StepFunction, type StepOutput } from '../sdk/step.js';
import { deepEqual, isSubset, jsonDiff, restrictTo } from './compare.js';
import { replayPlan } from '../routing/plan-replay.js';
import { decisionSummary } from '../routing/plan-report.js';
import { TestFileSchema, type TestCase, type TestFile } from './test-file-schema.js';

export interface TestResult {
  file: string;
  line: number;
  name: string;
  passed: boolean;
  /** Why it failed, with a diff where there is one. */
  detail?: string;
}

/** What a mapping or a pipeline's steps did with the input records. */
interface Outcome {
  outputs: JsonObject[];
  rejections: string[];
  filtered: number;
}

/** Finds `*.test.yaml` under `path` (or runs the one file) and runs every test in them. */
export async function runTests(path: string, cwd = process.cwd()): Promise<TestResult[]> {
  const files = findTestFiles(resolve(cwd, path));
  const results: TestResult[] = [];
  for (const file of files) results.push(...(await runTestFile(file, relative(cwd, file) || file)));
  return results;
}

/**
 * A file named on the command line runs whatever its name. A folder is searched for `*.test.yaml`
 * only: suites that fail on purpose (`*.failing.yaml`, such as core/testing/fixtures, which show
 * that keel test reports failures) are run only when named, so `keel test` on a whole repository
 * or project is green when everything it collects passes.
 */
function findTestFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 8) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      else if (/\.test\.ya?ml$/.test(entry.name)) out.push(full);
    }
  };
  walk(path, 0);
  return out.sort();
}

async function runTestFile(file: string, display: string): Promise<TestResult[]> {
  const source = YamlSource.parse(display, readFileSync(file, 'utf8'));
  const problems = checkAgainstSchema(TestFileSchema, source.value, source, [], 'test file');
  if (problems.length > 0) throw new ConfigError(problems);
  const doc = source.value as TestFile;
  const results: TestResult[] = [];
  for (const [index, test] of doc.tests.entries()) {
    const line = source.position(['tests', index]).line;
    try {
      const failure = test.route_plan !== undefined ? await judgePlan(test, dirname(file)) : judge(test, await execute(test, dirname(file)));
      results.push({ file: display, line, name: test.name, passed: failure === undefined, ...(failure !== undefined ? { detail: failure } : {}) });
    } catch (error) {
      results.push({ file: display, line, name: test.name, passed: false, detail: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}

async function execute(test: TestCase, baseDir: string): Promise<Outcome> {
  if ((test.mapping === undefined) === (test.pipeline === undefined)) throw new Error('a test names either mapping:, pipeline: or route_plan:');
  if (test.input === undefined) throw new Error(`a ${test.mapping !== undefined ? 'mapping' : 'pipeline'} test needs input:`);
  const records = await readInput(test.input, baseDir);
  let steps: StepFunction[];
  if (test.mapping !== undefined) {
    const mapping = loadMapping(resolve(baseDir, test.mapping), test.mapping);
    const validate = canonicalValidator(mapping.target);
    steps = [(record) => mapping.apply(record), ...(validate !== undefined ? [validate] : [])];
  } else {
    const pipelineFile = resolve(baseDir, test.pipeline as string);
    const { plan } = await loadProject(pipelineFile);
    const pipeline = plan.pipelines[0];
    if (pipeline === undefined) throw new Error(`${test.pipeline} holds no pipeline`);
    steps = [];
    for (const step of pipeline.steps) {
      steps.push(await step.definition.create(step.config as never, { projectDir: plan.dir, file: pipeline.file, logger: QUIET }));
    }
  }
  const outcome: Outcome = { outputs: [], rejections: [], filtered: 0 };
  const settle = async (record: JsonObject, from: number): Promise<void> => {
    let current: StepOutput = record;
    for (let index = from; index < steps.length; index += 1) {
      current = await (steps[index] as StepFunction)(current as JsonObject);
      if (current === DROP || current === DUPLICATE || current instanceof RecordRejection) break;
      if (Array.isArray(current)) {
        if (current.length === 0) outcome.filtered += 1;
        for (const one of current) await settle(one, index + 1);
        return;
      }
    }
    // A duplicate a dedupe step drops (it remembers in memory here) is left out like a filtered record.
    if (current === DROP || current === DUPLICATE) outcome.filtered += 1;
    else if (current instanceof RecordRejection) outcome.rejections.push(current.reason);
    else outcome.outputs.push(current as JsonObject);
  };
  for (const record of records) await settle(record, 0);
  return outcome;
}

function judge(test: TestCase, outcome: Outcome): string | undefined {
  const single = outcome.outputs.length === 1 && !Array.isArray(test.expect ?? test.expect_subset);
  const actual: unknown = single ? outcome.outputs[0] : outcome.outputs;
  if (test.expect_rejection !== undefined) {
    if (outcome.rejections.some((reason) => reason.includes(test.expect_rejection as string))) return undefined;
    return `expected a rejection containing "${test.expect_rejection}", got ${outcome.rejections.length > 0 ? outcome.rejections.join('; ') : `${outcome.outputs.length} output record(s)`}`;
  }
  if (outcome.rejections.length > 0 && test.expect_counts?.rejected === undefined) {
    return `${outcome.rejections.length} record(s) rejected:\n  ${outcome.rejections.join('\n  ')}`;
  }
  if (test.expect !== undefined && !deepEqual(test.expect, actual)) return `output differs (- expected, + actual):\n${jsonDiff(test.expect, actual)}`;
  if (test.expect_subset !== undefined && !isSubset(test.expect_subset, actual)) {
    return `output does not contain what is expected (- expected, + actual, cut to the expected keys):\n${jsonDiff(test.expect_subset, restrictTo(test.expect_subset, actual))}`;
  }
  const counts = test.expect_counts;
  if (counts !== undefined) {
    const got = { output: outcome.outputs.length, filtered: outcome.filtered, rejected: outcome.rejections.length };
    for (const key of ['output', 'filtered', 'rejected'] as const) {
      if (counts[key] !== undefined && counts[key] !== got[key]) return `expected ${key} ${counts[key]}, got ${got[key]} (output ${got.output}, filtered ${got.filtered}, rejected ${got.rejected})`;
    }
  }
  return undefined;
}

async function readInput(input: NonNullable<TestCase['input']>, baseDir: string): Promise<JsonObject[]> {
  if (input.record !== undefined) return [input.record as JsonObject];
  if (input.records !== undefined) return input.records as JsonObject[];
  if (input.file === undefined) throw new Error('input needs record, records or file');
  const file = resolve(baseDir, input.file);
  const format = (input.format ?? formatFromFileName(file)) as FormatName | undefined;
  if (format === undefined || !FORMAT_NAMES.includes(format)) throw new Error(`cannot tell the format of ${input.file}; set input.format`);
  const options: Record<string, unknown> =
    format === 'json'
      ? { path: input.path }
      : format === 'xml'
        ? { record: input.element }
        : format === 'csv'
          ? { ...(input.delimiter !== undefined ? { delimiter: input.delimiter } : {}), ...(input.group_by !== undefined ? { group_by: input.group_by } : {}) }
          : {};
  const records: JsonObject[] = [];
  for await (const chunk of CODECS[format].createDecoder(options).decode(createReadStream(file), input.file)) {
    if (chunk.rejects.length > 0) throw new Error(`input ${input.file} cannot be read: ${chunk.rejects[0]?.origin}: ${chunk.rejects[0]?.reason}`);
    records.push(...chunk.records.map((record) => record.data));
  }
  return records;
}

const QUIET = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => QUIET };

/**
 * A routing backtest: the recorded orders replayed through the profile over the snapshot, its
 * figures, single decisions and the number of changed orders checked against the expectations.
 */
async function judgePlan(test: TestCase, baseDir: string): Promise<string | undefined> {
  const spec = test.route_plan;
  if (spec === undefined) return undefined;
  if (test.mapping !== undefined || test.pipeline !== undefined) return 'a route_plan test names no mapping: or pipeline:';
  const at = spec.at !== undefined ? new Date(spec.at) : undefined;
  if (at !== undefined && Number.isNaN(at.getTime())) return `route_plan.at "${spec.at}" is not an ISO 8601 time`;
  const result = await replayPlan({
    project: resolve(baseDir, spec.project ?? '.'),
    orders: resolve(baseDir, spec.orders),
    stock: resolve(baseDir, spec.stock),
    profile: resolve(baseDir, spec.profile),
    ...(spec.against !== undefined ? { against: resolve(baseDir, spec.against) } : {}),
    ...(at !== undefined ? { at } : {}),
  });
  const failures: string[] = [];
  const figures = result.candidate.figures as unknown as Record<string, unknown>;
  for (const [name, wanted] of Object.entries(test.expect_figures ?? {})) {
    if (!(name in figures)) {
      failures.push(`figure ${name} does not exist (figures: ${Object.keys(figures).join(', ')})`);
      continue;
    }
    const actual = figures[name];
    const range = wanted as { min?: unknown; max?: unknown } | null;
    if (typeof actual === 'number' && typeof range === 'object' && range !== null && ('min' in range || 'max' in range)) {
      if ((typeof range.min === 'number' && actual < range.min) || (typeof range.max === 'number' && actual > range.max)) {
        failures.push(`${name} is ${actual}, expected ${typeof range.min === 'number' ? `≥ ${range.min}` : ''}${typeof range.min === 'number' && typeof range.max === 'number' ? ' and ' : ''}${typeof range.max === 'number' ? `≤ ${range.max}` : ''}`);
      }
    } else if (typeof wanted === 'object' && wanted !== null && !Array.isArray(wanted)) {
      if (!isSubset(wanted, actual)) failures.push(`${name}: expected ${JSON.stringify(wanted)} within ${JSON.stringify(actual)}`);
    } else if (!deepEqual(wanted, actual)) failures.push(`${name} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  }
  const decided = new Map(result.candidate.decisions.map((decision) => [decision.order_key, decisionSummary(decision)]));
  for (const [key, wanted] of Object.entries(test.expect_routes ?? {})) {
    const actual = decided.get(key);
    if (actual === undefined) failures.push(`order ${key} is not among the replayed orders`);
    else if (actual !== wanted) failures.push(`order ${key} went ${actual}, expected ${wanted}`);
  }
  if (test.expect_changed !== undefined) {
    if (result.changed === undefined) failures.push('expect_changed needs route_plan.against');
    else if (result.changed.length !== test.expect_changed) {
      failures.push(`${result.changed.length} orders routed differently, expected ${test.expect_changed}: ${result.changed.map((item) => `${item.order_key} ${item.before} → ${item.after}`).join('; ')}`);
    }
  }
  return failures.length > 0 ? failures.join('\n') : undefined;
}
