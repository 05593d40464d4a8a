import { KeelError } from '../errors.js';
import { WRITE_RESULT_BY_KIND } from '../sdk/error-outcome.js';
import type { WriteResult } from '../sdk/connector.js';
import { ConformanceFailure, expectThat } from './failure.js';
import { readToEnd, type ReadSpec } from './read-pages.js';
import type { CheckSession } from './session.js';
import type { Failures, OpenedFixture } from './spec.js';
import { batchOf, writeBatch, type WriteSpec } from './write-checks.js';

type Session = CheckSession<OpenedFixture<unknown>>;
export type FailureKind = keyof Failures<unknown>;

/**
 * What the runner will do with a thrown error, by the one table of core/sdk/error-outcome.ts:
 * retry it, dead-letter the record (permanent), or stop the run. Anything but a KeelError is a
 * fault nobody classified: the runner stops on it, and cannot tell an outage from a bug.
 */
function outcomeOf(error: unknown): 'retryable' | 'permanent' | 'stop' | 'unclassified' {
  return error instanceof KeelError ? WRITE_RESULT_BY_KIND[error.kind] : 'unclassified';
}

const EXPECTED: Record<FailureKind, string> = {
  retryable: 'a KeelError of kind transient or rate_limited',
  permanent: 'a KeelError of kind record, config, auth or fatal',
};

function describeThrown(error: unknown): string {
  if (error instanceof KeelError) return `a KeelError of kind ${error.kind} (${error.code}): ${error.message}`;
  return `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}, which is no KeelError`;
}

function expectThrownAs(error: unknown, kind: FailureKind, where: string): void {
  const outcome = outcomeOf(error);
  const fits = kind === 'retryable' ? outcome === 'retryable' : outcome === 'permanent' || outcome === 'stop';
  expectThat(fits, () => `${where}: threw ${describeThrown(error)}; expected ${EXPECTED[kind]}${outcome === 'unclassified' ? ' (wrap what the API said in a KeelError, or use writeResultFor in a write)' : ''}`);
}

/** A read of a system that fails (for now, or for good) throws an error the runner can act on. */
export async function checkReadFailure(session: Session, spec: ReadSpec, failures: Failures<OpenedFixture<unknown>>, kind: FailureKind): Promise<void> {
  await failures[kind]?.(session.opened);
  const where = `${spec.stream}: read after the fixture's ${kind} failure`;
  try {
    await readToEnd(session, spec, 'full', undefined);
  } catch (error) {
    if (error instanceof ConformanceFailure) throw error;
    expectThrownAs(error, kind, where);
    return;
  }
  throw new ConformanceFailure(`${where} ended without an error: the failure went unnoticed (or the fixture did not break anything)`);
}

/** A write to a system that fails gives each record a result the runner can act on, or throws a classified error. */
export async function checkWriteFailure(session: Session, spec: WriteSpec, failures: Failures<OpenedFixture<unknown>>, kind: FailureKind): Promise<void> {
  await failures[kind]?.(session.opened);
  const where = `${spec.stream}: write after the fixture's ${kind} failure`;
  let results: WriteResult[];
  try {
    results = await writeBatch(session, spec, batchOf(session, spec));
  } catch (error) {
    if (error instanceof ConformanceFailure) throw error;
    expectThrownAs(error, kind, where);
    return;
  }
  const wrong = results.flatMap((result, index) => (result.status === kind ? [] : [`record ${index + 1}: ${result.status}${result.status === 'ok' ? '' : ` (${result.error})`}`]));
  expectThat(wrong.length === 0, () => `${where}: expected every record ${kind}, got ${wrong.join('; ')}`);
}

/** A record the target refuses is permanent (dead-lettered with its reason); the records beside it are written. */
export async function checkRejectedRecord(session: Session, spec: WriteSpec): Promise<void> {
  const rejected = spec.fixture.rejected;
  if (rejected === undefined) return;
  const batch = batchOf(session, spec, [rejected]);
  let results: WriteResult[];
  try {
    results = await writeBatch(session, spec, batch);
  } catch (error) {
    if (error instanceof ConformanceFailure) throw error;
    throw new ConformanceFailure(
      `${spec.stream}: a batch with one record the target refuses threw ${describeThrown(error)}; give that record a permanent result (writeResultFor(error) turns a RecordRejection into one) and write the others`,
    );
  }
  const last = results.at(-1);
  expectThat(last?.status === 'permanent', () => `${spec.stream}: the record the target refuses got ${JSON.stringify(last)}; expected { status: 'permanent', error: <why> }`);
  const others = results.slice(0, -1).flatMap((result, index) => (result.status === 'ok' ? [] : [`record ${index + 1}: ${result.status}`]));
  expectThat(others.length === 0, () => `${spec.stream}: one refused record failed the records beside it too (${others.join('; ')}); results are per record`);
}
