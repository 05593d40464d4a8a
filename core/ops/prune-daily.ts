import type { OpenProject } from '../project/open-project.js';
import { pruneState } from '../state/prune-state.js';

const DAY_MS = 86_400_000;

/**
 * What `keel serve` and `keel schedule` do once a day: forget what keel.yaml `retention:` says is
 * old (pruneState, in small windows) and schedule fires older than the run history kept. The
 * first pass comes a minute after start, so a restart loop does not prune on every start.
 */
export function pruneDaily(project: OpenProject, options: { firstAfterMs?: number; everyMs?: number } = {}): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const once = async (): Promise<void> => {
    const now = new Date();
    try {
      const report = await pruneState(project.store, project.plan.retention, now);
      const runDays = project.plan.retention.runs;
      const fires = runDays === undefined ? 0 : await project.store.fires.prune(new Date(now.getTime() - runDays * DAY_MS).toISOString());
      project.logger.info('pruned the state', { ...Object.fromEntries(report.parts.map((part) => [part.part, part.pruned])), scheduleFires: fires });
    } catch (error) {
      project.logger.warn('could not prune the state; trying again tomorrow', { error: error instanceof Error ? error.message : String(error) });
    }
  };
  const tick = (): void => {
    running ??= once().finally(() => (running = undefined));
  };
  const first = setTimeout(tick, options.firstAfterMs ?? 60_000);
  const every = setInterval(tick, options.everyMs ?? DAY_MS);
  first.unref();
  every.unref();
  return {
    stop: async () => {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
