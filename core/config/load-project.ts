import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import picomatch from 'picomatch';
import { ConnectorRegistry } from '../connectors/registry.js';
import { ConfigError, KeelError, type ConfigProblem } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StreamDefinition, SyncMode } from '../sdk/connector.js';
import { builtInSteps } from '../steps/registry.js';
import { PipelineSchema, projectSchema, type ConnectionDocument, type PipelineDocument, type ProjectDocument } from './pipeline-schema.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_RETRY,
  DEFAULT_TARGET_DOWN_AFTER_MS,
  type ConnectionPlan,
  type PipelinePlan,
  type ProjectPlan,
  type RetryPolicy,
  type SourcePlan,
  type StepPlan,
  type TargetPlan,
} from './plan.js';
import { checkAgainstSchema, formatPath, suggest } from './schema-check.js';
import { checkRecordShapes } from './shape-flow.js';
import { scheduleProblem, type ScheduleSpec } from '../schedule/cron-schedule.js';
import { checkReferences, referencePaths, resolveReferences } from './secrets.js';
import { Redactor } from '../redact.js';
import { YamlSource, type YamlPath } from './yaml-source.js';
import { builtInEngines } from '../engines/registry.js';
import { loadEngineSections } from '../engines/load-sections.js';
import { serveSettings } from '../serve/serve-config.js';
import { DEFAULT_RETENTION, type Retention } from '../state/prune-state.js';
import { loadAlerts } from '../ops/alerts-config.js';

export const PROJECT_FILE = 'keel.yaml';

const SILENT_LOGGER: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => SILENT_LOGGER };
const DEFAULT_PIPELINES_GLOB = 'pipelines/**/*.{yaml,yml}';

export interface LoadedProject {
  plan: ProjectPlan;
  registry: ConnectorRegistry;
}

/**
 * Loads a project directory (with keel.yaml) or a single pipeline file, validating everything
 * that can be checked without connecting: YAML, schemas, connectors, streams, options, steps,
 * secrets policy and delivery guarantees. All problems of all files are reported at once.
 */
export interface LoadOptions {
  cwd?: string;
  /**
   * Also resolve every `${env:…}` and `${file:…}` reference now (`keel validate`, `keel run`): a
   * missing variable or file is a problem of the load, and resolved values are checked against
   * the connector's schema. Commands that only read the state (runs, dlq list) leave it off.
   */
  checkEnvironment?: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function loadProject(path: string, options: LoadOptions = {}): Promise<LoadedProject> {
  const target = resolve(options.cwd ?? process.cwd(), path);
  if (!existsSync(target)) {
    throw new KeelError('config', `${path} does not exist; pass a project directory or a pipeline file`, { code: 'path_missing', stage: 'load' });
  }
  const isDir = statSync(target).isDirectory();
  const projectDir = isDir ? target : findProjectDir(dirname(target));
  const projectFile = join(projectDir, PROJECT_FILE);
  const display = (file: string): string => relative(options.cwd ?? process.cwd(), file) || '.';
  const problems: ConfigProblem[] = [];

  let project: ProjectDocument | undefined;
  let engineConfigs = new Map<string, unknown>();
  let projectSource: YamlSource | undefined;
  const engines = await builtInEngines();
  if (existsSync(projectFile)) {
    projectSource = parseFile(projectFile, display(projectFile), problems);
    if (projectSource !== undefined) {
      const found = checkAgainstSchema(projectSchema(engines), projectSource.value, projectSource, [], 'keel.yaml');
      problems.push(...found);
      if (found.length === 0) {
        project = projectSource.value as ProjectDocument;
        const sections = loadEngineSections({ engines, keel: projectSource, projectDir, display, schemaChecked: true });
        problems.push(...sections.problems);
        engineConfigs = sections.configs;
      }
    }
  }

  const pipelineFiles = isDir ? findPipelineFiles(projectDir, project?.pipelines ?? DEFAULT_PIPELINES_GLOB) : [target];
  if (isDir && pipelineFiles.length === 0 && problems.length === 0) {
    throw new KeelError('config', `no pipeline files found in ${display(projectDir)} (looked for ${project?.pipelines ?? DEFAULT_PIPELINES_GLOB})`, {
      code: 'no_pipelines',
      stage: 'load',
    });
  }

  const registry = await ConnectorRegistry.discover(projectDir);
  const steps = await builtInSteps();
  const context: LoadContext = {
    projectDir,
    registry,
    steps,
    problems,
    checkEnvironment: options.checkEnvironment === true,
    env: options.env ?? process.env,
    invalidConnections: new Set(),
  };

  const projectConnections = new Map<string, ConnectionPlan>();
  if (project !== undefined && projectSource !== undefined) {
    for (const [name, doc] of Object.entries(project.connections ?? {})) {
      const plan = await planConnection(context, name, doc, projectSource, ['connections', name]);
      if (plan !== undefined) projectConnections.set(name, plan);
    }
  }

  const pipelines: PipelinePlan[] = [];
  const sources = new Map<string, YamlSource>();
  const names = new Map<string, string>();
  // Pipelines `after:` may name: every pipeline of the project, valid or not, loaded or not (one file run alone).
  const knownNames = new Set<string>();
  if (!isDir) for (const name of pipelineNames(findPipelineFiles(projectDir, project?.pipelines ?? DEFAULT_PIPELINES_GLOB))) knownNames.add(name);
  for (const file of pipelineFiles) {
    const source = parseFile(file, display(file), problems);
    if (source === undefined) continue;
    const named = (source.value as { name?: unknown } | null)?.name;
    if (typeof named === 'string') knownNames.add(named);
    const found = checkAgainstSchema(PipelineSchema, source.value, source, [], 'pipeline');
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    const doc = source.value as PipelineDocument;
    const previous = names.get(doc.name);
    if (previous !== undefined) {
      problems.push({ file: source.file, ...source.position(['name']), message: `pipeline name "${doc.name}" is already used by ${previous}; names must be unique` });
      continue;
    }
    names.set(doc.name, source.file);
    const plan = await planPipeline(context, doc, source, file, projectConnections, project);
    if (plan !== undefined) {
      pipelines.push(plan);
      sources.set(plan.name, source);
    }
  }

  const ordered = orderPipelines(pipelines, sources, knownNames, problems);
  const alerts = project?.alerts !== undefined && projectSource !== undefined ? loadAlerts(project.alerts, projectSource, knownNames) : undefined;
  problems.push(...(alerts?.problems ?? []));
  if (problems.length > 0) throw new ConfigError(problems);
  const statePath = process.env['KEEL_STATE'] ?? resolve(projectDir, project?.state?.path ?? '.keel/state.db');
  return {
    plan: {
      dir: projectDir,
      name: project?.name ?? basename(projectDir),
      file: project !== undefined ? projectFile : undefined,
      state: { driver: 'sqlite', path: statePath },
      statePath,
      pipelines: ordered,
      serve: serveSettings(project?.serve),
      engines: engineConfigs,
      retention: retentionOf(project?.retention),
      alerts: alerts?.plan,
    },
    registry,
  };
}

/** keel.yaml `retention:` over the defaults. */
function retentionOf(doc: ProjectDocument['retention']): Retention {
  return {
    runs: doc?.runs_days ?? DEFAULT_RETENTION.runs,
    deadLetters: doc?.dead_letters_days ?? DEFAULT_RETENTION.deadLetters,
    ledger: doc?.ledger_days ?? DEFAULT_RETENTION.ledger,
  };
}

interface LoadContext {
  projectDir: string;
  registry: ConnectorRegistry;
  steps: Map<string, import('../sdk/step.js').StepDefinition>;
  problems: ConfigProblem[];
  checkEnvironment: boolean;
  env: NodeJS.ProcessEnv;
  /** Connections whose problems are reported already: pipelines naming them do not report them again as unknown. */
  invalidConnections: Set<string>;
}

/** Keywords about a string's content: for a `${env:…}` reference they are checked on the resolved value. */
const CONTENT_KEYWORDS = new Set(['pattern', 'format', 'minLength', 'maxLength', 'enum', 'const', 'anyOf', 'oneOf']);

function parseFile(file: string, display: string, problems: ConfigProblem[]): YamlSource | undefined {
  try {
    return YamlSource.parse(display, readFileSync(file, 'utf8'));
  } catch (error) {
    if (error instanceof ConfigError) {
      problems.push(...error.problems);
      return undefined;
    }
    throw error;
  }
}

/** A pipeline file's project is the nearest folder above it holding keel.yaml (at most two levels up). */
function findProjectDir(start: string): string {
  let dir = start;
  for (let level = 0; level < 3; level += 1) {
    if (existsSync(join(dir, PROJECT_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return start;
}

/** The names of pipeline files, read for nothing else (files that do not parse are left out). */
function pipelineNames(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    try {
      const name = (YamlSource.parse(file, readFileSync(file, 'utf8')).value as { name?: unknown } | null)?.name;
      if (typeof name === 'string') out.push(name);
    } catch {
      // Its problems are reported when it is loaded itself.
    }
  }
  return out;
}

/**
 * File order, except that a pipeline runs after those it names in `after` (when they are
 * loaded). A name that is no pipeline of the project, or a cycle, is a problem at the `after` entry.
 */
function orderPipelines(
  pipelines: readonly PipelinePlan[],
  sources: ReadonlyMap<string, YamlSource>,
  knownNames: ReadonlySet<string>,
  problems: ConfigProblem[],
): PipelinePlan[] {
  const byName = new Map(pipelines.map((pipeline) => [pipeline.name, pipeline]));
  for (const pipeline of pipelines) {
    const source = sources.get(pipeline.name);
    for (const [index, name] of pipeline.after.entries()) {
      if (!byName.has(name) && !knownNames.has(name) && source !== undefined) {
        const hint = suggest(name, [...knownNames]);
        problems.push({
          file: source.file,
          ...source.position(['after', index]),
          message: `no pipeline is named "${name}"${hint !== undefined ? `; did you mean "${hint}"?` : ''}`,
        });
      }
    }
  }
  // Each step takes the first pipeline in file order whose predecessors have all been placed.
  const ordered: PipelinePlan[] = [];
  const placed = new Set<string>();
  const waiting = [...pipelines];
  while (waiting.length > 0) {
    const index = waiting.findIndex((pipeline) => pipeline.after.every((name) => placed.has(name) || !byName.has(name)));
    if (index === -1) {
      const first = waiting[0] as PipelinePlan;
      const circle = [first.name];
      for (let next = first.after.find((name) => byName.has(name)); next !== undefined && !circle.includes(next); ) {
        circle.push(next);
        next = byName.get(next)?.after.find((name) => byName.has(name) && !placed.has(name));
      }
      const source = sources.get(first.name);
      if (source !== undefined) {
        problems.push({ file: source.file, ...source.position(['after']), message: `pipelines wait for each other in a circle: ${[...circle, circle[0]].join(' → ')}` });
      }
      return [...ordered, ...waiting];
    }
    const [next] = waiting.splice(index, 1) as [PipelinePlan];
    placed.add(next.name);
    ordered.push(next);
  }
  return ordered;
}

function findPipelineFiles(projectDir: string, glob: string): string[] {
  const matches = picomatch(glob);
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      // Test suites live beside the pipelines they test; they are not pipelines.
      else if (entry.isFile() && !/\.test\.ya?ml$/.test(entry.name) && matches(relative(projectDir, full).split('\\').join('/'))) out.push(full);
    }
  };
  walk(projectDir, 0);
  return out.sort();
}

async function planConnection(
  context: LoadContext,
  name: string,
  doc: ConnectionDocument,
  source: YamlSource,
  path: YamlPath,
): Promise<ConnectionPlan | undefined> {
  const problem = (at: YamlPath, message: string): undefined => {
    context.problems.push({ file: source.file, ...source.position(at), message });
    return undefined;
  };
  let entry;
  try {
    entry = await context.registry.resolve(doc.connector, context.projectDir);
  } catch (error) {
    // Said once, here: the pipelines naming this connection are not told it is unknown as well.
    context.invalidConnections.add(name);
    return problem([...path, 'connector'], error instanceof Error ? error.message : String(error));
  }
  if (entry === undefined) {
    context.invalidConnections.add(name);
    const hint = suggest(doc.connector, context.registry.names());
    return problem(
      [...path, 'connector'],
      `unknown connector "${doc.connector}" in connection "${name}"` +
        (hint !== undefined ? `; did you mean "${hint}"?` : `; known: ${context.registry.names().join(', ')} (install keel-connector-* packages, or give a ./path)`),
    );
  }
  const config = doc.config ?? {};
  const what = `config of connection "${name}"`;
  const references = referencePaths(config);
  const resolvedLater = (at: YamlPath, keyword: string): boolean => CONTENT_KEYWORDS.has(keyword) && references.has(formatPath(at));
  const found = [
    ...checkAgainstSchema(entry.definition.configSchema, config, source, [...path, 'config'], what, resolvedLater),
    ...checkReferences(config, entry.definition.configSchema, source, [...path, 'config']),
  ];
  if (found.length === 0 && context.checkEnvironment && references.size > 0) {
    const resolved = resolveReferences(config, { projectDir: context.projectDir, env: context.env, redactor: new Redactor(), source, basePath: [...path, 'config'] });
    found.push(...resolved.problems);
    if (resolved.problems.length === 0) {
      // Messages show the value as written (the reference), never what it resolved to.
      found.push(...checkAgainstSchema(entry.definition.configSchema, resolved.value, source, [...path, 'config'], what, (at, keyword) => !resolvedLater(at, keyword)));
    }
  }
  context.problems.push(...found);
  if (found.length > 0) {
    context.invalidConnections.add(name);
    return undefined;
  }
  return { name, entry, config, source, path };
}

async function planPipeline(
  context: LoadContext,
  doc: PipelineDocument,
  source: YamlSource,
  file: string,
  projectConnections: Map<string, ConnectionPlan>,
  project: ProjectDocument | undefined,
): Promise<PipelinePlan | undefined> {
  const before = context.problems.length;
  const problem = (at: YamlPath, message: string): void => {
    context.problems.push({ file: source.file, ...source.position(at), message });
  };

  const connections = new Map(projectConnections);
  for (const [name, connectionDoc] of Object.entries(doc.connections ?? {})) {
    if (projectConnections.has(name)) {
      problem(['connections', name], `connection "${name}" is already defined in keel.yaml; rename one of them`);
      continue;
    }
    const plan = await planConnection(context, name, connectionDoc, source, ['connections', name]);
    if (plan !== undefined) connections.set(name, plan);
  }

  const lookupConnection = (name: string, at: YamlPath): ConnectionPlan | undefined => {
    const found = connections.get(name);
    if (found === undefined && !context.invalidConnections.has(name)) {
      const hint = suggest(name, [...connections.keys()]);
      const known = [...connections.keys()];
      problem(
        at,
        `unknown connection "${name}"` +
          (hint !== undefined ? `; did you mean "${hint}"?` : known.length > 0 ? `; defined: ${known.join(', ')}` : '; define it under connections: in keel.yaml or this file'),
      );
    }
    return found;
  };
  const lookupStream = (connection: ConnectionPlan, stream: string, at: YamlPath): StreamDefinition | undefined => {
    const streams = connection.entry.definition.streams;
    const found = Object.prototype.hasOwnProperty.call(streams, stream) ? streams[stream] : undefined;
    if (found === undefined) {
      const hint = suggest(stream, Object.keys(streams));
      problem(
        at,
        `connector "${connection.entry.name}" has no stream "${stream}"` +
          (hint !== undefined ? `; did you mean "${hint}"?` : `; its streams: ${Object.keys(streams).join(', ')}`),
      );
    }
    return found;
  };

  /** Connection, stream and capability of a source or target, and a name unique among its kind. */
  const endpoint = (
    item: { name?: string; connection: string; stream: string },
    at: YamlPath,
    role: 'read' | 'write',
    names: Set<string>,
  ): { name: string; connection: ConnectionPlan; stream: StreamDefinition } | undefined => {
    const connection = lookupConnection(item.connection, [...at, 'connection']);
    if (connection === undefined) return undefined;
    const stream = lookupStream(connection, item.stream, [...at, 'stream']);
    if (stream === undefined) return undefined;
    if (stream[role] === undefined) {
      const can = role === 'read' ? 'cannot be read; it can only be a target' : 'cannot be written; it can only be a source';
      problem([...at, 'stream'], `stream "${item.stream}" of connector "${connection.entry.name}" ${can}`);
      return undefined;
    }
    const name = item.name ?? item.connection;
    if (names.has(name)) {
      problem(at, `two ${role === 'read' ? 'sources' : 'targets'} are named "${name}"; give each a distinct name:`);
      return undefined;
    }
    names.add(name);
    return { name, connection, stream };
  };

  if (doc.source !== undefined && doc.sources !== undefined) {
    problem(['sources'], 'use either source: (one) or sources: (a list), not both');
  }
  if (doc.source === undefined && doc.sources === undefined) {
    problem([], 'missing source: say where records come from (source: { connection, stream })');
  }
  const sourceDocs = doc.sources !== undefined ? doc.sources.map((item, index) => ({ item, at: ['sources', index] as YamlPath })) : doc.source !== undefined ? [{ item: doc.source, at: ['source'] as YamlPath }] : [];
  const sources: SourcePlan[] = [];
  const sourceNames = new Set<string>();
  for (const { item, at } of sourceDocs) {
    const found = endpoint(item, at, 'read', sourceNames);
    if (found?.stream.read === undefined) continue;
    const { name, connection, stream } = found;
    const read = found.stream.read;
    const sync: SyncMode = item.sync ?? (read.incremental !== undefined ? 'incremental' : 'full');
    if (sync === 'incremental') {
      const incremental = read.incremental;
      if (incremental === undefined) {
        problem([...at, 'sync'], `stream "${item.stream}" of connector "${connection.entry.name}" has no cursor for incremental sync; use sync: full`);
        continue;
      }
      if (!incremental.monotonic) {
        problem(
          [...at, item.sync !== undefined ? 'sync' : 'stream'],
          `incremental sync on stream "${item.stream}" is unsafe: its cursor "${incremental.cursor}" is not monotonic, so records could be skipped; use sync: full`,
        );
        continue;
      }
    }
    const options = item.options ?? {};
    const optionProblems = read.options !== undefined ? checkAgainstSchema(read.options, options, source, [...at, 'options'], `options of source "${name}"`) : [];
    context.problems.push(...optionProblems);
    if (optionProblems.length === 0) {
      for (const issue of read.check?.(options as never, { sync }) ?? []) problem([...at, 'options', ...issue.path], `source "${name}": ${issue.message}`);
    }
    sources.push({ name, connection, stream: item.stream, definition: stream, read, sync, options });
  }

  const steps: StepPlan[] = [];
  for (const [index, stepDoc] of (doc.steps ?? []).entries()) {
    const [type, config] = Object.entries(stepDoc)[0] ?? ['', undefined];
    const at: YamlPath = ['steps', index, type];
    const definition = context.steps.get(type);
    if (definition === undefined) {
      const known = [...context.steps.keys()];
      const hint = suggest(type, known);
      const published = context.registry.steps().find((step) => step.name === type);
      context.problems.push({
        file: source.file,
        ...source.position(at, { key: true }),
        message:
          published !== undefined
            ? `step "${type}" comes from package ${published.location}, and YAML pipelines cannot use steps from packages yet; Keel's steps: ${known.join(', ')}`
            : `unknown step "${type}"` + (hint !== undefined ? `; did you mean "${hint}"?` : `; steps: ${known.join(', ')}`),
      });
      continue;
    }
    const stepConfig = config ?? {};
    const found = checkAgainstSchema(definition.configSchema, stepConfig, source, at, `step "${type}"`);
    context.problems.push(...found);
    if (found.length > 0) continue;
    // Building the step checks what only it knows (its schema file exists, its expression compiles).
    try {
      await definition.create(stepConfig as never, { projectDir: context.projectDir, file: source.file, logger: SILENT_LOGGER });
    } catch (error) {
      context.problems.push({ file: source.file, ...source.position(at), message: `step "${type}": ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    steps.push({ index, type, config: stepConfig as Record<string, unknown>, definition });
  }

  const targets: TargetPlan[] = [];
  const targetNames = new Set<string>();
  for (const [index, item] of doc.targets.entries()) {
    const at: YamlPath = ['targets', index];
    const found = endpoint(item, at, 'write', targetNames);
    if (found?.stream.write === undefined) continue;
    const { name, connection, stream } = found;
    const options = item.options ?? {};
    if (found.stream.write.options !== undefined) {
      const optionProblems = checkAgainstSchema(found.stream.write.options, options, source, [...at, 'options'], `options of target "${name}"`);
      context.problems.push(...optionProblems);
      if (optionProblems.length > 0) continue;
    }
    for (const issue of found.stream.write.check?.(options as never) ?? []) problem([...at, 'options', ...issue.path], `target "${name}": ${issue.message}`);
    const declared = found.stream.write.idempotency;
    const write = { ...found.stream.write, idempotency: typeof declared === 'function' ? declared(options) : declared };
    const delivery = item.delivery ?? 'effectively_once';
    if (write.idempotency === 'none' && delivery !== 'at_least_once') {
      problem(
        [...at, 'stream'],
        `target "${name}": stream "${item.stream}" of connector "${connection.entry.name}" has no idempotency key, so a retry after a crash could write twice; ` +
          'use a stream that deduplicates (for HTTP: an idempotency_header or find_before_create), or set delivery: at_least_once to accept that',
      );
      continue;
    }
    if (item.key !== undefined && !/\{\{\s*[^{}\s]+\s*\}\}/.test(item.key)) {
      problem([...at, 'key'], `key template "${item.key}" names no field; write fields in double braces, e.g. "order-{{id}}"`);
      continue;
    }
    const keyedBy = item.key !== undefined ? 'template' : (stream.primaryKey?.length ?? 0) > 0 ? 'primary_key' : 'content';
    if (item.on_change !== undefined && keyedBy === 'content') {
      problem(
        [...at, 'on_change'],
        `target "${name}": on_change needs a key that says which records are versions of one; stream "${item.stream}" of connector "${connection.entry.name}" has no primary key, so add key: (e.g. key: "order-{{id}}")`,
      );
      continue;
    }
    const { onChange: declaredOnChange, ...writeRest } = write;
    const onChange = item.on_change ?? (typeof declaredOnChange === 'function' ? declaredOnChange(options) : declaredOnChange) ?? 'dead_letter';
    targets.push({ name, connection, stream: item.stream, definition: stream, write: writeRest, options, keyTemplate: item.key, keyedBy, onChange, delivery });
  }

  const schedule = planSchedule(doc.schedule, project?.schedule);
  if (schedule !== undefined) {
    const wrong = scheduleProblem(schedule.cron, schedule.timezone);
    if (wrong !== undefined) problem(typeof doc.schedule === 'string' ? ['schedule'] : ['schedule', wrong.startsWith('time zone') ? 'timezone' : 'cron'], wrong);
  }
  const targetKeys = doc.targets.flatMap((item, index) => (item.key !== undefined ? [{ at: ['targets', index, 'key'] as YamlPath, template: item.key }] : []));
  for (const issue of await checkRecordShapes(sources, steps, { projectDir: context.projectDir, file: source.file }, targetKeys)) problem(issue.at, issue.message);

  if (context.problems.length > before) return undefined;
  const onError = { ...project?.defaults?.on_error, ...doc.on_error };
  const retry: RetryPolicy = {
    maxAttempts: onError.retry?.max_attempts ?? DEFAULT_RETRY.maxAttempts,
    initialDelayMs: onError.retry?.initial_delay_ms ?? DEFAULT_RETRY.initialDelayMs,
    maxDelayMs: onError.retry?.max_delay_ms ?? DEFAULT_RETRY.maxDelayMs,
  };
  return {
    name: doc.name,
    file,
    description: doc.description,
    schedule,
    after: doc.after ?? [],
    sources,
    steps,
    targets,
    batchSize: doc.batch_size ?? project?.defaults?.batch_size ?? DEFAULT_BATCH_SIZE,
    retry,
    maxDeadLetters: onError.max_dead_letters,
    targetDownAfterMs: onError.target_down_after_ms ?? DEFAULT_TARGET_DOWN_AFTER_MS,
  };
}

/** A pipeline's schedule with keel.yaml's `schedule:` defaults filled in. */
function planSchedule(doc: PipelineDocument['schedule'], defaults: ProjectDocument['schedule']): ScheduleSpec | undefined {
  if (doc === undefined) return undefined;
  const own = typeof doc === 'string' ? { cron: doc } : doc;
  const jitterSeconds = own.jitter_seconds ?? defaults?.jitter_seconds ?? 0;
  return {
    cron: own.cron,
    timezone: own.timezone ?? defaults?.timezone ?? 'UTC',
    jitterMs: jitterSeconds * 1000,
    misfire: own.misfire ?? defaults?.misfire ?? 'skip',
  };
}

export { formatPath };
