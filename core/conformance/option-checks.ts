import type { TSchema } from '@sinclair/typebox';
import { checkAgainstSchema } from '../config/schema-check.js';
import { YamlSource } from '../config/yaml-source.js';
import type { JsonObject } from '../json.js';
import type { ConnectorDefinition, OptionProblem, StreamDefinition } from '../sdk/connector.js';
import { expectThat } from './failure.js';
import type { InvalidOptions, StreamFixture } from './spec.js';

/** A key no schema declares: a schema that takes it takes typos too. */
const UNKNOWN_KEY = 'conformance_unknown_key';

/** What `keel validate` says about `value` against `schema`: its messages, as a pipeline author reads them. */
function problemsOf(schema: object, value: unknown, what: string): string[] {
  const source = YamlSource.parse('conformance.yaml', JSON.stringify(value));
  return checkAgainstSchema(schema, source.value, source, [], what).map((problem) => problem.message);
}

const checkProblems = (problems: readonly OptionProblem[] | undefined): string[] => (problems ?? []).map((problem) => `${problem.path.join('.') || '(options)'}: ${problem.message}`);

function expectStrict(schema: object, valid: JsonObject, what: string): void {
  const problems = problemsOf(schema, { ...valid, [UNKNOWN_KEY]: 1 }, what);
  expectThat(
    problems.some((message) => message.includes(UNKNOWN_KEY)),
    () => `${what} took the unknown key "${UNKNOWN_KEY}"${problems.length > 0 ? ` (or refused it without naming it: ${problems.join('; ')})` : ''}: declare the schema with { additionalProperties: false }, so a misspelt option is refused at load instead of ignored`,
  );
}

function expectRefused(schema: object, invalid: readonly InvalidOptions[] | undefined, what: string): void {
  for (const { options, message } of invalid ?? []) {
    const problems = problemsOf(schema, options, what);
    expectThat(problems.length > 0, () => `${what} took ${JSON.stringify(options)}, which the fixture says must be refused (${message})`);
    expectThat(problems.some((problem) => problem.includes(message)), () => `${what} refused ${JSON.stringify(options)} with "${problems.join('; ')}", which does not say "${message}"`);
  }
}

/**
 * Config and options are checked as `keel validate` checks them, before anything connects: the
 * fixture's config and options are valid, every schema refuses a key it does not declare (naming
 * it), and options the fixtures call invalid are refused with the message they expect.
 */
export function checkSchemas(connector: ConnectorDefinition, config: unknown, streams: Readonly<Record<string, StreamFixture<never>>>): void {
  const configWhat = `config of connector "${connector.name}"`;
  const configProblems = problemsOf(connector.configSchema, config, configWhat);
  expectThat(configProblems.length === 0, () => `the fixture's config is invalid: ${configProblems.join('; ')}`);
  expectStrict(connector.configSchema, (config ?? {}) as JsonObject, configWhat);
  for (const [name, fixture] of Object.entries(streams)) {
    const stream: StreamDefinition | undefined = connector.streams[name];
    if (stream === undefined) continue;
    for (const role of ['read', 'write'] as const) {
      const capability = stream[role];
      const given = fixture[role];
      if (capability === undefined || given === undefined) continue;
      const what = `options of ${role === 'read' ? 'source' : 'target'} stream "${name}"`;
      const schema: TSchema | undefined = capability.options;
      expectThat(schema !== undefined, () => `stream "${name}" declares no ${role} options schema, so options a pipeline gives it are not checked; declare options: Type.Object({ … }, { additionalProperties: false }) (an empty object when it takes none)`);
      const options = given.options ?? {};
      const problems = [
        ...problemsOf(schema, options, what),
        ...checkProblems(role === 'read' ? stream.read?.check?.(options, { sync: stream.read.incremental !== undefined ? 'incremental' : 'full' }) : stream.write?.check?.(options)),
      ];
      expectThat(problems.length === 0, () => `the fixture's ${what} are invalid: ${problems.join('; ')}`);
      expectStrict(schema, options, what);
      expectRefused(schema, given.invalidOptions, what);
    }
  }
}
