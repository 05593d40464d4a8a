import type { TSchema } from '@sinclair/typebox';
import type { JsonObject } from '../json.js';
import type { ConnectorDefinition, ReadCapability, StreamDefinition } from '../sdk/connector.js';
import { checkReadFailure, checkRejectedRecord, checkWriteFailure, type FailureKind } from './error-checks.js';
import { ConformanceFailure } from './failure.js';
import { checkSchemas } from './option-checks.js';
import { checkKeepsSharedCursorValues, checkReadYieldsPages, checkResumesFromEveryCheckpoint } from './read-checks.js';
import { DEFAULT_MAX_RECORDS, readToEnd, type ReadSpec } from './read-pages.js';
import { expectNoSecrets, secretFields, secretValues } from './secret-checks.js';
import { CheckSession } from './session.js';
import type { ConformanceSpec, Failures, OpenedFixture, ReadFixture, WriteFixture } from './spec.js';
import { batchOf, checkWriteAcceptsBatch, checkWriteIdempotent, idempotencyOf, writeBatch, type WriteSpec } from './write-checks.js';

/** One shared check, ready to run against a fresh fixture; it throws a ConformanceFailure when it does not hold. */
export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

/** A check the connector's declarations make pointless (a write declared at-least-once is not retried for idempotency), and why. */
export interface SkippedCheck {
  name: string;
  reason: string;
}

type Opened = OpenedFixture<unknown>;
type Session = CheckSession<Opened>;
type Scenario = (session: Session) => Promise<unknown>;

const FAILURE_NAMES: Record<FailureKind, string> = {
  retryable: 'a failure that may pass is retryable',
  permanent: 'a failure that cannot pass is not retried',
};

/**
 * The shared checks for `connector` with `spec`'s fixtures, in a stable order: schemas, then per
 * stream its read and write checks, then secrets. What a stream declares decides which checks it
 * gets; a declared capability without a fixture (or a fixture without the capability) is a failing check.
 */
export function listChecks(connector: ConnectorDefinition, spec: ConformanceSpec<unknown, Opened>): { checks: ConformanceCheck[]; skipped: SkippedCheck[] } {
  const checks: ConformanceCheck[] = [];
  const skipped: SkippedCheck[] = [];
  const inSession = (name: string, body: (session: Session) => Promise<void>): void => {
    checks.push({ name, run: () => CheckSession.with(spec.setup, body) });
  };
  const failing = (name: string, message: string): void => {
    checks.push({ name, run: () => Promise.reject(new ConformanceFailure(message)) });
  };
  /** Everything the checks make the connector do, each in a fresh session: the secrets check watches them all. */
  const scenarios: { name: string; run: Scenario }[] = [];

  inSession('config and options: the schemas refuse what they do not declare', async (session) => checkSchemas(connector, session.opened.config, spec.streams));

  for (const name of Object.keys(spec.streams)) {
    if (connector.streams[name] === undefined) failing(`${name}: is a stream of the connector`, `the fixtures name stream "${name}", which connector "${connector.name}" does not declare; its streams: ${Object.keys(connector.streams).join(', ')}`);
  }
  for (const [name, stream] of Object.entries(connector.streams)) {
    const fixture = spec.streams[name] ?? {};
    for (const role of ['read', 'write'] as const) {
      if (stream[role] !== undefined && fixture[role] === undefined) failing(`${name} ${role}: has a fixture`, `stream "${name}" declares ${role}, but the spec gives no streams.${name}.${role} fixture; every declared capability is checked`);
      if (stream[role] === undefined && fixture[role] !== undefined) failing(`${name} ${role}: is declared`, `the spec gives streams.${name}.${role}, but stream "${name}" does not declare ${role}`);
    }
    if (stream.read !== undefined && fixture.read !== undefined) {
      addReadChecks(name, stream, stream.read, fixture.read, spec.maxRecords ?? DEFAULT_MAX_RECORDS, inSession, failing, scenarios);
    }
    if (stream.write !== undefined && fixture.write !== undefined) {
      const write: WriteSpec = { stream: name, definition: stream, write: stream.write, options: fixture.write.options ?? {}, fixture: fixture.write };
      addWriteChecks(write, fixture.write, inSession, skipped, scenarios);
    }
  }

  const secrets = secretFields(connector.configSchema);
  const secretsName = 'secrets stay out of logs, errors and dead letters';
  if (secrets.length === 0) {
    skipped.push({ name: secretsName, reason: 'the config schema marks no field secret' });
  } else {
    inSession(secretsName, async (first) => {
      if (secretValues(connector.configSchema, first.opened.config).length === 0) throw new ConformanceFailure(`the config schema marks ${secrets.join(', ')} secret, but the fixture's config gives none of them a value; give them values so the check can look for them`);
      for (const scenario of scenarios) {
        await CheckSession.with(spec.setup, async (session) => {
          await scenario.run(session).catch(() => undefined);
          expectNoSecrets(session, connector.configSchema, scenario.name);
        });
      }
    });
  }
  return { checks, skipped };
}

function addReadChecks(
  name: string,
  stream: StreamDefinition,
  read: ReadCapability<unknown, TSchema>,
  fixture: ReadFixture<Opened>,
  maxRecords: number,
  inSession: (name: string, body: (session: Session) => Promise<void>) => void,
  failing: (name: string, message: string) => void,
  scenarios: { name: string; run: Scenario }[],
): void {
  const spec: ReadSpec = { stream: name, read, options: (fixture.options ?? {}) as JsonObject, maxRecords };
  inSession(`${name} read: yields pages of records with JSON checkpoints`, (session) => checkReadYieldsPages(session, spec, stream));
  scenarios.push({ name: `${name}: a full read`, run: (session) => readToEnd(session, spec, 'full', undefined) });
  if (read.incremental !== undefined) {
    inSession(`${name} read: resumes from every checkpoint without loss or repeat`, (session) => checkResumesFromEveryCheckpoint(session, spec, stream));
    if (fixture.incremental === undefined) {
      failing(`${name} read: keeps records that share a cursor value`, `stream "${name}" reads incrementally; give streams.${name}.read.incremental (cursorOf, addAt) so the kit can check records that share a cursor value`);
    } else {
      inSession(`${name} read: keeps records that share a cursor value`, (session) => checkKeepsSharedCursorValues(session, spec, stream, fixture));
    }
  }
  addFailureChecks(`${name} read`, fixture.failures, inSession, scenarios, (session, failures, kind) => checkReadFailure(session, spec, failures, kind));
}

function addWriteChecks(
  spec: WriteSpec,
  fixture: WriteFixture<Opened>,
  inSession: (name: string, body: (session: Session) => Promise<void>) => void,
  skipped: SkippedCheck[],
  scenarios: { name: string; run: Scenario }[],
): void {
  const name = spec.stream;
  inSession(`${name} write: accepts a batch, one result per record`, (session) => checkWriteAcceptsBatch(session, spec));
  scenarios.push({ name: `${name}: a batch written`, run: (session) => writeBatch(session, spec, batchOf(session, spec)) });
  const idempotentName = `${name} write: the same batch twice leaves the same external state`;
  if (idempotencyOf(spec) === 'none') skipped.push({ name: idempotentName, reason: 'the stream declares idempotency none (at least once) for these options' });
  else inSession(idempotentName, (session) => checkWriteIdempotent(session, spec));
  if (fixture.rejected !== undefined) {
    inSession(`${name} write: a record the target refuses is permanent, the others are written`, (session) => checkRejectedRecord(session, spec));
    scenarios.push({ name: `${name}: a batch with a refused record`, run: (session) => checkRejectedRecord(session, spec) });
  }
  addFailureChecks(`${name} write`, fixture.failures, inSession, scenarios, (session, failures, kind) => checkWriteFailure(session, spec, failures, kind));
}

function addFailureChecks(
  prefix: string,
  failures: Failures<Opened> | undefined,
  inSession: (name: string, body: (session: Session) => Promise<void>) => void,
  scenarios: { name: string; run: Scenario }[],
  check: (session: Session, failures: Failures<Opened>, kind: FailureKind) => Promise<void>,
): void {
  if (failures === undefined) return;
  for (const kind of ['retryable', 'permanent'] as const) {
    if (failures[kind] === undefined) continue;
    inSession(`${prefix}: ${FAILURE_NAMES[kind]}`, (session) => check(session, failures, kind));
    scenarios.push({ name: `${prefix} after a ${kind} failure`, run: (session) => check(session, failures, kind) });
  }
}
