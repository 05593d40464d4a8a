import { KeelError } from '../errors.js';
import { addCounts } from '../state/state-store.js';
import type { Batch, BatchOutcome } from './batch.js';
import { markReplayed } from './replay.js';
import type { SourceContext } from './run-context.js';
import type { TargetRuntime } from './target-runtime.js';

/**
 * Commits a batch in one transaction: the cursor at its end (a replay moves none), what the
 * steps remembered and the targets accepted, its dead letters, the targets' batch counters and
 * its counts. Then what waits for the commit: replayed dead letters marked, the targets' counters
 * moved on, the source's after-commit actions. A dry run stores nothing; it lists the dead
 * letters it would have made.
 */
export async function commitBatch(scope: SourceContext, batch: Batch, outcome: BatchOutcome, targets: TargetRuntime[]): Promise<void> {
  const { counts, deadLetters, sequences } = outcome;
  counts.deadLettered = deadLetters.length;
  if (scope.dryRun) {
    for (const letter of deadLetters) scope.wouldDeadLetter.push({ origin: letter.origin, stage: letter.stage, reason: letter.reason });
    return;
  }
  const cursor = batch.kind === 'read' ? batch.end : undefined;
  await scope.store.commit({
    pipeline: scope.plan.name,
    runId: scope.runId,
    source: scope.source.name,
    cursor,
    deliveries: outcome.deliveries,
    deadLetters,
    sequences,
    counts,
    detail: outcome.detail,
  });
  scope.logger.debug('batch committed', {
    records: counts.read,
    written: counts.written,
    duplicates: counts.duplicates,
    resent: counts.resent,
    dead_lettered: counts.deadLettered,
    filtered: counts.skipped,
    cursor_skip: cursor?.skip,
  });
  if (batch.kind === 'replay') await markReplayed(scope, batch, deadLetters);
  for (const sequence of sequences) {
    const target = targets.find((candidate) => candidate.plan.name === sequence.target);
    if (target !== undefined) target.sequence = sequence.value;
  }
  for (const action of batch.afterCommit) {
    try {
      await action();
    } catch (error) {
      scope.logger.warn('after-commit action failed; it is retried on the next run', { error: scope.redactor.redact(String(error)) });
    }
  }
}

/**
 * Adds a batch's counts to the run's and reports progress; stops the run once more records
 * were dead-lettered than on_error.max_dead_letters allows, so the cause can be fixed first.
 */
export function countBatch(scope: SourceContext, outcome: BatchOutcome): void {
  const { totals, plan } = scope;
  addCounts(totals, outcome.counts);
  const max = plan.maxDeadLetters;
  if (max !== undefined && totals.deadLettered > max) {
    throw new KeelError('fatal', `more than ${max} records were dead-lettered (on_error.max_dead_letters); stopping so the cause can be fixed`, {
      code: 'too_many_dead_letters',
      stage: 'run',
    });
  }
  scope.onProgress?.({ ...totals, pipeline: plan.name, source: scope.source.name, elapsedMs: Date.now() - scope.started });
}
