import { loadProject } from '../core/config/load-project.js';
import { openInventory } from '../core/inventory/open-inventory.js';
import { openRouting } from '../core/routing/open-routing.js';
import { createLogger } from '../core/logger.js';
import { Redactor } from '../core/redact.js';
import { runPipeline, type RunSummary } from '../core/runtime/run-pipeline.js';
import { SqliteStateStore } from '../core/state/sqlite-store.js';

export interface ProjectRun {
  summary: RunSummary;
  /** Every log line (JSON, debug level), as a user with a log file would see it. */
  log: string;
}

/** Runs (or replays) a project's first pipeline in this process, with its real state file. */
export async function runProject(
  dir: string,
  options: { env?: Record<string, string>; replayAll?: boolean; dryRun?: boolean; pipeline?: string } = {},
): Promise<ProjectRun> {
  const { plan } = await loadProject(dir);
  const store = new SqliteStateStore(plan.statePath);
  const inventory = openInventory(plan);
  const redactor = new Redactor();
  let log = '';
  const logger = createLogger({ level: 'debug', format: 'json', redactor, write: (line) => (log += line) });
  const routing = openRouting(plan, inventory, logger);
  try {
    const pipeline = options.pipeline === undefined ? plan.pipelines[0] : plan.pipelines.find((candidate) => candidate.name === options.pipeline);
    if (pipeline === undefined) throw new Error('no such pipeline');
    const replay = options.replayAll === true ? await store.listDeadLetters({ status: 'open' }) : undefined;
    const summary = await runPipeline(pipeline, {
      store,
      logger,
      redactor,
      projectDir: plan.dir,
      env: options.env ?? {},
      dryRun: options.dryRun,
      replay,
      inventory,
      routing,
    });
    return { summary, log };
  } finally {
    await routing?.store.close();
    await inventory?.store.close();
    await store.close();
  }
}
