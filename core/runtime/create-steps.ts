import type { StepFunction } from '../sdk/step.js';
import type { RunContext } from './run-context.js';

/** Makes the pipeline's steps for one run; dedupe steps remember through the run's step ledgers. */
export async function createSteps(run: RunContext): Promise<StepFunction[]> {
  const { plan } = run;
  const steps: StepFunction[] = [];
  const ledger = (scope: string) => run.stepLedgers.ledger(scope);
  for (const step of plan.steps) {
    steps.push(await step.definition.create(step.config as never, { projectDir: run.projectDir, file: plan.file, logger: run.logger, ledger }));
  }
  return steps;
}
