import type { BatchOutcome } from './batch.js';
import { deliverToTarget } from './deliver-to-target.js';
import type { ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';
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
  const results = await Promise.all(
    targets.map((target) =>
      deliverToTarget(scope, target, survivors.filter((item) => item.onlyTarget === undefined || item.onlyTarget === target.plan.name), batchKey),
    ),
  );
  // Effects recorded as they arrived are written before the batch commit settles them.
  await scope.journal.flush();
  for (const result of results) {
    outcome.deliveries.push(...result.deliveries);
    outcome.deadLetters.push(...result.deadLetters);
    counts.written += result.written;
    counts.duplicates += result.duplicates;
    counts.resent += result.resent;
    for (const [label, count] of Object.entries(result.outcomes)) counts.outcomes[label] = (counts.outcomes[label] ?? 0) + count;
    if (result.sequence !== undefined) outcome.sequences.push(result.sequence);
  }
}
