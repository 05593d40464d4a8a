import type { PipelinePlan } from '../config/plan.js';
import type { JsonObject } from '../json.js';
import { DROP, DUPLICATE, RecordRejection, type StepFunction, type StepOutput } from '../sdk/step.js';
import type { BatchOutcome } from './batch.js';
import { deadLetter, type RecordFailure } from './dead-letter.js';
import type { ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';

type StepOutcome = ItemInFlight | typeof DROP | typeof DUPLICATE | RecordFailure | { many: StepOutcome[] };

/**
 * Runs each record of a batch through the steps, one record at a time in source order (a dedupe
 * step sees the records before it). Returns the records that go on to the targets; those
 * dropped, found duplicate or rejected are counted or dead-lettered in the batch's outcome.
 */
export async function applySteps(scope: SourceContext, steps: StepFunction[], items: ItemInFlight[], outcome: BatchOutcome): Promise<ItemInFlight[]> {
  const survivors: ItemInFlight[] = [];
  for (const item of items) {
    let stepped = throughSteps(steps, scope.plan, item);
    if (stepped instanceof Promise) stepped = await stepped;
    sortOutcome(scope, item, stepped, survivors, outcome);
  }
  // What dedupe steps remembered in this batch is committed with it, or forgotten with it.
  outcome.deliveries = scope.stepLedgers.takeEntries();
  return survivors;
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

/** Runs the steps over one record; stays synchronous unless a step returns a promise. */
function throughSteps(steps: StepFunction[], plan: PipelinePlan, item: ItemInFlight, from = 0, start: JsonObject = item.data): StepOutcome | Promise<StepOutcome> {
  let data = start;
  for (let index = from; index < steps.length; index += 1) {
    let output;
    try {
      output = (steps[index] as StepFunction)(data);
    } catch (error) {
      return stepFailure(plan, index, error);
    }
    if (output instanceof Promise) {
      return output.then(
        (resolved) => settle(resolved, plan, index) ?? continueWith(steps, plan, item, index + 1, resolved),
        (error: unknown) => stepFailure(plan, index, error),
      );
    }
    const settled = settle(output, plan, index);
    if (settled !== undefined) return settled;
    if (Array.isArray(output)) return continueWith(steps, plan, item, index + 1, output);
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
function continueWith(steps: StepFunction[], plan: PipelinePlan, item: ItemInFlight, next: number, output: StepOutput): StepOutcome | Promise<StepOutcome> {
  if (!Array.isArray(output)) return throughSteps(steps, plan, item, next, output as JsonObject);
  const outcomes = output.map((record) => throughSteps(steps, plan, item, next, record));
  if (outcomes.some((outcome) => outcome instanceof Promise)) return Promise.all(outcomes).then((many) => ({ many }));
  return { many: outcomes as StepOutcome[] };
}

/** A step's output that ends the record's way (dropped or rejected), or undefined to go on. */
function settle(output: StepOutput, plan: PipelinePlan, index: number): StepOutcome | undefined {
  if (output === DROP) return DROP;
  if (output === DUPLICATE) return DUPLICATE;
  if (output instanceof RecordRejection) return { stage: stepStage(plan, index), code: output.code, reason: output.reason };
  return undefined;
}

/** A step that threw: a rejection it threw keeps its own code, like one it returned; anything else is step_failed. */
export function stepFailure(plan: PipelinePlan, index: number, error: unknown): RecordFailure {
  if (error instanceof RecordRejection) return { stage: stepStage(plan, index), code: error.code, reason: error.reason };
  return { stage: stepStage(plan, index), code: 'step_failed', reason: error instanceof Error ? error.message : String(error) };
}
