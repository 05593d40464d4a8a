import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../json.js';
import { RecordRejection } from '../sdk/step.js';
import { describeChanges } from './record-diff.js';
import { stableJson } from './record-key.js';

/** The dead-letter code of a record held back because its key was delivered before with other content. */
export const CHANGED_AFTER_DELIVERY = 'changed_after_delivery';

/** How a record compares with the version remembered under its key. */
export type VersionVerdict = 'new' | 'same' | 'changed';

export function judgeVersion(previous: { hash: string | undefined } | undefined, hash: string): VersionVerdict {
  if (previous === undefined) return 'new';
  // An entry from before content hashes were kept: what went out is unknown, so it counts as
  // the same, as it did then. A stale answer leaves no hash either: the target holds newer.
  if (previous.hash === undefined || previous.hash === hash) return 'same';
  return 'changed';
}

/** A record's content hash and, where a diff may be wanted later, its stable JSON; refused when too deep to hash. */
export function versionOf(record: JsonObject, keepContent: boolean): { hash: string; content: string | undefined } | RecordRejection {
  let text: string;
  try {
    text = stableJson(record);
  } catch {
    return new RecordRejection('the record is nested too deep to compute its content hash', 'key_unavailable');
  }
  return { hash: createHash('sha256').update(text).digest('hex').slice(0, 40), content: keepContent ? text : undefined };
}

/**
 * Why a changed record is dead-lettered, with what changed, and what a person can do about it.
 * `before` is what was delivered (undefined when it was not kept).
 */
export function changedReason(change: {
  key: string;
  /** What happened to the earlier version: `was delivered`, `passed this dedupe step`, `goes out earlier in this batch`. */
  happened: string;
  /** When (ISO 8601), if it was before this batch. */
  at: string | undefined;
  before: string | undefined;
  after: JsonObject;
  /** What replaying does, e.g. "send the new version". */
  replayDoes: string;
}): string {
  let diff: string;
  if (change.before === undefined) {
    diff = 'the content delivered then is not kept (it is kept only while on_change is dead_letter)';
  } else {
    let before: JsonValue | undefined;
    try {
      before = JSON.parse(change.before) as JsonValue;
    } catch {
      before = undefined;
    }
    diff = describeChanges(before, change.after);
  }
  const when = change.at !== undefined ? ` at ${change.at}` : '';
  return (
    `${change.key} ${change.happened}${when} with other content: ${diff}. ` +
    `on_change: dead_letter holds it for a person: replay it to ${change.replayDoes}, or discard it to keep what went out`
  );
}
