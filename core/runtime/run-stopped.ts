import { KeelError } from '../errors.js';

/** Thrown when a stop request ends a wait: the batch in hand is not committed; the run is interrupted, not failed. */
export const RUN_STOPPED = 'run_stopped';

export function runStopped(): KeelError {
  return new KeelError('transient', 'the run was stopped while waiting to retry; its state is saved and the next run goes on from there', { code: RUN_STOPPED, stage: 'run' });
}
