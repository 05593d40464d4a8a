import type { PipelinePlan } from '../config/plan.js';
import type { JsonObject } from '../json.js';
import { DROP, DUPLICATE, RecordRejection, type StepFunction, type StepOutput } from '../sdk/step.js';
import type { StageCounts } from '../state/run-details.js';
import type { BatchOutcome } from './batch.js';
import { deadLetter, type RecordFailure } from './dead-letter.js';
import type { ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';
import { stageCounts } from './stage-counts.js';

type StepOutcome = ItemInFlight | typeof DROP | typeof DUPLICATE | RecordFailure | { many: StepOutcome[] };

/**
 * Runs each record of a batch through the steps, one record at a time in source order (a dedupe
 * step sees the records before it). Returns the records that go on to the targets; those
 * dropped, found duplicate or rejected are counted or dead-lettered in the batch's outcome.
 */
export async function applySteps(scope: SourceContext, steps: StepFunction[], items: ItemInFlight[], outcome: BatchOutcome): Promise<ItemInFlight[]> {
  const survivors: ItemInFlight[] = [];
  const counts = scope.plan.steps.map((step, index) => stageCounts(stepStage(scope.plan, index), index + 1));
  const path: StepPath = { steps, plan: scope.plan, counts };
  for (const item of items) {
    let stepped = throughSteps(path, item);
    if (stepped instanceof Promise) stepped = await stepped;
    sortOutcome(scope, item, stepped, survivors, outcome);
  }
  // What dedupe steps remembered in this batch is committed with it, or forgotten with it.
  outcome.deliveries = scope.stepLedgers.takeEntries();
  if (items.length > 0) outcome.detail.stages.push(...counts);
  return survivors;
}

/** The steps a record goes through, and what each of them did with the batch's records so far. */
interface StepPath {
  steps: StepFunction[];
  plan: PipelinePlan;
  counts: StageCounts[];
}

function sortOutcome(scope: SourceContext, item: ItemInFlight, stepped: StepOutcome, survivors: ItemInFlight[], outcome: BatchOutcome): void {
  if (stepped === DROP) outcome.counts.skipped += 1;
  else if (stepped === DUPLICATE) outcome.counts.duplicates += 1;
  else if ('many' in stepped) {
    if (stepped.many.length === 0) outcome.counts.skipped += 1;
    for (const one of stepped.many) sortOutcome(scope, item, one, survivors, outcome);
  } else if ('stage' in stepped) outcome.deadLetters.push(deadLetter(scope, item, stepped));
  else survivors.push(stepped);
}

/** Runs the steps over one record; stays synchronous unless a step returns a promise. Counts what each step did with it. */
function throughSteps(path: StepPath, item: ItemInFlight, from = 0, start: JsonObject = item.data): StepOutcome | Promise<StepOutcome> {
  const { steps, plan, counts } = path;
  let data = start;
  for (let index = from; index < steps.length; index += 1) {
    const count = counts[index] as StageCounts;
    count.in += 1;
    let output;
    try {
      output = (steps[index] as StepFunction)(data);
    } catch (error) {
      count.deadLettered += 1;
      return stepFailure(plan, index, error);
    }
    if (output instanceof Promise) {
      return output.then(
        (resolved) => settle(resolved, plan, index, count) ?? continueWith(path, item, index + 1, resolved),
        (error: unknown) => {
          count.deadLettered += 1;
          return stepFailure(plan, index, error);
        },
      );
    }
    const settled = settle(output, plan, index, count);
    if (settled !== undefined) return settled;
    if (Array.isArray(output)) return continueWith(path, item, index + 1, output);
    data = output as JsonObject;
  }
  if (data === item.data) return item;
  // The runner's own item, on its way through the steps once: it takes the output (the source
  // record stays in `original`). A fan-out's records each need an item of their own.
  if (from === 0) {
    item.data = data;
    return item;
  }
  return { ...item, data };
}

/** The stage a step's failure is reported at: `step:2:map`. */
function stepStage(plan: PipelinePlan, index: number): string {
  return `step:${index + 1}:${plan.steps[index]?.type ?? 'unknown'}`;
}

/** After a step: one record goes on; several (fan-out) each go through the remaining steps. */
function continueWith(path: StepPath, item: ItemInFlight, next: number, output: StepOutput): StepOutcome | Promise<StepOutcome> {
  if (!Array.isArray(output)) return throughSteps(path, item, next, output as JsonObject);
  const outcomes = output.map((record) => throughSteps(path, item, next, record));
  if (outcomes.some((outcome) => outcome instanceof Promise)) return Promise.all(outcomes).then((many) => ({ many }));
  return { many: outcomes as StepOutcome[] };
}

/** A step's output that ends the record's way (dropped or rejected), or undefined to go on; counted either way. */
function settle(output: StepOutput, plan: PipelinePlan, index: number, count: StageCounts): StepOutcome | undefined {
  if (output === DROP) {
    count.filtered += 1;
    return DROP;
  }
  if (output === DUPLICATE) {
    count.duplicates += 1;
    return DUPLICATE;
  }
  if (output instanceof RecordRejection) {
    count.deadLettered += 1;
    return { stage: stepStage(plan, index), code: output.code, reason: output.reason };
  }
  if (Array.isArray(output)) {
    count.out += output.length;
    if (output.length === 0) count.filtered += 1;
  } else count.out += 1;
  return undefined;
}

/** A step that threw: a rejection it threw keeps its own code, like one it returned; anything else is step_failed. */
export function stepFailure(plan: PipelinePlan, index: number, error: unknown): RecordFailure {
  if (error instanceof RecordRejection) return { stage: stepStage(plan, index), code: error.code, reason: error.reason };
  return { stage: stepStage(plan, index), code: 'step_failed', reason: error instanceof Error ? error.message : String(error) };
}
