import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ErrorObject } from 'ajv';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { loadProject } from '../core/config/load-project.js';
import type { PipelinePlan } from '../core/config/plan.js';
import { compileSchema } from '../core/config/schema-check.js';
import { RoutingProfileSchema } from '../core/routing/profile-schema.js';
import { TestCaseSchema, TestFileSchema } from '../core/testing/test-file-schema.js';
import { tempProject } from './temp-project.js';

/**
 * What a YAML example in the docs is an example of, said in its fence's info string
 * (```` ```yaml keel:pipeline ````), and how it is checked:
 * - `pipeline`: a pipeline file; it must load (`keel validate`'s checks, offline).
 * - `pipeline-part`: part of one (`source:` and `connections:`, `steps:`, `targets:` …); what is
 *   left out is filled with a file source or target, and the whole must load.
 * - `project`: keel.yaml or sections of it; it must load.
 * - `routing-profile`: a routing profile; checked against its schema.
 * - `test-suite`: a `*.test.yaml` suite, or some of its cases; checked against its schema.
 * - `none`: YAML that is not Keel's (a CI file, say): said so explicitly, so nothing is skipped silently.
 * Attributes: `project=<dir>` loads it into a copy of that project (its keel.yaml connections,
 * inventory and routing, its pipelines' names); the flag `excerpt` marks a shortened copy whose
 * `…` lines stand for what was left out, so required keys may be missing.
 */
export const EXAMPLE_KINDS = ['pipeline', 'pipeline-part', 'project', 'routing-profile', 'test-suite', 'none'] as const;
export type ExampleKind = (typeof EXAMPLE_KINDS)[number];

export interface ExampleSpec {
  kind: ExampleKind;
  /** Absolute folder of the project the example belongs to. */
  project?: string;
  excerpt?: boolean;
}

export interface StreamUse {
  connector: string;
  stream: string;
  direction: 'read' | 'write';
}

export interface ExampleOutcome {
  /** `line:col: message`, lines counted in the example; empty when it is valid. */
  problems: string[];
  /** The pipeline as loaded (pipeline kinds). */
  pipeline?: PipelinePlan;
  /** Streams the example uses, placeholders left out. */
  uses: StreamUse[];
}

/** Stands in for the source or targets a pipeline part leaves out. */
const PLACEHOLDER_CONNECTIONS = {
  'docs-example-in': { connector: 'file', config: { root: './in' } },
  'docs-example-out': { connector: 'file', config: { root: './out' } },
};
const PLACEHOLDER_SOURCE = 'source: { connection: docs-example-in, stream: files, options: { path: "*.ndjson" } }\n';
const PLACEHOLDER_TARGETS = 'targets: [{ connection: docs-example-out, stream: files, options: { path: "out-{seq}.ndjson" } }]\n';

export async function checkExample(yaml: string, spec: ExampleSpec): Promise<ExampleOutcome> {
  const text = spec.excerpt === true ? yaml.replace(/^\s*…\s*$/gm, '') : yaml;
  let document: unknown;
  try {
    document = parse(text, { prettyErrors: true });
  } catch (error) {
    return { problems: [`not YAML: ${(error as Error).message}`], uses: [] };
  }
  switch (spec.kind) {
    case 'none':
      return { problems: [], uses: [] };
    case 'routing-profile':
      return { problems: schemaProblems(RoutingProfileSchema, document, spec.excerpt === true), uses: [] };
    case 'test-suite':
      return {
        problems: Array.isArray(document)
          ? document.flatMap((item, index) => schemaProblems(TestCaseSchema, item, spec.excerpt === true).map((problem) => `case ${index + 1}: ${problem}`))
          : schemaProblems(TestFileSchema, document, spec.excerpt === true),
        uses: [],
      };
    case 'project':
      return checkProjectExample(text, document, spec);
    case 'pipeline':
    case 'pipeline-part':
      return checkPipelineExample(text, document, spec);
  }
}

async function checkPipelineExample(text: string, document: unknown, spec: ExampleSpec): Promise<ExampleOutcome> {
  if (!isObject(document)) return { problems: ['a pipeline is a mapping of keys (name:, source:, targets: …)'], uses: [] };
  let pipeline = text;
  let shift = 0;
  if (spec.kind === 'pipeline-part') {
    if (document['name'] === undefined) {
      pipeline = `name: docs-example\n${pipeline}`;
      shift = 1;
    }
    if (document['source'] === undefined && document['sources'] === undefined) pipeline += PLACEHOLDER_SOURCE;
    if (document['targets'] === undefined) pipeline += PLACEHOLDER_TARGETS;
  }
  const loaded = await loadInProject(spec.project, { connections: PLACEHOLDER_CONNECTIONS }, { 'pipelines/docs-example.yaml': pipeline }, 'pipelines/docs-example.yaml', shift);
  const plan = loaded.pipelines?.[0];
  if (plan === undefined) return { problems: loaded.problems, uses: [] };
  const uses: StreamUse[] = [
    ...plan.sources.map((source) => ({ connector: source.connection.entry.name, stream: source.stream, connection: source.connection.name, direction: 'read' as const })),
    ...plan.targets.map((target) => ({ connector: target.connection.entry.name, stream: target.stream, connection: target.connection.name, direction: 'write' as const })),
  ]
    .filter((use) => !(use.connection in PLACEHOLDER_CONNECTIONS))
    .map(({ connector, stream, direction }) => ({ connector, stream, direction }));
  return { problems: [], pipeline: plan, uses };
}

async function checkProjectExample(text: string, document: unknown, spec: ExampleSpec): Promise<ExampleOutcome> {
  if (!isObject(document)) return { problems: ['keel.yaml is a mapping of keys (name:, connections:, inventory: …)'], uses: [] };
  const pipeline = `name: docs-example\nconnections: ${JSON.stringify(PLACEHOLDER_CONNECTIONS)}\n${PLACEHOLDER_SOURCE}${PLACEHOLDER_TARGETS}`;
  const project = spec.project;
  if (project !== undefined) {
    // Sections of the project's keel.yaml: put in place of the project's own (connections added), the rest kept.
    const loaded = await loadInProject(project, document, { 'pipelines/docs-example.yaml': pipeline }, 'pipelines/docs-example.yaml', 0);
    return { problems: loaded.problems.map((problem) => `put into ${relative(process.cwd(), project)}: ${problem}`), uses: [] };
  }
  const unnamed = document['name'] === undefined;
  const files = { 'keel.yaml': `${unnamed ? 'name: docs-example\n' : ''}${text}`, 'pipelines/docs-example.yaml': pipeline };
  const loaded = await loadInProject(undefined, undefined, files, 'keel.yaml', unnamed ? 1 : 0);
  return { problems: loaded.problems, uses: [] };
}

/**
 * Loads `pipelines/docs-example.yaml` alone in a throw-away project: a copy of `project`
 * (without its data and state), or an empty one, whose keel.yaml takes `sections` in place of its
 * own (`connections` are added to its own). `files` are written last, so they may hold keel.yaml.
 * Problems in `reportFile` are given as line:col in the example (less `shift` lines added above it).
 */
async function loadInProject(
  project: string | undefined,
  sections: Record<string, unknown> | undefined,
  files: Record<string, string>,
  reportFile: string,
  shift: number,
): Promise<{ problems: string[]; pipelines?: PipelinePlan[] }> {
  const temp = tempProject();
  try {
    let keel: Record<string, unknown> = { name: 'docs-example' };
    if (project !== undefined) {
      if (!existsSync(join(project, 'keel.yaml'))) return { problems: [`project=${project} has no keel.yaml`] };
      cpSync(project, temp.dir, { recursive: true, filter: (path) => !/[/\\](data|\.keel|node_modules)$/.test(path) });
      keel = parse(readFileSync(join(project, 'keel.yaml'), 'utf8')) as Record<string, unknown>;
    }
    if (sections !== undefined) {
      const connections = { ...(keel['connections'] as object | undefined), ...(sections['connections'] as object | undefined) };
      keel = { ...keel, ...sections, connections };
    }
    temp.write({ 'keel.yaml': stringify(keel) });
    temp.write(files);
    try {
      const { plan } = await loadProject(temp.path('pipelines/docs-example.yaml'), { cwd: temp.dir, checkEnvironment: false });
      return { problems: [], pipelines: plan.pipelines };
    } catch (error) {
      if (!(error instanceof ConfigError)) return { problems: [(error as Error).message] };
      return {
        problems: error.problems.map((problem) =>
          // Other files (keel.yaml with a section put in) are written anew: their lines say nothing.
          problem.file === reportFile ? `${problem.line - shift}:${problem.col}: ${problem.message}` : `${problem.file}: ${problem.message}`,
        ),
      };
    }
  } finally {
    temp.remove();
  }
}

function schemaProblems(schema: object, value: unknown, excerpt: boolean): string[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  // An excerpt leaves keys out on purpose; what it shows must still be right.
  return (validate.errors ?? []).filter((error) => !(excerpt && error.keyword === 'required')).map(describeError);
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(top)' : error.instancePath;
  const extra = error.keyword === 'additionalProperties' ? ` "${String((error.params as { additionalProperty: string }).additionalProperty)}"` : '';
  return `${where}: ${error.message ?? error.keyword}${extra}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
