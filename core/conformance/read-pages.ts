import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { compileRecordKey, stableJson } from '../runtime/record-key.js';
import type { ReadCapability, StreamDefinition, SyncMode } from '../sdk/connector.js';
import type { TSchema } from '@sinclair/typebox';
import { RecordRejection } from '../errors.js';
import { ConformanceFailure, expectThat } from './failure.js';
import type { CheckSession } from './session.js';
import type { OpenedFixture } from './spec.js';

export const DEFAULT_MAX_RECORDS = 10_000;

/** One page as the kit keeps it: its records, and the checkpoint after them (if it gave one). */
export interface ReadPage {
  records: JsonObject[];
  checkpoint: JsonValue | undefined;
}

export interface ReadSpec {
  stream: string;
  read: ReadCapability<unknown, TSchema>;
  options: JsonObject;
  maxRecords: number;
}

/**
 * Reads a stream to its end as the runner would, from `cursor`, checking each page's shape: an
 * array of records whose data are JSON objects, rejects with a reason, a checkpoint that survives
 * JSON (it is stored as such). Bounded by `maxRecords`, so an endless source fails instead of hanging.
 */
export async function readToEnd(session: CheckSession<OpenedFixture<unknown>>, spec: ReadSpec, sync: SyncMode, cursor: JsonValue | undefined): Promise<ReadPage[]> {
  const pages: ReadPage[] = [];
  let count = 0;
  const what = `${spec.stream}: read (${sync}${cursor === undefined ? '' : ', from a checkpoint'})`;
  try {
    for await (const page of spec.read.read(session.readContext(spec.stream, spec.options, sync, cursor))) {
      expectThat(typeof page === 'object' && page !== null && Array.isArray(page.records), () => `${what} yielded ${JSON.stringify(page)}: a page is { records: [...], checkpoint? }`);
      const records = page.records.map((record, index) => {
        expectThat(isJsonObject(record?.data), () => `${what}: record ${index + 1} of page ${pages.length + 1} has no data object: yield { records: [{ data: {...} }] }`);
        return record.data;
      });
      for (const reject of page.rejects ?? []) {
        expectThat(typeof reject.reason === 'string' && reject.reason !== '', () => `${what}: a reject of page ${pages.length + 1} has no reason: say why it could not be read`);
        session.said.push(reject.raw, reject.reason);
      }
      if (page.checkpoint !== undefined) {
        const stored = JSON.parse(JSON.stringify(page.checkpoint)) as JsonValue;
        expectThat(stableJson(stored) === stableJson(page.checkpoint), () => `${what}: the checkpoint of page ${pages.length + 1} does not survive JSON (it is stored as JSON): ${String(page.checkpoint)}`);
      }
      pages.push({ records, checkpoint: page.checkpoint });
      count += records.length;
      expectThat(count <= spec.maxRecords, () => `${what} yielded more than ${spec.maxRecords} records without ending; a read must end when the source has no more (or raise maxRecords)`);
    }
  } catch (error) {
    if (!(error instanceof ConformanceFailure)) session.heard(error);
    throw error;
  }
  return pages;
}

/** Names a record as the runner does for idempotency: its primary key, else its content. */
export function identityOf(stream: StreamDefinition, streamName: string): (record: JsonObject) => string {
  const key = compileRecordKey(undefined, stream.primaryKey);
  return (record) => {
    const identity = key(record);
    if (identity instanceof RecordRejection) throw new ConformanceFailure(`${streamName}: a record read has no key: ${identity.reason} (${JSON.stringify(record).slice(0, 200)})`);
    return identity;
  };
}

/** Where a read can resume: each distinct checkpoint, with how many records came before it. */
export function resumePoints(pages: readonly ReadPage[]): { checkpoint: JsonValue; before: number }[] {
  const points: { checkpoint: JsonValue; before: number }[] = [];
  let before = 0;
  for (const page of pages) {
    before += page.records.length;
    if (page.checkpoint === undefined) continue;
    const last = points.at(-1);
    // The same checkpoint again with no record in between is one place; with records in between, two (and a resume from it cannot be right for both).
    if (last !== undefined && last.before === before && stableJson(last.checkpoint) === stableJson(page.checkpoint)) continue;
    points.push({ checkpoint: page.checkpoint, before });
  }
  return points;
}

export const recordsOf = (pages: readonly ReadPage[]): JsonObject[] => pages.flatMap((page) => page.records);
