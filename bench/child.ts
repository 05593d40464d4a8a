/**
 * Child entry: `node dist/bench/child.js '<task json>'`. Each measurement gets a fresh process
 * so its peak RSS is its own, not left over from data generation or an earlier measurement.
 * stdout carries exactly one JSON line (the result); anything human goes to stderr.
 */
import { runTask } from './child-tasks.js';
import { parseChildTask, type ChildResult } from './protocol.js';
import { trackPeakRss } from './rss.js';

async function main(): Promise<void> {
  const task = parseChildTask(process.argv[2] ?? '');
  const rss = trackPeakRss();
  const measured = await runTask(task);
  const result: ChildResult = { ...measured, peakRssBytes: rss.stop() };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
