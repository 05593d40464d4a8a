import type { ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';
import { screenForTarget, type ToWrite } from './screen-for-target.js';
import { TargetTally, type DeliveryResult } from './tally-outcomes.js';
import type { TargetRuntime } from './target-runtime.js';
import { writeWithRetries } from './write-with-retries.js';

/**
 * Writes one target's share of a batch: screened against the effect ledger, marked in flight,
 * written with retries, each record's end tallied. Returns what to commit with the batch.
 */
export async function deliverToTarget(scope: SourceContext, target: TargetRuntime, items: ItemInFlight[], batchKey: string): Promise<DeliveryResult> {
  const tally = new TargetTally(scope, target);
  const { result } = tally;
  if (items.length === 0) return result;
  const toWrite = await screenForTarget(scope, target, items, batchKey, tally);
  if (toWrite.records.length === 0) return result;
  result.resent = toWrite.resent;
  if (!target.marksEachSend) await markBatchInFlight(scope, target, batchKey, toWrite, result);
  const sequence = target.sequence + 1;
  await writeWithRetries(scope, target, batchKey, sequence, toWrite, tally);
  const name = target.plan.name;
  if (target.plan.write.idempotency === 'batch') result.deliveries.push({ target: name, key: batchKey, ref: String(sequence) });
  result.sequence = { target: name, value: sequence };
  return result;
}

/**
 * Marks the batch in flight before it is handed over, where sends are not marked per record. A
 * run after a crash that finds it marked by another run counts every record of it as re-sent:
 * the killed run may have sent them all.
 */
async function markBatchInFlight(scope: SourceContext, target: TargetRuntime, batchKey: string, toWrite: ToWrite, result: DeliveryResult): Promise<void> {
  const mark = { scope: `${target.plan.name}#batch`, key: batchKey };
  const marked = (await scope.store.recallKeys(scope.plan.name, mark.scope, [batchKey])).get(batchKey)?.inDoubtSince;
  if (marked !== undefined && marked !== scope.runId) {
    for (const candidate of toWrite.from) candidate.resent = true;
    result.resent += toWrite.records.length;
  }
  await scope.journal.sending([mark]);
}
