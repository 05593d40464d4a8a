import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadProject, runPipeline, SqliteStateStore } from '../core/index.js';
import { createLogger } from '../core/logger.js';
import { Redactor } from '../core/redact.js';
import type { ChildResult, ChildTask } from './protocol.js';

/** A task's work; peak RSS is added by the child entry, which owns the sampler. */
export type Measured = Omit<ChildResult, 'peakRssBytes'>;

export function runTask(task: ChildTask): Promise<Measured> {
  switch (task.kind) {
    case 'csv-parse':
      return countWithCsvParse(task.file);
    case 'keel-run':
      return runKeel(task.projectDir, task.statePath);
  }
}

/**
 * The baseline: the plainest streaming read csv-parse offers, with `columns: true` so it too
 * builds an object per row. The runner does this and then everything else (batching, encoding,
 * writing, committing state), so this is its ceiling. Same read buffer as the file connector
 * (256 KiB), so only what happens above the parser differs.
 */
async function countWithCsvParse(file: string): Promise<Measured> {
  const started = performance.now();
  const parser = createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(parse({ columns: true }));
  let records = 0;
  for await (const _record of parser as AsyncIterable<unknown>) records += 1;
  return { records, elapsedMs: performance.now() - started };
}

/**
 * The real runner, as `keel run` drives it: loadProject, a SqliteStateStore, a warn-level logger.
 * Only runPipeline is timed: loading (connector discovery, schema compilation) is a fixed cost
 * that says nothing about throughput.
 */
async function runKeel(projectDir: string, statePath: string): Promise<Measured> {
  const redactor = new Redactor();
  const logger = createLogger({ level: 'warn', format: 'text', redactor });
  const { plan } = await loadProject(projectDir);
  const [pipeline, ...others] = plan.pipelines;
  if (pipeline === undefined || others.length > 0) throw new Error(`expected one pipeline in ${projectDir}, found ${plan.pipelines.length}`);
  const store = new SqliteStateStore(statePath);
  try {
    const started = performance.now();
    const summary = await runPipeline(pipeline, { store, logger, redactor, projectDir: plan.dir });
    const elapsedMs = performance.now() - started;
    const { status, read, written, deadLettered, error } = summary;
    return { records: read, elapsedMs, outcome: { status, read, written, deadLettered, ...(error !== undefined ? { error } : {}) } };
  } finally {
    await store.close();
  }
}
