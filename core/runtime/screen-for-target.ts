import type { WriteRecord } from '../sdk/connector.js';
import { RecordRejection } from '../sdk/step.js';
import type { KeyRecall } from '../state/state-store.js';
import { changedReason, CHANGED_AFTER_DELIVERY, versionOf } from './changed-version.js';
import type { ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';
import { screenAgainstLedger, type Candidate, type Screened } from './screen-deliveries.js';
import type { TargetTally } from './tally-outcomes.js';
import type { TargetRuntime } from './target-runtime.js';

/** What is left to write to a target, and beside it (same index) the candidate each record came from. */
export interface ToWrite {
  records: WriteRecord[];
  from: Candidate[];
  /** Of these and the recovered, those an earlier run had started sending without learning the answer. */
  resent: number;
}

const NOTHING: ToWrite = { records: [], from: [], resent: 0 };

/**
 * Screens one target's share of a batch against the effect ledger before anything is sent: a
 * batch the target wrote before is all duplicates; records are keyed (a record without a key
 * or version is a dead letter), those delivered before are duplicates, those a killed run got
 * accepted are written now, and changed ones `on_change: dead_letter` holds back are dead
 * letters. Returns the rest with the key each goes out under.
 */
export async function screenForTarget(scope: SourceContext, target: TargetRuntime, items: ItemInFlight[], batchKey: string, tally: TargetTally): Promise<ToWrite> {
  const { store } = scope;
  const pipeline = scope.plan.name;
  const name = target.plan.name;
  const scopeOfIdempotency = target.plan.write.idempotency;
  const { ledgerScope } = target;
  if (scopeOfIdempotency === 'batch' && (await store.delivered(pipeline, name, [batchKey])).has(batchKey)) {
    tally.result.duplicates = items.length;
    return NOTHING;
  }
  // A batch-scoped target without a record key: the batch is the unit, its records are not keyed.
  if (ledgerScope === undefined && scopeOfIdempotency === 'batch') return keylessShare(items, batchKey);

  const candidates: Candidate[] = [];
  const versioned = target.plan.keyedBy !== 'content';
  const keepContent = target.plan.onChange === 'dead_letter';
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as ItemInFlight;
    const key = target.keyOf(item.data);
    if (key instanceof RecordRejection) {
      tally.refused(item, key.code, key.reason);
      continue;
    }
    const version = versioned ? versionOf(item.data, keepContent) : undefined;
    if (version instanceof RecordRejection) tally.refused(item, version.code, version.reason, key);
    else candidates.push({ item, index, key, version });
  }
  const recall = ledgerScope !== undefined ? await store.recallKeys(pipeline, ledgerScope, unique(candidates.map((candidate) => candidate.key))) : new Map<string, KeyRecall>();
  const screened: Screened = screenAgainstLedger(candidates, recall, { onChange: target.plan.onChange, runId: scope.runId });
  tally.result.duplicates += screened.duplicates;
  for (const candidate of screened.recovered) tally.recovered(candidate, recall.get(candidate.key)?.delivered?.ref);
  for (const { candidate, earlier } of screened.heldBack) {
    const reason = changedReason({
      key: candidate.key,
      happened: earlier.at === undefined ? 'goes out earlier in this batch' : 'was delivered',
      at: earlier.at,
      before: earlier.content,
      after: candidate.item.data,
      replayDoes: 'send the new version',
    });
    tally.refused(candidate.item, CHANGED_AFTER_DELIVERY, reason, candidate.key);
  }
  const count = screened.send.length;
  const records = new Array<WriteRecord>(count);
  const from = new Array<Candidate>(count);
  for (let index = 0; index < count; index += 1) {
    const { candidate, idempotencyKey } = screened.send[index] as Screened['send'][number];
    records[index] = { key: scopeOfIdempotency === 'batch' ? `${batchKey}:${candidate.index}` : idempotencyKey, data: candidate.item.data };
    from[index] = candidate;
  }
  return { records, from, resent: screened.resent };
}

/**
 * A keyless batch's records keep their place in the batch in their key: file names of
 * one-file-per-record batches. Indexed loops into parallel arrays, and nothing else built per
 * record: a file target without a key takes a million records in a few seconds.
 */
function keylessShare(items: ItemInFlight[], batchKey: string): ToWrite {
  const records = new Array<WriteRecord>(items.length);
  const from = new Array<Candidate>(items.length);
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as ItemInFlight;
    const key = `${batchKey}:${index}`;
    records[index] = { key, data: item.data };
    from[index] = { item, index, key, version: undefined };
  }
  return { records, from, resent: 0 };
}

function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}
