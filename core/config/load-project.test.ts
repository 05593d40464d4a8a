import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { KIT_CONNECTOR } from '../../test-support/test-connectors.js';
import { loadProject } from './load-project.js';

const PROJECT = `name: shop
connections:
  inbox:
    connector: file
    config: { root: ./in }
  outbox:
    connector: file
    config: { root: ./out }
  kit:
    connector: ./kit.js
`;

const VALID = `name: orders
source:
  connection: inbox
  stream: files
  options: { path: "*.csv" }
targets:
  - connection: outbox
    stream: files
    options: { path: "orders-{seq}.ndjson" }
`;

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** Loads a project whose only pipeline is `yaml` and returns the problems it reports. */
async function problemsOf(yaml: string): Promise<ConfigProblem[]> {
  project = tempProject({ 'keel.yaml': PROJECT, 'kit.js': KIT_CONNECTOR, 'pipelines/p.yaml': yaml });
  try {
    await loadProject(project.dir);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => ({ ...problem, file: problem.file.replace(/^.*?pipelines\//, 'pipelines/') }));
    throw error;
  }
  return [];
}

function at(problem: ConfigProblem | undefined): string {
  return problem === undefined ? 'no problem' : `${problem.line}:${problem.col} ${problem.message}`;
}

describe('pipeline validation', () => {
  it('accepts a valid pipeline', async () => {
    expect(await problemsOf(VALID)).toEqual([]);
  });

  it('names an unknown key and suggests the right one', async () => {
    const problems = await problemsOf(`${VALID}bach_size: 10\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toBe('pipelines/p.yaml');
    expect(at(problems[0])).toBe('10:1 unknown key "bach_size" in pipeline; did you mean "batch_size"?');
  });

  it('reports a missing required key', async () => {
    const problems = await problemsOf(VALID.slice(0, VALID.indexOf('targets:')));
    expect(at(problems[0])).toBe('1:1 missing required key "targets" in pipeline');
  });

  it('reports a wrong type with the value found', async () => {
    const problems = await problemsOf(`${VALID}batch_size: many\n`);
    expect(at(problems[0])).toBe('10:13 pipeline at batch_size must be an integer, got string "many"');
  });

  it('suggests the closest allowed value of an enum', async () => {
    const problems = await problemsOf(VALID.replace('  stream: files\n', '  stream: files\n  sync: incremntal\n'));
    expect(at(problems[0])).toBe('5:9 pipeline at source.sync must be one of: full, incremental (got "incremntal"); did you mean "incremental"?');
  });

  it('names an unknown connection with a suggestion', async () => {
    const problems = await problemsOf(VALID.replace('connection: inbox', 'connection: inbx'));
    expect(at(problems[0])).toBe('3:15 unknown connection "inbx"; did you mean "inbox"?');
  });

  it('names an unknown stream and the streams there are', async () => {
    const problems = await problemsOf(VALID.replace('  stream: files\n', '  stream: orders\n'));
    expect(at(problems[0])).toBe('4:11 connector "file" has no stream "orders"; its streams: files');
  });

  it('names an unknown step with a suggestion', async () => {
    const problems = await problemsOf(VALID.replace('targets:', 'steps:\n  - filtr: { where: [{ field: a, equals: 1 }] }\ntargets:'));
    expect(at(problems[0])).toBe('7:5 unknown step "filtr"; did you mean "filter"?');
  });

  it('checks a step config against the step schema', async () => {
    const problems = await problemsOf(VALID.replace('targets:', 'steps:\n  - filter: { wher: [] }\ntargets:'));
    expect(problems.map(at)).toEqual([
      '7:5 missing required key "where" in step "filter" (all conditions must hold for a record to pass)',
      '7:15 unknown key "wher" in step "filter"; did you mean "where"?',
    ]);
  });

  it('checks stream options against the connector spec', async () => {
    const problems = await problemsOf(VALID.replace('options: { path: "*.csv" }', 'options: { pth: "*.csv" }'));
    expect(problems.map(at)).toEqual([
      '5:3 missing required key "path" in options of source "inbox" (glob relative to the connection root, e.g. "orders/*.json")',
      '5:14 unknown key "pth" in options of source "inbox"; did you mean "path"?',
    ]);
  });

  it('requires the record element for XML', async () => {
    const problems = await problemsOf(VALID.replace('options: { path: "*.csv" }', 'options: { path: "*.xml", format: xml }'));
    expect(at(problems[0])).toBe('5:3 missing required key "xml" in options of source "inbox"');
  });

  it('reports YAML syntax errors with their position', async () => {
    const problems = await problemsOf('name: orders\nsource:\n  connection: inbox\n stream: files\n');
    expect(problems[0]?.line).toBe(4);
    expect(problems[0]?.message).toMatch(/^YAML syntax: /);
  });

  it('refuses duplicate keys', async () => {
    const problems = await problemsOf(`${VALID}name: again\n`);
    expect(at(problems[0])).toBe('10:1 YAML syntax: Map keys must be unique');
  });

  it('refuses custom YAML tags', async () => {
    const problems = await problemsOf(VALID.replace('name: orders', 'name: !include other.yaml'));
    expect(at(problems[0])).toBe('1:7 custom YAML tag !include is not allowed; write the value as a plain string, number, list or map');
  });

  it('refuses a YAML alias bomb without expanding it', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const problems = await problemsOf(`${bomb.join('\n')}\n`);
    expect(at(problems[0])).toBe(
      '1:1 too many YAML aliases (more than 50 expansions): refused as a possible alias bomb; write the values out instead',
    );
  });

  it('refuses incremental sync on a non-monotonic cursor', async () => {
    const problems = await problemsOf(VALID.replace('connection: inbox\n  stream: files\n  options: { path: "*.csv" }', 'connection: kit\n  stream: events\n  sync: incremental'));
    expect(at(problems[0])).toBe(
      '5:9 incremental sync on stream "events" is unsafe: its cursor "updated_at" is not monotonic, so records could be skipped; use sync: full',
    );
  });

  it('refuses a target without idempotency unless at-least-once is accepted', async () => {
    const sink = VALID.replace('connection: outbox\n    stream: files\n    options: { path: "orders-{seq}.ndjson" }', 'connection: kit\n    stream: sink');
    const problems = await problemsOf(sink);
    expect(at(problems[0])).toBe(
      '8:13 target "kit": stream "sink" of connector "kit" has no idempotency key, so a retry after a crash could write twice; use a stream that deduplicates (for HTTP: an idempotency_header or find_before_create), or set delivery: at_least_once to accept that',
    );
    expect(await problemsOf(`${sink}    delivery: at_least_once\n`)).toEqual([]);
  });

  it('refuses secrets written inline and unknown reference schemes', async () => {
    const problems = await problemsOf(`${VALID}connections:\n  erp:\n    connector: ./kit.js\n    config: { token: hunter22, region: "\${vault:eu}" }\n`);
    expect(problems.map(at)).toEqual([
      '13:40 unknown reference ${vault:…} at connections.erp.config.region; use ${env:NAME} or ${file:path}',
      '13:22 connections.erp.config.token is a secret and must not be written inline; use ${env:NAME} or ${file:path/to/secret}',
    ]);
  });

  it('reports every problem of a file at once', async () => {
    const problems = await problemsOf(VALID.replace('connection: inbox', 'connection: nowhere').replace('connection: outbox', 'connection: elsewhere'));
    expect(problems.map((problem) => problem.line)).toEqual([3, 7]);
  });

  it('accepts key: and on_change: on a target that writes whole batches (a file), where they drop what was delivered', async () => {
    expect(await problemsOf(`${VALID}    key: "order-{{id}}"\n    on_change: send\n`)).toEqual([]);
    const { plan } = await loadProject(project?.dir ?? '');
    expect(plan.pipelines[0]?.targets[0]).toMatchObject({ keyTemplate: 'order-{{id}}', keyedBy: 'template', onChange: 'send' });
  });

  it('refuses on_change where no key says which records are versions of one, and an unknown policy', async () => {
    expect((await problemsOf(`${VALID}    on_change: skip\n`)).map(at)).toEqual([
      '10:16 target "outbox": on_change needs a key that says which records are versions of one; stream "files" of connector "file" has no primary key, so add key: (e.g. key: "order-{{id}}")',
    ]);
    expect(at((await problemsOf(`${VALID}    key: "{{id}}"\n    on_change: update\n`))[0])).toBe('11:16 pipeline at targets[0].on_change must be one of: skip, send, dead_letter (got "update")');
  });

  it('defaults on_change to dead_letter: a person decides about a changed record', async () => {
    await problemsOf(`${VALID}    key: "order-{{id}}"\n`);
    expect((await loadProject(project?.dir ?? '')).plan.pipelines[0]?.targets[0]?.onChange).toBe('dead_letter');
  });

  it('builds steps at load time, so a missing schema file is found by validate', async () => {
    const problems = await problemsOf(VALID.replace('targets:', 'steps:\n  - validate: { schema: schemas/nope.json }\ntargets:'));
    expect(problems[0]?.line).toBe(7);
    expect(problems[0]?.message).toMatch(/^step "validate": validate: cannot read schema schemas\/nope\.json: ENOENT/);
  });

  it('checks connection names', async () => {
    const problems = await problemsOf(`${VALID}connections:\n  ERP Outbox: { connector: file, config: { root: ./x } }\n`);
    expect(at(problems[0])).toBe('11:3 name "ERP Outbox" in pipeline at connections is not allowed: use lower-case letters, digits, - and _');
  });
});

describe('pipeline order', () => {
  const named = (name: string, after?: string[]) => VALID.replace('name: orders', `name: ${name}${after !== undefined ? `\nafter: [${after.join(', ')}]` : ''}`);

  it('runs a pipeline after those it names in `after`, otherwise in file order', async () => {
    project = tempProject({
      'keel.yaml': PROJECT,
      'kit.js': KIT_CONNECTOR,
      'pipelines/a-route.yaml': named('route', ['stock']),
      'pipelines/b-orders.yaml': named('orders'),
      'pipelines/c-stock.yaml': named('stock'),
    });
    const { plan } = await loadProject(project.dir);
    expect(plan.pipelines.map((pipeline) => pipeline.name)).toEqual(['orders', 'stock', 'route']);
  });

  it('names an unknown pipeline in `after` and a circle, at the line', async () => {
    project = tempProject({
      'keel.yaml': PROJECT,
      'kit.js': KIT_CONNECTOR,
      'pipelines/a.yaml': named('route', ['stok']),
      'pipelines/b.yaml': named('stock', ['publish']),
      'pipelines/c.yaml': named('publish', ['stock']),
    });
    const error = await loadProject(project.dir).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const messages = (error as ConfigError).problems.map((problem) => `${problem.file.replace(/^.*pipelines\//, '')}:${problem.line} ${problem.message}`);
    expect(messages).toEqual(['a.yaml:2 no pipeline is named "stok"; did you mean "stock"?', 'b.yaml:2 pipelines wait for each other in a circle: stock → publish → stock']);
  });
});
