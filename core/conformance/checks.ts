import type { TSchema } from '@sinclair/typebox';
import type { ConnectorDefinition, ReadCapability, StreamDefinition } from '../sdk/connector.js';
import { checkReadFailure, checkRejectedRecord, checkWriteFailure, type FailureKind } from './error-checks.js';
import { ConformanceFailure } from './failure.js';
import { checkSchemas } from './option-checks.js';
import { checkAddedAfterLastCheckpoint, checkKeepsSharedCursorValues, checkReadYieldsPages, checkResumesFromEveryCheckpoint } from './read-checks.js';
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

const FAILURE_NAMES: Record<FailureKind, string> = {
  retryable: 'a failure that may pass is retryable',
  permanent: 'a failure that cannot pass is not retried',
};

/** The checks being listed, and everything they make the connector do (which the secrets check replays and watches). */
class CheckList {
  readonly checks: ConformanceCheck[] = [];
  readonly skipped: SkippedCheck[] = [];
  readonly scenarios: { name: string; run: (session: Session) => Promise<unknown> }[] = [];

  constructor(private readonly spec: ConformanceSpec<unknown, Opened>) {}

  /** A check that runs `body` with a freshly set-up fixture. */
  add(name: string, body: (session: Session) => Promise<void>): void {
    this.checks.push({ name, run: () => CheckSession.with(this.spec.setup, body) });
  }

  /** A check that fails as listed: the spec does not fit the connector. */
  fail(name: string, message: string): void {
    this.checks.push({ name, run: () => Promise.reject(new ConformanceFailure(message)) });
  }

  scenario(name: string, run: (session: Session) => Promise<unknown>): void {
    this.scenarios.push({ name, run });
  }

  /** One check per failure the fixture can arrange, each also a scenario for the secrets check. */
  failures(prefix: string, failures: Failures<Opened> | undefined, check: (session: Session, failures: Failures<Opened>, kind: FailureKind) => Promise<void>): void {
    for (const kind of ['retryable', 'permanent'] as const) {
      if (failures?.[kind] === undefined) continue;
      this.add(`${prefix}: ${FAILURE_NAMES[kind]}`, (session) => check(session, failures, kind));
      this.scenario(`${prefix} after a ${kind} failure`, (session) => check(session, failures, kind));
    }
  }
}

/**
 * The shared checks for `connector` with `spec`'s fixtures, in a stable order: schemas, then per
 * stream its read and write checks, then secrets. What a stream declares decides which checks it
 * gets; a declared capability without a fixture (or a fixture without the capability) is a failing check.
 */
export function listChecks(connector: ConnectorDefinition, spec: ConformanceSpec<unknown, Opened>): { checks: ConformanceCheck[]; skipped: SkippedCheck[] } {
  const list = new CheckList(spec);
  list.add('config and options: the schemas refuse what they do not declare', async (session) => checkSchemas(connector, session.opened.config, spec.streams));
  for (const name of Object.keys(spec.streams)) {
    if (connector.streams[name] === undefined) {
      list.fail(`${name}: is a stream of the connector`, `the fixtures name stream "${name}", which connector "${connector.name}" does not declare; its streams: ${Object.keys(connector.streams).join(', ')}`);
    }
  }
  for (const [name, stream] of Object.entries(connector.streams)) {
    const fixture = spec.streams[name] ?? {};
    for (const role of ['read', 'write'] as const) {
      if (stream[role] !== undefined && fixture[role] === undefined) {
        list.fail(`${name} ${role}: has a fixture`, `stream "${name}" declares ${role}, but the spec gives no streams.${name}.${role} fixture; every declared capability is checked`);
      }
      if (stream[role] === undefined && fixture[role] !== undefined) list.fail(`${name} ${role}: is declared`, `the spec gives streams.${name}.${role}, but stream "${name}" does not declare ${role}`);
    }
    if (stream.read !== undefined && fixture.read !== undefined) addReadChecks(list, name, stream, stream.read, fixture.read, spec.maxRecords ?? DEFAULT_MAX_RECORDS);
    if (stream.write !== undefined && fixture.write !== undefined) {
      addWriteChecks(list, { stream: name, definition: stream, write: stream.write, options: fixture.write.options ?? {}, fixture: fixture.write });
    }
  }
  addSecretsCheck(list, connector, spec);
  return { checks: list.checks, skipped: list.skipped };
}

function addReadChecks(list: CheckList, name: string, stream: StreamDefinition, read: ReadCapability<unknown, TSchema>, fixture: ReadFixture<Opened>, maxRecords: number): void {
  const spec: ReadSpec = { stream: name, read, options: fixture.options ?? {}, maxRecords };
  list.add(`${name} read: yields pages of records with JSON checkpoints`, (session) => checkReadYieldsPages(session, spec, stream));
  list.scenario(`${name}: a full read`, (session) => readToEnd(session, spec, 'full', undefined));
  if (read.incremental !== undefined) {
    list.add(`${name} read: resumes from every checkpoint without loss or repeat`, (session) => checkResumesFromEveryCheckpoint(session, spec, stream));
    const shared = `${name} read: keeps records that share a cursor value`;
    const { cursorOf, uniqueCursor } = fixture.incremental ?? {};
    if (fixture.incremental === undefined || (cursorOf === undefined && uniqueCursor === undefined)) {
      list.fail(shared, `stream "${name}" reads incrementally; give streams.${name}.read.incremental (cursorOf, or uniqueCursor saying why no two records share one; and addAt) so the kit can check records that share a cursor value`);
    } else if (cursorOf !== undefined) {
      list.add(shared, (session) => checkKeepsSharedCursorValues(session, spec, stream, cursorOf, fixture));
    } else {
      list.skipped.push({ name: shared, reason: uniqueCursor ?? '' });
      list.add(`${name} read: a record added after the last checkpoint comes with the next read`, (session) => checkAddedAfterLastCheckpoint(session, spec, stream, fixture));
    }
  }
  list.failures(`${name} read`, fixture.failures, (session, failures, kind) => checkReadFailure(session, spec, failures, kind));
}

function addWriteChecks(list: CheckList, spec: WriteSpec): void {
  const name = spec.stream;
  const fixture: WriteFixture<Opened> = spec.fixture;
  list.add(`${name} write: accepts a batch, one result per record`, (session) => checkWriteAcceptsBatch(session, spec));
  list.scenario(`${name}: a batch written`, (session) => writeBatch(session, spec, batchOf(session, spec)));
  const idempotent = `${name} write: the same batch twice leaves the same external state`;
  if (idempotencyOf(spec) === 'none') list.skipped.push({ name: idempotent, reason: 'the stream declares idempotency none (at least once) for these options' });
  else list.add(idempotent, (session) => checkWriteIdempotent(session, spec));
  if (fixture.rejected !== undefined) {
    list.add(`${name} write: a record the target refuses is permanent, the others are written`, (session) => checkRejectedRecord(session, spec));
    list.scenario(`${name}: a batch with a refused record`, (session) => checkRejectedRecord(session, spec));
  }
  list.failures(`${name} write`, fixture.failures, (session, failures, kind) => checkWriteFailure(session, spec, failures, kind));
}

/** Replays every scenario of the other checks, each with a fresh fixture, and looks for the config's secrets in what the connector said. */
function addSecretsCheck(list: CheckList, connector: ConnectorDefinition, spec: ConformanceSpec<unknown, Opened>): void {
  const name = 'secrets stay out of logs, errors and dead letters';
  const fields = secretFields(connector.configSchema);
  if (fields.length === 0) {
    list.skipped.push({ name, reason: 'the config schema marks no field secret' });
    return;
  }
  list.add(name, async (first) => {
    if (secretValues(connector.configSchema, first.opened.config).length === 0) {
      throw new ConformanceFailure(`the config schema marks ${fields.join(', ')} secret, but the fixture's config gives none of them a value; give them values so the check can look for them`);
    }
    for (const scenario of list.scenarios) {
      await CheckSession.with(spec.setup, async (session) => {
        // Whether the scenario held is the other checks' business; here only what was said counts.
        await scenario.run(session).catch(() => undefined);
        expectNoSecrets(session, connector.configSchema, scenario.name);
      });
    }
  });
}
