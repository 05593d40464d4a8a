import { createLogger } from '../core/logger.js';
import { openProject } from '../core/project/open-project.js';
import { Redactor } from '../core/redact.js';
import { runPipeline, type RunSummary } from '../core/runtime/run-pipeline.js';

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
  const redactor = new Redactor();
  let log = '';
  const logger = createLogger({ level: 'debug', format: 'json', redactor, write: (line) => (log += line) });
  const project = await openProject(dir, { logger, redactor });
  try {
    const { plan, store } = project;
    const pipeline = options.pipeline === undefined ? plan.pipelines[0] : plan.pipelines.find((candidate) => candidate.name === options.pipeline);
    if (pipeline === undefined) throw new Error('no such pipeline');
    const replay = options.replayAll === true ? await store.listDeadLetters({ status: 'open' }) : undefined;
    const summary = await runPipeline(pipeline, { ...project.runOptions(), env: options.env ?? {}, dryRun: options.dryRun, replay });
    return { summary, log };
  } finally {
    await project.close();
  }
}
