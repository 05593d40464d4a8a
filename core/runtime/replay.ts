import type { PipelinePlan, SourcePlan } from '../config/plan.js';
import type { JsonObject } from '../json.js';
import type { DeadLetter, DeadLetterInput } from '../state/state-store.js';
import type { ReplayBatch } from './batch.js';
import type { ItemInFlight } from './item-in-flight.js';
import { stopRequested, type SourceContext } from './run-context.js';

/** Dead letters to replay, grouped by the source they came from; those of a source the pipeline no longer has are left. */
export function replaySources(plan: PipelinePlan, letters: readonly DeadLetter[]): { source: SourcePlan; letters: DeadLetter[] }[] {
  const bySource = new Map<string, DeadLetter[]>();
  for (const letter of letters) {
    const list = bySource.get(letter.source) ?? [];
    list.push(letter);
    bySource.set(letter.source, list);
  }
  const out: { source: SourcePlan; letters: DeadLetter[] }[] = [];
  for (const [name, list] of bySource) {
    const source = plan.sources.find((candidate) => candidate.name === name);
    if (source !== undefined) out.push({ source, letters: list });
  }
  return out;
}

/**
 * Turns one source's dead letters back into batches of records, each item carrying the dead
 * letter it stands for: its id (a failure again updates that letter), origin, code (a change a
 * person chose to send) and target (a target's failure goes to that target only). Decode
 * failures have no record to replay (the input itself was broken) unless their raw text is a
 * JSON object.
 */
export async function* replayBatches(scope: SourceContext, letters: readonly DeadLetter[]): AsyncGenerator<ReplayBatch, void, undefined> {
  let items: ItemInFlight[] = [];
  for (const letter of letters) {
    const data = recordOf(letter.payload);
    if (data === undefined) continue;
    items.push({
      data,
      original: data,
      unit: undefined,
      mark: ':',
      at: undefined,
      replayOrigin: letter.origin ?? letter.source,
      deadLetterId: letter.id,
      replayCode: letter.code,
      onlyTarget: letter.target,
    });
    if (items.length >= scope.plan.batchSize) {
      yield { kind: 'replay', items, rejects: [], afterCommit: [] };
      items = [];
      if (stopRequested(scope)) return;
    }
  }
  if (items.length > 0) yield { kind: 'replay', items, rejects: [], afterCommit: [] };
}

/** After a replayed batch's commit: its dead letters that went through are replayed; those that failed again the commit updated. */
export async function markReplayed(scope: SourceContext, batch: ReplayBatch, deadLetters: readonly DeadLetterInput[]): Promise<void> {
  const failed = new Set(deadLetters.map((letter) => letter.replaces));
  const through = batch.items.filter((item) => item.deadLetterId !== undefined && !failed.has(item.deadLetterId)).map((item) => item.deadLetterId as number);
  await scope.store.setDeadLetterStatus(through, 'replayed');
  scope.replayed.push(...through);
}

function recordOf(payload: string): JsonObject | undefined {
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return undefined;
  }
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as JsonObject) : undefined;
}
