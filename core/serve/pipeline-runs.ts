import type { PipelinePlan } from '../config/plan.js';
import type { Logger } from '../logger.js';
import { runPipeline, type RunOptions, type RunSummary } from '../runtime/run-pipeline.js';
import type { DeadLetter } from '../state/state-store.js';

/** A run the server started: its id once recorded, and its summary when it ends. */
export interface StartedRun {
  runId: number;
  done: Promise<RunSummary>;
}

/**
 * Runs the server starts (a trigger, a replay), each under the pipeline's lease like `keel run`,
 * so a pipeline running in another process (or already here) is refused with `pipeline_busy`.
 * Closing asks every run to stop after its batch in hand and waits for them.
 */
export class PipelineRuns {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly runOptions: () => Omit<RunOptions, 'stop' | 'replay' | 'onStarted'>,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the run has its lease and its id; rejects (pipeline_busy, …) when it cannot start. */
  start(pipeline: PipelinePlan, replay?: readonly DeadLetter[]): Promise<StartedRun> {
    if (this.stop.signal.aborted) return Promise.reject(new Error('the server is stopping; no run is started'));
    return new Promise((resolve, reject) => {
      let started = false;
      const done: Promise<RunSummary> = runPipeline(pipeline, {
        ...this.runOptions(),
        stop: this.stop.signal,
        ...(replay !== undefined ? { replay } : {}),
        onStarted: (runId) => {
          started = true;
          // runPipeline awaits the lease before calling this, so `done` is assigned by now.
          resolve({ runId, done });
        },
      });
      const tracked = done.then(
        (summary) => {
          if (!started) reject(new Error(`pipeline ${pipeline.name} ended before it started`));
          return summary;
        },
        (error: unknown) => {
          if (!started) reject(error);
          else this.logger.error('a run the server started failed', { pipeline: pipeline.name, error: error instanceof Error ? error.message : String(error) });
        },
      );
      this.inFlight.add(tracked);
      void tracked.finally(() => this.inFlight.delete(tracked));
    });
  }

  /** Asks every run to stop after the batch in hand, and waits until they have. */
  async close(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}
