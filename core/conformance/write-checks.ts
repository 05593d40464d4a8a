import type { TSchema } from '@sinclair/typebox';
import { RecordRejection } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { compileRecordKey, stableJson } from '../runtime/record-key.js';
import type { StreamDefinition, WriteCapability, WriteRecord, WriteResult } from '../sdk/connector.js';
import { ConformanceFailure, expectThat } from './failure.js';
import type { CheckSession } from './session.js';
import type { OpenedFixture, WriteFixture } from './spec.js';

type Session = CheckSession<OpenedFixture<unknown>>;

export interface WriteSpec {
  stream: string;
  definition: StreamDefinition;
  write: WriteCapability<unknown, TSchema>;
  options: JsonObject;
  fixture: WriteFixture<OpenedFixture<unknown>>;
}

const OUTCOME_LABEL = /^[a-z][a-z0-9_-]{0,39}$/;
const STATUSES = new Set(['ok', 'retryable', 'permanent']);

/** The fixture's batch as the runner hands it over: each record with its idempotency key. */
export function batchOf(session: Session, spec: WriteSpec, extra: readonly JsonObject[] = []): WriteRecord[] {
  const { records } = spec.fixture;
  const data = [...(typeof records === 'function' ? records(session.opened) : records), ...extra];
  expectThat(data.length > 0, () => `${spec.stream}: the write fixture has no records; give a batch the target accepts`);
  const key = compileRecordKey(undefined, spec.definition.primaryKey);
  return data.map((record, index) => {
    const found = key(record);
    if (found instanceof RecordRejection) throw new ConformanceFailure(`${spec.stream}: record ${index + 1} of the write fixture: ${found.reason}`);
    return { key: found, data: structuredClone(record) };
  });
}

/**
 * Writes a batch as the runner would and checks the answer's shape: one result per record, each
 * ok (with a well-formed outcome label), retryable or permanent with a message; and, for a
 * capability with `perRecordProgress`, every record settled with the result the write returned.
 */
export async function writeBatch(session: Session, spec: WriteSpec, batch: readonly WriteRecord[], batchKey = 'conformance-batch-1'): Promise<WriteResult[]> {
  const settled = new Map<number, WriteResult>();
  let results: WriteResult[];
  try {
    results = await spec.write.write(
      session.writeContext(spec.stream, spec.options, batchKey, (index, result) => settled.set(index, result)),
      batch.map((record) => structuredClone(record)),
    );
  } catch (error) {
    session.heard(error);
    throw error;
  }
  const what = `${spec.stream}: write`;
  expectThat(Array.isArray(results) && results.length === batch.length, () => `${what} returned ${Array.isArray(results) ? results.length : 'no'} results for ${batch.length} records: return one result per record, in order`);
  for (const [index, result] of results.entries()) {
    const where = `${what}: the result of record ${index + 1} (${batch[index]?.key})`;
    expectThat(typeof result === 'object' && result !== null && STATUSES.has(result.status), () => `${where} is ${JSON.stringify(result)}: use { status: 'ok' | 'retryable' | 'permanent' }`);
    if (result.status === 'ok') {
      expectThat(result.outcome === undefined || OUTCOME_LABEL.test(result.outcome), () => `${where} has the outcome label "${String(result.outcome)}": use lower-case letters, digits, _ and -, at most 40`);
    } else {
      session.said.push(result.error);
      expectThat(typeof result.error === 'string' && result.error.trim() !== '', () => `${where} is ${result.status} without a message: say what went wrong (it is what the dead letter shows)`);
    }
    if (spec.write.perRecordProgress === true) {
      const reported = settled.get(index);
      expectThat(reported !== undefined, () => `${where}: the capability declares perRecordProgress, but ctx.settled(${index}, result) was not called`);
      expectThat(stableJson(reported as never) === stableJson(result as never), () => `${where}: ctx.settled reported ${JSON.stringify(reported)}, the write returned ${JSON.stringify(result)}`);
    }
  }
  return results;
}

async function stateOf(session: Session, spec: WriteSpec): Promise<string> {
  return stableJson((await spec.fixture.state(session.opened)) as JsonValue);
}

/** The target takes the fixture's batch: every record ok, and what it holds changed. */
export async function checkWriteAcceptsBatch(session: Session, spec: WriteSpec): Promise<void> {
  const before = await stateOf(session, spec);
  const batch = batchOf(session, spec);
  const results = await writeBatch(session, spec, batch);
  const refused = results.flatMap((result, index) => (result.status === 'ok' ? [] : [`${batch[index]?.key}: ${result.status} (${result.error})`]));
  expectThat(refused.length === 0, () => `${spec.stream}: the write refused records of the fixture's batch, which it should accept: ${refused.join('; ')}`);
  const after = await stateOf(session, spec);
  expectThat(after !== before, () => `${spec.stream}: the fixture's state() is the same before and after the batch: the write had no visible effect, or state() does not show what the target holds`);
}

/**
 * Retried after a crash, a batch is sent again with the same keys and batch key: a target that
 * declares itself idempotent must end up holding what it held after the first time.
 */
export async function checkWriteIdempotent(session: Session, spec: WriteSpec): Promise<void> {
  const batch = batchOf(session, spec);
  await writeBatch(session, spec, batch);
  const once = await stateOf(session, spec);
  const results = await writeBatch(session, spec, batch);
  const refused = results.flatMap((result, index) => (result.status === 'ok' ? [] : [`${batch[index]?.key}: ${result.status} (${result.error})`]));
  expectThat(refused.length === 0, () => `${spec.stream}: the same batch written again was refused: ${refused.join('; ')}; a retry of what the target already holds must succeed (answer ok, or ok with outcome 'duplicate')`);
  const twice = await stateOf(session, spec);
  expectThat(
    twice === once,
    () => `${spec.stream}: the same batch written twice changed the target again (after once: ${once.slice(0, 300)}; after twice: ${twice.slice(0, 300)}); the stream declares idempotency "${String(idempotencyOf(spec))}": deduplicate by the record key, or declare 'none'`,
  );
}

/** The stream's declared idempotency for the fixture's options. */
export function idempotencyOf(spec: Pick<WriteSpec, 'write' | 'options'>): string {
  const declared = spec.write.idempotency;
  return typeof declared === 'function' ? declared(spec.options as never) : declared;
}
