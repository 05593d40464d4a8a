import { stableJson } from '../runtime/record-key.js';
import type { JsonObject, JsonValue } from '../json.js';
import type { StreamDefinition } from '../sdk/connector.js';
import { expectThat, listed } from './failure.js';
import { identityOf, readToEnd, recordsOf, resumePoints, type ReadPage, type ReadSpec } from './read-pages.js';
import type { CheckSession } from './session.js';
import type { OpenedFixture, ReadFixture } from './spec.js';

type Session = CheckSession<OpenedFixture<unknown>>;

/** A stream declared readable yields pages of records on a full read, and the data seeded is there. */
export async function checkReadYieldsPages(session: Session, spec: ReadSpec, stream: StreamDefinition): Promise<void> {
  const pages = await readToEnd(session, spec, 'full', undefined);
  const records = recordsOf(pages);
  expectThat(records.length > 0, () => `${spec.stream}: a full read yielded no record (${pages.length} pages); seed records in setup so the read has something to yield`);
  const identity = identityOf(stream, spec.stream);
  for (const record of records) identity(record);
}

/**
 * An incremental read resumed from any checkpoint it gave yields exactly the records after that
 * checkpoint: none lost, none that came before it again. A source that can replay yields them in
 * the same order, as the runner skips a count of records when it resumes inside a page.
 */
export async function checkResumesFromEveryCheckpoint(session: Session, spec: ReadSpec, stream: StreamDefinition): Promise<void> {
  const identity = identityOf(stream, spec.stream);
  const pages = await readToEnd(session, spec, 'incremental', undefined);
  const all = recordsOf(pages).map(identity);
  const repeated = all.filter((key, index) => all.indexOf(key) !== index);
  expectThat(repeated.length === 0, () => `${spec.stream}: one incremental read yielded records twice: ${listed([...new Set(repeated)])}`);
  const points = resumePoints(pages);
  expectThat(
    points.some((point) => point.before > 0 && point.before < all.length),
    () => `${spec.stream}: the read gave no checkpoint with records on both sides (${pages.length} pages, ${all.length} records), so resuming is not tested; seed more records than one page holds (a small page size in the options)`,
  );
  for (const [index, point] of points.entries()) {
    const again = recordsOf(await readToEnd(session, spec, 'incremental', point.checkpoint)).map(identity);
    const expected = all.slice(point.before);
    const before = new Set(all.slice(0, point.before));
    const where = `${spec.stream}: resumed from checkpoint ${index + 1} of ${points.length} (after ${point.before} of ${all.length} records)`;
    const lost = expected.filter((key) => !again.includes(key));
    expectThat(lost.length === 0, () => `${where}, the read lost ${lost.length}: ${listed(lost)}`);
    const repeats = again.filter((key, at) => before.has(key) || again.indexOf(key) !== at);
    expectThat(repeats.length === 0, () => `${where}, the read repeated ${repeats.length} records read before the checkpoint: ${listed(repeats)}`);
    const extra = again.filter((key) => !expected.includes(key));
    expectThat(extra.length === 0, () => `${where}, the read yielded records the first read did not: ${listed(extra)}`);
    if (spec.read.replayable !== false) {
      expectThat(
        stableJson(again) === stableJson(expected),
        () => `${where}, the records came in another order (${listed(again)}, first read: ${listed(expected)}); a source that can replay must yield the same records in the same order, or declare replayable: false`,
      );
    }
  }
}

/**
 * Records that share a cursor value are not lost: the seeded data has such a group across a
 * checkpoint, and the read resumed there yields the rest of the group; and a record added later at
 * the cursor value of the last record read comes with the next read from the last checkpoint.
 */
export async function checkKeepsSharedCursorValues(session: Session, spec: ReadSpec, stream: StreamDefinition, cursorOf: (record: JsonObject) => JsonValue, fixture: ReadFixture<OpenedFixture<unknown>>): Promise<void> {
  const identity = identityOf(stream, spec.stream);
  const pages = await readToEnd(session, spec, 'incremental', undefined);
  const records = recordsOf(pages);
  const straddled = straddlingPoint(pages, cursorOf);
  expectThat(
    straddled !== undefined,
    () => `${spec.stream}: no checkpoint falls between two records that share a cursor value, so the check has nothing to hold; seed several records per cursor value and a page size that splits them`,
  );
  const rest = recordsOf(await readToEnd(session, spec, 'incremental', straddled.checkpoint)).map(identity);
  const missing = records.slice(straddled.before).map(identity).filter((key) => !rest.includes(key));
  expectThat(missing.length === 0, () => `${spec.stream}: resumed between records that share a cursor value, the read lost ${listed(missing)}`);
  await checkAddedAfterLastCheckpoint(session, spec, stream, fixture, pages, cursorOf);
}

/**
 * A record added after a read came with the next read from its last checkpoint, and nothing read
 * before came again. With `cursorOf`, it is added at the last record's cursor value: a cursor that
 * skips its own value loses records written in the same instant.
 */
export async function checkAddedAfterLastCheckpoint(
  session: Session,
  spec: ReadSpec,
  stream: StreamDefinition,
  fixture: ReadFixture<OpenedFixture<unknown>>,
  read?: ReadPage[],
  cursorOf?: (record: JsonObject) => JsonValue,
): Promise<void> {
  const identity = identityOf(stream, spec.stream);
  const pages = read ?? (await readToEnd(session, spec, 'incremental', undefined));
  const records = recordsOf(pages);
  const last = records.at(-1);
  expectThat(last !== undefined, () => `${spec.stream}: an incremental read yielded no record; seed records in setup`);
  const end = [...pages].reverse().find((page) => page.checkpoint !== undefined)?.checkpoint;
  const cursor = cursorOf?.(last);
  await fixture.incremental?.addAt(session.opened, cursor, last);
  const after = recordsOf(await readToEnd(session, spec, 'incremental', end)).map(identity);
  const known = new Set(records.map(identity));
  expectThat(
    after.some((key) => !known.has(key)),
    () =>
      cursor === undefined
        ? `${spec.stream}: a record added after the read did not come with the next read from its last checkpoint`
        : `${spec.stream}: a record added at the cursor value of the last record read (${JSON.stringify(cursor)}) did not come with the next read from the last checkpoint: a cursor that skips its own value loses records written in the same instant`,
  );
  const again = after.filter((key) => known.has(key));
  expectThat(again.length === 0, () => `${spec.stream}: the read after a record was added repeated records read before: ${listed(again)}`);
}

/** A checkpoint with records on both sides that share a cursor value. */
function straddlingPoint(pages: readonly ReadPage[], cursorOf: (record: JsonObject) => JsonValue): { checkpoint: JsonValue; before: number } | undefined {
  const records = recordsOf(pages);
  const values = records.map((record) => stableJson(cursorOf(record)));
  for (const point of resumePoints(pages)) {
    if (point.before === 0 || point.before >= records.length) continue;
    if (values[point.before - 1] === values[point.before]) return point;
  }
  return undefined;
}
