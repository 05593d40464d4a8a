import { AlertMonitor } from './alert-monitor.js';
import { pruneDaily } from './prune-daily.js';
import type { OpenProject } from '../project/open-project.js';
import { Scheduler, type SchedulerOptions } from '../schedule/scheduler.js';

/** What runs beside the pipelines in a long-lived Keel process: the scheduler, the alert monitor, daily pruning. */
export interface Operations {
  scheduler: Scheduler | undefined;
  alerts: AlertMonitor | undefined;
  /**
   * Stops them: no new fire starts, running pipelines finish their batch; the alert round in
   * progress ends. Called again (a second signal), it cancels the pipelines' writes in flight.
   */
  stop(): Promise<void>;
}

/**
 * Starts the scheduler (unless `schedule` is false), the alert monitor (when keel.yaml has
 * `alerts:`) and daily pruning on an open project. `keel schedule` and `keel serve` both use it.
 */
export async function startOperations(project: OpenProject, options: SchedulerOptions & { schedule: boolean }): Promise<Operations> {
  // Alerts first: a destination whose secret is missing is a config error before anything runs.
  const alerts = project.plan.alerts !== undefined ? AlertMonitor.create(project) : undefined;
  const scheduler = options.schedule ? await Scheduler.start(project, options) : undefined;
  alerts?.start();
  const pruning = pruneDaily(project);
  let stopping: Promise<void> | undefined;
  return {
    scheduler,
    alerts,
    stop: async () => {
      if (stopping !== undefined) {
        await scheduler?.stop();
        return stopping;
      }
      stopping = Promise.all([scheduler?.stop(), alerts?.stop(), pruning.stop()]).then(() => undefined);
      return stopping;
    },
  };
}
