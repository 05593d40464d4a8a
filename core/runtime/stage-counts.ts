import type { StageCounts } from '../state/run-details.js';
import type { SourceContext } from './run-context.js';

/**
 * Where each stage of a pipeline sorts in a run's detail: its source first, then the steps in
 * order, then the targets in the pipeline's order.
 */
export function stageCounts(stage: string, position: number): StageCounts {
  return { stage, position, in: 0, out: 0, filtered: 0, duplicates: 0, deadLettered: 0 };
}

export const sourceStage = (scope: SourceContext): StageCounts => stageCounts(`source:${scope.source.name}`, 0);

export function targetStage(scope: SourceContext, targetIndex: number, name: string): StageCounts {
  return stageCounts(`target:${name}`, scope.plan.steps.length + 1 + targetIndex);
}
