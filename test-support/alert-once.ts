/**
 * A child process of the two-monitor alert test: `node dist/test-support/alert-once.js <project> <start-ms> <now-ms>`.
 * It opens the project, makes an alert monitor (destination secrets from its environment), waits
 * for the common start moment, evaluates once as of `now-ms` and prints the report as JSON.
 */
import { AlertMonitor } from '../core/ops/alert-monitor.js';
import { openProject } from '../core/project/open-project.js';
import { startAt } from './race-engines.js';

const [dir, start, now] = process.argv.slice(2);
if (dir === undefined || start === undefined || now === undefined) throw new Error('usage: alert-once <project> <start-ms> <now-ms>');
const project = await openProject(dir);
try {
  const monitor = AlertMonitor.create(project, { now: () => Number(now) });
  await startAt(start);
  process.stdout.write(`${JSON.stringify(await monitor.evaluate())}\n`);
} finally {
  await project.close();
}
