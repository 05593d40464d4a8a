import { describe, expect, it } from 'vitest';
import type { PipelinePlan } from '../config/plan.js';
import { RecordRejection } from '../errors.js';
import { stepFailure } from './apply-steps.js';

const PLAN = { steps: [{ type: 'map' }, { type: 'check-stock' }] } as unknown as PipelinePlan;

describe('a step that throws', () => {
  it('dead-letters a rejection it threw with the rejection’s own code, as if it had returned it', () => {
    expect(stepFailure(PLAN, 1, new RecordRejection('SKU X is discontinued', 'sku_discontinued'))).toEqual({
      stage: 'step:2:check-stock',
      code: 'sku_discontinued',
      reason: 'SKU X is discontinued',
    });
  });

  it('dead-letters anything else as step_failed with its message', () => {
    expect(stepFailure(PLAN, 0, new TypeError('cannot read x of undefined'))).toEqual({ stage: 'step:1:map', code: 'step_failed', reason: 'cannot read x of undefined' });
  });
});
