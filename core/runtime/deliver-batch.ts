import type { BatchOutcome } from './batch.js';
import { deliverToTarget } from './deliver-to-target.js';
import type { DeliveryResult } from './tally-outcomes.js';
import type { ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';
import { targetStage } from './stage-counts.js';
import type { TargetRuntime } from './target-runtime.js';

/**
 * Delivers what came through the steps to every target at once (a replayed target failure to
 * its own target only), and adds what each did to the batch's outcome, target by target in
 * the pipeline's order. A dry run writes nothing and counts every record as written.
 */
export async function deliverBatch(scope: SourceContext, targets: TargetRuntime[], survivors: ItemInFlight[], batchKey: string, outcome: BatchOutcome): Promise<void> {
  const { counts } = outcome;
  if (scope.dryRun) {
    counts.written += survivors.length * targets.length;
    return;
  }
  const shares = targets.map((target) => survivors.filter((item) => item.onlyTarget === undefined || item.onlyTarget === target.plan.name));
  const results = await Promise.all(targets.map((target, index) => deliverToTarget(scope, target, shares[index] as ItemInFlight[], batchKey)));
  // Effects recorded as they arrived are written before the batch commit settles them.
  await scope.journal.flush();
  for (const [index, result] of results.entries()) {
    noteTarget(scope, outcome, index, (targets[index] as TargetRuntime).plan.name, (shares[index] as ItemInFlight[]).length, result);
    outcome.deliveries.push(...result.deliveries);
    outcome.deadLetters.push(...result.deadLetters);
    counts.written += result.written;
    counts.duplicates += result.duplicates;
    counts.resent += result.resent;
    for (const [label, count] of Object.entries(result.outcomes)) counts.outcomes[label] = (counts.outcomes[label] ?? 0) + count;
    if (result.sequence !== undefined) outcome.sequences.push(result.sequence);
  }
}

/** What one target did with its share, in the batch's detail: its stage's counts and the files it wrote. */
function noteTarget(scope: SourceContext, outcome: BatchOutcome, index: number, name: string, share: number, result: DeliveryResult): void {
  if (share === 0) return;
  const stage = targetStage(scope, index, name);
  stage.in = share;
  stage.out = result.written;
  stage.duplicates = result.duplicates;
  stage.deadLettered = result.deadLetters.length;
  outcome.detail.stages.push(stage);
  for (const [file, records] of result.files) outcome.detail.files.push({ direction: 'written', stage: stage.stage, name: file, records });
}
